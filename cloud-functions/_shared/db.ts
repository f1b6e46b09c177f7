import postgres from 'postgres';
import type { Sql, TransactionSql } from 'postgres';
import { SyncError } from '../../core/sync/errors';
import type { Claims } from './auth';

/**
 * The database helper: one small pool per worker on `SUPABASE_DB_URL` (npm `postgres`,
 * `prepare: false` for the transaction pooler), and `withClaims`, which runs a transaction exactly
 * like a PostgREST request — `set_config('role', …, true)` and `set_config('request.jwt.claims', …,
 * true)` first — so row-level security, grants and triggers apply to the caller as they would to
 * the Data API. `writer` also sets `mallard.sync_writer`, the setting the sync tables' guard
 * requires of API roles (the Data API cannot set it).
 */

let pool: { url: string; sql: Sql } | undefined;

/** The worker's pool on `url`. */
export function database(url: string): Sql {
  if (pool?.url !== url) {
    pool = { url, sql: postgres(url, { prepare: false, max: 4, idle_timeout: 20, connect_timeout: 10, onnotice: () => undefined }) };
  }
  return pool.sql;
}

/** Options of `withClaims`. */
export interface ClaimsOptions {
  isolation?: 'read committed' | 'repeatable read';
  /** Set `mallard.sync_writer` (the sync tables accept writes of API roles only then). */
  writer?: boolean;
}

/** Runs `fn` in one transaction under the caller's role and claims. */
export async function withClaims<T>(sql: Sql, claims: Claims, options: ClaimsOptions, fn: (tx: TransactionSql) => Promise<T>): Promise<T> {
  const result = await sql.begin(`isolation level ${options.isolation ?? 'read committed'}`, async (tx) => {
    await tx`select set_config('role', ${claims.role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
      set_config('mallard.sync_writer', ${options.writer === true ? 'on' : ''}, true)`;
    return await fn(tx);
  });
  return result as T;
}

/** The SQLSTATE of a Postgres error, or undefined for other errors. */
export function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = String((err as { code: unknown }).code);
  return /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True for errors a retry cannot fix that concern one op's write (it becomes a rejection). */
export function isPermanentWriteError(err: unknown): boolean {
  const state = sqlState(err);
  if (state === undefined) return false;
  return state === '42501' || state.startsWith('23') || state.startsWith('22');
}

/**
 * The request error for a database failure: serialization failures, deadlocks, lost connections
 * and an unreachable database are retryable (`unavailable`), a statement timeout is `timeout`,
 * a refused privilege `forbidden`, anything else `internal`.
 */
export function requestErrorOf(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  const state = sqlState(err);
  const message = err instanceof Error ? err.message : String(err);
  if (state === '40001' || state === '40P01' || state === '55P03' || state?.startsWith('08') || state === '57P01' || state === '53300') {
    return new SyncError('unavailable', `The database is busy or unreachable (${state}); retry.`, { cause: err });
  }
  if (state === '57014') return new SyncError('timeout', 'The database statement timed out; retry.', { cause: err });
  if (state === '42501') return new SyncError('forbidden', message, { cause: err });
  if (state === '23505') return new SyncError('conflict', `That already exists: ${message}`, { cause: err });
  if (state === undefined && /ECONNREFUSED|ECONNRESET|CONNECT_TIMEOUT|CONNECTION_(CLOSED|ENDED|DESTROYED)|write CONNECTION/.test(message)) {
    return new SyncError('unavailable', 'The database is unreachable; retry.', { cause: err });
  }
  return new SyncError('internal', `Unexpected server failure${state === undefined ? '' : ` (${state})`}`, { cause: err });
}
