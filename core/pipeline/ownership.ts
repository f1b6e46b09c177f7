import type { Facts } from '../model/entities';

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

/**
 * The facts owned by `ids`/`files` (`owned` true) or the others (`owned` false). One pass per
 * array and nothing allocated for the side not asked for: on a 100k-column project this runs once
 * per edit, and every array it builds is garbage the next edit.
 */
export function selectOwned(f: Facts, ids: ReadonlySet<string>, files: ReadonlySet<string>, owned: boolean): Facts {
  return {
    entities: f.entities.filter((e) => ids.has(e.id) === owned),
    columns: f.columns.filter((c) => ids.has(c.entityId) === owned),
    modelEdges: f.modelEdges.filter((m) => ids.has(m.to) === owned),
    columnEdges: f.columnEdges.filter((c) => ids.has(ownerOfId(c.to)) === owned),
    unresolved: f.unresolved.filter((u) => ids.has(ownerOfId(u.target)) === owned),
    diagnostics: f.diagnostics.filter((d) => files.has(d.file) === owned),
  };
}
