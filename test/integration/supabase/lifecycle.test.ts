import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { freshDatabase } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';
import { withClaims } from '../../support/claims';
import { builtin, invite, scenario } from './scenario';

/**
 * Membership and grant lifecycles that the review of issue 12 broke: remove → re-add,
 * suspend → invite, expire → extend, self-expiry of the last owner, self-grant of a permanent role,
 * unconfirmed e-mail acceptance. Each scenario runs in its own organization, step by committed step,
 * under both grant defaults.
 */

for (const kind of ['migrated', 'migratedAutoGrant'] as const) {
  describe(`supabase: membership and grant lifecycles (${kind === 'migrated' ? 'strict grants' : 'Supabase automatic grants'})`, function () {
    this.timeout(120_000);
    let db: TestDatabase;

    before(async () => {
      db = await freshDatabase(kind);
    });
    after(async () => {
      await db?.drop();
    });

    it('remove → re-add: a removed ex-owner re-invited as viewer comes back as exactly a viewer', async () => {
      const s = await scenario(db, 'remove-readd');
      const exOwner = await s.member('ex-owner', builtin.owner);
      const admin = await s.member('admin', builtin.admin);
      await s.as(s.owner, (tx) => tx`delete from public.organization_members where org_id = ${s.org} and user_id = ${exOwner}`);
      const [left] = await db.admin`select count(*)::int as n from public.role_assignments where org_id = ${s.org} and user_id = ${exOwner}`;
      assert.equal(left?.n, 0, 'removal ended every grant');
      const [audited] = await db.admin`select actor_id from public.audit_log
        where action = 'role_assignments.delete' and org_id = ${s.org} and before ->> 'user_id' = ${exOwner}`;
      assert.equal(audited?.actor_id, s.owner, 'the ended grant is audited with the remover as actor');
      // An admin cannot add anyone by id; joining needs an accepted invitation.
      await s.refused(admin, '42501', (tx) => tx`insert into public.organization_members (org_id, user_id) values (${s.org}, ${exOwner})`);
      const token = await invite(s, admin, 'ex-owner', builtin.viewer);
      await s.as(exOwner, (tx) => tx`select public.accept_invitation(${token})`);
      assert.deepEqual(await s.roleKeys(exOwner), ['viewer']);
    });

    it('suspend → invite: a suspended owner who accepts a viewer invitation is a viewer, and their token stays revoked', async () => {
      const s = await scenario(db, 'suspend-invite');
      const second = await s.member('second-owner', builtin.owner);
      const token = await s.as(second, async (tx) =>
        (await tx`select public.create_api_token(${s.org}, 'bot', ${['catalog.read']}) as t`)[0]?.t as string);
      await s.as(s.owner, (tx) => tx`update public.organization_members set status = 'suspended' where org_id = ${s.org} and user_id = ${second}`);
      assert.deepEqual(await s.roleKeys(second), []);
      const [tokenRow] = await db.admin`select revoked_at is not null as revoked, revoked_by from public.api_tokens where org_id = ${s.org}`;
      assert.deepEqual(tokenRow, { revoked: true, revoked_by: s.owner }, 'suspension revokes the member\'s tokens, attributed to the suspender');
      const resolved = await withClaims(db.api, { role: 'service_role' }, (tx) => tx`select * from private.resolve_api_token(${token})`);
      assert.equal(resolved.length, 0);
      const invitation = await invite(s, s.owner, 'second-owner', builtin.viewer);
      await s.as(second, (tx) => tx`select public.accept_invitation(${invitation})`);
      assert.deepEqual(await s.roleKeys(second), ['viewer']);
      const [member] = await db.admin`select status from public.organization_members where org_id = ${s.org} and user_id = ${second}`;
      assert.equal(member?.status, 'active');
    });

    it('a removed admin re-invited as viewer is a viewer; their pending invitations died with the membership', async () => {
      const s = await scenario(db, 'readmin');
      const admin = await s.member('admin', builtin.admin);
      await s.user('friend');
      const pending = await invite(s, admin, 'friend', builtin.editor);
      await s.as(s.owner, (tx) => tx`delete from public.organization_members where org_id = ${s.org} and user_id = ${admin}`);
      const friend = (await db.admin`select id from auth.users where email = ${s.email('friend')}`)[0]?.id as string;
      await s.refused(friend, '42501', (tx) => tx`select public.accept_invitation(${pending})`, 'pending invitation of a removed inviter');
      const back = await invite(s, s.owner, 'admin', builtin.viewer);
      await s.as(admin, (tx) => tx`select public.accept_invitation(${back})`);
      assert.deepEqual(await s.roleKeys(admin), ['viewer']);
    });

    it('expire → extend: a time-bound admin cannot lift their expiry, grant themselves a permanent role, or outgrant their own horizon', async () => {
      const s = await scenario(db, 'time-bound');
      const until = new Date(Date.now() + 86_400_000).toISOString();
      const temp = await s.member('temp-admin', builtin.admin, { expires: until });
      const viewer = await s.member('viewer', builtin.viewer);
      const own = await s.as(temp, (tx) => tx`update public.role_assignments set expires_at = null where user_id = ${temp} returning id`);
      assert.equal(own.length, 0, 'own grants are not the actor\'s to change');
      await s.refused(temp, '42501', (tx) => tx`insert into public.role_assignments (org_id, user_id, role_id) values (${s.org}, ${temp}, ${builtin.admin})`);
      await s.refused(temp, '42501', (tx) =>
        tx`update public.role_assignments set expires_at = now() + interval '30 days' where org_id = ${s.org} and user_id = ${viewer}`);
      await s.refused(temp, '42501', (tx) => tx`insert into public.role_assignments (org_id, user_id, role_id) values (${s.org}, ${viewer}, ${builtin.editor})`);
      const within = await s.as(temp, (tx) =>
        tx`update public.role_assignments set expires_at = now() + interval '1 hour' where org_id = ${s.org} and user_id = ${viewer} returning granted_by`);
      assert.deepEqual(within.map((r) => r.granted_by), [temp], 'changing an expiry re-grants: the changer is the granter');
      // An invitation carries the inviter's horizon into the grant it creates.
      await s.user('newbie');
      const token = await invite(s, temp, 'newbie', builtin.editor);
      const newbie = (await db.admin`select id from auth.users where email = ${s.email('newbie')}`)[0]?.id as string;
      await s.as(newbie, (tx) => tx`select public.accept_invitation(${token})`);
      const [grant] = await db.admin`select expires_at from public.role_assignments where org_id = ${s.org} and user_id = ${newbie}`;
      assert.equal((grant?.expires_at as Date).toISOString(), until);
      // Once the inviter's grant has expired, their invitations are not honoured.
      await s.user('late');
      const late = await invite(s, temp, 'late', builtin.viewer);
      await db.admin`update public.role_assignments set expires_at = now() - interval '1 second' where user_id = ${temp}`;
      const lateUser = (await db.admin`select id from auth.users where email = ${s.email('late')}`)[0]?.id as string;
      await s.refused(lateUser, '42501', (tx) => tx`select public.accept_invitation(${late})`);
      // A permanent admin may extend (re-grant) an expired grant.
      const admin = await s.member('admin', builtin.admin);
      const revived = await s.as(admin, (tx) =>
        tx`update public.role_assignments set expires_at = null where user_id = ${temp} returning granted_by`);
      assert.deepEqual(revived.map((r) => r.granted_by), [admin]);
    });

    it('the owner invariant holds through time: the last permanent owner cannot schedule their own end, nor can anyone else', async () => {
      const s = await scenario(db, 'last-owner');
      const own = await s.as(s.owner, (tx) => tx`update public.role_assignments set expires_at = now() + interval '1 day' where user_id = ${s.owner} returning id`);
      assert.equal(own.length, 0);
      const timedOwner = await s.member('timed-owner', builtin.owner, { expires: new Date(Date.now() + 3_600_000).toISOString() });
      // Beyond the timed owner's own horizon it is an escalation (RLS); within it, the invariant refuses.
      await s.refused(timedOwner, '42501', (tx) =>
        tx`update public.role_assignments set expires_at = now() + interval '1 day' where user_id = ${s.owner}`, 'beyond horizon');
      await s.refused(timedOwner, 'P0001', (tx) =>
        tx`update public.role_assignments set expires_at = now() + interval '30 minutes' where user_id = ${s.owner}`, 'only permanent owner');
      await assert.rejects(withClaims(db.api, { role: 'service_role' }, (tx) =>
        tx`update public.role_assignments set expires_at = now() + interval '1 day' where org_id = ${s.org} and user_id = ${s.owner}`),
      /must keep an owner/, 'the invariant binds the service role too');
      await s.refused(s.owner, 'P0001', (tx) => tx`delete from public.organization_members where org_id = ${s.org} and user_id = ${s.owner}`);
      await s.refused(timedOwner, 'P0001', (tx) =>
        tx`update public.organization_members set status = 'suspended' where org_id = ${s.org} and user_id = ${s.owner}`);
      // With a second permanent owner the first may be given an end date (by someone else).
      const permanent = await s.member('permanent-owner', builtin.owner);
      const scheduled = await s.as(permanent, (tx) =>
        tx`update public.role_assignments set expires_at = now() + interval '1 day' where user_id = ${s.owner} returning id`);
      assert.equal(scheduled.length, 1);
    });

    it('only a confirmed account whose e-mail matches may accept; the JWT e-mail claim proves nothing', async () => {
      const s = await scenario(db, 'confirm');
      const unconfirmed = await s.user('invitee', { confirmed: false });
      const token = await invite(s, s.owner, 'invitee', builtin.viewer);
      await s.refused(unconfirmed, '42501', (tx) => tx`select public.accept_invitation(${token})`, 'unconfirmed');
      const impostor = await s.user('impostor');
      await assert.rejects(withClaims(db.api, { role: 'authenticated', sub: impostor, email: s.email('invitee') },
        (tx) => tx`select public.accept_invitation(${token})`), /not addressed to you/);
      await db.admin`update auth.users set email_confirmed_at = now() where id = ${unconfirmed}`;
      await s.as(unconfirmed, (tx) => tx`select public.accept_invitation(${token})`);
      assert.deepEqual(await s.roleKeys(unconfirmed), ['viewer']);
    });

    it('an admin can neither add a user by id without their consent nor then read their profile', async () => {
      const s = await scenario(db, 'profiles');
      const admin = await s.member('admin', builtin.admin);
      const stranger = await s.user('stranger');
      await s.refused(admin, '42501', (tx) => tx`insert into public.organization_members (org_id, user_id) values (${s.org}, ${stranger})`);
      const rows = await s.as(admin, (tx) => tx`select id from public.profiles where id = ${stranger}`);
      assert.equal(rows.length, 0);
    });
  });
}
