import type { z } from 'zod';
import type { Sql } from 'postgres';
import { SyncError } from '../../core/sync/errors';
import { authenticate } from './auth';
import type { Principal } from './auth';
import { database, requestErrorOf } from './db';
import { functionEnv } from './env';
import type { FunctionEnv } from './env';
import { bearerToken, errorResponse, jsonResponse, preflightResponse, readJsonBody } from './http';

/**
 * The request pipeline of the non-sync functions (`admin`, `connectors`, `org-extract`, `ai`):
 * CORS preflight, POST only, a verified caller (JWT or API token; the service role only where the
 * function allows it), the body within its limit and valid against the function's zod schema
 * (nothing runs otherwise), an API token only for its own organization, then the handler. Errors
 * are the `{ code, message }` envelope of `core/sync/errors.ts` with its HTTP status, so every
 * client maps them the same way. Handlers check permissions under the caller's claims
 * (`withClaims`), never with the function's own login.
 */

/** What a handler gets. */
export interface ApiContext<T> {
  body: T;
  principal: Principal;
  db: Sql;
  env: FunctionEnv;
}

/** Options of `apiHandler`. */
export interface ApiOptions {
  /** Largest accepted body; 256 KiB when not given. */
  maxBodyBytes?: number;
  /** Whether the service role (scheduler, internal chaining) may call; members and tokens always may. */
  allowService?: boolean;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
    .join('; ');
}

/** Builds the Deno.serve handler of function `fn`; the handler's result is the 200 JSON body, or a Response it built itself. */
export function apiHandler<S extends z.ZodType<{ orgId: string }>>(
  fn: string,
  schema: S,
  handle: (ctx: ApiContext<z.infer<S>>) => Promise<unknown>,
  options: ApiOptions = {},
): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.method === 'OPTIONS') return preflightResponse();
    try {
      if (req.method !== 'POST') throw new SyncError('method-not-allowed', `${fn} answers POST only.`);
      const env = functionEnv();
      const db = database(env.dbUrl);
      // The caller first: an unauthenticated request learns nothing about the contract.
      const principal = await authenticate(bearerToken(req), env, db);
      if (principal.kind === 'service' && options.allowService !== true) {
        throw new SyncError('forbidden', `${fn} serves members and their service tokens, not the service role.`);
      }
      const raw = await readJsonBody(req, options.maxBodyBytes ?? 256 * 1024);
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw new SyncError('bad-request', `The ${fn} request is invalid: ${describeIssues(parsed.error)}.`);
      const body = parsed.data;
      if (principal.kind === 'token' && principal.orgId !== body.orgId) {
        throw new SyncError('forbidden', 'This API token belongs to another organization.');
      }
      const result = await handle({ body, principal, db, env });
      // A handler that streams (the `ai` function's relay) answers with its own Response.
      return result instanceof Response ? result : jsonResponse(200, result);
    } catch (err) {
      return errorResponse(requestErrorOf(err));
    }
  };
}
