import type { z } from 'zod';
import type { ConnectorSummary, DeleteRequest, ListRequest, SaveRequest, SetStatusRequest } from '../../core/connectors/orgProtocol';
import { SyncError } from '../../core/sync/errors';
import type { ApiContext } from '../_shared/apiHandler';
import { checkSettings, maskedSecrets, openSecrets, readConnector, sealSecrets } from '../_shared/connectorRecords';
import type { ConnectorRecord } from '../_shared/connectorRecords';
import { RUN_COLUMNS, runSummary } from '../_shared/connectorRuns';
import type { RunRow } from '../_shared/connectorRuns';
import { asCaller, holdsAnywhere, requirePermission } from './access';

/**
 * `list`, `save`, `setStatus` and `delete`. Reads and writes of `public.connectors` run under the
 * caller's claims, so RLS and the column grants apply (the secret column is write-only for
 * clients); only the sealed secrets are read with the functions' own login, after the permission
 * check, to keep or mask them. Nothing here returns or records a secret: the audit trigger strips
 * `secret_ciphertext` from its images.
 */

/** Summaries of connector rows, with their last run and next scheduled run. */
async function summaries<B>(ctx: ApiContext<B>, records: ConnectorRecord[]): Promise<ConnectorSummary[]> {
  if (records.length === 0) return [];
  const ids = records.map((r) => r.id);
  const runs = await ctx.db.unsafe<RunRow[]>(
    `select distinct on (connector_id) ${RUN_COLUMNS} from public.connector_runs where connector_id = any ($1::uuid[]) order by connector_id, queued_at desc`,
    [ids],
  );
  const last = new Map(runs.map((r) => [r.connector_id, r]));
  const now = new Date();
  const out: ConnectorSummary[] = [];
  for (const r of records) {
    const run = last.get(r.id);
    let nextRunAt: string | null = null;
    if (r.status !== 'paused' && r.schedule_minutes !== null) {
      const due = run === undefined ? now : new Date(Math.max(now.getTime(), run.queued_at.getTime() + r.schedule_minutes * 60_000));
      nextRunAt = due.toISOString();
    }
    out.push({
      id: r.id,
      orgId: r.org_id,
      teamId: r.team_id,
      type: r.type as ConnectorSummary['type'],
      name: r.name,
      config: r.config as ConnectorSummary['config'],
      secrets: await maskedSecrets(r),
      schedule: r.schedule_minutes === null ? null : { everyMinutes: r.schedule_minutes },
      status: r.status,
      lastRun: run === undefined ? null : runSummary(run, now),
      nextRunAt,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    });
  }
  return out;
}

/** The connectors of the organization the caller may read (`connectors.read`, org-wide or for their teams). */
export async function list(ctx: ApiContext<z.infer<typeof ListRequest>>): Promise<{ connectors: ConnectorSummary[] }> {
  const { orgId, connectorId } = ctx.body;
  const visible = await asCaller(ctx, async (tx) => {
    if (!(await holdsAnywhere(tx, orgId, 'connectors.read'))) throw new SyncError('forbidden', 'Seeing connectors needs the connectors.read permission.');
    const rows = await tx<{ id: string }[]>`select id from public.connectors where org_id = ${orgId}
        and (${connectorId ?? null}::uuid is null or id = ${connectorId ?? null}::uuid) order by name`;
    return rows.map((r) => r.id);
  });
  if (connectorId !== undefined && visible.length === 0) throw new SyncError('not-found', 'No such connector in this organization (or it is not visible to you).');
  const records: ConnectorRecord[] = [];
  for (const id of visible) {
    const record = await readConnector(ctx.db, orgId, id);
    if (record !== undefined) records.push(record);
  }
  return { connectors: await summaries(ctx, records) };
}

