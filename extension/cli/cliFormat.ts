import type { TestRef } from '../../core/model/entities';

/**
 * Human output of the CLI: aligned tables, lineage trees, plurals, data tests. Pure string
 * functions (tested directly).
 */

/** `1 file`, `2 files`; `pluralForm` for words that do not just take an `s` (`entity`). */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** A table cell on one line: a multi-line description or a tab would break the columns. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Renders rows as an aligned table with a header rule; every cell is put on one line. */
export function table(header: readonly string[], cellRows: readonly (readonly string[])[]): string {
  const rows = cellRows.map((r) => r.map(oneLine));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A tree node for `tree`. */
export interface TreeNode {
  label: string;
  children: TreeNode[];
}

/** Renders a tree with box-drawing guides. */
export function tree(root: TreeNode): string {
  const out = [root.label];
  const walk = (node: TreeNode, prefix: string): void => {
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      out.push(`${prefix}${last ? '└─ ' : '├─ '}${child.label}`);
      walk(child, `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  walk(root, '');
  return out.join('\n');
}

/**
 * Builds a tree from edges. `next(id)` lists the neighbours in the walk direction with an edge label;
 * nodes already shown are printed once more with `(see above)` instead of repeating their subtree.
 */
export function buildTree(rootId: string, label: (id: string) => string, next: (id: string) => { id: string; via: string }[], maxDepth = Infinity): TreeNode {
  const shown = new Set<string>([rootId]);
  const build = (id: string, via: string, depth: number): TreeNode => {
    const node: TreeNode = { label: `${label(id)}${via ? `  [${via}]` : ''}`, children: [] };
    if (depth >= maxDepth) return node;
    for (const n of next(id)) {
      if (shown.has(n.id)) {
        node.children.push({ label: `${label(n.id)}  [${n.via}] (see above)`, children: [] });
        continue;
      }
      shown.add(n.id);
      node.children.push(build(n.id, n.via, depth + 1));
    }
    return node;
  };
  return build(rootId, '', 0);
}

function argText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(argText).join(', ')}]`;
  return JSON.stringify(value) ?? String(value);
}

/** A data test as one readable line: `accepted_values(values: [paid, open])`. */
export function testText(test: TestRef): string {
  const args = Object.entries(test.args).map(([k, v]) => `${k}: ${argText(v)}`);
  return args.length > 0 ? `${test.name}(${args.join(', ')})` : test.name;
}
