import { nodeId } from '../model/ids';
import { jsonErrorPosition } from '../pipeline/jsonLocate';
import type { BiConfig, FactsBuilder, FilePos } from './biFiles';
import { embeddedSqlLineage, shift, warehouseTableId, type SqlColumnSources, type WarehouseDefaults } from './biSql';
import { jsonPositions, pathKey } from './jsonPositions';
import { daxRefs, readM } from './powerbiM';

/**
 * A Power BI / Analysis Services tabular model (`.bim`, or a `.pbit`'s `DataModelSchema`: the same
 * JSON) → one `dataset` per table, its columns (with `dataType`) and measures (DAX, meta `measure`)
 * as columns. Each partition's source — M (`source.expression`) or a legacy SQL query
 * (`source.query`) — gives edges from warehouse tables (`powerbiM.ts`), and a column's `sourceColumn`
 * an edge from the warehouse column; calculated columns and measures get edges from the columns
 * their DAX references. Relationships are kept in the from-table's meta. Database: from the M
 * connector call or navigation, else the connector's `database`; schema: from the navigation, else
 * the connector's `schema`.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
type JsonPath = readonly (string | number)[];

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join('\n') : undefined);

/** Parses JSON; on failure a diagnostic at the line and column JSON.parse names, and undefined. */
export function parseJsonAt(b: FactsBuilder, text: string, file: string, what: string): Json | undefined {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as Json;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // V8's messages do not always say where ("Unexpected end of JSON input"): a strict scan finds the place.
    const pos: FilePos = jsonErrorPosition(text.replace(/^\uFEFF/, ''));
    b.diagnostic(file, pos, 'json-syntax', `Malformed JSON in ${what}: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '')}.`);
    return undefined;
  }
}

/** Table name → dataset id and column name (lower-cased) → column id; the report uses it. */
export type ModelTables = Map<string, { id: string; columns: Map<string, string> }>;

