import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';

/**
 * Where a dbt properties file declares models, seeds, snapshots, source tables and their columns:
 * the `name:` value of each entry with its position. Find All References lists these entries, and
 * the reference CodeLens of a YAML file sits on them. Pure text work (no `vscode`), never throws.
 */

/** A declaration in a properties file; positions are 0-based, `end` exclusive, on the name's line. */
export interface YamlEntry {
  kind: 'model' | 'seed' | 'snapshot' | 'source' | 'column';
  /** Model/seed/snapshot name, `<source>.<table>` for a source table, the column name for a column. */
  name: string;
  /** For a column: the entry that declares it (its kind and name, and the model version it is under). */
  owner?: { kind: 'model' | 'seed' | 'snapshot' | 'source'; name: string; version?: string };
  line: number;
  column: number;
  endColumn: number;
  /** Character offsets of the name in the text (for "which entry is at the cursor"). */
  start: number;
  end: number;
}

const NODE_LISTS = { models: 'model', seeds: 'seed', snapshots: 'snapshot' } as const;

/** Every declaration of `text` (a YAML file), in document order. */
export function yamlEntries(text: string): YamlEntry[] {
  const lc = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false, logLevel: 'silent' });
  } catch {
    return [];
  }
  const out: YamlEntry[] = [];
  const entry = (kind: YamlEntry['kind'], nameNode: YamlNode, name: string, owner?: YamlEntry['owner']): void => {
    const [start = 0, end = start] = nameNode.range ?? [];
    const pos = lc.linePos(start);
    out.push({ kind, name, ...(owner ? { owner } : {}), line: pos.line - 1, column: pos.col - 1, endColumn: pos.col - 1 + (end - start), start, end });
  };
  const named = (item: unknown): { node: YamlNode; name: string } | undefined => {
    if (!isMap(item)) return undefined;
    const node = item.get('name', true);
    if (!isScalar(node) || typeof node.value !== 'string') return undefined;
    return { node, name: node.value };
  };
  const columnsOf = (map: unknown, owner: NonNullable<YamlEntry['owner']>): void => {
    if (!isMap(map)) return;
    const columns = map.get('columns', true);
    if (!isSeq(columns)) return;
    for (const c of columns.items) {
      const col = named(c);
      if (col) entry('column', col.node, col.name, owner);
    }
  };
  const root = doc.contents;
  if (!isMap(root)) return out;
  for (const [key, kind] of Object.entries(NODE_LISTS)) {
    const list = root.get(key, true);
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      const node = named(item);
      if (!node) continue;
      entry(kind, node.node, node.name);
      columnsOf(item, { kind, name: node.name });
      // Model versions declare their own columns under `versions:`.
      const versions = isMap(item) ? item.get('versions', true) : undefined;
      if (!isSeq(versions)) continue;
      for (const v of versions.items) {
        const number = isMap(v) ? v.get('v') : undefined;
        columnsOf(v, { kind, name: node.name, ...(typeof number === 'string' || typeof number === 'number' ? { version: String(number) } : {}) });
      }
    }
  }
  const sources = root.get('sources', true);
  if (isSeq(sources)) {
    for (const s of sources.items) {
      const source = named(s);
      const tables = isMap(s) ? s.get('tables', true) : undefined;
      if (!source || !isSeq(tables)) continue;
      for (const t of tables.items) {
        const table = named(t);
        if (!table) continue;
        const name = `${source.name}.${table.name}`;
        entry('source', table.node, name);
        columnsOf(t, { kind: 'source', name });
      }
    }
  }
  return out;
}

/** The declaration whose name covers `offset`, if any. */
export function yamlEntryAt(entries: readonly YamlEntry[], offset: number): YamlEntry | undefined {
  return entries.find((e) => offset >= e.start && offset <= e.end);
}
