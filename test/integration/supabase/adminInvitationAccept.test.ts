import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { parseInvitationLink } from '../../../core/admin/invitationLink';
import { builtinRoles } from '../../support/orgFixture';
import { ids, refused, startAdminWorld, users } from '../../support/adminWorld';
import type { AdminWorld } from '../../support/adminWorld';

/**
 * Accepting an invitation through the `admin` function (real Deno + Postgres), as the extension's
 * "Accept Invitation" and `vscode://…/invite` link do: the link the admin is given names the
 * organization and the token; only the invited (confirmed) address can accept; a link cannot join
 * another organization than the one it names and a refused attempt consumes nothing; a used link
 * is refused; the invitee becomes a member with exactly the invited role.
 */
describe('admin function: accepting an invitation (real Deno + Postgres)', function () {
  this.timeout(180_000);
  let world: AdminWorld;

  before(async () => {
    world = await startAdminWorld();
  });
  after(async () => {
    await world?.stop();
  });

  it('the invited user joins with the invited role through the link; others, other orgs and reuse are refused', async () => {
    const admin = world.as('admin');
    const made = await admin.call({ op: 'members.invite', orgId: ids.orgA, email: 'joiner@example.test', roleId: builtinRoles.editor });
    assert.equal(made.mail.status, 'not-configured');
    const link = parseInvitationLink(made.mail.link ?? '');
    assert.deepEqual(link, { orgId: ids.orgA, token: made.token }, 'the link names the organization and the token');
    const { orgId, token } = link as { orgId: string; token: string };

    // Not the invited address: refused, and the invitation stays usable.
    await refused(world.as('outsider'), { op: 'invitations.accept', orgId, token }, 'forbidden', 403, /not addressed to you/);
    // The right person, but the request names another organization: refused and rolled back.
    await refused(world.as('joiner'), { op: 'invitations.accept', orgId: ids.orgB, token }, 'forbidden', 403, /not addressed to you/);
    const before = await admin.call({ op: 'members.list', orgId: ids.orgA });
    assert.equal(before.members.find((m) => m.userId === users.joiner), undefined, 'no refused attempt made a member');
    assert.equal((await admin.call({ op: 'invitations.list', orgId: ids.orgA })).invitations.filter((i) => i.email === 'joiner@example.test').length, 1);

    const joined = await world.as('joiner').call({ op: 'invitations.accept', orgId, token });
    assert.deepEqual(joined, { orgId: ids.orgA, orgName: 'Org A' });
    const after = await admin.call({ op: 'members.list', orgId: ids.orgA });
    assert.deepEqual(after.members.find((m) => m.userId === users.joiner)?.grants.map((g) => g.roleKey), ['editor']);
    assert.equal((await admin.call({ op: 'invitations.list', orgId: ids.orgA })).invitations.filter((i) => i.email === 'joiner@example.test').length, 0);
    const me = await world.as('joiner').call({ op: 'whoami', orgId: ids.orgA });
    assert.ok(me.permissions.includes('catalog.write'), 'the invitee now acts with the invited role');

    await refused(world.as('joiner'), { op: 'invitations.accept', orgId, token }, 'forbidden', 403, /invalid, expired/);
  });

  it('a non-member can call only the accept op', async () => {
    await refused(world.as('newcomer'), { op: 'members.list', orgId: ids.orgA }, 'forbidden', 403, /not a member/);
    await refused(world.as('newcomer'), { op: 'invitations.accept', orgId: ids.orgA, token: 'x'.repeat(32) }, 'forbidden', 403, /invalid, expired/);
  });
});
