import type { Sql } from 'postgres';
import { ConnectorError } from '../../core/connectors/connector';
import { SyncError } from '../../core/sync/errors';
import { readConnector } from '../_shared/connectorRecords';
import { kickCompliance, kickRun } from '../_shared/connectorRuns';
import type { FunctionEnv } from '../_shared/env';
import { ensureDenoSqlEngine } from '../_shared/sqlEngine';
import { assemblePhase, fetchPhase, parsePhase } from './phases';
import { postgresAssemble, postgresFetch, postgresPage } from './postgresPhases';
import type { ChunkOutput, RunState } from './phases';
import { stagedPaths, stagedReader, stagedSource, storedResults } from './stagedFiles';
import { REPOSITORY_FILE_TYPES } from '../_shared/repositoryFiles';
import { biAssemble, biFetch, biParse } from './biPhases';
import { isPagedWarehouse, warehouseAssemble, warehouseFetch, warehouseParse } from './warehousePhases';
import { deleteVanished, writeBatch } from './writePhase';

/**
 * One chunk of a run: claim the run (a lease, so two invocations never work on it at once), do the
 * work of its phase, then commit everything the chunk produced together with the advanced cursor
 * in one transaction, guarded by the chunk number it claimed (a chunk whose lease was taken over
 * commits nothing). A failure records the error and releases the lease for a retry (the run fails
 * after `MAX_ATTEMPTS` failures of the same chunk); a crash leaves the lease to run out, and the
 * scheduler's tick starts the chunk again. Then the next chunk is kicked.
 */

const MAX_ATTEMPTS = 3;
const LEASE_SECONDS = 120;

interface ClaimedRun {
  id: string;
  org_id: string;
  connector_id: string;
  team_id: string | null;
  phase: ChunkOutput['phase'];
  chunks_done: number;
  attempts: number;
  state: RunState;
  counts: Record<string, number>;
  timings: { chunkMsTotal?: number; chunkMsMax?: number; workMsMax?: number; byPhase?: Record<string, number> };
}

