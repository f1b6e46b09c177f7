import assert from 'node:assert/strict';
import { expiryText, futureInstant, dayEnd, relative } from '../../../webviews/admin/format';
import { flattenForest, moveTargets, teamForest, teamPath } from '../../../webviews/admin/teamTree';
import { assignableRoles, auditFilterOf, auditViews, checkGrant, checkInvite, checkToken, currentOrgRole, invitationViews, memberViews, permissionGroups } from '../../../webviews/admin/viewModel';
import { BOB, caps, grant, id, ME, member, NOW, permissions, role, team } from './adminFixtures';

/**
 * The pure half of the Manage Team view: the team tree, expiry wording, member rows and the actions
 * they offer, form checks, the permission picker and the audit filter, on small fixtures.
 */

const admin = role(3, 'Admin', ['members.read', 'members.invite', 'catalog.read']);
const viewer = role(1, 'Viewer', ['members.read', 'catalog.read']);
const owner = role(4, 'Owner', ['members.read', 'members.invite', 'catalog.read', 'org.delete']);

describe('admin webview: view model', () => {
  describe('team tree', () => {
    const teams = [team(1, 'Data', null), team(2, 'Marketing', 1), team(3, 'Analytics', 1), team(4, 'Web', 2), team(5, 'Ops', null)];

    it('orders siblings by name, depth first, with depths', () => {
      assert.deepEqual(flattenForest(teamForest(teams)).map((n) => `${n.depth}:${n.team.name}`), ['0:Data', '1:Analytics', '1:Marketing', '2:Web', '0:Ops']);
    });

    it('shows a team whose parent is unknown as a root and cuts a parent loop instead of dropping teams', () => {
      const orphan = { ...team(6, 'Orphan', null), parentId: id(999) };
      const loop = [{ ...team(7, 'A', 8) }, { ...team(8, 'B', 7) }];
      const names = flattenForest(teamForest([...teams, orphan, ...loop])).map((n) => n.team.name);
      assert.ok(names.includes('Orphan') && names.includes('A') && names.includes('B'), names.join());
      assert.equal(names.length, teams.length + 3);
    });

    it('never offers a team as a move target under itself or its own sub-teams', () => {
      assert.deepEqual(moveTargets(teams, id(202)).map((t) => t.name), ['Analytics', 'Data', 'Ops']);
      assert.deepEqual(moveTargets(teams, id(201)).map((t) => t.name), ['Ops']);
    });

    it('names a team by its path', () => assert.equal(teamPath(teams, id(204)), 'Data / Marketing / Web'));
  });

  describe('times', () => {
    it('an expired grant never reads as active', () => {
      assert.deepEqual(expiryText('2026-12-03T10:00:00Z', NOW), { text: 'expired 2 hours ago', expired: true });
      assert.deepEqual(expiryText('2026-12-06T12:00:00Z', NOW), { text: 'expires in 3 days', expired: false });
      assert.deepEqual(expiryText(null, NOW), { text: 'no expiry', expired: false });
      assert.equal(relative('2026-12-03T11:59:30Z', NOW), 'just now');
    });

    it('refuses an expiry in the past or that is not a date', () => {
      assert.equal(futureInstant('2026-12-01T09:00', NOW), undefined);
      assert.equal(futureInstant('next week', NOW), undefined);
      assert.equal(futureInstant('2027-01-01T09:30', NOW), new Date('2027-01-01T09:30').toISOString());
    });

    it('a "to" day includes the whole day', () => assert.equal(dayEnd('2026-12-03'), '2026-12-04T00:00:00.000Z'));
  });

  describe('members', () => {
    const teams = [team(1, 'Data', null)];
    const members = [
      member(ME, 'me@acme.test', [grant(1, admin, null)]),
      member(BOB, 'bob@acme.test', [grant(2, viewer, null), grant(3, admin, '2026-12-02T00:00:00Z', id(201))], [id(201)]),
    ];

    it('shows grants with their scope and expiry, the expired one marked', () => {
      const bob = memberViews(members, teams, caps(['roles.assign', 'members.manage']), NOW).find((m) => m.userId === BOB);
      assert.deepEqual(bob?.grants.map((g) => [g.text, g.expired]), [['Viewer', false], ['Admin on Data', true]]);
      assert.deepEqual(bob?.teams, ['Data']);
    });

    it('offers only what the caller may do, and never removing oneself', () => {
      const full = memberViews(members, teams, caps(['roles.assign', 'members.manage']), NOW);
      assert.deepEqual(full.map((m) => [m.label, m.canChangeRole, m.canRemove]), [['bob@acme.test', true, true], ['me@acme.test', true, false]]);
      const reader = memberViews(members, teams, caps(['members.read']), NOW);
      assert.ok(reader.every((m) => !m.canChangeRole && !m.canGrant && !m.canRemove && m.grants.every((g) => !g.canRevoke)));
    });

    it('a team-scoped role assigner may revoke grants on that team only', () => {
      const bob = memberViews(members, teams, caps(['members.read'], [{ teamId: id(201), permission: 'roles.assign' }]), NOW).find((m) => m.userId === BOB);
      assert.deepEqual(bob?.grants.map((g) => g.canRevoke), [false, true]);
    });

    it('the role picker starts at the current organization role, skipping expired grants', () => {
      const m = member(BOB, 'b@x.test', [grant(5, admin, '2026-12-01T00:00:00Z'), grant(6, viewer, null)]);
      assert.equal(currentOrgRole(m, NOW), viewer.id);
    });

    it('offers only roles whose every permission the caller holds (no escalation)', () => {
      const offered = assignableRoles([owner, viewer, admin], caps(['members.read', 'members.invite', 'catalog.read']));
      assert.deepEqual(offered.map((r) => r.name), ['Viewer', 'Admin']);
    });

    it('marks an invitation the server says has expired', () => {
      const inv = { id: id(400), email: 'new@x.test', roleId: viewer.id, teamId: null, expiresAt: '2026-12-09T00:00:00Z', expired: true, invitedBy: null, createdAt: '2026-12-01T00:00:00Z' };
      assert.deepEqual(invitationViews([inv], [viewer], [], NOW).map((i) => [i.role, i.expired]), [['Viewer', true]]);
    });
  });

  describe('forms', () => {
    it('checks an invitation before sending it', () => {
      assert.deepEqual(checkInvite({ email: ' new@acme.test ', roleId: viewer.id }), { ok: true, value: { email: 'new@acme.test', roleId: viewer.id } });
      assert.equal(checkInvite({ email: 'not-an-address', roleId: viewer.id }).ok, false);
      assert.equal(checkInvite({ email: 'a@b.c', roleId: '' }).ok, false);
    });

    it('a time-bound grant needs an expiry in the future', () => {
      assert.equal(checkGrant({ roleId: admin.id, expires: '2026-12-02T10:00' }, NOW).ok, false);
      const ok = checkGrant({ roleId: admin.id, expires: '2026-12-10T10:00' }, NOW);
      assert.ok(ok.ok && ok.value.expiresAt !== undefined);
      assert.deepEqual(checkGrant({ roleId: admin.id, expires: '' }, NOW), { ok: true, value: { roleId: admin.id } });
    });

    it('a token needs a name and a scope', () => {
      assert.equal(checkToken({ name: 'CI', scopes: new Set(), expires: '' }, NOW).ok, false);
      assert.deepEqual(checkToken({ name: ' CI ', scopes: new Set(['catalog.read']), expires: '' }, NOW), { ok: true, value: { name: 'CI', scopes: ['catalog.read'] } });
    });

    it('groups the permission picker by area and disables what the caller does not hold', () => {
      const groups = permissionGroups(permissions, new Set(['catalog.read']), caps(['catalog.read', 'members.read', 'members.invite']));
      assert.deepEqual(groups.map((g) => g.area), ['catalog', 'members', 'org']);
      assert.deepEqual(groups.find((g) => g.area === 'org')?.items.map((i) => [i.key, i.allowed]), [['org.delete', false]]);
      assert.equal(groups.find((g) => g.area === 'catalog')?.items[0]?.checked, true);
    });
  });

  describe('audit log', () => {
    const members = [member(BOB, 'Bob@Acme.test', [])];
    const form = { actor: '', action: '', target: '', from: '', to: '' };

    it('turns the form into the contract filter', () => {
      const checked = auditFilterOf({ actor: 'bob@acme.test', action: 'invitations.insert', target: 'role_assignments:abc', from: '2026-12-01', to: '2026-12-03' }, members);
      assert.deepEqual(checked, { ok: true, value: { actorId: BOB, action: 'invitations.insert', targetTable: 'role_assignments', targetId: 'abc', from: '2026-12-01T00:00:00.000Z', to: '2026-12-04T00:00:00.000Z' } });
    });

    it('answers a bad filter next to the form instead of sending it', () => {
      for (const bad of [{ actor: 'nobody@acme.test' }, { action: 'DROP TABLE' }, { target: 'x y' }, { from: '03/12/2026' }, { from: '2026-12-05', to: '2026-12-01' }]) {
        const checked = auditFilterOf({ ...form, ...bad }, members);
        assert.equal(checked.ok, false, JSON.stringify(bad));
      }
    });

    it('shows the actor by e-mail, else by token, else as system', () => {
      const base = { occurredAt: '2026-12-03T11:00:00Z', actorRole: null, action: 'invitations.insert', targetTable: 'invitations', targetId: 'x', before: null, after: null };
      const rows = auditViews([{ ...base, id: 1, actorId: BOB, actorEmail: 'bob@acme.test', actorTokenId: null }, { ...base, id: 2, actorId: null, actorEmail: null, actorTokenId: id(77) }, { ...base, id: 3, actorId: null, actorEmail: null, actorTokenId: null, targetId: null }], NOW);
      assert.deepEqual(rows.map((r) => [r.actor, r.target, r.when]), [['bob@acme.test', 'invitations:x', '2026-12-03 11:00 UTC'], ['token 00000000', 'invitations:x', '2026-12-03 11:00 UTC'], ['system', 'invitations', '2026-12-03 11:00 UTC']]);
    });
  });
});
