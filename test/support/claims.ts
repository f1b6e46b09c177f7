import type { Sql, TransactionSql } from 'postgres';

/** JWT claims as PostgREST/an edge function passes them to Postgres. */
export interface Claims {
  role: 'anon' | 'authenticated' | 'service_role';
  sub?: string;
  email?: string;
  token_id?: string;
  [claim: string]: unknown;
}

const rollbackMarker = Symbol('rollback');

class Rollback<T> extends Error {
  readonly marker = rollbackMarker;
  constructor(readonly value: T) {
    super('rollback');
  }
}

/**
 * Runs `fn` exactly like a PostgREST request: one transaction on the `authenticator` login,
 * `set_config('role', …, true)` and `set_config('request.jwt.claims', …, true)` first. With
 * `rollback` the transaction is rolled back afterwards so checks leave no trace.
 */
export async function withClaims<T>(
  api: Sql,
  claims: Claims,
  fn: (tx: TransactionSql) => Promise<T>,
  options: { rollback?: boolean } = {},
): Promise<T> {
  try {
    return (await api.begin(async (tx) => {
      await tx`select set_config('role', ${claims.role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      const value = await fn(tx);
      if (options.rollback) throw new Rollback(value);
      return value;
    })) as T;
  } catch (err) {
    if (err instanceof Rollback) return err.value as T;
    throw err;
  }
}

/** The SQLSTATE of a postgres.js error, or undefined. */
export function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