function limitFromEnv(name: string, fallback: number): number {
  const n = Number(Deno.env.get(name));
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * Files per `parse` chunk and rows per `write` chunk (`MALLARD_EXTRACT_FILES_PER_CHUNK`,
 * `MALLARD_EXTRACT_ROWS_PER_CHUNK`). A write chunk is one transaction, and an open write transaction
 * holds back every member's pull (the settled horizon), so write chunks stay small.
 */
export function chunkLimits(): { files: number; rows: number; tables: number } {
  return {
    files: limitFromEnv('MALLARD_EXTRACT_FILES_PER_CHUNK', 400),
    rows: limitFromEnv('MALLARD_EXTRACT_ROWS_PER_CHUNK', 500),
    tables: limitFromEnv('MALLARD_EXTRACT_TABLES_PER_CHUNK', 1000),
  };
}

async function claim(db: Sql, orgId: string, runId: string): Promise<ClaimedRun | undefined> {
  const rows = await db<ClaimedRun[]>`
    update public.connector_runs
      set status = 'running', started_at = coalesce(started_at, now()), lease_until = now() + make_interval(secs => ${LEASE_SECONDS}), updated_at = now()
    where id = ${runId} and org_id = ${orgId} and status in ('queued', 'running') and (lease_until is null or lease_until < now())
    returning id, org_id, connector_id, team_id, phase, chunks_done, attempts, state, counts, timings`;
  return rows[0];
}

/**
 * What the connector's last successful run extracted (its `sourceKey` and row count), provided the
 * org catalog still holds it: the connector's ownership list has exactly that many rows (a wiped or
 * partly deleted catalog is extracted again even when the source is unchanged).
 */
async function lastSource(db: Sql, run: ClaimedRun): Promise<{ key: string; rows: number } | undefined> {
  const [last] = await db<{ key: string | null; rows: number | null; owned: number }[]>`
    select r.state ->> 'sourceKey' as key, (r.state ->> 'rows')::integer as rows,
      (select count(*) from private.connector_catalog_rows o where o.connector_id = r.connector_id)::integer as owned
    from public.connector_runs r
    where r.connector_id = ${run.connector_id} and r.org_id = ${run.org_id} and r.status = 'succeeded' and r.id <> ${run.id}
    order by r.finished_at desc nulls last limit 1`;
  if (last === undefined || last.key === null || last.rows === null || last.rows !== last.owned) return undefined;
  return { key: last.key, rows: last.rows };
}

async function work(db: Sql, run: ClaimedRun): Promise<ChunkOutput | 'gone'> {
  await ensureDenoSqlEngine();
  const connector = await readConnector(db, run.org_id, run.connector_id);
  if (connector === undefined) return 'gone';
  const limits = chunkLimits();
  const postgres = connector.type === 'postgres';
  if (isPagedWarehouse(connector.type) && run.phase !== 'write') {
    if (run.phase === 'fetch') return await warehouseFetch(connector, run.state, limits.tables);
    const read = stagedReader(db, run.id);
    return run.phase === 'parse' ? await warehouseParse(connector, read, run.state) : await warehouseAssemble(connector, read, run.state);
  }
  if (REPOSITORY_FILE_TYPES.has(connector.type) && run.phase !== 'write') {
    if (run.phase === 'fetch') return await biFetch(connector, run.state);
    const list = (prefix: string): Promise<string[]> => stagedPaths(db, run.id, prefix);
    const read = stagedReader(db, run.id);
    return run.phase === 'parse' ? await biParse(connector, list, read, run.state, limits.files) : await biAssemble(connector, list, read, run.state);
  }
  switch (run.phase) {
    case 'fetch':
      return postgres ? await postgresFetch(connector, run.state) : await fetchPhase(connector, run.state, await lastSource(db, run));
    case 'parse':
      return postgres ? await postgresPage(connector, run.state, limits.tables) : parsePhase(await stagedSource(db, run.id), run.state, limits.files);
    case 'assemble':
      return postgres
        ? await postgresAssemble(connector, await stagedSource(db, run.id), run.state)
        : assemblePhase(await stagedSource(db, run.id), await storedResults(db, run.id), run.state);
    default:
      // `write` works inside the commit transaction.
      return { state: run.state, phase: 'write', counts: {} };
  }
}

/** Commits a chunk; the run's phase after it, or undefined when the run moved on without it (lease lost). */
async function commit(db: Sql, run: ClaimedRun, out: ChunkOutput, started: number, workMs: number): Promise<ChunkOutput['phase'] | undefined> {
  const limits = chunkLimits();
  return await db.begin(async (tx) => {
    const [held] = await tx`select 1 from public.connector_runs where id = ${run.id} and chunks_done = ${run.chunks_done} for update`;
    if (held === undefined) return undefined;
    let { phase, state } = out;
    const counts = { ...run.counts, ...out.counts };
    if (out.files !== undefined && out.files.length > 0) {
      for (let i = 0; i < out.files.length; i += 1000) {
        await tx`insert into private.connector_run_files ${tx(out.files.slice(i, i + 1000).map((f) => ({ org_id: run.org_id, run_id: run.id, path: f.path, content: f.content })))}
          on conflict (run_id, path) do update set content = excluded.content, result = null`;
      }
    }
    if (out.results !== undefined && out.results.length > 0) {
      // One statement for the chunk's results (a round trip per file made parse chunks wait on the database).
      await tx`update private.connector_run_files f set result = x.result
        from jsonb_to_recordset(${tx.json(out.results as never)}) as x(path text, result jsonb)
        where f.run_id = ${run.id} and f.path = x.path`;
    }
    if (out.rows !== undefined) {
      await tx`delete from private.connector_run_rows where run_id = ${run.id}`;
      for (let i = 0; i < out.rows.length; i += 1000) {
        const batch = out.rows.slice(i, i + 1000).map((r, j) => ({ org_id: run.org_id, run_id: run.id, ord: i + j, kind: r.kind, row_id: r.id, payload: tx.json(r.payload as never) }));
        await tx`insert into private.connector_run_rows ${tx(batch)}`;
      }
    }
    if (run.phase === 'write') {
      const from = state.written ?? 0;
      const { written, next } = await writeBatch(tx, run, from, limits.rows);
      counts.rowsWritten = (counts.rowsWritten ?? 0) + written;
      state = { ...state, written: next };
      if (next >= (state.rows ?? 0)) {
        counts.rowsDeleted = (counts.rowsDeleted ?? 0) + (await deleteVanished(tx, run));
        phase = 'done';
      }
    }
    // The chunk's time includes its writes (the write phase is nearly all database work).
    const ms = Math.round(performance.now() - started);
    const byPhase = { ...(run.timings.byPhase ?? {}) };
    byPhase[run.phase] = (byPhase[run.phase] ?? 0) + ms;
    const timings = {
      chunkMsTotal: (run.timings.chunkMsTotal ?? 0) + ms,
      chunkMsMax: Math.max(run.timings.chunkMsMax ?? 0, ms),
      workMsMax: Math.max(run.timings.workMsMax ?? 0, workMs),
      byPhase,
    };
    const done = phase === 'done';
    await tx`update public.connector_runs set phase = ${phase}, state = ${tx.json(state as never)}, counts = ${tx.json(counts)},
        timings = ${tx.json(timings as never)}, chunks_done = chunks_done + 1, attempts = 0, lease_until = null, updated_at = now(),
        status = ${done ? 'succeeded' : 'running'}, finished_at = ${done ? new Date() : null}
      where id = ${run.id}`;
    if (done) {
      // Staging is only for the run's chunks; the ownership list and the run row stay.
      await tx`delete from private.connector_run_files where run_id = ${run.id}`;
      await tx`delete from private.connector_run_rows where run_id = ${run.id}`;
      await tx`update public.connectors set last_run_at = now(), last_run_status = 'succeeded',
          status = case when status = 'error' then 'active' else status end where id = ${run.connector_id}`;
    }
    return phase;
  });
}

/** Records a failed chunk; the run fails for good after `MAX_ATTEMPTS` failures in a row or on a configuration error. */
async function fail(db: Sql, run: ClaimedRun, err: unknown): Promise<boolean> {
  const reason = err instanceof ConnectorError ? err.reason : err instanceof SyncError ? err.reason : 'internal';
  const message = err instanceof Error ? err.message : String(err);
  const permanent = reason === 'bad-config' || reason === 'auth-failed' || reason === 'not-found' || reason === 'forbidden' || reason === 'bad-host';
  const final = permanent || run.attempts + 1 >= MAX_ATTEMPTS;
  const entry = { at: new Date().toISOString(), chunk: run.chunks_done + 1, reason, message: message.slice(0, 2000) };
  await db.begin(async (tx) => {
    await tx`update public.connector_runs set attempts = attempts + 1, errors = (${tx.json([entry])}::jsonb || errors) - 20,
        lease_until = null, updated_at = now(), status = ${final ? 'failed' : 'running'}, finished_at = ${final ? new Date() : null}
      where id = ${run.id} and chunks_done = ${run.chunks_done}`;
    if (final) {
      await tx`delete from private.connector_run_files where run_id = ${run.id}`;
      await tx`delete from private.connector_run_rows where run_id = ${run.id}`;
      await tx`update public.connectors set last_run_at = now(), last_run_status = 'failed',
          status = case when status = 'active' then 'error' else status end where id = ${run.connector_id}`;
    }
  });
  return !final;
}

/** Runs the next chunk of `runId` and kicks the one after; what happened, for the caller's answer. */
export async function runChunk(db: Sql, env: FunctionEnv, orgId: string, runId: string): Promise<{ ran: boolean; phase?: string; status?: string }> {
  const run = await claim(db, orgId, runId);
  if (run === undefined) return { ran: false };
  const started = performance.now();
  let out: ChunkOutput | 'gone';
  try {
    out = await work(db, run);
  } catch (err) {
    const again = await fail(db, run, err);
    if (again) kickRun(env, orgId, runId);
    return { ran: true, phase: run.phase, status: again ? 'retrying' : 'failed' };
  }
  if (out === 'gone') {
    await db`update public.connector_runs set status = 'cancelled', finished_at = now(), lease_until = null where id = ${run.id}`;
    return { ran: true, status: 'cancelled' };
  }
  const output = out;
  const workMs = Math.round(performance.now() - started);
  let phase: ChunkOutput['phase'] | undefined;
  try {
    phase = await commit(db, run, output, started, workMs);
  } catch (err) {
    const again = await fail(db, run, err);
    if (again) kickRun(env, orgId, runId);
    return { ran: true, phase: run.phase, status: again ? 'retrying' : 'failed' };
  }
  if (phase === undefined) return { ran: false, phase: run.phase, status: 'lost-lease' };
  if (phase !== 'done') kickRun(env, orgId, runId);
  // A finished run changed the org catalog: its compliance events follow (`compliance` function).
  else kickCompliance(env, orgId);
  return { ran: true, phase: run.phase, status: phase === 'done' ? 'succeeded' : 'running' };
}
