import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { freshDatabase } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';
import { sqlState, withClaims } from '../../support/claims';
import { builtinRoles, ids, seedOrgFixture, userClaims, users } from '../../support/orgFixture';

const A = ids.orgA;

interface AuditRow {
  id: string;
  actor_id: string | null;
  action: string;
  target_table: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

describe('supabase: audit log', function () {
  this.timeout(120_000);
  let db: TestDatabase;

  before(async () => {
    db = await freshDatabase('migrated');
    await seedOrgFixture(db.admin);
  });
  after(async () => {
    await db?.drop();
  });

  it('records every admin action with actor, action, target and before/after', async () => {
    const [{ max } = { max: 0 }] = await db.admin<{ max: number }[]>`select coalesce(max(id), 0)::int as max from public.audit_log`;
    await withClaims(db.api, userClaims('admin'), async (tx) => {
      // Members are no longer inserted directly (issue 12); suspending and removing are audited.
      await tx`update public.organization_members set status = 'suspended' where org_id = ${A} and user_id = ${users.bystander}`;
      await tx`insert into public.teams (id, org_id, name) values ('20000000-0000-4000-8000-0000000000aa', ${A}, 'ops')`;
      await tx`insert into public.team_members (team_id, org_id, user_id) values ('20000000-0000-4000-8000-0000000000aa', ${A}, ${users.newcomer})`;
      await tx`insert into public.roles (id, org_id, key, name) values ('30000000-0000-4000-8000-0000000000aa', ${A}, 'ops', 'Ops')`;
      await tx`insert into public.role_permissions (role_id, permission_key) values ('30000000-0000-4000-8000-0000000000aa', 'scan.run')`;
      await tx`insert into public.role_assignments (org_id, user_id, role_id) values (${A}, ${users.newcomer}, ${builtinRoles.editor})`;
      await tx`delete from public.role_assignments where id = ${ids.bystanderGrant}`;
      await tx`select public.create_invitation(${A}, 'someone@example.test', ${builtinRoles.viewer})`;
      await tx`insert into public.org_llm_keys (org_id, provider, ciphertext) values (${A}, 'openai', '\\x0102'::bytea)`;
      await tx`update public.org_llm_keys set ciphertext = '\\x0304'::bytea, key_version = 2 where id = ${ids.llmKey}`;
      await tx`select public.create_api_token(${A}, 'nightly', ${['catalog.read']})`;
      await tx`update public.api_tokens set revoked_at = now() where id = ${ids.tokenTarget}`;
      await tx`update public.connectors set config = '{"repo":"acme/other"}', secret_ciphertext = '\\x05'::bytea where id = ${ids.connector}`;
      await tx`update public.feature_flags set enabled = false where org_id = ${A} and key = 'ai.docs'`;
      await tx`delete from public.organization_members where org_id = ${A} and user_id = ${users.bystander}`;
    });
    const rows = await db.admin<AuditRow[]>`select id, actor_id, action, target_table, before, after from public.audit_log where id > ${max} order by id`;
    const actions = rows.map((r) => r.action);
    for (const expected of [
      'organization_members.update', 'teams.insert', 'team_members.insert', 'roles.insert',
      'role_permissions.insert', 'role_assignments.insert', 'role_assignments.delete', 'invitations.insert', 'org_llm_keys.insert',
      'org_llm_keys.update', 'api_tokens.insert', 'api_tokens.update', 'connectors.update', 'feature_flags.update',
      'organization_members.delete',
    ]) {
      assert.ok(actions.includes(expected), `missing audit row for ${expected}; got ${actions.join(', ')}`);
    }
    assert.ok(rows.every((r) => r.actor_id === users.admin), 'every row names the admin as actor');
    const flag = rows.find((r) => r.action === 'feature_flags.update');
    assert.equal(flag?.before?.enabled, true);
    assert.equal(flag?.after?.enabled, false);
    const revoked = rows.find((r) => r.action === 'role_assignments.delete');
    assert.equal(revoked?.before?.user_id, users.bystander);
    assert.equal(revoked?.before?.id, ids.bystanderGrant, 'the suspension ended the bystander\'s grant');
    assert.equal(revoked?.after, null);
    // Secrets never reach the log.
    const text = JSON.stringify(rows);
    for (const secret of ['ciphertext', 'secret_ciphertext', 'token_hash']) assert.ok(!text.includes(`"${secret}"`), secret);
    const rotated = rows.find((r) => r.action === 'org_llm_keys.update');
    assert.equal(rotated?.after?.key_version, 2);
  });

  it('service-token writes are attributed to the token and its creator', async () => {
    const tokenId = '60000000-0000-4000-8000-0000000000aa';
    await db.admin`insert into public.api_tokens (id, org_id, name, token_hash, scopes, created_by)
      values (${tokenId}, ${A}, 'flag-bot', '\\xaa'::bytea, ${['flags.read', 'flags.manage']}, ${users.admin})`;
    const changed = await withClaims(db.api, { role: 'authenticated', sub: tokenId, token_id: tokenId },
      (tx) => tx`update public.feature_flags set enabled = true where org_id = ${A} and key = 'ai.docs' returning key`);
    assert.equal(changed.length, 1);
    const [row] = await db.admin`select actor_id, actor_token_id from public.audit_log where action = 'feature_flags.update' order by id desc limit 1`;
    assert.equal(row?.actor_token_id, tokenId);
    assert.equal(row?.actor_id, users.admin);
  });

  it('is readable with audit.view only', async () => {
    const adminRows = await withClaims(db.api, userClaims('admin'), (tx) => tx`select id from public.audit_log where org_id = ${A}`);
    assert.ok(adminRows.length > 0);
    for (const who of ['editor', 'viewer', 'outsider', 'otherOwner'] as const) {
      const rows = await withClaims(db.api, userClaims(who), (tx) => tx`select id from public.audit_log where org_id = ${A}`);
      assert.equal(rows.length, 0, who);
    }
  });

  it('cannot be tampered with: owners, the service role and even the dashboard user are refused', async () => {
    for (const claims of [userClaims('owner'), { role: 'service_role' as const }]) {
      for (const statement of ['update public.audit_log set action = $$x$$', 'delete from public.audit_log', 'truncate mallard_audit.log',
        'insert into public.audit_log (org_id, action, target_table) values (null, $$forged$$, $$x$$)',
        'insert into mallard_audit.log (org_id, action, target_table) values (null, $$forged$$, $$x$$)']) {
        // Since issue 12 the service role cannot append either: rows come from triggers only.
        await assert.rejects(withClaims(db.api, claims, (tx) => tx.unsafe(statement), { rollback: true }),
          (err: unknown) => sqlState(err) === '42501', `${claims.role}: ${statement}`);
      }
    }
    // `postgres` has BYPASSRLS but no longer owns the log (a NOLOGIN role does) and has no write privilege.
    await assert.rejects(db.owner`update public.audit_log set action = 'x'`, (err: unknown) => sqlState(err) === '42501');
    await assert.rejects(db.owner`delete from public.audit_log`, (err: unknown) => sqlState(err) === '42501');
    await assert.rejects(db.owner`truncate mallard_audit.log`, (err: unknown) => sqlState(err) === '42501');
    await assert.rejects(db.owner`alter table mallard_audit.log disable trigger log_no_update`, (err: unknown) => sqlState(err) === '42501');
    const [count] = await db.admin`select count(*)::int as n from public.audit_log`;
    assert.ok((count?.n as number) > 0);
  });
});
