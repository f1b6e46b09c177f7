import type { z } from 'zod';
import type { Sql } from 'postgres';
import { SyncError } from '../../core/sync/errors';
import { MIN_SUPPORTED_SCHEMA_VERSION, SYNC_LIMITS } from '../../core/sync/limits';
import { authenticate } from './auth';
import type { Principal } from './auth';
import { database, requestErrorOf } from './db';
import { functionEnv } from './env';
import type { FunctionEnv } from './env';
import { bearerToken, errorResponse, jsonResponse, preflightResponse, readJsonBody } from './http';

/**
 * The request pipeline of `sync-push` and `sync-pull`: CORS preflight, POST only, the caller (JWT
 * or API token; not the service role), the body within `SYNC_LIMITS.maxBodyBytes` and valid against
 * the contract's zod schema (nothing is written otherwise), the schema version, a token only for its
 * own organization, then the handler; every outcome of a known caller is counted per organization
 * for `health`.
 */

/** What a handler gets. */
export interface SyncContext<T> {
  body: T;
  principal: Principal;
  db: Sql;
  env: FunctionEnv;
}

/** What a handler returns: the JSON body (object or text) and counts for the statistics. */
export interface SyncResult {
  body: unknown;
  ops?: number;
  rejected?: number;
}

/** The fields every sync request has. */
interface SyncBody {
  orgId: string;
  schemaVersion: number;
}

/** A short account of the first schema issues, naming their paths. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
    .join('; ');
}

/** Builds the Deno.serve handler of a sync function. */
export function syncHandler<S extends z.ZodType<SyncBody>>(
  fn: 'sync-push' | 'sync-pull',
  schema: S,
  handle: (ctx: SyncContext<z.infer<S>>) => Promise<SyncResult>,
): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.method === 'OPTIONS') return preflightResponse();
    let orgId: string | undefined;
    let db: Sql | undefined;
    let result: SyncResult | undefined;
    let response: Response;
    try {
      if (req.method !== 'POST') throw new SyncError('method-not-allowed', `${fn} answers POST only.`);
      const env = functionEnv();
      db = database(env.dbUrl);
      // The caller first: an unauthenticated request learns nothing about the contract.
      const principal = await authenticate(bearerToken(req), env, db);
      if (principal.kind === 'service') throw new SyncError('forbidden', `${fn} serves members and their service tokens, not the service role.`);
      const raw = await readJsonBody(req, SYNC_LIMITS.maxBodyBytes);
      const version = typeof raw === 'object' && raw !== null ? (raw as { schemaVersion?: unknown }).schemaVersion : undefined;
      if (typeof version === 'number' && version < MIN_SUPPORTED_SCHEMA_VERSION) {
        throw new SyncError('client-too-old', `Schema version ${version} is no longer supported (minimum ${MIN_SUPPORTED_SCHEMA_VERSION}): update Mallard.`);
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw new SyncError('bad-request', `The ${fn} body does not match the sync contract: ${describeIssues(parsed.error)}.`);
      const body = parsed.data;
      // Counted from here on: the caller is known (an anonymous request cannot inflate a count).
      orgId = body.orgId;
      if (principal.kind === 'token' && principal.orgId !== body.orgId) {
        throw new SyncError('forbidden', 'This API token belongs to another organization.');
      }
      result = await handle({ body, principal, db, env });
      response = jsonResponse(200, result.body);
    } catch (err) {
      response = errorResponse(requestErrorOf(err));
    }
    if (db !== undefined && orgId !== undefined) {
      // Statistics never fail the request: a lost count is better than a lost answer.
      await db`select private.sync_record_request(${orgId}, ${fn}, ${response.status >= 400}, ${result?.ops ?? 0}, ${result?.rejected ?? 0})`
        .catch(() => undefined);
    }
    return response;
  };
}
