import assert from 'node:assert/strict';
import path from 'node:path';
import '../../support/mochaPg';
import { ids, seedOrgFixture } from '../../support/orgFixture';
import { applyMigrations, freshDatabase, migrationFiles, runSqlFile } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';

const rollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261210000000_sync_down.sql');
/** Later migrations roll back first, newest first: org extraction's and the admin function's (issue 15). */
const aiRollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261216000000_ai_function_down.sql');
const orgExtractRollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261215001000_org_extract_down.sql');
const docVersionsRollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261216001000_doc_versions_down.sql');
const catalogWriterRollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261216003000_catalog_rows_writer_down.sql');
const adminRollbackFile = path.resolve(__dirname, '../../../supabase/rollback/20261215000000_admin_down.sql');

/** The sync migrations' rollback: lossless or nothing, then the migrations apply again. */
describe('sync migrations: rollback refuses while sync data exists, then undoes them exactly', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase('migrated');
    await seedOrgFixture(db.admin);
  });
  after(async () => {
    await db?.drop();
  });

  const syncRelations = async () =>
    (await db.admin<{ name: string }[]>`select c.relnamespace::regnamespace::text || '.' || c.relname as name from pg_class c
      where c.relname like 'sync\\_%' and c.relnamespace in ('public'::regnamespace, 'private'::regnamespace) and c.relkind in ('r', 'S') order by 1`).map((r) => r.name);

  it('refuses with a report while rows exist, changing nothing', async () => {
    await db.owner`select private.sync_put_catalog_row(${ids.orgA}, 'catalogEntity', 'model.r.kept', null, '{"a":1}'::jsonb)`;
    const before = await syncRelations();
    await assert.rejects(runSqlFile(db.owner, rollbackFile), /rollback aborted: the sync tables hold data:[\s\S]*\d+ row\(s\) in public\.sync_rows/);
    assert.deepEqual(await syncRelations(), before);
    const [n] = await db.admin`select count(*)::int as n from public.sync_rows where row_id = 'model.r.kept'`;
    assert.equal(n?.n, 1);
  });

  it('with no sync data it drops the sync schema and forgets the migrations, which then apply again', async () => {
    // The fixture's records and replica go too: every sync table must be empty.
    await db.owner`delete from public.sync_rows`;
    await db.owner`delete from public.sync_rejections`;
    await db.owner`delete from public.sync_replicas`;
    await runSqlFile(db.owner, catalogWriterRollbackFile);
    await runSqlFile(db.owner, docVersionsRollbackFile);
    await runSqlFile(db.owner, aiRollbackFile);
    await runSqlFile(db.owner, orgExtractRollbackFile);
    await runSqlFile(db.owner, adminRollbackFile);
    await runSqlFile(db.owner, rollbackFile);
    assert.deepEqual(await syncRelations(), []);
    const [left] = await db.admin`select count(*)::int as n from pg_proc where proname like 'sync\\_%' and pronamespace = 'private'::regnamespace`;
    assert.equal(left?.n, 0);
    // The sync migrations are the 20261210… ones; later migrations (issue 15) stay applied.
    const sync = (await migrationFiles()).filter((m) => m.version >= '20261210000000' && m.version < '20261211000000');
    const [recorded] = await db.admin`select count(*)::int as n from supabase_migrations.schema_migrations where version >= '20261210000000' and version < '20261211000000'`;
    assert.equal(recorded?.n, 0);
    await applyMigrations(db.owner, sync);
    assert.ok((await syncRelations()).includes('public.sync_rows'));
    assert.deepEqual([...await db.owner`select problem, target_table from mallard_audit.verify() where target_table like 'sync%'`], []);
  });
});