/** Extracts a tabular model; `stem` names it (ids `dataset.<project>.<stem>/<table>`). */
export function extractTabularModel(b: FactsBuilder, root: Json, text: string, file: string, project: string, stem: string, config: BiConfig): ModelTables {
  const tables: ModelTables = new Map();
  const model = isObj(root) ? root.model : undefined;
  const positions = jsonPositions(text, 7);
  // The deepest recorded part of the path (members below depth 7 point at their ancestor).
  const at = (path: JsonPath): FilePos => {
    for (let n = path.length; n >= 0; n--) {
      const p = positions.get(pathKey(path.slice(0, n)));
      if (p !== undefined) return p;
    }
    return { line: 1, column: 1 };
  };
  if (!isObj(model)) {
    b.diagnostic(file, at([]), 'powerbi-model', 'Expected a tabular model: an object with a "model" member holding "tables".');
    return tables;
  }
  const tableList = arr(model.tables);
  const calcs: { to: string; table: string; expr: string; path: JsonPath }[] = [];
  tableList.forEach((t, ti) => {
    if (!isObj(t) || typeof t.name !== 'string') return;
    const tableName = t.name;
    const path: JsonPath = ['model', 'tables', ti];
    const id = nodeId('dataset', project, `${stem}/${t.name}`);
    const info = { id, columns: new Map<string, string>() };
    tables.set(t.name, info);
    b.entity({ id, kind: 'dataset', name: t.name, project, path: file, description: str(t.description) ?? '', meta: { powerbiType: 'table', model: stem, ...(t.isHidden === true ? { hidden: true } : {}) } }, at(path));

    // Partition sources: the warehouse tables (or native query columns) behind the table.
    const sourceTables: string[] = [];
    const sqlCols: SqlColumnSources = new Map();
    arr(t.partitions).forEach((p, pi) => {
      const src = isObj(p) ? p.source : undefined;
      if (!isObj(src)) return;
      const ppath: JsonPath = [...path, 'partitions', pi, 'source'];
      const m = src.type === 'm' || src.expression !== undefined ? str(src.expression) : undefined;
      const legacy = str(src.query);
      const defaults: WarehouseDefaults = { database: config.database, schema: config.schema };
      if (m !== undefined) {
        const read = readM(m);
        const d: WarehouseDefaults = { database: read.database ?? config.database, schema: config.schema };
        const base = at([...ppath, 'expression']);
        for (const rel of read.tables) {
          const tid = warehouseTableId(rel, d);
          if (tid === undefined) b.diagnostic(file, base, 'bi-unqualified-table', `Table "${rel.name}" of partition ${pi + 1} of "${t.name}" names no ${rel.schema === undefined ? 'schema' : 'database'}, and the connector's settings give none; no lineage to it.`, 'warning');
          else {
            sourceTables.push(tid);
            b.modelEdge(tid, id, 'depends_on', file, base);
          }
        }
        for (const q of read.queries) {
          // Positions inside a JSON string of lines are approximate: the query's line in the M text, from the expression's start.
          const rel = m.slice(0, q.offset).split('\n');
          const pos = shift(base, { line: rel.length, column: (rel[rel.length - 1] as string).length + 1 });
          for (const [k, v] of embeddedSqlLineage(b, { sql: q.sql, file, pos, dialect: read.dialect ?? config.dialect ?? 'transactsql', defaults: d, targetId: id, declareColumns: false })) sqlCols.set(k, v);
        }
        if (read.tables.length === 0 && read.queries.length === 0) b.diagnostic(file, base, 'powerbi-m-source', `The M source of "${t.name}" reads no database table Mallard recognizes (supported: Sql.Database, PostgreSQL.Database, Snowflake.Databases, AmazonRedshift.Database, GoogleBigQuery.Database with navigation, Value.NativeQuery); no lineage for this table.`, 'info');
      } else if (legacy !== undefined) {
        for (const [k, v] of embeddedSqlLineage(b, { sql: legacy, file, pos: at([...ppath, 'query']), dialect: config.dialect ?? 'transactsql', defaults, targetId: id, declareColumns: false })) sqlCols.set(k, v);
      }
    });

    arr(t.columns).forEach((c, ci) => {
      if (!isObj(c) || typeof c.name !== 'string' || c.type === 'rowNumber' || c.name.startsWith('RowNumber-')) return;
      const cpath: JsonPath = [...path, 'columns', ci];
      const expr = str(c.expression);
      const meta: Record<string, unknown> = {};
      if (expr !== undefined) meta.expression = expr;
      if (c.type === 'calculated') meta.calculated = true;
      const col = b.column(id, c.name, file, at(cpath), { ...(typeof c.dataType === 'string' ? { type: c.dataType } : {}), description: str(c.description) ?? '', meta });
      info.columns.set(c.name.toLowerCase(), col);
      const source = typeof c.sourceColumn === 'string' ? c.sourceColumn.replace(/^\[|\]$/g, '') : undefined;
      if (source !== undefined && expr === undefined) {
        if (sourceTables.length === 1) b.columnEdge(`${sourceTables[0] as string}#${source.toLowerCase()}`, col, 'identity', file, at(cpath));
        for (const s of sqlCols.get(source.toLowerCase()) ?? []) b.columnEdge(s.from, col, s.transform, file, at(cpath));
      }
      if (expr !== undefined) calcs.push({ to: col, table: tableName, expr, path: [...cpath, 'expression'] });
    });
    arr(t.measures).forEach((ms, mi) => {
      if (!isObj(ms) || typeof ms.name !== 'string') return;
      const expr = str(ms.expression) ?? '';
      const mpath: JsonPath = [...path, 'measures', mi];
      const col = b.column(id, ms.name, file, at(mpath), { description: str(ms.description) ?? '', meta: { measure: true, expression: expr, ...(typeof ms.formatString === 'string' ? { formatString: ms.formatString } : {}) } });
      info.columns.set(ms.name.toLowerCase(), col);
      calcs.push({ to: col, table: tableName, expr, path: [...mpath, 'expression'] });
    });
  });

  // DAX after all tables are known: a reference may point at a later table.
  for (const c of calcs) {
    for (const ref of daxRefs(c.expr)) {
      const table = tables.get(ref.table ?? c.table) ?? [...tables.entries()].find(([n]) => n.toLowerCase() === (ref.table ?? c.table).toLowerCase())?.[1];
      // A bare [Name] in a measure may be a measure of any table.
      const from = table?.columns.get(ref.column.toLowerCase()) ?? (ref.table === undefined ? [...tables.values()].map((x) => x.columns.get(ref.column.toLowerCase())).find((x) => x !== undefined) : undefined);
      if (from !== undefined) b.columnEdge(from, c.to, /\b(SUM|SUMX|AVERAGE|AVERAGEX|COUNT|COUNTROWS|DISTINCTCOUNT|MIN|MAX|COUNTX|MINX|MAXX)\s*\(/i.test(c.expr) ? 'aggregation' : 'transformation', file, at(c.path));
      else b.diagnostic(file, at(c.path), 'bi-unknown-field', `The DAX of ${c.to.slice(c.to.lastIndexOf('/') + 1)} references ${ref.table === undefined ? '' : `'${ref.table}'`}[${ref.column}], which the model does not define.`, 'warning');
    }
  }

  arr(model.relationships).forEach((r, ri) => {
    if (!isObj(r) || typeof r.fromTable !== 'string' || typeof r.toTable !== 'string') return;
    const from = tables.get(r.fromTable);
    const entity = from === undefined ? undefined : b.getEntity(from.id);
    if (entity === undefined) {
      b.diagnostic(file, at(['model', 'relationships', ri]), 'powerbi-relationship', `Relationship from "${r.fromTable}" names a table the model does not define.`, 'warning');
      return;
    }
    const rels = Array.isArray(entity.meta.relationships) ? (entity.meta.relationships as unknown[]) : [];
    entity.meta = { ...entity.meta, relationships: [...rels, { fromColumn: r.fromColumn ?? null, toTable: r.toTable, toColumn: r.toColumn ?? null, ...(r.isActive === false ? { active: false } : {}) }] };
  });
  return tables;
}
