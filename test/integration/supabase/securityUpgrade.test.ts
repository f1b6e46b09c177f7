import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import '../../support/mochaPg';
import { applyMigrations, freshDatabase, migrationFiles } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';
import { withClaims } from '../../support/claims';
import type { Claims } from '../../support/claims';

/**
 * Upgrading a deployed enterprise schema (20260110…) to the issue 12 migrations. Rows written
 * through the old policies that point outside their organization make the first migration refuse
 * with a report (it cannot tell which side is right); once an operator resolves them, the
 * migrations apply, grants that outlived their membership are gone, and the audit chain verifies.
 */

const lastPreFix = '20260110000600';
const A = '10000000-0000-4000-8000-0000000000a1';
const victim = 'c0000000-0000-4000-8000-000000000001';
const attacker = 'c0000000-0000-4000-8000-000000000002';
const removed = 'c0000000-0000-4000-8000-000000000003';
const entityA = 'e0000000-0000-4000-8000-0000000000a1';
const claims = (sub: string): Claims => ({ role: 'authenticated', sub });

describe('supabase: upgrading a deployed schema to the issue 12 migrations', function () {
  this.timeout(120_000);
  let db: TestDatabase;

  before(async () => {
    db = await freshDatabase('bootstrap');
    await applyMigrations(db.owner, await migrationFiles(lastPreFix));
    for (const [id, email] of [[victim, 'victim@x.test'], [attacker, 'attacker@x.test'], [removed, 'removed@x.test']] as const) {
      await db.admin`insert into auth.users (id, email) values (${id}, ${email})`;
    }
    await db.admin`insert into public.organizations (id, name, display_name) values (${A}, 'victim-org', 'Victim')`;
    await db.admin`insert into public.organization_members (org_id, user_id) values (${A}, ${victim}), (${A}, ${removed})`;
    await db.admin`insert into public.role_assignments (org_id, user_id, role_id) values
      (${A}, ${victim}, '00000000-0000-4000-8000-000000000004'), (${A}, ${removed}, '00000000-0000-4000-8000-000000000003')`;
    // Under the old rules removing a member left their grants behind.
    await db.admin`delete from public.organization_members where org_id = ${A} and user_id = ${removed}`;
    await db.admin`insert into public.catalog_entities (id, org_id, user_id, entity_key, kind, name) values (${entityA}, ${A}, ${victim}, 'model.v.o', 'model', 'o')`;
    // The reported attack, through the old policies: own org, own team, a team grant to oneself,
    // then an edge filed in the victim's org under that team, and a column re-pointed at the victim's entity.
    await withClaims(db.api, claims(attacker), async (tx) => {
      const [org] = await tx`select public.create_organization('attacker-org', 'Attacker') as id`;
      const [team] = await tx`insert into public.teams (org_id, name) values (${org?.id}, 'mine') returning id`;
      await tx`insert into public.role_assignments (org_id, user_id, role_id, team_id) values (${org?.id}, ${attacker}, '00000000-0000-4000-8000-000000000002', ${team?.id})`;
      await tx`insert into public.lineage_edges (org_id, team_id, from_key, to_key, level, kind) values (${A}, ${team?.id}, 'x', 'y', 'model', 'ref')`;
      const [entity] = await tx`insert into public.catalog_entities (org_id, entity_key, kind, name) values (${org?.id}, 'model.a.e', 'model', 'e') returning id`;
      const [column] = await tx`insert into public.catalog_columns (entity_id, name) values (${entity?.id}, 'c') returning id`;
      await tx`update public.catalog_columns set entity_id = ${entityA} where id = ${column?.id}`;
    });
  });
  after(async () => {
    await db?.drop();
  });

  it('refuses, changing nothing, while rows point outside their organization, and names them', async () => {
    const pending = (await migrationFiles()).filter((m) => m.version > lastPreFix);
    await assert.rejects(applyMigrations(db.owner, pending), (err: unknown) => {
      assert.match((err as Error).message, /20261203000000_tenant_integrity refused: 2 row\(s\) point outside their own organization/);
      return true;
    });
    const [applied] = await db.admin`select count(*)::int as n from supabase_migrations.schema_migrations where version > ${lastPreFix}`;
    assert.equal(applied?.n, 0);
    // The report (the error's DETAIL) names each row.
    const text = await readFile(pending[0]!.file, 'utf8');
    await assert.rejects(db.owner.begin((tx) => tx.unsafe(text)), (err: unknown) => {
      const detail = String((err as { detail?: string }).detail);
      assert.match(detail, /lineage_edges row .* \(org 10000000-0000-4000-8000-0000000000a1\) is scoped to team .* of another organization/);
      assert.match(detail, /catalog_columns .* points at entity e0000000-0000-4000-8000-0000000000a1 of org 10000000-0000-4000-8000-0000000000a1/);
      return true;
    });
  });

  it('applies once an operator has resolved the rows: orphaned grants are gone and the audit chain verifies', async () => {
    await db.admin`delete from public.lineage_edges where org_id = ${A}`;
    await db.admin`delete from public.catalog_columns where entity_id = ${entityA}`;
    const pending = (await migrationFiles()).filter((m) => m.version > lastPreFix);
    await applyMigrations(db.owner, pending);
    const [orphans] = await db.admin`select count(*)::int as n from public.role_assignments where user_id = ${removed}`;
    assert.equal(orphans?.n, 0, 'the removed member\'s leftover admin grant is gone');
    assert.deepEqual([...await db.owner`select problem, target_table from mallard_audit.verify()`], []);
    // Rows the old triggers wrote before the upgrade are now links of the chains that verified above.
    const [legacy] = await db.admin`select count(*)::int as n from mallard_audit.log where action = 'organizations.insert' and db_user is null`;
    assert.ok((legacy?.n as number) >= 2, 'both organizations\' creation predates the upgrade');
  });
});
