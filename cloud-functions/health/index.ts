import { SyncError } from '../../core/sync/errors';
import { authenticate } from '../_shared/auth';
import { database, requestErrorOf } from '../_shared/db';
import { functionEnv } from '../_shared/env';
import { bearerToken, errorResponse, jsonResponse, preflightResponse } from '../_shared/http';

/**
 * Edge function `health` (GET or POST, service role only): the sync operations report of
 * `private.sync_health()` — per organization the sync lag, push/pull error rates, ops applied,
 * rejected and pending, open conflicts and tombstones; the epoch, the settled horizon and the oldest
 * open write transaction. Anyone else gets 401 (no valid credential) or 403.
 */
async function health(req: Request): Promise<Response> {
  if (req.method === 'OPTIONS') return preflightResponse();
  try {
    if (req.method !== 'GET' && req.method !== 'POST') throw new SyncError('method-not-allowed', 'health answers GET and POST.');
    const env = functionEnv();
    const db = database(env.dbUrl);
    const principal = await authenticate(bearerToken(req), env, db);
    if (principal.kind !== 'service') throw new SyncError('forbidden', 'health is for the service role only.');
    const [row] = await db<{ report: unknown }[]>`select private.sync_health() as report`;
    return jsonResponse(200, row?.report ?? {});
  } catch (err) {
    return errorResponse(requestErrorOf(err));
  }
}

Deno.serve(health);
