import type { Sql } from 'postgres';
import type { RunSummary } from '../../core/connectors/orgProtocol';
import { ORG_EXTRACT_FUNCTION } from '../../core/connectors/orgProtocol';
import type { FunctionEnv } from './env';

/**
 * What the `connectors` and `org-extract` functions share about runs: the run row as the contract's
 * `RunSummary`, and `kickRun`, which asks `org-extract` (as the service role) to run the next chunk
 * of a run without waiting for it to finish.
 */

/** Columns of `public.connector_runs` a summary reads (select them with `RUN_COLUMNS`). */
export interface RunRow {
  id: string;
  connector_id: string;
  trigger: 'manual' | 'schedule';
  status: RunSummary['status'];
  phase: RunSummary['phase'];
  chunks_done: number;
  counts: Record<string, number>;
  errors: RunSummary['errors'];
  timings: { chunkMsTotal?: number; chunkMsMax?: number; workMsMax?: number; byPhase?: Record<string, number> };
  queued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** The select list of `RunRow`. */
export const RUN_COLUMNS = 'id, connector_id, trigger, status, phase, chunks_done, counts, errors, timings, queued_at, started_at, finished_at';

const COUNT_KEYS = ['files', 'filesParsed', 'entities', 'columns', 'modelEdges', 'columnEdges', 'diagnostics', 'rowsWritten', 'rowsDeleted'] as const;

/** A run row as the contract shows it. */
export function runSummary(row: RunRow, now = new Date()): RunSummary {
  const counts: RunSummary['counts'] = { files: 0, filesParsed: 0, entities: 0, columns: 0, modelEdges: 0, columnEdges: 0, diagnostics: 0, rowsWritten: 0, rowsDeleted: 0 };
  for (const key of COUNT_KEYS) {
    const v = row.counts[key];
    if (typeof v === 'number' && Number.isFinite(v)) counts[key] = v;
  }
  if (row.counts.unchanged === 1) counts.unchanged = 1;
  const end = row.finished_at ?? (row.started_at === null ? null : now);
  return {
    id: row.id,
    connectorId: row.connector_id,
    trigger: row.trigger,
    status: row.status,
    phase: row.phase,
    chunksDone: row.chunks_done,
    counts,
    errors: row.errors.slice(0, 20),
    timings: { chunkMsTotal: row.timings.chunkMsTotal ?? 0, chunkMsMax: row.timings.chunkMsMax ?? 0, workMsMax: row.timings.workMsMax ?? 0, byPhase: row.timings.byPhase ?? {} },
    queuedAt: row.queued_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    durationMs: row.started_at === null || end === null ? null : Math.max(0, end.getTime() - row.started_at.getTime()),
  };
}

/** Reads a run by id (the functions' own login; callers check permissions first). */
export async function readRun(db: Sql, runId: string): Promise<RunRow | undefined> {
  const rows = await db.unsafe<RunRow[]>(`select ${RUN_COLUMNS} from public.connector_runs where id = $1`, [runId]);
  return rows[0];
}

interface EdgeRuntimeGlobal {
  EdgeRuntime?: { waitUntil(promise: Promise<unknown>): void };
}

/** Where the functions are served: `MALLARD_FUNCTIONS_URL`, else `${SUPABASE_URL}/functions/v1`. */
function functionsUrl(env: FunctionEnv): string | undefined {
  const explicit = Deno.env.get('MALLARD_FUNCTIONS_URL');
  if (explicit !== undefined && explicit !== '') return explicit.replace(/\/$/, '');
  return env.supabaseUrl === undefined ? undefined : `${env.supabaseUrl.replace(/\/$/, '')}/functions/v1`;
}

/** The service credential the functions call each other with (a secret API key, or the legacy service-role JWT). */
function serviceKey(env: FunctionEnv): string | undefined {
  return env.secretKeys[0] ?? Deno.env.get('SUPABASE_SERVICE_ROLE_KEY') ?? undefined;
}

/** Posts `body` to the function `name` with the service credential, in the background; a lost request is not an error. */
function kick(env: FunctionEnv, name: string, body: Record<string, unknown>): void {
  const base = functionsUrl(env);
  const key = serviceKey(env);
  if (base === undefined || key === undefined) return;
  const sent = fetch(`${base}/${name}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, apikey: key, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
    .then(async (res) => {
      await res.body?.cancel();
    })
    .catch(() => undefined);
  // `EdgeRuntime.waitUntil` keeps the worker alive until the request is answered.
  const runtime = (globalThis as EdgeRuntimeGlobal).EdgeRuntime;
  if (runtime !== undefined) runtime.waitUntil(sent);
}

/**
 * Asks `org-extract` to run the next chunk of `runId`. A lost request is not an error: the
 * scheduler's `tick` picks up any run whose lease ran out.
 */
export function kickRun(env: FunctionEnv, orgId: string, runId: string): void {
  kick(env, ORG_EXTRACT_FUNCTION, { action: 'chunk', orgId, runId });
}

/**
 * Asks the `compliance` function to evaluate the organization's catalog (after a run changed it),
 * so compliance events follow the org catalog without anyone pressing a button. A lost request
 * only delays that to the next run or an admin's evaluation.
 */
export function kickCompliance(env: FunctionEnv, orgId: string): void {
  kick(env, 'compliance', { action: 'evaluate', orgId });
}
