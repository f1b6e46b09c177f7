/**
 * Makes a stand-in's canned INFORMATION_SCHEMA answers honour the page restriction the warehouse
 * connectors add in the cloud's chunks (`relationFilter` in `core/connectors/warehouseSteps.ts`:
 * `(schema = 'A' AND name IN ('X', 'Y')) OR …`), so a wrong restriction loses rows in the tests
 * instead of being hidden by answers that ignore it.
 */

const LITERAL = String.raw`'((?:[^'\\]|\\.)*)'`;

function unescape(literal: string): string {
  return literal.replace(/\\(.)/g, '$1');
}

/** The relations a statement restricts itself to (`schema.name`), or undefined when it reads all. */
export function pageOf(sql: string, schemaColumn: string, nameColumn: string): Set<string> | undefined {
  const group = new RegExp(String.raw`\(${schemaColumn} = ${LITERAL} AND ${nameColumn} IN \(((?:${LITERAL}(?:, )?)+)\)\)`, 'g');
  const keys = new Set<string>();
  for (const m of sql.matchAll(group)) {
    const schema = unescape(m[1] ?? '');
    for (const n of (m[2] ?? '').matchAll(new RegExp(LITERAL, 'g'))) keys.add(`${schema}.${unescape(n[1] ?? '')}`);
  }
  return keys.size === 0 ? undefined : keys;
}

/** `rows` of a canned answer kept to the statement's page (schema and name at `schemaAt`, `nameAt`). */
export function restrictRows(sql: string, schemaColumn: string, nameColumn: string, rows: unknown[][], schemaAt: number, nameAt: number): unknown[][] {
  const page = pageOf(sql, schemaColumn, nameColumn);
  return page === undefined ? rows : rows.filter((r) => page.has(`${String(r[schemaAt])}.${String(r[nameAt])}`));
}
