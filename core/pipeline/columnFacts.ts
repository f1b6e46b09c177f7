import { DIRECT_KINDS, type Column, type ColumnEdge, type Entity, type Provenance, type UnresolvedRef } from '../model/entities';
import { columnId } from '../model/ids';
import type { ColumnSource, ResolvedStatement } from './contracts';

/**
 * Turns one resolved statement into column facts for its target entity, shared by the dbt and the
 * plain SQL assembly: inferred columns merged with declared ones, column edges, unresolved names.
 */

/** Column facts of one entity. */
export interface EntityColumnFacts {
  columns: Column[];
  columnEdges: ColumnEdge[];
  unresolved: UnresolvedRef[];
}

/** Returns one shared string for equal column ids (see `newIdInterner`). */
export type Intern = (id: string) => string;

/**
 * An interner for column ids. Edges repeat the ids of their endpoint columns (a join key feeds every
 * output column), and 200k+ edges each holding its own copy of the same ids was a large share of the
 * scanner's retained memory; one interner per lineage run makes edges share the columns' strings.
 */
export function newIdInterner(): Intern {
  const ids = new Map<string, string>();
  return (id) => {
    const hit = ids.get(id);
    if (hit !== undefined) return hit;
    ids.set(id, id);
    return id;
  };
}

/** Maps a relation read by the statement to the entity id it stands for, or undefined. */
export type RelationToEntity = (source: ColumnSource['relation']) => string | undefined;

/**
 * Merges inferred output columns with declared ones: a column in both keeps the declared docs, type
 * and tests and gets `origin: 'both'` and the inferred position; declared-only columns follow.
 */
export function mergeColumns(entity: Entity, inferred: string[] | undefined, declared: readonly Column[], provenance: Provenance, intern: Intern = (id) => id): Column[] {
  if (inferred === undefined) return [...declared];
  const byName = new Map(declared.map((c) => [c.name.toLowerCase(), c]));
  const seen = new Set<string>();
  const out: Column[] = [];
  for (const name of inferred) {
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const dec = byName.get(key);
    if (dec) out.push({ ...dec, position: out.length, origin: 'both' });
    else out.push({ id: intern(columnId(entity.id, name)), entityId: entity.id, name, description: '', tags: [], tests: [], meta: {}, position: out.length, origin: 'inferred', provenance });
  }
  for (const dec of declared) {
    if (seen.has(dec.name.toLowerCase())) continue;
    out.push({ ...dec, position: out.length });
  }
  return out;
}

/** Builds column edges and unresolved refs of `entityId` from a resolved statement. */
export function edgesFromResolved(entityId: string, resolved: ResolvedStatement, toEntity: RelationToEntity, provenance: Provenance, rename: (text: string) => string, intern: Intern = newIdInterner()): Omit<EntityColumnFacts, 'columns'> {
  const edges = new Map<string, ColumnEdge>();
  const add = (src: ColumnSource, toColumn: string): void => {
    const fromEntity = toEntity(src.relation);
    if (fromEntity === undefined || src.column === '' || src.column === '*') return;
    const from = intern(columnId(fromEntity, src.column));
    const to = intern(columnId(entityId, toColumn));
    const key = `${from}>${to}`;
    const prev = edges.get(key);
    // One edge per column pair; a direct transform wins over an indirect one.
    if (prev && (DIRECT_KINDS.has(prev.transform) || !DIRECT_KINDS.has(src.transform))) return;
    edges.set(key, { from, to, level: 'column', transform: src.transform, provenance });
  };
  for (const col of resolved.columns) for (const src of col.sources) add(src, col.name);
  for (const src of resolved.indirect) for (const col of resolved.columns) add(src, col.name);
  const unresolved: UnresolvedRef[] = resolved.unresolved.map((u) => ({
    target: u.column === '' || u.column === '*' ? entityId : columnId(entityId, u.column),
    name: rename(u.name),
    reason: u.reason,
    detail: rename(u.detail),
    provenance,
  }));
  return { columnEdges: [...edges.values()], unresolved };
}

/** True when the resolved output columns are complete enough to serve as the entity's schema. */
export function isCompleteSchema(resolved: ResolvedStatement): boolean {
  return resolved.columns.length > 0 && !resolved.unresolved.some((u) => u.reason === 'star-without-schema');
}
