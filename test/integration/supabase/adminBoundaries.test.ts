import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { ADMIN_OP_PERMISSIONS, ADMIN_OPS } from '../../../core/admin/protocol';
import type { AdminOp, AdminRequestInputOf } from '../../../core/admin/protocol';
import { builtinRoles } from '../../support/orgFixture';
import { ids, refused, startAdminWorld, users } from '../../support/adminWorld';
import type { AdminWorld } from '../../support/adminWorld';

/**
 * The `admin` function's permission boundaries through real Deno and Postgres: every op refused
 * with 403 naming its permission to a member who lacks it, and nothing written (the audit log, which
 * every write to public appends to, does not move); no escalation (granting or taking a role above
 * one's own, custom roles and token scopes beyond one's own, one's own grants); team-scoped grants
 * reach only their subtree; another organization's owner touches nothing of this one; bodies the
 * contract refuses are 400 on the server too.
 */

const later = () => new Date(Date.now() + 86_400_000).toISOString();

/** A valid request of every op against org A's fixture rows. */
function samples(orgId: string): { [O in AdminOp]: AdminRequestInputOf<O> } {
  return {
    whoami: { op: 'whoami', orgId },
    'members.list': { op: 'members.list', orgId },
    'members.invite': { op: 'members.invite', orgId, email: 'someone@example.test', roleId: builtinRoles.viewer },
    'invitations.list': { op: 'invitations.list', orgId },
    'invitations.resend': { op: 'invitations.resend', orgId, invitationId: ids.invitation },
    'invitations.cancel': { op: 'invitations.cancel', orgId, invitationId: ids.invitation },
    'members.setRole': { op: 'members.setRole', orgId, userId: users.bystander, roleId: builtinRoles.editor },
    'members.grant': { op: 'members.grant', orgId, userId: users.bystander, roleId: builtinRoles.editor, expiresAt: later() },
    'members.revokeGrant': { op: 'members.revokeGrant', orgId, assignmentId: ids.bystanderGrant },
    'members.remove': { op: 'members.remove', orgId, userId: users.bystander },
    'teams.list': { op: 'teams.list', orgId },
    'teams.create': { op: 'teams.create', orgId, name: 'new-team' },
    'teams.rename': { op: 'teams.rename', orgId, teamId: ids.teamChild, name: 'renamed' },
    'teams.move': { op: 'teams.move', orgId, teamId: ids.teamChild, parentId: null },
    'teams.delete': { op: 'teams.delete', orgId, teamId: ids.teamChild },
    'teams.addMember': { op: 'teams.addMember', orgId, teamId: ids.teamChild, userId: users.editor },
    'teams.removeMember': { op: 'teams.removeMember', orgId, teamId: ids.teamChild, userId: users.bystander },
    'roles.list': { op: 'roles.list', orgId },
    'permissions.list': { op: 'permissions.list', orgId },
    'roles.create': { op: 'roles.create', orgId, key: 'reader', name: 'Reader', permissions: ['catalog.read'] },
    'roles.update': { op: 'roles.update', orgId, roleId: ids.customRole, name: 'Renamed' },
    'roles.delete': { op: 'roles.delete', orgId, roleId: ids.customRole },
    'tokens.list': { op: 'tokens.list', orgId },
    'tokens.create': { op: 'tokens.create', orgId, name: 'x', scopes: ['catalog.read'] },
    'tokens.revoke': { op: 'tokens.revoke', orgId, tokenId: ids.tokenTarget },
    'llmKeys.list': { op: 'llmKeys.list', orgId },
    'llmKeys.add': { op: 'llmKeys.add', orgId, provider: 'openai', secret: 'sk-boundary-0123456789' },
    'llmKeys.configure': { op: 'llmKeys.configure', orgId, keyId: ids.llmKey, models: ['gpt-4o-mini'] },
    'llmKeys.rotate': { op: 'llmKeys.rotate', orgId, keyId: ids.llmKey, secret: 'sk-boundary-0123456789' },
    'llmKeys.delete': { op: 'llmKeys.delete', orgId, keyId: ids.llmKey },
    'flags.list': { op: 'flags.list', orgId },
    'flags.set': { op: 'flags.set', orgId, key: 'ai.docs', enabled: false },
    'audit.query': { op: 'audit.query', orgId },
    'audit.export': { op: 'audit.export', orgId },
  };
}

