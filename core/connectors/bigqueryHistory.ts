import type { Diagnostic, Provenance } from '../model/entities';
import type { RelationName } from '../pipeline/contracts';
import { parseSql } from '../sql/parseSql';
import { warehouseRelationId, type SqlSession } from './connector';
import { qualify, statementLineage } from './warehouseFacts';
import { field, HistoryLineage, jsonColumn, text } from './warehouseHistory';

/**
 * Lineage from BigQuery's `region-<location>.INFORMATION_SCHEMA.JOBS`: every finished query job
 * that wrote a table (`destination_table`, not an anonymous `_…` result dataset) gets table edges
 * from its `referenced_tables`, and its query text is parsed as BigQuery SQL and resolved against
 * the catalog's columns for column edges. JOBS keeps 180 days; a job may run for up to 6 hours and
 * is listed by its creation time, so each run re-reads from 6 hours before the last watermark
 * (edges are kept by id pair, so a job read twice adds nothing).
 */

/** Jobs per run; the rest is read by the next run (the watermark moves to the last job read). */
export const JOBS_LIMIT = 50_000;
/** The longest a BigQuery query job can run. */
const OVERLAP_HOURS = 6;

interface TableRef {
  project_id?: unknown;
  dataset_id?: unknown;
  table_id?: unknown;
}

function refOf(v: unknown): { database: string; schema: string; name: string } | undefined {
  const r = jsonColumn(v) as TableRef | null | undefined;
  if (typeof r !== 'object' || r === null) return undefined;
  const { project_id: p, dataset_id: d, table_id: t } = r;
  return typeof p === 'string' && typeof d === 'string' && typeof t === 'string' ? { database: p, schema: d, name: t } : undefined;
}

/** Backtick-quotes a BigQuery path: `` `project`.`region-us` ``. */
export function regionPath(projectId: string, location: string): string {
  return `\`${projectId.replace(/`/g, '')}\`.\`region-${location.toLowerCase().replace(/`/g, '')}\``;
}

/**
 * Builds the JOBS query: after the watermark less the overlap, from the watermark itself when the
 * last read was cut at the row limit, or the last `days` days on a first run.
 */
export function jobsQuery(projectId: string, location: string, watermark: string | undefined, days: number, truncated = false): { sql: string; params: unknown[] } {
  const select =
    "SELECT job_id, FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E3SZ', creation_time, 'UTC') AS creation_time, statement_type, query, referenced_tables, destination_table " +
    `FROM ${regionPath(projectId, location)}.INFORMATION_SCHEMA.JOBS WHERE `;
  const tail = ` AND job_type = 'QUERY' AND state = 'DONE' AND error_result IS NULL AND destination_table IS NOT NULL ORDER BY creation_time LIMIT ${JOBS_LIMIT}`;
  if (watermark === undefined) return { sql: `${select}creation_time > TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ? DAY)${tail}`, params: [days] };
  if (truncated) return { sql: `${select}creation_time >= TIMESTAMP(?)${tail}`, params: [watermark] };
  const since = new Date(Date.parse(watermark) - OVERLAP_HOURS * 3_600_000);
  return { sql: `${select}creation_time > TIMESTAMP(?)${tail}`, params: [Number.isNaN(since.getTime()) ? watermark : since.toISOString()] };
}

/**
 * Reads JOBS into `lineage`. `columnsOf` knows the catalog's columns (`db.schema.name`, lower-cased
 * key). A principal without `bigquery.jobs.listAll` gets a warning and no history lineage.
 */
export async function readJobs(
  session: SqlSession,
  lineage: HistoryLineage,
  options: { projectId: string; location: string; days: number; file: string },
  columnsOf: (database: string, schema: string, name: string) => string[] | undefined,
): Promise<{ rows: number; parsed: number; diagnostics: Diagnostic[] }> {
  const { sql, params } = jobsQuery(options.projectId, options.location, lineage.watermark, options.days, lineage.truncated);
  let rows: Record<string, unknown>[];
  try {
    rows = await session.query(sql, params);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const diagnostic: Diagnostic = {
      file: options.file,
      line: 0,
      column: 0,
      severity: 'warning',
      code: 'jobs-history-unavailable',
      message: `Query-history lineage skipped: INFORMATION_SCHEMA.JOBS of ${options.projectId} in ${options.location} could not be read (${message}). Grant the service account bigquery.jobs.listAll (e.g. roles/bigquery.resourceViewer) to add lineage from queries.`,
      extractor: 'bigquery-jobs',
    };
    return { rows: 0, parsed: 0, diagnostics: [diagnostic] };
  }
  lineage.truncated = rows.length >= JOBS_LIMIT;
  let parsedCount = 0;
  for (const row of rows) {
    const time = text(row, 'creation_time');
    if (time !== undefined) lineage.seen(time);
    const dest = refOf(field(row, 'destination_table'));
    // Anonymous datasets (`_…`) hold cached query results, not catalog tables.
    if (dest === undefined || dest.schema.startsWith('_')) continue;
    const target = warehouseRelationId(dest.database, dest.schema, dest.name);
    const refs = jsonColumn(field(row, 'referenced_tables'));
    for (const r of Array.isArray(refs) ? refs : []) {
      const ref = refOf(r);
      if (ref !== undefined) lineage.addTable(warehouseRelationId(ref.database, ref.schema, ref.name), target);
    }
    const query = text(row, 'query');
    if (query === undefined) continue;
    if (columnLineage(query, dest, target, lineage, columnsOf, `${options.file}#${text(row, 'job_id') ?? ''}`)) parsedCount++;
  }
  return { rows: rows.length, parsed: parsedCount, diagnostics: [] };
}

/** Adds the column lineage of a job's query into its destination; false when nothing parsed. */
function columnLineage(
  query: string,
  dest: { database: string; schema: string; name: string },
  target: string,
  lineage: HistoryLineage,
  columnsOf: (database: string, schema: string, name: string) => string[] | undefined,
  file: string,
): boolean {
  const parsed = parseSql(query, { dialect: 'bigquery', file });
  // A job's unqualified names use its default dataset, which JOBS does not list; the destination's is the best guess.
  const q = (rel: RelationName) => qualify(rel, dest.database, dest.schema);
  const toId = (rel: RelationName): string => {
    const x = q(rel);
    return warehouseRelationId(x.database, x.schema, x.name);
  };
  let any = false;
  for (const stmt of parsed.statements) {
    // A statement writes its own target; a bare SELECT writes the job's destination table.
    const into = stmt.target === undefined ? (stmt.kind === 'select' ? target : undefined) : toId(stmt.target);
    if (into !== target) continue;
    const provenance: Provenance = { file, line: stmt.line, column: 0, extractor: 'bigquery-jobs', confidence: 0.8 };
    const found = statementLineage(stmt, target, toId, (rel) => {
      const x = q(rel);
      return columnsOf(x.database, x.schema, x.name);
    }, provenance);
    for (const e of found.modelEdges) lineage.addTable(e.from, e.to);
    for (const e of found.columnEdges) lineage.addColumn(e.from, e.to, e.transform);
    any = any || found.columnEdges.length > 0;
  }
  return any;
}
