import assert from 'node:assert/strict';
import type { TransactionSql } from 'postgres';
import '../../support/mochaPg';
import { freshDatabase } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';
import { sqlState, withClaims } from '../../support/claims';
import type { Claims } from '../../support/claims';
import { builtinRoles, ids, seedOrgFixture, userClaims, users } from '../../support/orgFixture';

const A = ids.orgA;

describe('supabase: escalation attempts, invariants and secrets', function () {
  this.timeout(120_000);
  let db: TestDatabase;

  before(async () => {
    db = await freshDatabase('migrated');
    await seedOrgFixture(db.admin);
  });
  after(async () => {
    await db?.drop();
  });

  /** Runs as `claims` and rolls back, so every case starts from the fixture. */
  const as = <T>(claims: Claims, fn: (tx: TransactionSql) => Promise<T>) => withClaims(db.api, claims, fn, { rollback: true });
  const rejects = async (claims: Claims, fn: (tx: TransactionSql) => Promise<unknown>, code: string) => {
    await assert.rejects(as(claims, fn), (err: unknown) => {
      assert.equal(sqlState(err), code, String(err));
      return true;
    });
  };

  it('a viewer cannot grant themself admin', async () => {
    await rejects(userClaims('viewer'), (tx) =>
      tx`insert into public.role_assignments (org_id, user_id, role_id) values (${A}, ${users.viewer}, ${builtinRoles.admin})`, '42501');
  });

  it('an admin can grant admin but not owner', async () => {
    const granted = await as(userClaims('admin'), (tx) =>
      tx`insert into public.role_assignments (org_id, user_id, role_id) values (${A}, ${users.newcomer}, ${builtinRoles.admin}) returning id`);
    assert.equal(granted.length, 1);
    await rejects(userClaims('admin'), (tx) =>
      tx`insert into public.role_assignments (org_id, user_id, role_id) values (${A}, ${users.newcomer}, ${builtinRoles.owner})`, '42501');
    await rejects(userClaims('admin'), (tx) =>
      tx`insert into public.role_assignments (org_id, user_id, role_id) values (${A}, ${users.admin}, ${builtinRoles.owner})`, '42501');
  });

  it('an admin cannot revoke or demote the owner, nor remove the owner from the org', async () => {
    const revoked = await as(userClaims('admin'), (tx) =>
      tx`delete from public.role_assignments where org_id = ${A} and user_id = ${users.owner} returning id`);
    assert.equal(revoked.length, 0);
    const removed = await as(userClaims('admin'), (tx) =>
      tx`delete from public.organization_members where org_id = ${A} and user_id = ${users.owner} returning user_id`);
    assert.equal(removed.length, 0);
    const expired = await as(userClaims('admin'), (tx) =>
      tx`update public.role_assignments set expires_at = now() where org_id = ${A} and user_id = ${users.owner} returning id`);
    assert.equal(expired.length, 0);
  });

  it('an admin cannot create a role carrying permissions they lack', async () => {
    await as(userClaims('admin'), async (tx) => {
      const [role] = await tx`insert into public.roles (org_id, key, name) values (${A}, 'superuser', 'Superuser') returning id`;
      await tx`savepoint s`;
      await assert.rejects(tx`insert into public.role_permissions (role_id, permission_key) values (${role?.id}, 'org.delete')`,
        (err: unknown) => sqlState(err) === '42501');
      await tx`rollback to savepoint s`;
      const ok = await tx`insert into public.role_permissions (role_id, permission_key) values (${role?.id}, 'audit.view') returning role_id`;
      assert.equal(ok.length, 1);
    });
    await rejects(userClaims('admin'), (tx) =>
      tx`insert into public.roles (org_id, key, name, parent_role_id) values (${A}, 'heir', 'Heir', ${builtinRoles.owner})`, '42501');
    await rejects(userClaims('admin'), (tx) =>
      tx`update public.roles set parent_role_id = ${builtinRoles.owner} where id = ${ids.customRole}`, '42501');
  });

  it('nobody edits built-in roles, owners included', async () => {
    await rejects(userClaims('owner'), (tx) =>
      tx`insert into public.role_permissions (role_id, permission_key) values (${builtinRoles.viewer}, 'org.delete')`, '42501');
    const changed = await as(userClaims('owner'), (tx) =>
      tx`update public.roles set name = 'God' where id = ${builtinRoles.owner} returning id`);
    assert.equal(changed.length, 0);
  });

  it('the last owner cannot leave or drop the owner role; after a hand-over they can', async () => {
    await rejects(userClaims('owner'), (tx) =>
      tx`delete from public.organization_members where org_id = ${A} and user_id = ${users.owner}`, 'P0001');
    await rejects(userClaims('owner'), (tx) =>
      tx`delete from public.role_assignments where org_id = ${A} and user_id = ${users.owner}`, 'P0001');
    await as(userClaims('owner'), async (tx) => {
      await tx`insert into public.role_assignments (org_id, user_id, role_id) values (${A}, ${users.admin}, ${builtinRoles.owner})`;
      const left = await tx`delete from public.organization_members where org_id = ${A} and user_id = ${users.owner} returning user_id`;
      assert.equal(left.length, 1);
    });
  });

  it('permissions follow inheritance: owner ⊃ admin ⊃ editor ⊃ viewer', async () => {
    const check = (who: 'owner' | 'admin' | 'editor' | 'viewer', perm: string) =>
      as(userClaims(who), async (tx) => (await tx`select private.has_permission(${A}, ${perm}) as ok`)[0]?.ok as boolean);
    const table: [string, boolean[]][] = [
      ['catalog.read', [true, true, true, true]],
      ['catalog.write', [true, true, true, false]],
      ['members.manage', [true, true, false, false]],
      ['org.delete', [true, false, false, false]],
    ];
    for (const [perm, expected] of table) {
      const got = [await check('owner', perm), await check('admin', perm), await check('editor', perm), await check('viewer', perm)];
      assert.deepEqual(got, expected, perm);
    }
  });

  it('a grant on a parent team covers its descendants, and nothing outside', async () => {
    await db.admin.begin(async (tx) => {
      await tx`insert into public.teams (id, org_id, name) values ('20000000-0000-4000-8000-000000000009', ${A}, 'sibling')`;
      await tx`insert into public.role_assignments (org_id, user_id, role_id, team_id) values (${A}, ${users.newcomer}, ${builtinRoles.editor}, ${ids.teamParent})`;
      await tx`insert into public.catalog_entities (org_id, team_id, entity_key, kind, name, user_id) values
        (${A}, ${ids.teamChild}, 'model.shop.child', 'model', 'child', ${users.editor}),
        (${A}, '20000000-0000-4000-8000-000000000009', 'model.shop.sibling', 'model', 'sibling', ${users.editor})`;
    });
    const seen = await as(userClaims('newcomer'), (tx) => tx`select entity_key from public.catalog_entities order by 1`);
    assert.deepEqual(seen.map((r) => r.entity_key), ['model.shop.child']);
    const wrote = await as(userClaims('newcomer'), (tx) =>
      tx`insert into public.catalog_entities (org_id, team_id, entity_key, kind, name) values (${A}, ${ids.teamChild}, 'model.shop.mine', 'model', 'mine') returning id`);
    assert.equal(wrote.length, 1);
    await rejects(userClaims('newcomer'), (tx) =>
      tx`insert into public.catalog_entities (org_id, team_id, entity_key, kind, name) values (${A}, null, 'model.shop.orgwide', 'model', 'x')`, '42501');
  });

  it('a time-bound grant works until it expires', async () => {
    // Grants reference their membership (issue 12): the member comes first.
    await db.admin`insert into public.organization_members (org_id, user_id) values (${A}, ${users.joiner})`;
    await db.admin`insert into public.role_assignments (org_id, user_id, role_id, expires_at) values (${A}, ${users.joiner}, ${builtinRoles.viewer}, now() + interval '1 hour')`;
    const before = await as(userClaims('joiner'), (tx) => tx`select id from public.catalog_entities where id = ${ids.entity}`);
    assert.equal(before.length, 1);
    await db.admin`update public.role_assignments set expires_at = now() - interval '1 second' where user_id = ${users.joiner}`;
    const after = await as(userClaims('joiner'), (tx) => tx`select id from public.catalog_entities where id = ${ids.entity}`);
    assert.equal(after.length, 0);
  });

  it('service tokens: scopes bounded by the creator, stop on revoke/expiry, never mint tokens', async () => {
    const token: Claims = { role: 'authenticated', sub: ids.tokenScoped, token_id: ids.tokenScoped };
    const visible = () => as(token, (tx) => tx`select id from public.catalog_entities where id = ${ids.entity}`);
    assert.equal((await visible()).length, 1);
    // A forged claim whose token_id does not match sub counts as neither the token nor a user.
    const forged = await as({ role: 'authenticated', sub: users.outsider, token_id: ids.tokenScoped },
      (tx) => tx`select id from public.catalog_entities where id = ${ids.entity}`);
    assert.equal(forged.length, 0);
    await rejects(token, (tx) => tx`select public.create_api_token(${A}, 'child', ${['catalog.read']})`, '42501');
    await rejects(userClaims('editor'), (tx) => tx`select public.create_api_token(${A}, 'x', ${['catalog.read']})`, '42501');
    await rejects(userClaims('admin'), (tx) => tx`select public.create_api_token(${A}, 'x', ${['org.delete']})`, '42501');
    await db.admin`update public.role_assignments set role_id = ${builtinRoles.viewer} where user_id = ${users.admin} and org_id = ${A}`;
    const writeAfterDemotion = await as(token, (tx) => tx`select private.has_permission(${A}, 'catalog.write') as ok`);
    assert.equal(writeAfterDemotion[0]?.ok, false, 'creator demoted to viewer: catalog.write no longer counts');
    await db.admin`update public.role_assignments set role_id = ${builtinRoles.admin} where user_id = ${users.admin} and org_id = ${A}`;
    await db.admin`update public.api_tokens set expires_at = now() - interval '1 second' where id = ${ids.tokenScoped}`;
    assert.equal((await visible()).length, 0);
    await db.admin`update public.api_tokens set expires_at = null, revoked_at = now() where id = ${ids.tokenScoped}`;
    assert.equal((await visible()).length, 0);
    // Revocation is one-way for every writer, operators included (issue 12).
    await assert.rejects(db.admin`update public.api_tokens set revoked_at = null where id = ${ids.tokenScoped}`,
      (err: unknown) => sqlState(err) === '42501');
  });

  it('a created token resolves only for the service role and is stored hashed', async () => {
    const plain = await withClaims(db.api, userClaims('admin'), async (tx) =>
      (await tx`select public.create_api_token(${A}, 'deploy', ${['catalog.read']}) as t`)[0]?.t as string);
    assert.match(plain, /^mlpat_[0-9a-f]{48}$/);
    const [stored] = await db.admin`select encode(token_hash, 'hex') as h from public.api_tokens where name = 'deploy'`;
    assert.notEqual(stored?.h, plain);
    const resolved = await withClaims(db.api, { role: 'service_role' }, (tx) => tx`select * from private.resolve_api_token(${plain})`);
    assert.equal(resolved.length, 1);
    await rejects(userClaims('admin'), (tx) => tx`select * from private.resolve_api_token(${plain})`, '42501');
  });

  it('secrets are never selectable by clients, owners included', async () => {
    for (const [table, column] of [['org_llm_keys', 'ciphertext'], ['api_tokens', 'token_hash'], ['connectors', 'secret_ciphertext'], ['invitations', 'token_hash']] as const) {
      await rejects(userClaims('owner'), (tx) => tx`select ${tx(column)} from ${tx('public')}.${tx(table)}`, '42501');
      await rejects(userClaims('owner'), (tx) => tx`select * from ${tx('public')}.${tx(table)}`, '42501');
      const meta = await as(userClaims('owner'), (tx) => tx`select id from ${tx('public')}.${tx(table)}`);
      assert.ok(meta.length > 0, `${table} metadata stays readable`);
    }
    await rejects(userClaims('owner'), (tx) => tx`select org_id from private.user_grants(${users.admin})`, '42501');
  });

  it('invitations: no escalation through the offered role; accepted once, by the addressee', async () => {
    await rejects(userClaims('admin'), (tx) => tx`select public.create_invitation(${A}, 'x@example.test', ${builtinRoles.owner})`, '42501');
    const token = await withClaims(db.api, userClaims('admin'), async (tx) =>
      (await tx`select public.create_invitation(${A}, 'joiner2@example.test', ${builtinRoles.editor}) as t`)[0]?.t as string);
    // Acceptance needs the account's e-mail confirmed in auth.users (issue 12).
    await db.admin`insert into auth.users (id, email, email_confirmed_at) values ('f0000000-0000-4000-8000-0000000000cc', 'joiner2@example.test', now())`;
    const invitee: Claims = { role: 'authenticated', sub: 'f0000000-0000-4000-8000-0000000000cc', email: 'joiner2@example.test' };
    await rejects(userClaims('outsider'), (tx) => tx`select public.accept_invitation(${token})`, '42501');
    const org = await withClaims(db.api, invitee, async (tx) => (await tx`select public.accept_invitation(${token}) as o`)[0]?.o);
    assert.equal(org, A);
    const canWrite = await as(invitee, (tx) => tx`select private.has_permission(${A}, 'catalog.write') as ok`);
    assert.equal(canWrite[0]?.ok, true);
    await rejects(invitee, (tx) => tx`select public.accept_invitation(${token})`, '42501');
  });

  it('a suspended organization grants nothing until reactivated', async () => {
    const read = () => as(userClaims('owner'), (tx) => tx`select id from public.catalog_entities where id = ${ids.entity}`);
    await db.admin`update public.organizations set status = 'suspended' where id = ${A}`;
    assert.equal((await read()).length, 0);
    await db.admin`update public.organizations set status = 'active' where id = ${A}`;
    assert.equal((await read()).length, 1);
  });

  it('seats: an organization never exceeds max_users', async () => {
    // Members join by accepting an invitation (direct inserts are refused since issue 12): a full
    // organization refuses the acceptance.
    const token = await withClaims(db.api, userClaims('admin'), async (tx) =>
      (await tx`select public.create_invitation(${A}, 'outsider@example.test', ${builtinRoles.viewer}) as t`)[0]?.t as string);
    await db.admin`update auth.users set email_confirmed_at = now() where id = ${users.outsider}`;
    await db.admin`update public.organizations set max_users = (select count(*) from public.organization_members where org_id = ${A} and status = 'active') where id = ${A}`;
    await rejects(userClaims('outsider'), (tx) => tx`select public.accept_invitation(${token})`, 'P0001');
    await db.admin`update public.organizations set max_users = 50 where id = ${A}`;
    await db.admin`update auth.users set email_confirmed_at = null where id = ${users.outsider}`;
  });

  it('catalog rows cannot move to another organization, even for someone who writes in both', async () => {
    await as(userClaims('owner'), async (tx) => {
      const [orgId] = await tx`select public.create_organization('owner-side', 'Owner side') as id`;
      await tx`savepoint s`;
      await assert.rejects(tx`update public.catalog_entities set org_id = ${orgId?.id} where id = ${ids.entity}`,
        (err: unknown) => sqlState(err) === '42501');
      await tx`rollback to savepoint s`;
    });
  });

  it('moving an entity to a team carries its columns along', async () => {
    await as(userClaims('editor'), async (tx) => {
      await tx`update public.catalog_entities set team_id = ${ids.teamChild} where id = ${ids.entity}`;
      const [col] = await tx`select team_id from public.catalog_columns where id = ${ids.column}`;
      assert.equal(col?.team_id, ids.teamChild);
    });
  });

  it('deleting an account is never blocked by the last-owner rule', async () => {
    await db.admin.begin(async (tx) => {
      await tx`delete from auth.users where id = ${users.otherOwner}`;
      const [n] = await tx`select count(*)::int as n from public.organization_members where user_id = ${users.otherOwner}`;
      assert.equal(n?.n, 0);
      throw new Error('rollback'); // keep the fixture for the other cases
    }).catch((err: unknown) => {
      if ((err as Error).message !== 'rollback') throw err;
    });
    const [still] = await db.admin`select count(*)::int as n from auth.users where id = ${users.otherOwner}`;
    assert.equal(still?.n, 1);
  });

  it('create_organization makes the caller the owner', async () => {
    await as(userClaims('outsider'), async (tx) => {
      const [row] = await tx`select public.create_organization('outsider-co', 'Outsider Co') as id`;
      const [perm] = await tx`select private.has_permission(${row?.id}, 'org.delete') as ok`;
      assert.equal(perm?.ok, true);
    });
  });
});
