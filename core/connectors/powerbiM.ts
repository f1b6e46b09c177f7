import type { Dialect, RelationName } from '../pipeline/contracts';

/**
 * What a Power Query (M) partition source reads, found by pattern rather than by a full M parser:
 * the connector call (`Sql.Database("server", "db")`, `PostgreSQL.Database`, `Snowflake.Databases`,
 * `AmazonRedshift.Database`, `GoogleBigQuery.Database`), the navigation steps that pick a table
 * (`Source{[Schema="dbo",Item="Sales"]}[Data]`, or `{[Name="X",Kind="Database"|"Schema"|"Table"|"View"]}`
 * chains), and native SQL (`Value.NativeQuery(Source, "SELECT …")` or `[Query="…"]` options), its M
 * string escapes (`""`, `#(lf)`, `#(cr)`, `#(tab)`) decoded. The SQL keeps its offset in the expression.
 */

/** A table or query an M expression reads. */
export interface MSource {
  server?: string;
  database?: string;
  dialect?: Dialect;
  /** Tables picked by navigation (database/schema filled from the connector call when the steps do not give them). */
  tables: RelationName[];
  /** Native SQL queries with the offset of their first character in the expression. */
  queries: { sql: string; offset: number }[];
}

const CONNECTORS: Record<string, Dialect> = {
  'Sql.Database': 'transactsql',
  'Sql.Databases': 'transactsql',
  'PostgreSQL.Database': 'postgresql',
  'Snowflake.Databases': 'snowflake',
  'AmazonRedshift.Database': 'redshift',
  'GoogleBigQuery.Database': 'bigquery',
  'Databricks.Catalogs': 'hive',
};

/** Decodes an M string body (between the quotes). */
export function decodeMString(body: string): string {
  return body.replace(/""/g, '"').replace(/#\((lf|cr|tab|#)\)/g, (_m, e: string) => ({ lf: '\n', cr: '\r', tab: '\t', '#': '#' })[e] as string);
}

const STRING = '"((?:[^"]|"")*)"';

/** Reads an M expression's sources. */
export function readM(expr: string): MSource {
  const out: MSource = { tables: [], queries: [] };
  const call = new RegExp(`(${Object.keys(CONNECTORS).map((k) => k.replace('.', '\\.')).join('|')})\\s*\\(\\s*(?:${STRING})?\\s*(?:,\\s*${STRING})?`).exec(expr);
  if (call !== null) {
    out.dialect = CONNECTORS[call[1] as string];
    if (call[2] !== undefined) out.server = decodeMString(call[2]);
    if (call[3] !== undefined && call[1] !== 'Snowflake.Databases') out.database = decodeMString(call[3]);
  }
  // Navigation by record: [Schema="dbo",Item="Sales"] (SQL Server, PostgreSQL) in either order.
  for (const m of expr.matchAll(/\{\s*\[([^\]]*)\]\s*\}/g)) {
    const fields = new Map<string, string>();
    for (const f of (m[1] as string).matchAll(new RegExp(`([A-Za-z]+)\\s*=\\s*${STRING}`, 'g'))) fields.set(f[1] as string, decodeMString(f[2] as string));
    const item = fields.get('Item');
    const kind = fields.get('Kind');
    const name = fields.get('Name');
    if (item !== undefined) {
      const schema = fields.get('Schema');
      const [s, t] = schema === undefined && item.includes('.') ? (item.split('.', 2) as [string, string]) : [schema, item];
      out.tables.push({ name: t, ...(s === undefined ? {} : { schema: s }), ...(out.database === undefined ? {} : { database: out.database }) });
    } else if (name !== undefined && kind === 'Database') out.database = name;
    else if (name !== undefined && kind === 'Schema') out.tables.push({ name: '', schema: name, ...(out.database === undefined ? {} : { database: out.database }) });
    else if (name !== undefined && (kind === 'Table' || kind === 'View')) {
      const pending = out.tables.find((t) => t.name === '');
      if (pending !== undefined) pending.name = name;
      else out.tables.push({ name, ...(out.database === undefined ? {} : { database: out.database }) });
    }
  }
  out.tables = out.tables.filter((t) => t.name !== '');
  for (const m of expr.matchAll(new RegExp(`Value\\.NativeQuery\\s*\\([^,]*,\\s*${STRING}`, 'g'))) {
    out.queries.push({ sql: decodeMString(m[1] as string), offset: (m.index ?? 0) + (m[0].length - (m[1] as string).length - 1) });
  }
  for (const m of expr.matchAll(new RegExp(`Query\\s*=\\s*${STRING}`, 'g'))) {
    out.queries.push({ sql: decodeMString(m[1] as string), offset: (m.index ?? 0) + m[0].indexOf('"') + 1 });
  }
  return out;
}

/** DAX references: `Table[Column]`, `'Table Name'[Column]`, and bare `[Column]` (table undefined); strings and comments skipped. */
export function daxRefs(expr: string): { table?: string; column: string }[] {
  const out: { table?: string; column: string }[] = [];
  const re = /"(?:[^"]|"")*"|\/\/[^\n]*|--[^\n]*|\/\*[\s\S]*?\*\/|(?:'((?:[^']|'')+)'|([A-Za-z_][A-Za-z0-9_.]*))?\[((?:[^\]]|\]\])+)\]/g;
  for (const m of expr.matchAll(re)) {
    const column = m[3];
    if (column === undefined) continue;
    const table = m[1]?.replace(/''/g, "'") ?? m[2];
    const ref = { ...(table === undefined ? {} : { table }), column: column.replace(/\]\]/g, ']') };
    if (!out.some((r) => r.table === ref.table && r.column === ref.column)) out.push(ref);
  }
  return out;
}
