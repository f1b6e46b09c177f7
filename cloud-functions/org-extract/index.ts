import { OrgExtractRequest } from '../../core/connectors/orgProtocol';
import { SyncError } from '../../core/sync/errors';
import { authenticate } from '../_shared/auth';
import { kickRun } from '../_shared/connectorRuns';
import { database, requestErrorOf } from '../_shared/db';
import { functionEnv } from '../_shared/env';
import { bearerToken, errorResponse, jsonResponse, preflightResponse, readJsonBody } from '../_shared/http';
import { runChunk } from './runChunk';

/**
 * Edge function `org-extract` (service role only): runs org extractions in bounded, resumable
 * chunks. `{ action: 'chunk', orgId, runId }` runs the next chunk of a run (the `connectors`
 * function kicks the first, each chunk kicks the next); `{ action: 'tick' }` — called every minute
 * by Supabase cron (see `cloud-functions/org-extract/README.md`) — queues the runs schedules make due
 * and kicks every queued or running run whose lease is absent or ran out (a crashed chunk).
 */
async function orgExtract(req: Request): Promise<Response> {
  if (req.method === 'OPTIONS') return preflightResponse();
  try {
    if (req.method !== 'POST') throw new SyncError('method-not-allowed', 'org-extract answers POST only.');
    const env = functionEnv();
    const db = database(env.dbUrl);
    const principal = await authenticate(bearerToken(req), env, db);
    if (principal.kind !== 'service') throw new SyncError('forbidden', 'org-extract is called by the scheduler and the connectors function only (service role).');
    const parsed = OrgExtractRequest.safeParse(await readJsonBody(req, 16 * 1024));
    if (!parsed.success) throw new SyncError('bad-request', `The org-extract request is invalid: ${parsed.error.issues[0]?.message ?? 'bad body'}.`);
    const body = parsed.data;
    if (body.action === 'chunk') return jsonResponse(200, await runChunk(db, env, body.orgId, body.runId));
    const due = await db<{ run_id: string; org_id: string }[]>`select run_id, org_id from private.connector_due_runs(now(), ${body.orgId ?? null})`;
    for (const run of due) kickRun(env, run.org_id, run.run_id);
    return jsonResponse(200, { kicked: due.map((r) => r.run_id) });
  } catch (err) {
    return errorResponse(requestErrorOf(err));
  }
}

Deno.serve(orgExtract);
