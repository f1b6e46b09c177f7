import type { TransformKind } from '../model/entities';
import { columnId, nodeId } from '../model/ids';
import type { BiConfig, FactsBuilder, FilePos } from './biFiles';
import { embeddedSqlLineage, relationOfParts, shift, splitQualified, warehouseTableId, type SqlColumnSources } from './biSql';
import { lkGet, lkPairs, lkText, type LkPair } from './lookmlParse';

/**
 * A LookML view → a `dataset` entity. Its dimensions, dimension groups (one column per timeframe,
 * `created_date`, `created_month`, …, as Looker names them) and measures are its columns.
 * `sql_table_name` is an edge from the warehouse table (database and schema from the name, else the
 * connector's `database`/`schema` settings: a model's `connection:` names a Looker connection, not a
 * database); a derived table's `sql:` is parsed with core/sql (`${view.SQL_TABLE_NAME}` becomes an
 * edge from that view). A field's `${TABLE}.col` reads the table's (or derived query's) column,
 * `${field}` / `${view.field}` another field; a dimension without `sql:` reads `${TABLE}.<name>`.
 */

/** What explores and dashboards need from a view. */
export interface ViewInfo {
  id: string;
  /** Field name (lower-cased) → column id. */
  fields: Map<string, string>;
}

/** A view definition as found (refinements `+name` add to the view they refine). */
export interface ViewDef {
  name: string;
  file: string;
  pair: LkPair;
}

