import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '../../support/mochaPg';
import { applyMigrations, freshDatabase } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';

describe('supabase: test harness (Supabase-faithful bootstrap)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let dir: string;

  before(async () => {
    db = await freshDatabase('bootstrap');
    dir = await mkdtemp(path.join(tmpdir(), 'mallard-badmig-'));
  });
  after(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('`postgres` is not a superuser but has BYPASSRLS, CREATEDB, CREATEROLE and the API roles', async () => {
    const [role] = await db.admin`select rolsuper, rolbypassrls, rolcreatedb, rolcreaterole from pg_roles where rolname = 'postgres'`;
    assert.deepEqual(role, { rolsuper: false, rolbypassrls: true, rolcreatedb: true, rolcreaterole: true });
    const [m] = await db.admin`select array_agg(r.rolname::text order by r.rolname) as roles from pg_auth_members am
      join pg_roles r on r.oid = am.roleid where am.member = 'postgres'::regrole`;
    assert.deepEqual(m?.roles, ['anon', 'authenticated', 'service_role']);
  });

  it('auth.users is closed to API roles and `postgres` cannot create objects in schema auth', async () => {
    const [priv] = await db.admin`select has_table_privilege('authenticated', 'auth.users', 'select') as s`;
    assert.equal(priv?.s, false);
    await assert.rejects(db.owner`create table auth.mine (id int)`, /permission denied/);
  });

  it('auth.uid()/role()/jwt() read request.jwt.claims', async () => {
    const [row] = await db.owner.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', '{"sub":"f0000000-0000-4000-8000-000000000001","role":"authenticated","email":"a@b.c"}', true)`;
      return tx`select auth.uid()::text as uid, auth.role() as role, auth.jwt() ->> 'email' as email`;
    });
    assert.deepEqual(row, { uid: 'f0000000-0000-4000-8000-000000000001', role: 'authenticated', email: 'a@b.c' });
  });

  it('a broken migration fails with file:line:column and leaves nothing half-applied', async () => {
    const file = path.join(dir, '20990101000000_bad.sql');
    await writeFile(file, 'create table public.half (id int);\n\ncreate tabel public.y (id int);\n');
    await assert.rejects(applyMigrations(db.owner, [{ version: '20990101000000', name: 'bad', file }]),
      (err: unknown) => /20990101000000_bad\.sql:3:8: migration failed: syntax error at or near "tabel"/.test((err as Error).message));
    const [t] = await db.admin`select to_regclass('public.half') as t`;
    assert.equal(t?.t, null);
    const [h] = await db.admin`select count(*)::int as n from supabase_migrations.schema_migrations`;
    assert.equal(h?.n, 0);
  });
});
