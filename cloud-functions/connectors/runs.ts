import type { z } from 'zod';
import type { RunRequest, RunsRequest, RunSummary, TestAnswer, TestRequest } from '../../core/connectors/orgProtocol';
import { SyncError } from '../../core/sync/errors';
import type { ApiContext } from '../_shared/apiHandler';
import { openSecrets, readConnector, testConnector } from '../_shared/connectorRecords';
import { kickRun, RUN_COLUMNS, readRun, runSummary } from '../_shared/connectorRuns';
import type { RunRow } from '../_shared/connectorRuns';
import { asCaller, holdsAnywhere, requirePermission } from './access';

/**
 * `test`, `run` and `runs`. A run is a row of `public.connector_runs` queued here (at most one
 * queued or running per connector) and executed chunk by chunk by the `org-extract` function,
 * which this kicks; `runs` reads run rows under the caller's claims (RLS: `connectors.read`).
 */

/** "Test connection": unsaved settings need `connectors.manage`; a saved connector as stored needs `connectors.run`. */
export async function test(ctx: ApiContext<z.infer<typeof TestRequest>>): Promise<TestAnswer> {
  const { orgId, connectorId } = ctx.body;
  const draft = ctx.body.config !== undefined || ctx.body.secrets !== undefined || connectorId === undefined;
  if (connectorId === undefined) {
    if (ctx.body.type === undefined || ctx.body.config === undefined) throw new SyncError('bad-request', 'Testing unsaved settings needs type and config.');
    await requirePermission(ctx, orgId, 'connectors.manage', null);
    return await testConnector(ctx.body.type, ctx.body.config, ctx.body.secrets ?? {});
  }
  const record = await readConnector(ctx.db, orgId, connectorId);
  if (record === undefined) {
    const member = await asCaller(ctx, (tx) => holdsAnywhere(tx, orgId, 'connectors.read'));
    throw member ? new SyncError('not-found', 'No such connector in this organization.') : new SyncError('forbidden', 'Testing a connector needs the connectors.run permission.');
  }
  await requirePermission(ctx, orgId, draft ? 'connectors.manage' : 'connectors.run', record.team_id);
  const secrets = await openSecrets(record);
  for (const [key, value] of Object.entries(ctx.body.secrets ?? {})) {
    if (value === '') delete secrets[key];
    else secrets[key] = value;
  }
  return await testConnector(record.type, ctx.body.config ?? record.config, secrets);
}

/** Starts a run now (or answers the one in progress) and kicks its first chunk. */
export async function run(ctx: ApiContext<z.infer<typeof RunRequest>>): Promise<{ runId: string; started: boolean; run: RunSummary }> {
  const { orgId, connectorId } = ctx.body;
  const record = await readConnector(ctx.db, orgId, connectorId);
  if (record === undefined) {
    const member = await asCaller(ctx, (tx) => holdsAnywhere(tx, orgId, 'connectors.read'));
    throw member ? new SyncError('not-found', 'No such connector in this organization.') : new SyncError('forbidden', 'Running a connector needs the connectors.run permission.');
  }
  await requirePermission(ctx, orgId, 'connectors.run', record.team_id);
  const inserted = await ctx.db<{ id: string }[]>`insert into public.connector_runs (org_id, connector_id, team_id, trigger)
      values (${orgId}, ${connectorId}, ${record.team_id}, 'manual')
      on conflict (connector_id) where status in ('queued', 'running') do nothing returning id`;
  let runId = inserted[0]?.id;
  const started = runId !== undefined;
  if (runId === undefined) {
    const [active] = await ctx.db<{ id: string }[]>`select id from public.connector_runs where connector_id = ${connectorId} and status in ('queued', 'running')`;
    runId = active?.id;
  }
  if (runId === undefined) throw new SyncError('unavailable', 'The run could not be queued; retry.');
  const row = await readRun(ctx.db, runId);
  if (row === undefined) throw new SyncError('unavailable', 'The run finished meanwhile; ask for its status with runs.');
  if (started) kickRun(ctx.env, orgId, runId);
  return { runId, started, run: runSummary(row) };
}

/** Recent runs the caller may read, newest first. */
export async function runs(ctx: ApiContext<z.infer<typeof RunsRequest>>): Promise<{ runs: RunSummary[] }> {
  const { orgId, connectorId, runId } = ctx.body;
  const limit = ctx.body.limit ?? 20;
  const rows = await asCaller(ctx, async (tx) => {
    if (!(await holdsAnywhere(tx, orgId, 'connectors.read'))) throw new SyncError('forbidden', 'Seeing runs needs the connectors.read permission.');
    return await tx.unsafe<RunRow[]>(
      `select ${RUN_COLUMNS} from public.connector_runs where org_id = $1 and ($2::uuid is null or connector_id = $2::uuid)
         and ($3::uuid is null or id = $3::uuid) order by queued_at desc, id limit $4`,
      [orgId, connectorId ?? null, runId ?? null, limit],
    );
  });
  const now = new Date();
  return { runs: rows.map((r) => runSummary(r, now)) };
}