describe('admin function: permission boundaries (real Deno + Postgres + RLS)', function () {
  this.timeout(240_000);
  let world: AdminWorld;

  before(async () => {
    world = await startAdminWorld();
  });
  after(async () => {
    await world?.stop();
  });

  it('a member without an op\'s permission gets 403 naming it, and nothing changes', async () => {
    const viewer = world.as('viewer');
    const held = new Set((await viewer.call({ op: 'whoami', orgId: ids.orgA })).permissions);
    const requests = samples(ids.orgA);
    const refusedOps: string[] = [];
    for (const op of ADMIN_OPS) {
      const key = ADMIN_OP_PERMISSIONS[op];
      if (key === null || held.has(key)) continue;
      const mark = await world.auditMark();
      await refused(viewer, requests[op], 'forbidden', 403, new RegExp(`You need the ${key.replace('.', '\\.')} permission`));
      assert.equal(await world.auditMark(), mark, `${op} wrote nothing`);
      refusedOps.push(op);
    }
    // The viewer reads members, teams, roles and flags but changes nothing: 28 of the 34 ops are refused.
    assert.equal(refusedOps.length, 28, refusedOps.join());
    assert.ok(refusedOps.includes('members.remove') && refusedOps.includes('members.invite') && refusedOps.includes('audit.export'));
  });

  it('no escalation: a role above one\'s own can be neither granted nor taken; custom roles and token scopes stay within one\'s own', async () => {
    const admin = world.as('admin');
    const mark = await world.auditMark();
    await refused(admin, { op: 'members.grant', orgId: ids.orgA, userId: users.editor, roleId: builtinRoles.owner }, 'forbidden', 403, /"owner"/);
    await refused(admin, { op: 'members.setRole', orgId: ids.orgA, userId: users.editor, roleId: builtinRoles.owner }, 'forbidden', 403, /"owner"/);
    await refused(admin, { op: 'members.setRole', orgId: ids.orgA, userId: users.owner, roleId: builtinRoles.viewer }, 'forbidden', 403, /take the role "owner"/);
    await refused(admin, { op: 'members.remove', orgId: ids.orgA, userId: users.owner }, 'forbidden', 403, /cannot grant/);
    await refused(admin, { op: 'members.invite', orgId: ids.orgA, email: 'boss@example.test', roleId: builtinRoles.owner }, 'forbidden', 403, /"owner"/);
    await refused(admin, { op: 'roles.create', orgId: ids.orgA, key: 'deleter', name: 'D', permissions: ['org.delete'] }, 'forbidden', 403, /org\.delete/);
    await refused(admin, { op: 'roles.update', orgId: ids.orgA, roleId: ids.customRole, permissions: ['org.manage'] }, 'forbidden', 403, /org\.manage/);
    await refused(admin, { op: 'tokens.create', orgId: ids.orgA, name: 'root', scopes: ['org.manage'] }, 'forbidden', 403, /org\.manage/);
    await refused(admin, { op: 'members.setRole', orgId: ids.orgA, userId: users.admin, roleId: builtinRoles.viewer }, 'forbidden', 403, /your own grants/);
    assert.equal(await world.auditMark(), mark, 'nothing written');
    const [owner] = await world.db.admin`select 1 from public.role_assignments where user_id = ${users.owner} and role_id = ${builtinRoles.owner}`;
    assert.ok(owner !== undefined, 'the owner keeps the role');
  });

  it('a time-bound admin grants only until their own access ends', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await world.as('owner').call({ op: 'members.setRole', orgId: ids.orgA, userId: users.editor, roleId: builtinRoles.admin, expiresAt: until });
    const tempAdmin = world.as('editor');
    await refused(tempAdmin, { op: 'members.grant', orgId: ids.orgA, userId: users.viewer, roleId: builtinRoles.editor }, 'forbidden', 403, /only until/);
    const ok = await tempAdmin.call({ op: 'members.grant', orgId: ids.orgA, userId: users.viewer, roleId: builtinRoles.editor, expiresAt: until });
    assert.ok(ok.member.grants.some((g) => g.roleKey === 'editor' && g.expiresAt === until));
    await world.as('owner').call({ op: 'members.setRole', orgId: ids.orgA, userId: users.editor, roleId: builtinRoles.editor });
  });

  it('a team-scoped teams.manage reaches its team and sub-teams only', async () => {
    const owner = world.as('owner');
    const { role } = await owner.call({ op: 'roles.create', orgId: ids.orgA, key: 'team-lead', name: 'Team lead', permissions: ['teams.manage', 'teams.read'] });
    const { team: other } = await owner.call({ op: 'teams.create', orgId: ids.orgA, name: 'elsewhere' });
    await owner.call({ op: 'members.grant', orgId: ids.orgA, userId: users.viewer, roleId: role.id, teamId: ids.teamParent });
    const lead = world.as('viewer');
    const renamed = await lead.call({ op: 'teams.rename', orgId: ids.orgA, teamId: ids.teamChild, name: 'analytics-2' });
    assert.equal(renamed.team.name, 'analytics-2');
    const made = await lead.call({ op: 'teams.create', orgId: ids.orgA, name: 'sub', parentId: ids.teamChild });
    assert.equal(made.team.parentId, ids.teamChild);
    const mark = await world.auditMark();
    await refused(lead, { op: 'teams.rename', orgId: ids.orgA, teamId: other.id, name: 'taken-over' }, 'forbidden', 403, /teams\.manage permission in this organization for this team/);
    await refused(lead, { op: 'teams.create', orgId: ids.orgA, name: 'top' }, 'forbidden', 403, /teams\.manage/);
    await refused(lead, { op: 'teams.move', orgId: ids.orgA, teamId: ids.teamChild, parentId: other.id }, 'forbidden', 403, /new parent/);
    // The lead manages the top-level team but deleting it takes an organization-wide grant (RLS decides).
    await refused(lead, { op: 'teams.delete', orgId: ids.orgA, teamId: ids.teamParent }, 'forbidden', 403, /parent team too/);
    assert.equal(await world.auditMark(), mark);
  });

  it('another organization\'s owner: 403 for every op on this org, 404 for this org\'s rows through their own', async () => {
    const stranger = world.as('otherOwner');
    const mark = await world.auditMark();
    for (const request of Object.values(samples(ids.orgA))) {
      await refused(stranger, request as AdminRequestInputOf<AdminOp>, 'forbidden', 403, /not a member/);
    }
    const theirs = samples(ids.orgB);
    for (const op of ['invitations.resend', 'invitations.cancel', 'members.revokeGrant', 'members.setRole', 'members.remove', 'teams.rename', 'teams.addMember',
      'roles.update', 'roles.delete', 'tokens.revoke', 'llmKeys.configure', 'llmKeys.rotate', 'llmKeys.delete'] as const) {
      await refused(stranger, theirs[op] as AdminRequestInputOf<AdminOp>, 'not-found', 404);
    }
    assert.equal(await world.auditMark(), mark, 'nothing written in any organization');
    const lists = await stranger.call({ op: 'members.list', orgId: ids.orgB });
    assert.deepEqual(lists.members.map((m) => m.userId), [users.otherOwner]);
    const audit = await stranger.call({ op: 'audit.query', orgId: ids.orgB, limit: 500 });
    assert.ok(audit.entries.length > 0 && audit.entries.every((e) => !JSON.stringify(e).includes(ids.orgA)), 'no row of org A');
  });

  it('the server itself refuses bodies outside the contract (400) and callers without a valid token (401)', async () => {
    const token = await world.keys.userToken(users.admin);
    const post = async (body: string, bearer: string | null = token) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', apikey: world.anonKey };
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      const response = await fetch(`${world.functions.url}/functions/v1/admin`, { method: 'POST', headers, body });
      return { status: response.status, body: (await response.json()) as { code: string; message: string } };
    };
    const mark = await world.auditMark();
    const unknownOp = await post(JSON.stringify({ op: 'members.nuke', orgId: ids.orgA }));
    assert.deepEqual([unknownOp.status, unknownOp.body.code], [400, 'bad-request']);
    const noOrg = await post(JSON.stringify({ op: 'members.remove', userId: users.bystander }));
    assert.deepEqual([noOrg.status, noOrg.body.code], [400, 'bad-request']);
    assert.match(noOrg.body.message, /orgId/);
    const extra = await post(JSON.stringify({ op: 'flags.set', orgId: ids.orgA, key: 'ai.docs', enabled: true, updatedBy: users.owner }));
    assert.deepEqual([extra.status, extra.body.code], [400, 'bad-request']);
    const anonymous = await post(JSON.stringify({ op: 'whoami', orgId: ids.orgA }), null);
    assert.deepEqual([anonymous.status, anonymous.body.code], [401, 'unauthorized']);
    assert.equal(await world.auditMark(), mark);
  });
});
