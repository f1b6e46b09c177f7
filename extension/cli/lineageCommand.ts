import { DIRECT_KINDS, type Entity, type TransformKind } from '../../core/model/entities';
import { columnId } from '../../core/model/ids';
import type { CatalogStore } from '../catalog/catalogStore';
import type { ColumnLineage, ColumnLineageEdge } from '../catalog/catalogTypes';
import { type Invocation, UsageError, usageHint } from './cliArgs';
import { buildTree, plural, tree } from './cliFormat';
import { type CliIo, openCatalog } from './cliIo';
import { displayName, resolveEntity } from './entityResolver';

/**
 * `mallard lineage <entity>[.<column>]`: model-level lineage as trees, or column-level lineage
 * (`--columns`, or a column in the name). Column lineage follows direct edges (identity,
 * transformation, aggregation) unless `--indirect`; what that hides is never silent: a column
 * whose inputs are all indirect says so in its tree, and a last line counts the hidden edges and
 * names the flag.
 */

const json = (value: unknown): string => JSON.stringify(value, null, 2);

function modelLineageText(store: CatalogStore, entity: Entity, inv: Invocation): string {
  const lin = store.modelLineage(entity.id, { direction: inv.direction, ...(inv.depth !== undefined ? { maxDepth: inv.depth } : {}) });
  if (inv.json) return json(lin);
  const names = new Map(lin.nodes.map((n) => [n.id, n.entity ? `${displayName(n.entity)} (${n.entity.kind})` : `${n.id} (missing)`]));
  const label = (id: string): string => names.get(id) ?? id;
  const parts: string[] = [];
  if (inv.direction !== 'downstream') parts.push('Upstream', tree(buildTree(entity.id, label, (id) => lin.edges.filter((e) => e.to === id).map((e) => ({ id: e.from, via: e.kind })))));
  if (inv.direction !== 'upstream') parts.push('Downstream', tree(buildTree(entity.id, label, (id) => lin.edges.filter((e) => e.from === id).map((e) => ({ id: e.to, via: e.kind })))));
  return parts.join('\n');
}

/** One column's closure, plus (when only direct edges were followed) what `--indirect` would add. */
interface ColumnResult {
  column: string;
  lineage: ColumnLineage;
  /** Edges `--indirect` would add to this closure (none with `--indirect`), as `from>to>transform` keys. */
  hidden: Set<string>;
  /** Indirect edges into (upstream) or out of (downstream) the column itself, by kind. */
  rootIndirect: Map<TransformKind, number>;
}

function columnResult(store: CatalogStore, entity: Entity, column: string, inv: Invocation): ColumnResult {
  const options = { direction: inv.direction, ...(inv.depth !== undefined ? { maxDepth: inv.depth } : {}) };
  const id = columnId(entity.id, column);
  const lineage = store.columnLineage(id, { ...options, includeIndirect: inv.indirect });
  const full = inv.indirect ? lineage : store.columnLineage(id, { ...options, includeIndirect: true });
  const rootIndirect = new Map<TransformKind, number>();
  for (const e of full.edges) {
    const touchesRoot = (inv.direction !== 'downstream' && e.to === id) || (inv.direction !== 'upstream' && e.from === id);
    if (touchesRoot && !DIRECT_KINDS.has(e.transform)) rootIndirect.set(e.transform, (rootIndirect.get(e.transform) ?? 0) + 1);
  }
  const key = (e: ColumnLineageEdge): string => `${e.from}>${e.to}>${e.transform}`;
  const shown = new Set(lineage.edges.map(key));
  const hidden = new Set(full.edges.map(key).filter((k) => !shown.has(k)));
  return { column, lineage, hidden, rootIndirect };
}

function columnTrees(r: ColumnResult, rootId: string, label: (colId: string) => string, inv: Invocation): string {
  const walk = (edges: ColumnLineageEdge[], upstream: boolean) => (id: string) =>
    edges.filter((e) => (upstream ? e.to === id : e.from === id)).map((e) => ({ id: upstream ? e.from : e.to, via: e.transform }));
  const up = buildTree(rootId, label, walk(r.lineage.edges, true));
  const down = buildTree(rootId, label, walk(r.lineage.edges, false));
  const main = inv.direction === 'downstream' ? down : up;
  // A column whose every input is indirect (a CASE over other columns) would print as a bare name.
  if (!inv.indirect && main.children.length === 0 && r.rootIndirect.size > 0) {
    const kinds = [...r.rootIndirect].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([kind, n]) => `${n} ${kind}`).join(', ');
    main.children.push({ label: `(no direct ${inv.direction === 'downstream' ? 'outputs' : 'inputs'}; indirect: ${kinds} — --indirect shows them)`, children: [] });
  }
  const parts = [tree(main)];
  if (inv.direction === 'both' && down.children.length > 0) parts.push(`  downstream:\n${tree(down).replace(/^/gm, '  ')}`);
  return parts.join('\n');
}

function columnLineageText(store: CatalogStore, entity: Entity, only: string | undefined, inv: Invocation): string {
  const columns = only !== undefined ? [only] : store.columnsOf(entity.id).map((c) => c.name);
  const results = columns.map((column) => columnResult(store, entity, column, inv));
  if (inv.json) {
    return json({
      entity: { id: entity.id, kind: entity.kind, name: entity.name, project: entity.project, path: entity.path },
      indirect: inv.indirect,
      columns: results.map((r) => ({ column: r.column, lineage: r.lineage, ...(inv.indirect ? {} : { hiddenIndirect: r.hidden.size }) })),
    });
  }
  const entityNames = new Map<string, string>();
  const label = (colId: string): string => {
    const at = colId.lastIndexOf('#');
    const owner = colId.slice(0, at);
    if (!entityNames.has(owner)) {
      const e = store.getEntity(owner);
      entityNames.set(owner, e !== undefined ? displayName(e) : owner);
    }
    return `${entityNames.get(owner) ?? owner}.${colId.slice(at + 1)}`;
  };
  const blocks = results.map((r) => columnTrees(r, columnId(entity.id, r.column), label, inv));
  // Distinct edges: the trees of several columns share upstream edges.
  const hidden = new Set(results.flatMap((r) => [...r.hidden])).size;
  if (hidden > 0) blocks.push(`Direct edges only: ${plural(hidden, 'indirect edge')} (join, filter, group, sort, window, conditional) not shown; --indirect follows them.`);
  return blocks.join('\n\n');
}

/** `lineage <entity>`. */
export function lineageCommand(inv: Invocation, io: CliIo): string {
  const store = openCatalog(inv, io);
  try {
    const { entity, column } = resolveEntity(store, inv.positionals[0] ?? '');
    if (column === undefined && !inv.columns && inv.indirect) {
      throw new UsageError('--indirect applies to column lineage: add --columns, or name a column (orders.customer_id)', usageHint('lineage'));
    }
    return column !== undefined || inv.columns ? columnLineageText(store, entity, column, inv) : modelLineageText(store, entity, inv);
  } finally {
    store.close();
  }
}
