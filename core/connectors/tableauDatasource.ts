import type { Dialect } from '../pipeline/contracts';
import type { BiConfig, FactsBuilder } from './biFiles';
import { embeddedSqlLineage, relationOfParts, splitQualified, warehouseTableId, type SqlColumnSources, type WarehouseDefaults } from './biSql';
import { childrenNamed, descendantsNamed, type XmlElement } from './xmlParse';

/**
 * One Tableau `<datasource>` (embedded in a `.twb` or the root of a `.tds`) → a `dataset` entity:
 * its fields as columns (physical fields from `<metadata-record class='column'>`, `<column>`
 * definitions with captions, calculated fields with their formula), table edges from its
 * `<relation type='table'>` elements and custom SQL (`type='text'`, parsed with core/sql) to the
 * warehouse, and column edges from the warehouse column behind each physical field and from the
 * fields each formula references.
 *
 * Warehouse names: a relation's `table='[db].[schema].[name]'` wins; a missing database comes from
 * its connection's `dbname` (for BigQuery, `project`), then the connector's `database` setting; a
 * missing schema from the connection's `schema`, then the `schema` setting. `server` names a host,
 * not a database, so it is kept in the dataset's meta only.
 */

/** Tableau connection classes → the SQL dialect of their custom SQL. */
const DIALECT_OF: Record<string, Dialect> = { snowflake: 'snowflake', postgres: 'postgresql', bigquery: 'bigquery', redshift: 'redshift', sqlserver: 'transactsql', azure_sql_dw: 'transactsql', mysql: 'mysql', databricks: 'hive', athena: 'athena', presto: 'trino', trino: 'trino' };

/**
 * Connection classes that read files, extracts or other non-warehouse sources: their relations name
 * sheets and files, not warehouse tables, so they get an info diagnostic instead of lineage.
 */
const NON_WAREHOUSE = new Set(['excel-direct', 'textscan', 'hyper', 'dataengine', 'ogrdirect', 'google-sheets', 'webdata-direct', 'json', 'pdf', 'statistical-file', 'box', 'dropbox', 'onedrive', 'salesforce']);

/** What a workbook's worksheets need from a datasource: its dataset id and field internal name → column id. */
export interface DatasourceInfo {
  id: string;
  /** `[Internal Name]` (with brackets, as worksheets and formulas write it) → column id. */
  fields: Map<string, string>;
}

/** True for `<relation>` and the versioned object-model spellings (`_.fcp.ObjectModelEncapsulateLegacy.true...relation`). */
function isRelation(el: XmlElement): boolean {
  return el.name === 'relation' || el.name.endsWith('...relation');
}

function connectionsOf(ds: XmlElement): Map<string, XmlElement> {
  const out = new Map<string, XmlElement>();
  for (const nc of descendantsNamed(ds, 'named-connection')) {
    const c = childrenNamed(nc, 'connection')[0];
    if (c !== undefined && nc.attrs.name !== undefined) out.set(nc.attrs.name, c);
  }
  return out;
}

