import type { Sql, TransactionSql } from 'postgres';
import type { TestDatabase } from '../../support/pgHarness';
import { claimsOf } from './attackWorld';
import type { Actor } from './attackWorld';

/**
 * Runs attempts as one actor, batched: one transaction per actor, each attempt inside its own
 * subtransaction that is always rolled back (a plpgsql BEGIN … EXCEPTION block), so every attempt
 * starts from the same world and a thousand attempts cost one round trip. API actors go through the
 * `authenticator` login exactly like PostgREST (SET ROLE + request.jwt.claims in the transaction);
 * `postgres` connects as itself with no claims, as the dashboard does.
 */

/** What one attempt did: returned or touched `rows` rows, or failed with SQLSTATE `code`. */
export interface Outcome {
  rows: number | null;
  code: string | null;
  message: string | null;
}

/** Installs the runner function (test-only schema, outside the attacked schemas). */
export async function installRunner(admin: Sql): Promise<void> {
  await admin.unsafe(`
    create schema attack_runner;
    create function attack_runner.run(p_queries text[])
    returns table (n integer, touched bigint, code text, message text)
    language plpgsql set search_path = ''
    as $$
    declare
      v_query text;
      v_n integer := 0;
      v_count bigint;
    begin
      foreach v_query in array p_queries loop
        v_n := v_n + 1;
        begin
          -- MATERIALIZED: every output column is computed, so a function call is really executed
          -- (an inlined CTE under count(*) would skip it, and with it the EXECUTE privilege check).
          execute 'with q as materialized (' || v_query || ') select count(*) from q' into v_count;
          -- Undo whatever the attempt changed, keeping its result.
          raise exception using errcode = 'MLRB1', message = v_count::text;
        exception
          when sqlstate 'MLRB1' then
            n := v_n; touched := sqlerrm::bigint; code := null; message := null; return next;
          when others then
            n := v_n; touched := null; code := sqlstate; message := sqlerrm; return next;
        end;
      end loop;
    end
    $$;
    grant usage on schema attack_runner to anon, authenticated, service_role, postgres;
    grant execute on function attack_runner.run(text[]) to anon, authenticated, service_role, postgres;`);
}

/** Runs `queries` as `actor`, returning one outcome per query, in order. */
export async function runAs(db: TestDatabase, actor: Actor, queries: string[]): Promise<Outcome[]> {
  const run = async (sql: TransactionSql) =>
    sql<{ n: number; touched: string | null; code: string | null; message: string | null }[]>`
      select n, touched::text as touched, code, message from attack_runner.run(${queries}::text[]) order by n`;
  const rows = actor === 'postgres'
    ? await db.owner.begin((tx) => run(tx))
    : await db.api.begin(async (tx) => {
      const claims = claimsOf(actor);
      await tx`select set_config('role', ${claims.role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      return run(tx);
    });
  return rows.map((r) => ({ rows: r.touched === null ? null : Number(r.touched), code: r.code, message: r.message }));
}
