import type { RelationName } from '../pipeline/contracts';

/**
 * Name helpers over node-sql-parser's AST, whose grammars spell an identifier as a string,
 * `{ type, value }`, `{ expr: { value } }` or `{ name: [{ value }] }` depending on the dialect.
 */

/** An identifier's text, or undefined when the value is not an identifier. */
export function identName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    const parts = value.map(identName).filter((p): p is string => !!p);
    return parts.length > 0 ? parts.join('.') : undefined;
  }
  const node = value as Record<string, unknown>;
  if (typeof node.value === 'string') return node.value;
  if (node.type === 'column_ref') return identName(node.column);
  if (node.expr !== undefined) return identName(node.expr);
  if (node.name !== undefined) return identName(node.name);
  return undefined;
}

/** Splits `u(x, y)` (how some grammars return `AS u(x, y)`) into alias and column aliases. */
export function splitAlias(value: unknown): { alias?: string; cols?: string[] } {
  const name = identName(value);
  if (!name) return {};
  const m = /^\s*([^()\s]+)\s*\((.*)\)\s*$/.exec(name);
  if (!m) return { alias: name };
  const cols = (m[2] ?? '')
    .split(',')
    .map((c) => c.trim().replace(/^["`[]|["`\]]$/g, ''))
    .filter((c) => c.length > 0);
  return { alias: m[1] as string, cols };
}

/** The relation named by a FROM item / DML target (`{ db, schema, table }` in the grammars' shapes). */
export function relationOf(item: Record<string, unknown>): RelationName | undefined {
  const table = identName(item.table);
  if (!table) return undefined;
  // Grammars disagree: `a.b.c` is `{ db: a, schema: b }` or `{ catalog: a, db: a, schema: b }`.
  const schema = identName(item.schema);
  const prefix = schema ? [identName(item.catalog) ?? identName(item.db), schema] : [identName(item.db)];
  const parts = prefix.filter((p): p is string => !!p).flatMap((p) => p.split('.'));
  // BigQuery keeps `project.dataset.table` in one backquoted name.
  const tableParts = table.split('.');
  const all = [...parts, ...tableParts].filter((p) => p.length > 0);
  return relationFromParts(all);
}

/** Builds a relation from dotted name parts (last = name, then schema, then database). */
export function relationFromParts(parts: string[]): RelationName | undefined {
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