const DEFAULT_TIMEFRAMES = ['raw', 'time', 'date', 'week', 'month', 'quarter', 'year'];
const FIELD_KEYS = new Set(['dimension', 'dimension_group', 'measure', 'filter']);
const REF = /\$\{\s*([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?\s*\}(?:\.("[^"]*"|`[^`]*`|[A-Za-z0-9_$]+))?/g;

/** The column names a field declares (a time dimension group has one per timeframe). */
function fieldColumns(field: LkPair): string[] {
  const name = field.name ?? '';
  if (field.key !== 'dimension_group') return [name];
  const type = lkText(lkGet(lkPairs(field), 'type'));
  if (type === 'duration') {
    const intervals = lkGet(lkPairs(field), 'intervals');
    const list = intervals?.value.kind === 'list' ? intervals.value.items : ['day'];
    return list.map((iv) => `${iv}s_${name}`);
  }
  const tf = lkGet(lkPairs(field), 'timeframes');
  return (tf?.value.kind === 'list' ? tf.value.items : DEFAULT_TIMEFRAMES).map((t) => `${name}_${t}`);
}

/** Declares views (entities, columns, table edges); field references come in `linkViewFields` once all views are known. */
export function declareView(b: FactsBuilder, defs: readonly ViewDef[], project: string, config: BiConfig): { info: ViewInfo; derived?: SqlColumnSources; tableId?: string } {
  const first = defs[0] as ViewDef;
  const id = nodeId('dataset', project, first.name);
  const info: ViewInfo = { id, fields: new Map() };
  const all = defs.flatMap((d) => lkPairs(d.pair).map((p) => ({ p, file: d.file })));
  const label = lkText(all.find((x) => x.p.key === 'label')?.p);
  b.entity({ id, kind: 'dataset', name: first.name, project, path: first.file, description: lkText(all.find((x) => x.p.key === 'description')?.p) ?? '', meta: { lookerType: 'view', ...(label === undefined ? {} : { label }) } }, first.pair.pos);
  let tableId: string | undefined;
  let derived: SqlColumnSources | undefined;
  for (const { p, file } of all) {
    // The first definition wins: the view's own, then refinements, then the views it extends.
    if (p.key === 'sql_table_name' && tableId === undefined && derived === undefined) {
      const text = (lkText(p) ?? '').replace(/\s+/g, '');
      const rel = text.includes('${') ? undefined : relationOfParts(splitQualified(text));
      const tid = rel === undefined ? undefined : warehouseTableId(rel, { database: config.database, schema: config.schema });
      if (tid === undefined) b.diagnostic(file, p.valuePos, 'bi-unqualified-table', `sql_table_name "${text}" of view "${first.name}" names no ${rel?.schema === undefined ? 'schema' : 'database'}, and the connector's settings give none; no lineage to it.`, 'warning');
      else {
        tableId = tid;
        b.modelEdge(tid, id, 'depends_on', file, p.valuePos);
      }
    }
    if (p.key === 'derived_table' && tableId === undefined && derived === undefined) {
      const sqlPair = lkGet(lkPairs(p), 'sql');
      const sql = sqlPair?.value.kind === 'expr' ? sqlPair.value.text : undefined;
      if (sqlPair !== undefined && sql !== undefined) derived = derivedSql(b, sql, file, sqlPair.valuePos, id, project, config);
      const explore = lkGet(lkPairs(p), 'explore_source');
      // A native derived table reads an explore; the explore's views are its upstream.
      const entity = b.getEntity(id);
      if (explore?.name !== undefined && entity !== undefined) entity.meta = { ...entity.meta, exploreSource: explore.name };
    }
    if (FIELD_KEYS.has(p.key) && p.name !== undefined) {
      const type = lkText(lkGet(lkPairs(p), 'type'));
      for (const col of fieldColumns(p)) {
        // Looker's `type:` is a data type for dimensions (number, string, yesno, time) but an aggregation for measures (sum, count).
        const meta: Record<string, unknown> = { lookerType: p.key, ...(type === undefined ? {} : { lookerFieldType: type }) };
        const sql = lkText(lkGet(lkPairs(p), 'sql'));
        if (sql !== undefined) meta.sql = sql;
        info.fields.set(col.toLowerCase(), b.column(id, col, file, p.pos, { ...(type === undefined || p.key === 'measure' ? {} : { type }), description: lkText(lkGet(lkPairs(p), 'description')) ?? '', meta }));
      }
    }
  }
  return { info, ...(derived === undefined ? {} : { derived }), ...(tableId === undefined ? {} : { tableId }) };
}

/** A derived table's SQL: `${view.SQL_TABLE_NAME}` is replaced (same length) by a name that maps back to the view. */
function derivedSql(b: FactsBuilder, sql: string, file: string, pos: FilePos, id: string, project: string, config: BiConfig): SqlColumnSources {
  const views: string[] = [];
  const rewritten = sql.replace(/\$\{\s*([A-Za-z0-9_]+)\.SQL_TABLE_NAME\s*\}/g, (m: string, view: string) => {
    views.push(view);
    b.modelEdge(nodeId('dataset', project, view), id, 'sql', file, pos);
    // Keep every character's place: pad the placeholder to the reference's length.
    return `mlk${views.length - 1}`.padEnd(m.length, ' ');
  });
  const defaults = { database: config.database, schema: config.schema };
  const placeholder = /^mlk(\d+)$/;
  const cols = embeddedSqlLineage(b, { sql: rewritten, file, pos, dialect: config.dialect ?? 'postgresql', defaults, targetId: id, declareColumns: false, local: (name) => {
    const m = placeholder.exec(name);
    return m === null ? undefined : nodeId('dataset', project, views[Number(m[1])] as string);
  } });
  return cols;
}

/** Column lineage of every field: `${TABLE}.col`, `${field}`, `${view.field}`. */
export function linkViewFields(b: FactsBuilder, defs: readonly ViewDef[], view: { info: ViewInfo; derived?: SqlColumnSources; tableId?: string }, views: ReadonlyMap<string, ViewInfo>): void {
  const name = (defs[0] as ViewDef).name;
  const done = new Set<string>();
  for (const d of defs) {
    for (const p of lkPairs(d.pair)) {
      if (!FIELD_KEYS.has(p.key) || p.name === undefined || done.has(p.name)) continue;
      // A field redefined by the view over one it extends: only the first definition counts.
      done.add(p.name);
      const sqlPair = lkGet(lkPairs(p), 'sql');
      const type = lkText(lkGet(lkPairs(p), 'type')) ?? '';
      const aggregate = p.key === 'measure' && !['number', 'string', 'yesno', 'date'].includes(type);
      const sql = sqlPair?.value.kind === 'expr' ? sqlPair.value.text : p.key === 'dimension' || p.key === 'dimension_group' ? `\${TABLE}.${p.name}` : undefined;
      if (sql === undefined) continue;
      const simple = /^\s*\$\{[^}]*\}(\.[A-Za-z0-9_"`$]+)?\s*$/.test(sql);
      const transform: TransformKind = aggregate ? 'aggregation' : simple ? 'identity' : 'transformation';
      const at = sqlPair?.valuePos ?? p.pos;
      for (const col of fieldColumns(p)) {
        const to = view.info.fields.get(col.toLowerCase()) as string;
        for (const m of sql.matchAll(REF)) {
          const [, a, f, tableCol] = m as unknown as [string, string, string | undefined, string | undefined];
          const refPos = sqlPair === undefined ? at : shift(at, offsetPos(sql, m.index ?? 0));
          if (a === 'TABLE') {
            const c = tableCol?.replace(/^["`]|["`]$/g, '');
            if (c === undefined) continue;
            if (view.tableId !== undefined) b.columnEdge(columnId(view.tableId, c), to, transform, d.file, refPos);
            for (const s of view.derived?.get(c.toLowerCase()) ?? []) b.columnEdge(s.from, to, transform === 'identity' ? s.transform : transform, d.file, refPos);
            continue;
          }
          if (f === 'SQL_TABLE_NAME') continue;
          const target = f === undefined ? view.info : views.get(a);
          const fieldName = (f ?? a).toLowerCase();
          const from = target?.fields.get(fieldName);
          if (from !== undefined) b.columnEdge(from, to, transform, d.file, refPos);
          else b.diagnostic(d.file, refPos, 'bi-unknown-field', `Field "${p.name}" of view "${name}" references \${${f === undefined ? a : `${a}.${f}`}}, which ${target === undefined ? `names no view "${a}"` : 'is not a field of that view'}.`, 'warning');
        }
      }
    }
  }
}

/** Line/column (1-based) of `offset` inside `text`. */
function offsetPos(text: string, offset: number): FilePos {
  const before = text.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - nl };
}