/** Extracts one datasource; `id` is the dataset's entity id, `name` its display name. */
export function extractDatasource(b: FactsBuilder, ds: XmlElement, file: string, project: string, id: string, name: string, config: BiConfig): DatasourceInfo {
  const info: DatasourceInfo = { id, fields: new Map() };
  const top = childrenNamed(ds, 'connection')[0];
  const named = connectionsOf(ds);
  const meta: Record<string, unknown> = { tableauName: ds.attrs.name ?? name };
  if (top?.attrs.class !== undefined) meta.connectionClass = top.attrs.class;
  const servers = [top, ...named.values()].map((c) => c?.attrs.server).filter((s): s is string => s !== undefined && s !== '');
  if (servers.length > 0) meta.servers = [...new Set(servers)];
  // A published data source (Tableau Server/Cloud) is reached through `sqlproxy`; its tables are in its own .tds.
  if (top?.attrs.class === 'sqlproxy') meta.publishedDatasource = top.attrs.dbname ?? '';
  b.entity({ id, kind: 'dataset', name, project, path: file, meta }, ds.pos);

  const defaultsOf = (conn: XmlElement | undefined): WarehouseDefaults => ({
    database: conn?.attrs.dbname || (conn?.attrs.class === 'bigquery' ? conn.attrs.project : undefined) || config.database,
    schema: conn?.attrs.schema || config.schema,
  });

  // Relation name (as `parent-name` writes it, with brackets) → warehouse table id or custom SQL column sources.
  const tables = new Map<string, string>();
  const sqlRelations = new Map<string, SqlColumnSources>();
  const seen = new Set<string>();
  const skipped = new Set<string>();
  for (const { rel, conn: around } of allRelations(ds, undefined)) {
    if (seen.has(`${rel.pos.line}:${rel.pos.column}`)) continue;
    seen.add(`${rel.pos.line}:${rel.pos.column}`);
    const conn = rel.attrs.connection === undefined ? (around ?? top) : (named.get(rel.attrs.connection) ?? top);
    const relName = `[${rel.attrs.name ?? ''}]`;
    const cls = conn?.attrs.class ?? '';
    if (cls === 'sqlproxy') continue;
    if (NON_WAREHOUSE.has(cls)) {
      if (!skipped.has(cls)) b.diagnostic(file, rel.pos, 'bi-non-warehouse-source', `Datasource "${name}" reads a "${cls}" connection (files or an extract, not a warehouse); no lineage for its tables.`, 'info');
      skipped.add(cls);
      continue;
    }
    if (rel.attrs.type === 'table' && rel.attrs.table !== undefined) {
      let parts = splitQualified(rel.attrs.table);
      if (parts.length < 3 && parts.some((p) => p.includes('.'))) parts = parts.flatMap((p) => p.split('.'));
      const relation = relationOfParts(parts);
      const tableId = relation === undefined ? undefined : warehouseTableId(relation, defaultsOf(conn));
      if (tableId === undefined) {
        b.diagnostic(file, rel.attrPos.table ?? rel.pos, 'bi-unqualified-table', `Table "${rel.attrs.table}" of datasource "${name}" names no ${relation?.schema === undefined ? 'schema' : 'database'}, and neither its connection (dbname/schema) nor the connector's settings give one; no lineage to it.`, 'warning');
        continue;
      }
      tables.set(relName, tableId);
      b.modelEdge(tableId, id, 'depends_on', file, rel.pos);
    } else if (rel.attrs.type === 'text') {
      const sql = rel.text;
      if (sql.trim() === '') continue;
      const dialect = DIALECT_OF[conn?.attrs.class ?? ''] ?? config.dialect ?? 'postgresql';
      sqlRelations.set(relName, embeddedSqlLineage(b, { sql, file, pos: rel.textPos ?? rel.pos, dialect, defaults: defaultsOf(conn), targetId: id, declareColumns: false }));
    }
  }

  // Physical fields: the warehouse column (`remote-name`) of a relation (`parent-name`).
  for (const rec of outsideExtract(ds, 'metadata-record')) {
    if (rec.attrs.class !== 'column') continue;
    const text = (tag: string): string | undefined => childrenNamed(rec, tag)[0]?.text.trim();
    const local = text('local-name');
    const remote = text('remote-name');
    if (local === undefined || local === '') continue;
    const type = text('local-type');
    const col = b.column(id, stripBrackets(local), file, rec.pos, type === undefined ? {} : { type });
    info.fields.set(local, col);
    const parent = text('parent-name') ?? '';
    const tableId = tables.get(parent);
    if (tableId !== undefined && remote !== undefined) b.columnEdge(`${tableId}#${remote.toLowerCase()}`, col, 'identity', file, rec.pos);
    const sqlCols = sqlRelations.get(parent);
    for (const s of sqlCols?.get((remote ?? '').toLowerCase()) ?? []) b.columnEdge(s.from, col, s.transform, file, rec.pos);
  }

  // `<column>` definitions: captions, roles, and calculated fields (formulas resolved after all fields are known).
  const formulas: { col: string; formula: string; el: XmlElement }[] = [];
  for (const c of childrenNamed(ds, 'column')) {
    const internal = c.attrs.name;
    if (internal === undefined || internal.startsWith('[Parameters]')) continue;
    const calc = childrenNamed(c, 'calculation')[0];
    const colMeta: Record<string, unknown> = {};
    if (c.attrs.role !== undefined) colMeta.role = c.attrs.role;
    if (calc?.attrs.formula !== undefined) colMeta.formula = calc.attrs.formula;
    const existing = info.fields.get(internal);
    if (existing !== undefined) {
      // A physical field redefined with a caption: keep the column, record the caption.
      const column = b.getColumn(existing);
      if (column !== undefined && c.attrs.caption !== undefined) column.meta = { ...column.meta, caption: c.attrs.caption };
      continue;
    }
    const display = c.attrs.caption ?? stripBrackets(internal);
    const col = b.column(id, display, file, c.pos, { ...(c.attrs.datatype === undefined ? {} : { type: c.attrs.datatype }), meta: { ...colMeta, tableauName: internal } });
    info.fields.set(internal, col);
    if (calc?.attrs.formula !== undefined) formulas.push({ col, formula: calc.attrs.formula, el: calc });
  }
  for (const f of formulas) {
    for (const ref of formulaRefs(f.formula)) {
      const from = info.fields.get(ref);
      if (from !== undefined) b.columnEdge(from, f.col, 'transformation', file, f.el.pos);
      else b.diagnostic(file, f.el.attrPos.formula ?? f.el.pos, 'bi-unknown-field', `The formula of "${b.getColumn(f.col)?.name ?? f.col}" references ${ref}, which datasource "${name}" does not define.`, 'warning');
    }
  }
  return info;
}

/** Descendants named `name` outside `<extract>` subtrees. */
function outsideExtract(el: XmlElement, name: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    if (c.name === 'extract') continue;
    if (c.name === name) out.push(c);
    outsideExtract(c, name, out);
  }
  return out;
}

/**
 * Every relation element in any of its spellings, in document order, outside `<extract>` (an
 * extract's relation names the Hyper file's table, not the warehouse).
 */
function allRelations(el: XmlElement, conn: XmlElement | undefined, out: { rel: XmlElement; conn: XmlElement | undefined }[] = []): { rel: XmlElement; conn: XmlElement | undefined }[] {
  for (const c of el.children) {
    if (c.name === 'extract') continue;
    if (isRelation(c)) out.push({ rel: c, conn });
    // A relation belongs to the innermost <connection> around it unless it names one.
    allRelations(c, c.name === 'connection' ? c : conn, out);
  }
  return out;
}

/** `[Sales]` → `Sales`. */
export function stripBrackets(name: string): string {
  return name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1).replace(/\]\]/g, ']') : name;
}

/** Field references of a Tableau formula (`[Sales]`, not `[Parameters].[X]`, not inside strings or comments), bracketed. */
export function formulaRefs(formula: string): string[] {
  const out: string[] = [];
  const re = /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\/\/[^\n]*|(\[(?:[^\]]|\]\])*\])(?:\.(\[(?:[^\]]|\]\])*\]))?/g;
  for (const m of formula.matchAll(re)) {
    if (m[1] === undefined) continue;
    if (m[1] === '[Parameters]') continue;
    // `[datasource].[field]` references a field of another datasource; keep the field part.
    const ref = m[2] ?? m[1];
    if (!out.includes(ref)) out.push(ref);
  }
  return out;
}
