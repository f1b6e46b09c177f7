import { emptyFacts, type Facts } from '../model/entities';

/**
 * The catalog's ownership rules as pure functions: an entity owns itself, its columns, the model and
 * column edges into it and its unresolved refs; a file owns its diagnostics. The store replaces facts
 * by owner, and incremental assembly patches facts by owner.
 */

/** Entity that owns a column id (`<entity>#<column>`) or an entity id. */
export function ownerOfId(id: string): string {
  const at = id.lastIndexOf('#');
  return at < 0 ? id : id.slice(0, at);
}

/** Splits facts into those owned by `ids`/`files` and the rest. */
export function partitionOwned(f: Facts, ids: ReadonlySet<string>, files: ReadonlySet<string>): { owned: Facts; rest: Facts } {
  const owned = emptyFacts();
  const rest = emptyFacts();
  for (const e of f.entities) (ids.has(e.id) ? owned : rest).entities.push(e);
  for (const c of f.columns) (ids.has(c.entityId) ? owned : rest).columns.push(c);
  for (const m of f.modelEdges) (ids.has(m.to) ? owned : rest).modelEdges.push(m);
  for (const c of f.columnEdges) (ids.has(ownerOfId(c.to)) ? owned : rest).columnEdges.push(c);
  for (const u of f.unresolved) (ids.has(ownerOfId(u.target)) ? owned : rest).unresolved.push(u);
  for (const d of f.diagnostics) (files.has(d.file) ? owned : rest).diagnostics.push(d);
  return { owned, rest };
}
