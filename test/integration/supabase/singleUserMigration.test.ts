import assert from 'node:assert/strict';
import path from 'node:path';
import type { Sql } from 'postgres';
import '../../support/mochaPg';
import { applyMigrations, freshDatabase, migrationFiles, runSqlFile } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';
import { withClaims } from '../../support/claims';
import type { Claims } from '../../support/claims';

const lastSingleUserVersion = '20240301000000';
const rollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20260110000000_enterprise_down.sql');
/** The sync migrations (issue 13) roll back first; the enterprise rollback refuses migrations it does not know. */
const syncRollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261210000000_sync_down.sql');
/** Issue 16's migrations roll back first, newest first (the catalog writer's, the compliance index's, doc versions'). */
const complianceRollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261216002000_compliance_open_events_down.sql');
/** The org extraction migration (issue 15) rolls back before the sync migrations. */
const aiRollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261216000000_ai_function_down.sql');
const orgExtractRollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261215001000_org_extract_down.sql');
const docVersionsRollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261216001000_doc_versions_down.sql');
const catalogWriterRollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261216003000_catalog_rows_writer_down.sql');
/** The admin function's migration (issue 15) rolls back before the sync migrations. */
const adminRollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261215000000_admin_down.sql');

const people = [
  { id: 'a1000000-0000-4000-8000-000000000001', email: 'ada@example.test', name: 'Ada', entities: 3 },
  { id: 'a1000000-0000-4000-8000-000000000002', email: 'grace@example.test', name: 'Grace', entities: 2 },
  // A user who never created a profile still gets a personal organization.
  { id: 'a1000000-0000-4000-8000-000000000003', email: 'linus@example.test', name: '', entities: 1 },
];
const claimsOf = (id: string): Claims => ({ role: 'authenticated', sub: id });

/** Everything the single-user schema consists of, as comparable JSON: rows, columns, constraints, indexes, policies, grants. */
async function snapshot(sql: Sql): Promise<string> {
  const tables = ['profiles', 'catalog_entities', 'catalog_columns', 'lineage_edges', 'catalog_docs', 'catalog_tags'];
  const data: Record<string, unknown> = {};
  for (const t of tables) data[t] = await sql`select to_jsonb(x) as row from ${sql('public')}.${sql(t)} x order by id`;
  data.users = await sql`select id, email from auth.users order by id`;
  const schema = await sql`
    select 'column' as kind, table_name || '.' || column_name as name,
           concat_ws(' ', data_type, is_nullable, column_default, ordinal_position) as def
      from information_schema.columns where table_schema = 'public'
    union all
    select 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
      from pg_constraint where connamespace = 'public'::regnamespace
    union all
    select 'index', indexname, indexdef from pg_indexes where schemaname = 'public'
    union all
    select 'policy', tablename || '.' || policyname, concat_ws(' ', cmd, roles::text, qual, with_check) from pg_policies where schemaname = 'public'
    union all
    select 'grant', table_name || '.' || grantee, string_agg(privilege_type, ',' order by privilege_type)
      from information_schema.role_table_grants where table_schema = 'public' group by table_name, grantee
    union all
    select 'trigger', event_object_table || '.' || trigger_name, action_statement from information_schema.triggers where trigger_schema = 'public'
    union all
    select 'function', p.oid::regprocedure::text, '' from pg_proc p where p.pronamespace = 'public'::regnamespace
    union all
    select 'schema', nspname, '' from pg_namespace where nspname not like 'pg\\_%' and nspname <> 'information_schema'
      -- The audit archive outlives a rollback by design (checked separately below).
      and nspname <> 'mallard_audit'
    union all
    select 'migration', version, name from supabase_migrations.schema_migrations
    order by 1, 2, 3`;
  return JSON.stringify({ data, schema }, null, 1);
}

