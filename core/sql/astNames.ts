import type { RelationName } from '../pipeline/contracts';

/** Relation name helpers shared by the AST conversion, the fallback scan and lineage resolution. */

/** Builds a relation from dotted name parts (last = name, then schema, then database). */
export function relationFromParts(parts: readonly string[]): RelationName | undefined {
  const name = parts[parts.length - 1];
  if (!name) return undefined;
  const rel: RelationName = { name };
  const schema = parts[parts.length - 2];
  if (schema) rel.schema = schema;
  const database = parts.slice(0, -2).join('.');
  if (database) rel.database = database;
  return rel;
}

/** `db.schema.name` as written, for messages and matching qualifiers. */
export function relationText(rel: RelationName): string {
  return [rel.database, rel.schema, rel.name].filter((p) => !!p).join('.');
}
