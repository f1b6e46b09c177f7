import assert from 'node:assert/strict';
import type { TransactionSql } from 'postgres';
import '../../support/mochaPg';
import { freshDatabase } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';
import { withClaims } from '../../support/claims';
import { personClaims, seedAttackWorld, world } from './attackWorld';

/**
 * The audit log's coverage and tamper evidence (issue 12): every table in public is audited, each
 * row of the world has an audit image, changes to compliance, catalog, usage and profiles are
 * recorded with their actor, and mallard_audit.verify() reports what a superuser or the dashboard
 * user did behind the log's back. Tampering runs inside a rolled-back transaction.
 */

interface Finding {
  problem: string;
  target_table: string | null;
  target_id: string | null;
}

const rollback = Symbol('rollback');

for (const kind of ['migrated', 'migratedAutoGrant'] as const) {
  describe(`supabase: audit coverage and tamper evidence (${kind === 'migrated' ? 'strict grants' : 'Supabase automatic grants'})`, function () {
    this.timeout(120_000);
    let db: TestDatabase;

    before(async () => {
      db = await freshDatabase(kind);
      await seedAttackWorld(db.admin);
    });
    after(async () => {
      await db?.drop();
    });

    /** Runs `tamper` then verify() in one transaction on `conn`, rolled back; returns the findings. */
    const afterTampering = async (conn: 'admin' | 'owner', tamper: (tx: TransactionSql) => Promise<unknown>, anchors: unknown[] = []) => {
      let findings: Finding[] = [];
      await db[conn].begin(async (tx) => {
        await tamper(tx);
        findings = [...await tx<Finding[]>`select problem, target_table, target_id from mallard_audit.verify(${tx.json(anchors as never)})`];
        throw rollback;
      }).catch((err: unknown) => {
        if (err !== rollback) throw err;
      });
      return findings;
    };

    it('every table in public carries the audit trigger, and every row of the world has an audit record', async () => {
      const unaudited = await db.admin`select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
        and (select count(*) from pg_trigger t where t.tgrelid = c.oid and t.tgfoid = 'mallard_audit.record_changes()'::regprocedure
             and t.tgenabled = 'O' and (t.tgtype & 1) = 0) <> 3`;
      assert.deepEqual([...unaudited], []);
      assert.deepEqual([...await db.owner`select * from mallard_audit.verify()`], [], 'a clean log verifies');
    });

    it('one statement over many rows of two organizations records each row once, in its own chain, and verifies clean', async () => {
      let records: { org_id: string | null; action: string; target_id: string; before: unknown; after: { description?: string } | null }[] = [];
      let findings: Finding[] = [];
      let rows: { id: string; org_id: string; description: string }[] = [];
      await db.owner.begin(async (tx) => {
        const [last] = await tx<{ max: string }[]>`select coalesce(max(id), 0)::text as max from mallard_audit.log`;
        const max = last?.max ?? '0';
        // One UPDATE (old and new transition rows paired), one INSERT and one DELETE, each over rows
        // of both organizations.
        rows = [...await tx<{ id: string; org_id: string; description: string }[]>`
          update public.catalog_entities set description = 'bulk ' || name where org_id in (${world.orgA}, ${world.orgB})
          returning id, org_id, description`];
        await tx`insert into public.catalog_tags (org_id, user_id, entity_id, tag)
          select org_id, user_id, id, 'bulk-tag' from public.catalog_entities where org_id in (${world.orgA}, ${world.orgB})`;
        await tx`delete from public.catalog_tags where tag = 'bulk-tag' and org_id = ${world.orgB}`;
        records = [...await tx<typeof records>`select org_id, action, target_id, before, after from mallard_audit.log where id > ${max} order by id`];
        findings = [...await tx<Finding[]>`select problem, target_table, target_id from mallard_audit.verify()`];
        throw rollback;
      }).catch((err: unknown) => {
        if (err !== rollback) throw err;
      });
      assert.ok(rows.length >= 2 && new Set(rows.map((r) => r.org_id)).size === 2, 'the update spans both organizations');
      const updates = records.filter((r) => r.action === 'catalog_entities.update');
      assert.deepEqual(updates.map((r) => r.target_id).sort(), rows.map((r) => r.id).sort(), 'each updated row once');
      for (const r of updates) {
        const row = rows.find((x) => x.id === r.target_id);
        assert.equal(r.after?.description, row?.description, 'the new image belongs to its own row (old/new paired)');
        assert.equal(r.org_id, row?.org_id);
      }
      const inserted = records.filter((r) => r.action === 'catalog_tags.insert');
      const deleted = records.filter((r) => r.action === 'catalog_tags.delete');
      assert.equal(inserted.length, rows.length);
      assert.equal(deleted.length, rows.filter((r) => r.org_id === world.orgB).length);
      assert.deepEqual(findings, [], 'chains, heads and current rows verify');
    });

    it('compliance, catalog, usage and profile changes are recorded with their actor; secrets only as a digest', async () => {
      const [before] = await db.admin`select coalesce(max(id), 0) as max from mallard_audit.log`;
      await withClaims(db.api, personClaims('aAdmin'), async (tx) => {
        await tx`update public.compliance_events set status = 'dismissed' where id = ${world.complianceA}`;
        await tx`update public.catalog_entities set description = 'audited' where id = ${world.entityA}`;
        await tx`update public.profiles set display_name = 'Adam' where id = ${(await tx`select auth.uid() as id`)[0]?.id}`;
        await tx`update public.org_llm_keys set ciphertext = '\\x0102'::bytea where id = ${world.keyA}`;
      });
      await withClaims(db.api, { role: 'service_role' }, (tx) =>
        tx`insert into public.usage_logs (org_id, user_id, kind, tool, tokens_in) values (${world.orgA}, ${'a0000000-0000-4000-8000-000000000001'}, 'ai', 'docs.generate', 7)`);
      const rows = await db.admin`select action, actor_id, actor_role, db_user, after, secrets_digest is not null as digest
        from mallard_audit.log where id > ${before?.max} order by id`;
      const byAction = Object.fromEntries(rows.map((r) => [r.action, r]));
      for (const action of ['compliance_events.update', 'catalog_entities.update', 'profiles.update', 'org_llm_keys.update', 'usage_logs.insert']) {
        assert.ok(byAction[action], `${action} is audited (got ${Object.keys(byAction).join(', ')})`);
      }
      assert.equal(byAction['compliance_events.update']?.actor_id, 'a0000000-0000-4000-8000-000000000004');
      assert.equal(byAction['usage_logs.insert']?.actor_role, 'service_role');
      assert.equal(byAction['org_llm_keys.update']?.after?.ciphertext, undefined, 'no secret in the image');
      assert.equal(byAction['org_llm_keys.update']?.digest, true, 'a digest stands in for it');
      assert.ok(rows.every((r) => r.db_user === 'authenticator'), 'API writes come through the authenticator login');
      assert.deepEqual([...await db.owner`select * from mallard_audit.verify()`], []);
    });

    it('a superuser editing, deleting or appending log rows breaks the chain', async () => {
      const edited = await afterTampering('admin', async (tx) => {
        await tx`alter table mallard_audit.log disable trigger log_no_update`;
        await tx`update mallard_audit.log set after = after || '{"description":"forged"}' where id = (select min(id) from mallard_audit.log where org_id = ${world.orgA})`;
      });
      assert.ok(edited.some((f) => f.problem === 'row altered'), JSON.stringify(edited));
      const removed = await afterTampering('admin', async (tx) => {
        await tx`alter table mallard_audit.log disable trigger log_no_update`;
        await tx`delete from mallard_audit.log where id = (select min(id) + 1 from mallard_audit.log where chain_key = ${world.orgA})`;
      });
      assert.ok(removed.some((f) => f.problem === 'chain link broken'), JSON.stringify(removed));
      const truncatedTail = await afterTampering('admin', async (tx) => {
        await tx`alter table mallard_audit.log disable trigger log_no_update`;
        await tx`delete from mallard_audit.log where id = (select max(id) from mallard_audit.log where chain_key = ${world.orgA})`;
      });
      assert.ok(truncatedTail.some((f) => f.problem === 'chain head mismatch'), JSON.stringify(truncatedTail));
      const appended = await afterTampering('admin', (tx) =>
        tx`insert into mallard_audit.log (org_id, action, target_table, chain_key, row_hash) values (${world.orgA}, 'forged', 'x', ${world.orgA}, '\\x00'::bytea)`);
      assert.ok(appended.some((f) => f.problem === 'chain link broken' || f.problem === 'row altered'), JSON.stringify(appended));
    });

    it('a consistent rewrite of a whole chain is caught by an anchor exported earlier', async () => {
      const anchors = await db.admin`select chain_key, last_id as id, encode(last_hash, 'hex') as row_hash from mallard_audit.chain_heads`;
      const rewritten = await afterTampering('admin', async (tx) => {
        await tx`alter table mallard_audit.log disable trigger log_no_update`;
        // Rewrite every row of A's chain and recompute every hash and the head: internally consistent.
        await tx`update mallard_audit.log set actor_id = null where chain_key = ${world.orgA}`;
        await tx.unsafe(`do $$ declare r record; v_prev bytea; begin
          for r in select * from mallard_audit.log where chain_key = '${world.orgA}' order by id loop
            update mallard_audit.log set prev_hash = v_prev, row_hash = mallard_audit.row_hash(v_prev, r.id, r.chain_key, r.org_id, null,
              r.actor_token_id, r.actor_role, r.db_user, r.action, r.target_table, r.target_id, r.before, r.after, r.secrets_digest, r.occurred_at)
              where id = r.id returning row_hash into v_prev;
          end loop;
          update mallard_audit.chain_heads set last_hash = v_prev where chain_key = '${world.orgA}';
        end $$`);
      }, [...anchors]);
      assert.deepEqual(rewritten.map((f) => f.problem), ['anchor missing']);
    });

    it('postgres (the dashboard user) cannot touch the log; a silent change behind a disabled trigger is reported', async () => {
      const whileDisabled = await afterTampering('owner', async (tx) => {
        await tx`alter table public.catalog_entities disable trigger catalog_entities_audit_update`;
        await tx`alter table public.catalog_entities disable trigger catalog_entities_audit_insert`;
        await tx`update public.catalog_entities set description = 'silent' where id = ${world.entityA}`;
        await tx`insert into public.catalog_entities (org_id, user_id, entity_key, kind, name) values (${world.orgA}, ${'a0000000-0000-4000-8000-000000000005'}, 'model.shop.ghost', 'model', 'ghost')`;
        await tx`alter table public.catalog_tags disable trigger catalog_tags_audit_delete`;
        await tx`delete from public.catalog_tags where org_id = ${world.orgA}`;
      });
      const problems = whileDisabled.map((f) => `${f.problem} ${f.target_table ?? ''}`);
      for (const expected of ['audit trigger missing or disabled catalog_entities', 'row differs from its last audit record catalog_entities',
        'row without audit record catalog_entities', 'row deleted without audit record catalog_tags']) {
        assert.ok(problems.includes(expected), `${expected} in ${JSON.stringify(problems)}`);
      }
      const reEnabled = await afterTampering('owner', async (tx) => {
        await tx`alter table public.catalog_entities disable trigger catalog_entities_audit_update`;
        await tx`update public.catalog_entities set description = 'silent' where id = ${world.entityA}`;
        await tx`alter table public.catalog_entities enable trigger catalog_entities_audit_update`;
      });
      assert.deepEqual(reEnabled.map((f) => `${f.problem} ${f.target_id ?? ''}`), [`row differs from its last audit record ${world.entityA}`]);
      await assert.rejects(db.owner`insert into mallard_audit.log (org_id, action, target_table, chain_key, row_hash)
        values (null, 'forged', 'x', '00000000-0000-0000-0000-000000000000', '\\x00'::bytea)`, /permission denied/);
    });
  });
}