describe('supabase: migration from single-user to organizations, and rollback', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let preEnterprise: string;

  before(async () => {
    db = await freshDatabase('bootstrap');
    await applyMigrations(db.owner, await migrationFiles(lastSingleUserVersion));
    // Pre-enterprise data, written through the API as each user (the old per-user RLS applies).
    for (const p of people) {
      await db.admin`insert into auth.users (id, email) values (${p.id}, ${p.email})`;
      await withClaims(db.api, claimsOf(p.id), async (tx) => {
        if (p.name) await tx`insert into public.profiles (id, display_name) values (${p.id}, ${p.name})`;
        for (let i = 0; i < p.entities; i += 1) {
          const [e] = await tx`insert into public.catalog_entities (entity_key, kind, name, payload)
            values (${`model.shop.m${i}`}, 'model', ${`m${i}`}, ${tx.json({ i })}) returning id`;
          await tx`insert into public.catalog_columns (entity_id, name, position) values (${e?.id}, 'id', 0), (${e?.id}, 'amount', 1)`;
          await tx`insert into public.catalog_docs (entity_id, body) values (${e?.id}, ${`doc ${i}`})`;
          await tx`insert into public.catalog_tags (entity_id, tag) values (${e?.id}, 'core')`;
        }
        await tx`insert into public.lineage_edges (from_key, to_key, level, kind) values ('model.shop.m0', 'model.shop.m1', 'model', 'ref')`;
      });
    }
    preEnterprise = await snapshot(db.admin);
  });
  after(async () => {
    await db?.drop();
  });

  it('the single-user schema isolates users from each other', async () => {
    const seen = await withClaims(db.api, claimsOf(people[0]!.id), (tx) => tx`select user_id from public.catalog_entities`);
    assert.equal(seen.length, people[0]!.entities);
    assert.ok(seen.every((r) => r.user_id === people[0]!.id));
  });

  it('gives every user a personal organization they own, and moves their rows into it', async () => {
    const all = await migrationFiles();
    await applyMigrations(db.owner, all.filter((m) => m.version > lastSingleUserVersion));
    assert.notEqual(await snapshot(db.admin), preEnterprise, 'the snapshot must see the enterprise changes');
    for (const p of people) {
      const orgs = await db.admin`select id, max_users, display_name from public.organizations where personal_owner_id = ${p.id}`;
      assert.equal(orgs.length, 1, p.email);
      const org = orgs[0]!.id as string;
      const [owner] = await db.admin`select count(*)::int as n from public.role_assignments ra join public.roles r on r.id = ra.role_id
        where ra.org_id = ${org} and ra.user_id = ${p.id} and r.key = 'owner' and r.is_builtin`;
      assert.equal(owner?.n, 1);
      for (const t of ['catalog_entities', 'catalog_columns', 'lineage_edges', 'catalog_docs', 'catalog_tags']) {
        const wrong = await db.admin`select count(*)::int as n from ${db.admin('public')}.${db.admin(t)} where user_id = ${p.id} and org_id <> ${org}`;
        assert.equal(wrong[0]?.n, 0, `${t} rows of ${p.email} outside their org`);
      }
      const seen = await withClaims(db.api, claimsOf(p.id), (tx) => tx`select user_id, org_id from public.catalog_entities`);
      assert.equal(seen.length, p.entities, `${p.email} still sees exactly their entities`);
      assert.ok(seen.every((r) => r.user_id === p.id && r.org_id === org));
    }
  });

  it('the data move is idempotent', async () => {
    const state = () => db.admin`select
      (select jsonb_agg(to_jsonb(o) order by o.id) from public.organizations o) as orgs,
      (select jsonb_agg(to_jsonb(m) order by m.org_id, m.user_id) from public.organization_members m) as members,
      (select jsonb_agg(to_jsonb(r) order by r.id) from public.role_assignments r) as grants,
      (select jsonb_agg(jsonb_build_array(e.id, e.org_id) order by e.id) from public.catalog_entities e) as entities`;
    const first = await state();
    await db.owner`select private.migrate_single_user_data()`;
    await db.owner`select private.migrate_single_user_data()`;
    assert.deepEqual(await state(), first);
  });

  it('an old client that sends no org_id still writes into the personal organization', async () => {
    const p = people[1]!;
    await withClaims(db.api, claimsOf(p.id), async (tx) => {
      const [row] = await tx`insert into public.catalog_entities (entity_key, kind, name) values ('model.shop.late', 'model', 'late') returning org_id`;
      const [org] = await tx`select id from public.organizations where personal_owner_id = ${p.id}`;
      assert.equal(row?.org_id, org?.id);
    }, { rollback: true });
  });

  it('the rollback script restores the previous state exactly, and the migrations apply again', async () => {
    await runSqlFile(db.owner, catalogWriterRollbackFile);
    await runSqlFile(db.owner, complianceRollbackFile);
    await runSqlFile(db.owner, docVersionsRollbackFile);
    await runSqlFile(db.owner, aiRollbackFile);
    await runSqlFile(db.owner, orgExtractRollbackFile);
    await runSqlFile(db.owner, adminRollbackFile);
    await runSqlFile(db.owner, syncRollbackFile);
    await runSqlFile(db.owner, rollbackFile);
    assert.equal(await snapshot(db.admin), preEnterprise);
    // The audit log stays as an archive `postgres` cannot change; the rollback's deletions are in it.
    const [archive] = await db.admin`select count(*) filter (where action = 'organizations.delete')::int as deleted_orgs,
      has_table_privilege('postgres', 'mallard_audit.log', 'insert') as can_insert from mallard_audit.log`;
    assert.deepEqual(archive, { deleted_orgs: people.length, can_insert: false });
    const all = await migrationFiles();
    await applyMigrations(db.owner, all.filter((m) => m.version > lastSingleUserVersion));
    const [n] = await db.admin`select count(*)::int as n from public.organizations where personal_owner_id is not null`;
    assert.equal(n?.n, people.length);
    // Re-applied, the migrations reuse the archive: one chain, and nothing unexplained in it.
    assert.deepEqual([...await db.owner`select problem, target_table, target_id from mallard_audit.verify()`], []);
  });

  it('the rollback refuses, changing nothing, when shared-org rows would collide in the old per-user key', async () => {
    const p = people[0]!;
    await withClaims(db.api, claimsOf(p.id), async (tx) => {
      const [org] = await tx`select public.create_organization('team-co', 'Team Co') as id`;
      // Same author, same entity_key as a personal row: fine per org, a duplicate per user.
      await tx`insert into public.catalog_entities (org_id, entity_key, kind, name) values (${org?.id}, 'model.shop.m0', 'model', 'm0')`;
    });
    const beforeRollback = await snapshot(db.admin);
    await assert.rejects(runSqlFile(db.owner, rollbackFile), /rollback aborted/);
    assert.equal(await snapshot(db.admin), beforeRollback);
  });

  it('after enterprise use the rollback refuses with a report of everything it cannot carry back, changing nothing', async () => {
    // Shared org (above) plus a team, a classification, an approved doc and a second member: none of
    // it has a place in the single-user schema, and carrying rows back to their authors would
    // re-open them to removed members and hide them from the org's owner (issue 12).
    const p = people[0]!;
    const [org] = await db.admin`select id from public.organizations where name = 'team-co'`;
    await db.admin`insert into auth.users (id, email, email_confirmed_at) values ('a1000000-0000-4000-8000-0000000000ee', 'mate@example.test', now())`;
    await db.admin`insert into public.organization_members (org_id, user_id) values (${org?.id}, 'a1000000-0000-4000-8000-0000000000ee')`;
    await withClaims(db.api, claimsOf(p.id), async (tx) => {
      const [team] = await tx`insert into public.teams (org_id, name) values (${org?.id}, 'core') returning id`;
      const [entity] = await tx`select id from public.catalog_entities where org_id = ${org?.id}`;
      await tx`update public.catalog_entities set team_id = ${team?.id} where id = ${entity?.id}`;
      await tx`insert into public.catalog_classifications (entity_id, classification) values (${entity?.id}, 'pii.email')`;
      await tx`insert into public.catalog_docs (entity_id, body, status) values (${entity?.id}, 'approved doc', 'approved')`;
    });
    const beforeRollback = await snapshot(db.admin);
    await assert.rejects(runSqlFile(db.owner, rollbackFile), (err: unknown) => {
      const message = (err as Error).message;
      for (const part of ['shared organization(s): team-co', 'membership(s) other than', 'row(s) in teams', 'row(s) in catalog_classifications',
        'catalog_entities row(s) outside their author\'s personal organization', 'scoped to a team', 'approved doc(s)']) {
        assert.ok(message.includes(part), `report names "${part}": ${message}`);
      }
      return true;
    });
    assert.equal(await snapshot(db.admin), beforeRollback);
  });
});
