import type { EntityKind } from './entities';

/**
 * Stable ids. They follow dbt's `unique_id` scheme so that ids match dbt's manifest:
 * - `model.<project>.<name>` and `model.<project>.<name>.v<version>` for versioned models,
 * - `seed.<project>.<name>`, `snapshot.<project>.<name>`, `exposure.<project>.<name>`, `analysis.<project>.<name>`,
 *   `macro.<project>.<name>`, `doc.<project>.<name>`, `project.<project>`,
 * - `source.<project>.<source>.<table>`,
 * - plain SQL relations: `table.<project>.<qualified relation, lower-cased>` (kind `table` or `view`
 *   both use the `table.` prefix so a view and a table of the same name are one node).
 * Column ids are `<entityId>#<lower-cased column name>`.
 */

export function modelId(project: string, name: string, version?: string): string {
  return version === undefined ? `model.${project}.${name}` : `model.${project}.${name}.v${version}`;
}

export function sourceId(project: string, source: string, table: string): string {
  return `source.${project}.${source}.${table}`;
}

export function nodeId(kind: Exclude<EntityKind, 'source' | 'table' | 'view' | 'project'>, project: string, name: string): string {
  const prefix = kind === 'docBlock' ? 'doc' : kind;
  return `${prefix}.${project}.${name}`;
}

export function projectId(project: string): string {
  return `project.${project}`;
}

/** Id of a relation found in plain SQL; `qualified` is `db.schema.table`, `schema.table` or `table`. */
export function relationId(project: string, qualified: string): string {
  return `table.${project}.${qualified.toLowerCase()}`;
}

export function columnId(entityId: string, column: string): string {
  return `${entityId}#${column.toLowerCase()}`;
}

/** Splits a column id into its entity id and column name. */
export function splitColumnId(id: string): { entityId: string; column: string } {
  const at = id.lastIndexOf('#');
  return at < 0 ? { entityId: id, column: '' } : { entityId: id.slice(0, at), column: id.slice(at + 1) };
}
