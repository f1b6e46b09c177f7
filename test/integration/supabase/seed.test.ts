import assert from 'node:assert/strict';
import path from 'node:path';
import '../../support/mochaPg';
import { freshDatabase, runSqlFile } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';
import { withClaims } from '../../support/claims';

const seedFile = path.resolve(__dirname, '../../../supabase/seed.sql');
const demoOrg = 'b0000000-0000-4000-8000-000000000001';
const viewer = { role: 'authenticated' as const, sub: 'a0000000-0000-4000-8000-000000000004' };
const admin = { role: 'authenticated' as const, sub: 'a0000000-0000-4000-8000-000000000002' };

describe('supabase: seed.sql (demo organization)', function () {
  this.timeout(60_000);
  let db: TestDatabase;

  before(async () => {
    db = await freshDatabase('migrated');
    // `supabase db reset` runs the seed as postgres after the migrations.
    await runSqlFile(db.owner, seedFile);
  });
  after(async () => {
    await db?.drop();
  });

  it('creates the demo org with an owner, an admin, an editor and a viewer', async () => {
    const rows = await db.admin`select r.key from public.role_assignments ra join public.roles r on r.id = ra.role_id
      where ra.org_id = ${demoOrg} order by r.key`;
    assert.deepEqual(rows.map((r) => r.key), ['admin', 'editor', 'owner', 'viewer']);
  });

  it('the demo viewer reads the whole org catalog (org-wide grant) but cannot write it', async () => {
    const seen = await withClaims(db.api, viewer, (tx) => tx`select name from public.catalog_entities order by name`);
    assert.deepEqual(seen.map((r) => r.name), ['orders', 'stg_orders']);
    const changed = await withClaims(db.api, viewer, (tx) => tx`update public.catalog_entities set description = 'x' returning id`, { rollback: true });
    assert.equal(changed.length, 0);
    const byAdmin = await withClaims(db.api, admin, (tx) => tx`update public.catalog_entities set description = 'x' returning id`, { rollback: true });
    assert.equal(byAdmin.length, 2);
  });

  it('seeding is recorded in the audit log like any other change', async () => {
    const [row] = await db.admin`select count(*)::int as n from public.audit_log where org_id = ${demoOrg}`;
    assert.ok((row?.n as number) >= 8);
  });
});