/** Creates or updates a connector; secrets given replace those keys (an empty value removes one), absent ones are kept. */
export async function save(ctx: ApiContext<z.infer<typeof SaveRequest>>): Promise<{ connector: ConnectorSummary }> {
  const { orgId, connectorId, type, name, config } = ctx.body;
  const existing = connectorId === undefined ? undefined : await readConnector(ctx.db, orgId, connectorId);
  if (connectorId !== undefined && existing === undefined) {
    await requirePermission(ctx, orgId, 'connectors.read', null).catch(() => {
      throw new SyncError('forbidden', 'Changing connectors needs the connectors.manage permission.');
    });
    throw new SyncError('not-found', 'No such connector in this organization.');
  }
  const teamId = ctx.body.teamId === undefined ? (existing?.team_id ?? null) : ctx.body.teamId;
  // Both the old and the new team must be the caller's to manage (moving a connector is managing both).
  if (existing !== undefined) await requirePermission(ctx, orgId, 'connectors.manage', existing.team_id);
  await requirePermission(ctx, orgId, 'connectors.manage', teamId);
  if (existing !== undefined && existing.type !== type) throw new SyncError('bad-request', `A connector keeps its type (${existing.type}); create a new one for ${type}.`);
  const secrets = existing === undefined ? {} : await openSecrets(existing);
  for (const [key, value] of Object.entries(ctx.body.secrets ?? {})) {
    if (value === '') delete secrets[key];
    else secrets[key] = value;
  }
  checkSettings(type, config, secrets);
  const sealed = ctx.body.secrets === undefined && existing !== undefined ? 'keep' : await sealSecrets(secrets, orgId);
  const schedule = ctx.body.schedule === undefined ? (existing?.schedule_minutes ?? null) : (ctx.body.schedule?.everyMinutes ?? null);
  const id = await asCaller(ctx, async (tx) => {
    if (existing === undefined) {
      const s = sealed === 'keep' ? null : sealed;
      const [row] = await tx<{ id: string }[]>`insert into public.connectors (org_id, team_id, type, name, config, secret_ciphertext, key_version, schedule_minutes)
          values (${orgId}, ${teamId}, ${type}, ${name}, ${tx.json(config as never)}, ${s?.ciphertext ?? null}, ${s?.keyVersion ?? 1}, ${schedule}) returning id`;
      return row?.id;
    }
    const [row] =
      sealed === 'keep'
        ? await tx<{ id: string }[]>`update public.connectors set team_id = ${teamId}, name = ${name}, config = ${tx.json(config as never)},
            schedule_minutes = ${schedule}, updated_at = now() where id = ${existing.id} and org_id = ${orgId} returning id`
        : await tx<{ id: string }[]>`update public.connectors set team_id = ${teamId}, name = ${name}, config = ${tx.json(config as never)},
            schedule_minutes = ${schedule}, secret_ciphertext = ${sealed?.ciphertext ?? null}, key_version = ${sealed?.keyVersion ?? 1},
            updated_at = now() where id = ${existing.id} and org_id = ${orgId} returning id`;
    return row?.id;
  });
  if (id === undefined) throw new SyncError('forbidden', 'Changing connectors needs the connectors.manage permission.');
  const record = await readConnector(ctx.db, orgId, id);
  if (record === undefined) throw new SyncError('internal', 'The saved connector could not be read back.');
  const [summary] = await summaries(ctx, [record]);
  return { connector: summary as ConnectorSummary };
}

/** A connector the caller manages, or `not-found` / `forbidden`. */
async function managed<B>(ctx: ApiContext<B>, orgId: string, connectorId: string): Promise<ConnectorRecord> {
  const record = await readConnector(ctx.db, orgId, connectorId);
  if (record === undefined) {
    const member = await asCaller(ctx, (tx) => holdsAnywhere(tx, orgId, 'connectors.read'));
    throw member ? new SyncError('not-found', 'No such connector in this organization.') : new SyncError('forbidden', 'This needs the connectors.manage permission.');
  }
  await requirePermission(ctx, orgId, 'connectors.manage', record.team_id);
  return record;
}

/** Pauses (no scheduled runs) or resumes a connector. */
export async function setStatus(ctx: ApiContext<z.infer<typeof SetStatusRequest>>): Promise<{ connector: ConnectorSummary }> {
  const { orgId, connectorId, status } = ctx.body;
  await managed(ctx, orgId, connectorId);
  await asCaller(ctx, (tx) => tx`update public.connectors set status = ${status}, updated_at = now() where id = ${connectorId} and org_id = ${orgId}`);
  const record = await readConnector(ctx.db, orgId, connectorId);
  const [summary] = await summaries(ctx, record === undefined ? [] : [record]);
  if (summary === undefined) throw new SyncError('not-found', 'The connector was removed meanwhile.');
  return { connector: summary };
}

/** Removes a connector, its runs, and the org catalog rows only it wrote. */
export async function remove(ctx: ApiContext<z.infer<typeof DeleteRequest>>): Promise<{ deleted: true }> {
  const { orgId, connectorId } = ctx.body;
  await managed(ctx, orgId, connectorId);
  const owned = await ctx.db<{ kind: string; row_id: string }[]>`select kind, row_id from private.connector_catalog_rows where connector_id = ${connectorId}`;
  const rows = await asCaller(ctx, (tx) => tx`delete from public.connectors where id = ${connectorId} and org_id = ${orgId} returning id`);
  if (rows.length === 0) throw new SyncError('forbidden', 'This needs the connectors.manage permission.');
  // Its org catalog rows go too (members pull tombstones), unless another connector still writes them.
  if (owned.length > 0) {
    await ctx.db`select private.sync_delete_catalog_row(${orgId}, g.kind, g.row_id)
      from unnest(${ctx.db.array(owned.map((o) => o.kind))}::text[], ${ctx.db.array(owned.map((o) => o.row_id))}::text[]) as g(kind, row_id)
      where not exists (select 1 from private.connector_catalog_rows o where o.org_id = ${orgId} and o.kind = g.kind and o.row_id = g.row_id)`;
  }
  return { deleted: true };
}
