import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { freshDatabase } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';
import { sqlState, withClaims } from '../../support/claims';
import { actorClaims, actorNames, ids, seedOrgFixture } from '../../support/orgFixture';
import { tableCases } from './matrixSpec';
import type { Op } from './matrixSpec';

type Outcome = { kind: 'rows'; count: number } | { kind: 'error'; code: string | undefined; message: string };

const ops: readonly Op[] = ['select', 'insert', 'update', 'delete'];

// Run under both of Supabase's defaults for new tables: the result must not depend on them.
for (const kind of ['migrated', 'migratedAutoGrant'] as const) {
  describe(`supabase: isolation matrix (every table × actor × operation; ${kind === 'migrated' ? 'strict grants' : 'auto-granted tables'})`, function () {
    this.timeout(180_000);
    let db: TestDatabase;

    before(async () => {
      db = await freshDatabase(kind);
      await seedOrgFixture(db.admin);
    });
    after(async () => {
      await db?.drop();
    });

    it('covers every table and view in public, each table with RLS enabled, each view security_invoker', async () => {
      const rows = await db.admin<{ relname: string; relkind: string; relrowsecurity: boolean; invoker: boolean }[]>`
        select c.relname, c.relkind, c.relrowsecurity, coalesce('security_invoker=true' = any (c.reloptions), false) as invoker
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'v') order by 1`;
      assert.deepEqual(rows.map((r) => r.relname), tableCases.map((t) => t.table).sort());
      assert.deepEqual(rows.filter((r) => r.relkind === 'r' && !r.relrowsecurity).map((r) => r.relname), []);
      // public.audit_log is a view over mallard_audit.log; it must apply the reader's RLS.
      assert.deepEqual(rows.filter((r) => r.relkind === 'v' && !r.invoker).map((r) => r.relname), []);
    });

    it('every policy is `to authenticated` and no table is granted to anon', async () => {
      const loose = await db.admin`select tablename, policyname, roles from pg_policies
        where schemaname = 'public' and roles <> '{authenticated}'::name[]`;
      assert.deepEqual([...loose], []);
      const anon = await db.admin`select table_name, privilege_type from information_schema.role_table_grants
        where table_schema = 'public' and grantee in ('anon', 'PUBLIC')`;
      assert.deepEqual([...anon], []);
    });

    for (const tc of tableCases) {
      it(`${tc.table}: allow/deny per actor and operation`, async () => {
        const mismatches: string[] = [];
        for (const actor of actorNames) {
          for (const op of ops) {
            const outcome = await attempt(db, actor, (tx) => tc.run[op](tx));
            const expected = tc.allow[op].includes(actor);
            const verdict = judge(outcome, expected, op === 'insert' || actor === 'anon');
            if (verdict) mismatches.push(`${actor} ${op}: ${verdict}`);
          }
        }
        assert.deepEqual(mismatches, [], `${tc.table}:\n${mismatches.join('\n')}`);
      });
    }

    it('positive control: the other org owner works in their own org', async () => {
      const rows = await withClaims(db.api, actorClaims('otherOwner'), (tx) => tx`select id from public.catalog_entities`);
      assert.deepEqual(rows.map((r) => r.id), [ids.entityB]);
    });

    it('a filtered update or delete leaves the row untouched', async () => {
      const viewerDelete = await withClaims(db.api, actorClaims('viewer'),
        (tx) => tx`delete from public.catalog_entities where id = ${ids.entity} returning id`);
      assert.equal(viewerDelete.length, 0);
      const outsiderUpdate = await withClaims(db.api, actorClaims('outsider'),
        (tx) => tx`update public.catalog_entities set description = 'pwned' where id = ${ids.entity} returning id`);
      assert.equal(outsiderUpdate.length, 0);
      const [row] = await db.admin`select description from public.catalog_entities where id = ${ids.entity}`;
      assert.equal(row?.description, '');
    });
  });
}

async function attempt(db: TestDatabase, actor: (typeof actorNames)[number], fn: Parameters<typeof withClaims>[2]): Promise<Outcome> {
  try {
    const rows = await withClaims(db.api, actorClaims(actor), async (tx) => {
      return (await fn(tx)) as readonly unknown[];
    }, { rollback: true });
    return { kind: 'rows', count: rows.length };
  } catch (err) {
    return { kind: 'error', code: sqlState(err), message: (err as Error).message };
  }
}

/**
 * Returns a description of what went wrong, or undefined when the outcome matches. Denial comes in
 * two shapes: 42501 (missing grant, failed WITH CHECK) or a silent zero-row result (USING filter).
 * Inserts and anything anon tries can only be refused with an error.
 */
function judge(outcome: Outcome, allowed: boolean, mustRaise: boolean): string | undefined {
  if (allowed) {
    if (outcome.kind === 'rows' && outcome.count === 1) return undefined;
    return `expected allowed (1 row), got ${show(outcome)}`;
  }
  if (outcome.kind === 'rows' && outcome.count === 0 && !mustRaise) return undefined;
  if (outcome.kind === 'error' && (outcome.code === '42501')) return undefined;
  return `expected denied, got ${show(outcome)}`;
}

function show(outcome: Outcome): string {
  return outcome.kind === 'rows' ? `${outcome.count} row(s)` : `error ${outcome.code}: ${outcome.message}`;
}
