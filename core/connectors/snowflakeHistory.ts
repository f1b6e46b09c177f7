import type { Diagnostic } from '../model/entities';
import { columnId } from '../model/ids';
import { warehouseRelationId, type SqlSession } from './connector';
import { field, HistoryLineage, jsonColumn, splitQualifiedName, text } from './warehouseHistory';

/**
 * Lineage from Snowflake's `SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY`: for every query that wrote
 * objects (`OBJECTS_MODIFIED` not empty), the objects it read directly (`DIRECT_OBJECTS_ACCESSED`,
 * else `BASE_OBJECTS_ACCESSED`) become table edges into each modified object, and each modified
 * column's `directSources` (else `baseSources`) become column edges. Direct sources are preferred so
 * an INSERT from a view links the view (whose own lineage comes from its SQL), not the tables
 * under it.
 *
 * ACCOUNT_USAGE views lag real time by up to 3 hours, so each run re-reads from 3 hours before the
 * last watermark; edges are kept by id pair, so a row read twice adds nothing.
 */

/** Rows per run; the rest is read by the next run (the watermark moves to the last row read). */
export const ACCESS_HISTORY_LIMIT = 50_000;
/** ACCOUNT_USAGE latency Snowflake documents for ACCESS_HISTORY. */
const LATENCY_HOURS = 3;

/** The domains of objects that are catalog relations (stages, streams, functions are not). */
function isRelation(domain: unknown): boolean {
  return typeof domain === 'string' && /table|view/i.test(domain);
}

interface AccessedObject {
  objectDomain?: unknown;
  objectName?: unknown;
  columns?: unknown;
}
interface ModifiedColumn {
  columnName?: unknown;
  directSources?: unknown;
  baseSources?: unknown;
}

const objects = (v: unknown): AccessedObject[] => {
  const parsed = jsonColumn(v);
  return Array.isArray(parsed) ? parsed.filter((o): o is AccessedObject => typeof o === 'object' && o !== null) : [];
};

/** Entity id of an ACCESS_HISTORY `objectName` (`DB.SCHEMA.NAME`); undefined when not three parts. */
function idOf(objectName: unknown): string | undefined {
  if (typeof objectName !== 'string') return undefined;
  const parts = splitQualifiedName(objectName);
  if (parts.length !== 3) return undefined;
  const [db = '', schema = '', name = ''] = parts;
  return warehouseRelationId(db, schema, name);
}

/**
 * Builds the history query: after the watermark less the latency, from the watermark itself when
 * the last read was cut at the row limit, or the last `days` days on a first run.
 */
export function accessHistoryQuery(watermark: string | undefined, days: number, truncated = false): { sql: string; params: unknown[] } {
  const select =
    `SELECT QUERY_ID, TO_VARCHAR(CONVERT_TIMEZONE('UTC', QUERY_START_TIME), 'YYYY-MM-DD"T"HH24:MI:SS.FF3"Z"') AS QUERY_START_TIME, ` +
    'DIRECT_OBJECTS_ACCESSED, BASE_OBJECTS_ACCESSED, OBJECTS_MODIFIED FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY WHERE ';
  const tail = ` AND ARRAY_SIZE(OBJECTS_MODIFIED) > 0 ORDER BY QUERY_START_TIME LIMIT ${ACCESS_HISTORY_LIMIT}`;
  if (watermark === undefined) return { sql: `${select}QUERY_START_TIME > DATEADD(day, -?, CURRENT_TIMESTAMP())${tail}`, params: [days] };
  if (truncated) return { sql: `${select}QUERY_START_TIME >= TO_TIMESTAMP_LTZ(?)${tail}`, params: [watermark] };
  const since = new Date(Date.parse(watermark) - LATENCY_HOURS * 3_600_000);
  const from = Number.isNaN(since.getTime()) ? watermark : since.toISOString();
  return { sql: `${select}QUERY_START_TIME > TO_TIMESTAMP_LTZ(?)${tail}`, params: [from] };
}

/**
 * Reads ACCESS_HISTORY into `lineage`. A role without access to the SNOWFLAKE database (no
 * IMPORTED PRIVILEGES) gets a warning diagnostic and no history lineage, not a failed run.
 */
export async function readAccessHistory(session: SqlSession, lineage: HistoryLineage, days: number, file: string): Promise<{ rows: number; diagnostics: Diagnostic[] }> {
  const { sql, params } = accessHistoryQuery(lineage.watermark, days, lineage.truncated);
  let rows: Record<string, unknown>[];
  try {
    rows = await session.query(sql, params);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const diagnostic: Diagnostic = {
      file,
      line: 0,
      column: 0,
      severity: 'warning',
      code: 'access-history-unavailable',
      message: `Query-history lineage skipped: SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY could not be read (${message}). Grant the role IMPORTED PRIVILEGES on the SNOWFLAKE database to add lineage from queries (Enterprise Edition or higher).`,
      extractor: 'snowflake-access-history',
    };
    return { rows: 0, diagnostics: [diagnostic] };
  }
  lineage.truncated = rows.length >= ACCESS_HISTORY_LIMIT;
  for (const row of rows) {
    const time = text(row, 'QUERY_START_TIME');
    if (time !== undefined) lineage.seen(time);
    const direct = objects(field(row, 'DIRECT_OBJECTS_ACCESSED')).filter((o) => isRelation(o.objectDomain));
    const base = objects(field(row, 'BASE_OBJECTS_ACCESSED')).filter((o) => isRelation(o.objectDomain));
    const reads = (direct.length > 0 ? direct : base).map((o) => idOf(o.objectName)).filter((id): id is string => id !== undefined);
    for (const m of objects(field(row, 'OBJECTS_MODIFIED'))) {
      if (!isRelation(m.objectDomain)) continue;
      const target = idOf(m.objectName);
      if (target === undefined) continue;
      for (const from of reads) lineage.addTable(from, target);
      const columns = Array.isArray(m.columns) ? (m.columns as ModifiedColumn[]) : [];
      for (const c of columns) {
        if (typeof c.columnName !== 'string') continue;
        const sources = objects(Array.isArray(c.directSources) && c.directSources.length > 0 ? c.directSources : c.baseSources);
        for (const s of sources) {
          const from = idOf(s.objectName);
          const name = (s as { columnName?: unknown }).columnName;
          if (from === undefined || typeof name !== 'string') continue;
          // ACCESS_HISTORY does not say whether a value was copied or computed.
          lineage.addColumn(columnId(from, name), columnId(target, c.columnName), 'transformation');
        }
      }
    }
  }
  return { rows: rows.length, diagnostics: [] };
}
