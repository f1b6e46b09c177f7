import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Sql } from 'postgres';
import { SyncError } from '../../core/sync/errors';
import type { FunctionEnv } from './env';

/**
 * Who is calling. Access tokens are verified here with jose — ES256/RS256 against the project's
 * JWKS, HS256 against the legacy secret — exactly as the gateway's `verify_jwt` would (the sync
 * functions are deployed with `verify_jwt = false` because they also accept API tokens, which are
 * not JWTs). An API token (`mlpat_…`) is resolved by `private.resolve_api_token` (hash, revocation,
 * expiry) and runs with the claims the schema expects of a service account. A new-style secret key
 * is the service role. The claims go to Postgres as PostgREST would send them.
 */

/** Claims a request runs with (`request.jwt.claims`). */
export interface Claims {
  role: 'authenticated' | 'service_role';
  sub?: string;
  token_id?: string;
  [claim: string]: unknown;
}

/** A verified caller. */
export type Principal =
  | { kind: 'user'; userId: string; claims: Claims }
  | { kind: 'token'; tokenId: string; orgId: string; claims: Claims }
  | { kind: 'service'; claims: Claims };

const API_TOKEN = /^mlpat_[0-9a-f]{48}$/;

let remoteJwks: { url: string; get: JWTVerifyGetKey } | undefined;
let localJwks: { source: unknown; get: JWTVerifyGetKey } | undefined;

function jwksFor(env: FunctionEnv): JWTVerifyGetKey | undefined {
  if (env.jwks !== undefined) {
    if (localJwks?.source !== env.jwks) localJwks = { source: env.jwks, get: createLocalJWKSet(env.jwks as Parameters<typeof createLocalJWKSet>[0]) };
    return localJwks.get;
  }
  if (env.supabaseUrl === undefined) return undefined;
  const url = new URL('/auth/v1/.well-known/jwks.json', env.supabaseUrl).toString();
  if (remoteJwks?.url !== url) remoteJwks = { url, get: createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 600_000 }) };
  return remoteJwks.get;
}

/** Constant-time string comparison, for secret keys. */
function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

async function verifyJwt(token: string, env: FunctionEnv): Promise<JWTPayload> {
  let alg: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw new SyncError('unauthorized', 'The bearer token is neither a JWT nor an API token.');
  }
  try {
    if (alg === 'HS256') {
      if (env.jwtSecret === undefined) throw new SyncError('unauthorized', 'HS256 tokens are not accepted by this project (no legacy JWT secret is configured).');
      return (await jwtVerify(token, new TextEncoder().encode(env.jwtSecret), { algorithms: ['HS256'] })).payload;
    }
    if (alg === 'ES256' || alg === 'RS256') {
      const jwks = jwksFor(env);
      if (jwks === undefined) throw new SyncError('unauthorized', 'No JWKS is configured to verify the token.');
      return (await jwtVerify(token, jwks, { algorithms: ['ES256', 'RS256'] })).payload;
    }
  } catch (err) {
    if (err instanceof SyncError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new SyncError('unauthorized', 'The access token has expired; sign in again.');
    if (err instanceof joseErrors.JOSEError) throw new SyncError('unauthorized', `The access token is invalid (${err.code}).`);
    throw new SyncError('unavailable', `The signing keys could not be loaded: ${(err as Error).message}`, { cause: err });
  }
  throw new SyncError('unauthorized', `Tokens signed with ${alg ?? 'no algorithm'} are not accepted.`);
}

/**
 * Verifies the caller of `req`. `db` (the function's own login) resolves API tokens. Throws
 * `unauthorized` for a missing, malformed, invalid, expired or revoked credential.
 */
export async function authenticate(token: string | undefined, env: FunctionEnv, db: Sql): Promise<Principal> {
  if (token === undefined) throw new SyncError('unauthorized', 'Sign in: the request has no bearer token.');
  if (token.startsWith('mlpat_')) {
    if (!API_TOKEN.test(token)) throw new SyncError('unauthorized', 'The API token is malformed.');
    const rows = await db<{ token_id: string; org_id: string }[]>`select token_id::text, org_id::text from private.resolve_api_token(${token})`;
    const row = rows[0];
    if (row === undefined) throw new SyncError('unauthorized', 'The API token is unknown, revoked or expired.');
    return { kind: 'token', tokenId: row.token_id, orgId: row.org_id, claims: { role: 'authenticated', sub: row.token_id, token_id: row.token_id } };
  }
  if (env.secretKeys.some((key) => sameSecret(key, token))) return { kind: 'service', claims: { role: 'service_role' } };
  const payload = await verifyJwt(token, env);
  const role = payload['role'];
  if (role === 'service_role') return { kind: 'service', claims: { ...payload, role: 'service_role' } };
  if (role !== 'authenticated' || typeof payload.sub !== 'string' || payload.sub === '') {
    throw new SyncError('unauthorized', 'Sign in: the token is not a signed-in user\'s.');
  }
  // A JWT never speaks for a service token: token claims come only from resolve_api_token.
  const { token_id: _ignored, ...rest } = payload as JWTPayload & { token_id?: unknown };
  return { kind: 'user', userId: payload.sub, claims: { ...rest, role: 'authenticated', sub: payload.sub } };
}
