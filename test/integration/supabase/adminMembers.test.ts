import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { withClaims } from '../../support/claims';
import { builtinRoles } from '../../support/orgFixture';
import { ids, refused, startAdminWorld, users } from '../../support/adminWorld';
import type { AdminWorld } from '../../support/adminWorld';

/**
 * The `admin` function's member, invitation, grant and team operations through the typed client,
 * real Deno and real Postgres with RLS: what each op answers and what it leaves in the database and
 * the audit log (the audit viewer and its CSV show an invitation and a role change).
 */
describe('admin function: members, invitations, grants, teams (real Deno + Postgres)', function () {
  this.timeout(180_000);
  let world: AdminWorld;

  before(async () => {
    world = await startAdminWorld();
  });
  after(async () => {
    await world?.stop();
  });

  it('whoami: the caller\'s permissions, team permissions and grants; a viewer lacks what an admin holds', async () => {
    const admin = await world.as('admin').call({ op: 'whoami', orgId: ids.orgA });
    assert.equal(admin.userId, users.admin);
    assert.equal(admin.orgName, 'Org A');
    for (const key of ['members.invite', 'members.manage', 'roles.assign', 'tokens.manage', 'keys.manage', 'audit.view']) {
      assert.ok(admin.permissions.includes(key), key);
    }
    assert.ok(!admin.permissions.includes('org.delete'));
    assert.deepEqual(admin.grants.map((g) => g.roleKey), ['admin']);
    const viewer = await world.as('viewer').call({ op: 'whoami', orgId: ids.orgA });
    assert.ok(viewer.permissions.includes('members.read'));
    assert.ok(!viewer.permissions.includes('members.invite'));
    await refused(world.as('otherOwner'), { op: 'whoami', orgId: ids.orgA }, 'forbidden', 403, /not a member/);
    await refused(world.as('expired'), { op: 'whoami', orgId: ids.orgA }, 'forbidden', 403, /not a member/);
  });

  it('members.list: e-mails, status, grants with expiries and teams', async () => {
    const { members } = await world.as('viewer').call({ op: 'members.list', orgId: ids.orgA });
    const byEmail = new Map(members.map((m) => [m.email, m]));
    assert.ok(!byEmail.has('removed@example.test'), 'a removed member is not listed');
    assert.deepEqual(byEmail.get('expired@example.test')?.grants.map((g) => [g.roleKey, g.expiresAt]), [['admin', '2020-01-01T00:00:00.000Z']]);
    assert.deepEqual(byEmail.get('bystander@example.test')?.teamIds, [ids.teamChild]);
    assert.equal(byEmail.get('owner@example.test')?.displayName, 'owner');
    assert.ok(!byEmail.has('otheryowner@example.test') && !byEmail.has('otherOwner@example.test'), 'no member of another org');
  });

  it('invite, list, resend (the old token stops working), accept; cancel', async () => {
    const admin = world.as('admin');
    const lapse = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const made = await admin.call({ op: 'members.invite', orgId: ids.orgA, email: 'Joiner@Example.test', roleId: builtinRoles.editor, teamId: ids.teamParent, expiresAt: lapse });
    assert.match(made.token, /^mlinv_[0-9a-f]{48}$/);
    // No SMTP server in this world: no mail, the admin passes the link on (the token in it).
    assert.equal(made.mail.status, 'not-configured');
    assert.equal(new URL(made.mail.link ?? 'x:').searchParams.get('token'), made.token);
    assert.deepEqual([made.invitation.email, made.invitation.roleId, made.invitation.teamId, made.invitation.expiresAt],
      ['joiner@example.test', builtinRoles.editor, ids.teamParent, new Date(lapse).toISOString()]);
    const listed = await admin.call({ op: 'invitations.list', orgId: ids.orgA });
    assert.ok(listed.invitations.some((i) => i.id === made.invitation.id && !i.expired));
    const again = await admin.call({ op: 'invitations.resend', orgId: ids.orgA, invitationId: made.invitation.id });
    assert.notEqual(again.token, made.token);
    assert.ok(new Date(again.invitation.expiresAt).getTime() > Date.now() + 6 * 86_400_000, 'resend extends by 7 days');
    const joiner = { role: 'authenticated' as const, sub: users.joiner, email: 'joiner@example.test' };
    await assert.rejects(withClaims(world.db.api, joiner, (tx) => tx`select public.accept_invitation(${made.token})`), /invalid, expired/);
    await withClaims(world.db.api, joiner, (tx) => tx`select public.accept_invitation(${again.token})`);
    const { members } = await admin.call({ op: 'members.list', orgId: ids.orgA });
    assert.deepEqual(members.find((m) => m.userId === users.joiner)?.grants.map((g) => [g.roleKey, g.teamId]), [['editor', ids.teamParent]]);

    const second = await admin.call({ op: 'members.invite', orgId: ids.orgA, email: 'later@example.test', roleId: builtinRoles.viewer });
    await admin.call({ op: 'invitations.cancel', orgId: ids.orgA, invitationId: second.invitation.id });
    assert.ok(!(await admin.call({ op: 'invitations.list', orgId: ids.orgA })).invitations.some((i) => i.id === second.invitation.id));
    await refused(admin, { op: 'invitations.cancel', orgId: ids.orgA, invitationId: second.invitation.id }, 'not-found', 404);
    // The client checks the contract before sending (status 0: the server never saw it).
    await refused(admin, { op: 'members.invite', orgId: ids.orgA, email: 'not-an-address', roleId: builtinRoles.viewer }, 'bad-request', 0, /email/);
  });

  it('setRole replaces the grant at its scope, grant adds a time-bound one, revokeGrant ends it; the audit shows them', async () => {
    const admin = world.as('admin');
    const changed = await admin.call({ op: 'members.setRole', orgId: ids.orgA, userId: users.viewer, roleId: builtinRoles.editor });
    assert.deepEqual(changed.member.grants.map((g) => [g.roleKey, g.teamId, g.grantedBy]), [['editor', null, users.admin]]);
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const granted = await admin.call({ op: 'members.grant', orgId: ids.orgA, userId: users.viewer, roleId: ids.customRole, teamId: ids.teamChild, expiresAt: until });
    const temp = granted.member.grants.find((g) => g.roleId === ids.customRole);
    assert.deepEqual([temp?.teamId, temp?.expiresAt], [ids.teamChild, new Date(until).toISOString()]);
    const [row] = await world.db.admin`select expires_at from public.role_assignments where id = ${temp!.assignmentId}`;
    assert.equal((row?.expires_at as Date).toISOString(), new Date(until).toISOString());
    await admin.call({ op: 'members.revokeGrant', orgId: ids.orgA, assignmentId: temp!.assignmentId });
    assert.equal((await world.db.admin`select 1 from public.role_assignments where id = ${temp!.assignmentId}`).length, 0);

    const audit = await admin.call({ op: 'audit.query', orgId: ids.orgA, filter: { targetTable: 'role_assignments', actorId: users.admin } });
    const actions = audit.entries.map((e) => e.action);
    assert.ok(actions.includes('role_assignments.insert') && actions.includes('role_assignments.delete'), actions.join());
    const insert = audit.entries.find((e) => e.action === 'role_assignments.insert' && (e.after as { user_id?: string }).user_id === users.viewer);
    assert.equal(insert?.actorEmail, 'admin@example.test');
  });

  it('members.remove ends the membership; the last permanent owner cannot leave (409)', async () => {
    await world.as('admin').call({ op: 'members.remove', orgId: ids.orgA, userId: users.newcomer });
    assert.equal((await world.db.admin`select 1 from public.organization_members where org_id = ${ids.orgA} and user_id = ${users.newcomer}`).length, 0);
    await refused(world.as('admin'), { op: 'members.remove', orgId: ids.orgA, userId: users.newcomer }, 'not-found', 404);
    await refused(world.as('owner'), { op: 'members.remove', orgId: ids.orgA, userId: users.owner }, 'conflict', 409, /owner/);
  });

  it('teams: create, rename, move (re-parent), a cycle is 409, members added and removed, delete', async () => {
    const admin = world.as('admin');
    const { team } = await admin.call({ op: 'teams.create', orgId: ids.orgA, name: 'finance', parentId: ids.teamParent });
    assert.equal(team.parentId, ids.teamParent);
    const renamed = await admin.call({ op: 'teams.rename', orgId: ids.orgA, teamId: team.id, name: 'fin-ops', description: 'money' });
    assert.deepEqual([renamed.team.name, renamed.team.description], ['fin-ops', 'money']);
    const moved = await admin.call({ op: 'teams.move', orgId: ids.orgA, teamId: team.id, parentId: ids.teamChild });
    assert.equal(moved.team.parentId, ids.teamChild);
    await refused(admin, { op: 'teams.move', orgId: ids.orgA, teamId: ids.teamParent, parentId: team.id }, 'conflict', 409, /ancestor/);
    const top = await admin.call({ op: 'teams.move', orgId: ids.orgA, teamId: team.id, parentId: null });
    assert.equal(top.team.parentId, null);
    const added = await admin.call({ op: 'teams.addMember', orgId: ids.orgA, teamId: team.id, userId: users.editor });
    assert.deepEqual(added.team.memberIds, [users.editor]);
    await refused(admin, { op: 'teams.addMember', orgId: ids.orgA, teamId: team.id, userId: users.otherOwner }, 'not-found', 404);
    const removed = await admin.call({ op: 'teams.removeMember', orgId: ids.orgA, teamId: team.id, userId: users.editor });
    assert.deepEqual(removed.team.memberIds, []);
    await refused(admin, { op: 'teams.create', orgId: ids.orgA, name: 'platform' }, 'conflict', 409);
    const { teams } = await admin.call({ op: 'teams.list', orgId: ids.orgA });
    assert.deepEqual(teams.map((t) => t.name).sort(), ['analytics', 'fin-ops', 'platform']);
    await admin.call({ op: 'teams.delete', orgId: ids.orgA, teamId: team.id });
    assert.equal((await world.db.admin`select 1 from public.teams where id = ${team.id}`).length, 0);
  });

  it('the audit viewer: filters by actor, action, target and time, pages, and exports the invite and role change as CSV', async () => {
    const admin = world.as('admin');
    const start = new Date().toISOString();
    const made = await admin.call({ op: 'members.invite', orgId: ids.orgA, email: 'audited@example.test', roleId: builtinRoles.viewer });
    await admin.call({ op: 'members.setRole', orgId: ids.orgA, userId: users.bystander, roleId: builtinRoles.editor });
    const recent = await admin.call({ op: 'audit.query', orgId: ids.orgA, filter: { from: start, actorId: users.admin } });
    assert.deepEqual(recent.entries.map((e) => e.action).sort(),
      ['invitations.insert', 'role_assignments.delete', 'role_assignments.insert'].sort());
    const invited = await admin.call({ op: 'audit.query', orgId: ids.orgA, filter: { action: 'invitations.insert', targetId: made.invitation.id } });
    assert.equal(invited.entries.length, 1);
    assert.equal((invited.entries[0]?.after as { email?: string }).email, 'audited@example.test');
    assert.equal(JSON.stringify(invited).includes(made.token), false, 'the invitation token is not in the log');
    const none = await admin.call({ op: 'audit.query', orgId: ids.orgA, filter: { from: start, to: start } });
    assert.equal(none.entries.length, 0);
    const byTable = await admin.call({ op: 'audit.query', orgId: ids.orgA, filter: { action: 'role_assignments', from: start } });
    assert.deepEqual(byTable.entries.map((e) => e.action).sort(), ['role_assignments.delete', 'role_assignments.insert']);

    const page1 = await admin.call({ op: 'audit.query', orgId: ids.orgA, limit: 2 });
    assert.equal(page1.entries.length, 2);
    assert.ok(page1.nextBefore !== null);
    const page2 = await admin.call({ op: 'audit.query', orgId: ids.orgA, limit: 2, before: page1.nextBefore });
    assert.ok(page2.entries.every((e) => e.id < page1.entries[1]!.id), 'the next page is older');

    const csv = await admin.call({ op: 'audit.export', orgId: ids.orgA, filter: { from: start } });
    const lines = csv.csv.trimEnd().split('\r\n');
    assert.equal(lines[0], 'id,occurred_at,actor_id,actor_email,actor_token_id,actor_role,action,target_table,target_id,before,after');
    assert.equal(csv.rows, 3);
    assert.equal(lines.length, 4);
    assert.ok(lines.some((l) => l.includes(',invitations.insert,invitations,' + made.invitation.id + ',') && l.includes('audited@example.test')));
    assert.ok(lines.some((l) => l.includes(',role_assignments.insert,') && l.includes(users.bystander) && l.includes('admin@example.test')));
    const small = await admin.call({ op: 'audit.export', orgId: ids.orgA, limit: 1 });
    assert.deepEqual([small.rows, small.truncated], [1, true]);
  });
});
