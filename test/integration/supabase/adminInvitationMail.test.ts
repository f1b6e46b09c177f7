import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { withClaims } from '../../support/claims';
import { builtinRoles } from '../../support/orgFixture';
import { ids, startAdminWorld, users } from '../../support/adminWorld';
import type { AdminWorld } from '../../support/adminWorld';
import { mailBody, startSmtpStandIn } from '../../support/smtpStandIn';
import type { ReceivedMail, SmtpStandIn } from '../../support/smtpStandIn';

/**
 * Invitation e-mail through an SMTP stand-in (a local Node server speaking real SMTP): `members.invite`
 * and `invitations.resend` send the accept link with the one-time token after their commit; the
 * mailed token is the one that works; a resend mails a new token and the old one stops working;
 * cancel kills the mailed link; a refusing mail server gives the admin a reason code and the link
 * while the invitation stands; Deno never logs a token.
 */

const INVITE_URL = 'https://mallard.example.test/invite';

function tokenOf(mail: ReceivedMail): string {
  const { body } = mailBody(mail);
  const link = body.split(/\r?\n/).find((l) => l.startsWith(INVITE_URL));
  assert.ok(link, `the mail carries the accept link:\n${body}`);
  const token = new URL(link).searchParams.get('token');
  assert.ok(token);
  return token;
}

describe('admin function: invitation e-mail through an SMTP stand-in (real Deno + Postgres)', function () {
  this.timeout(180_000);
  let world: AdminWorld;
  let smtp: SmtpStandIn;
  const joiner = { role: 'authenticated' as const, sub: users.joiner, email: 'joiner@example.test' };
  const accept = (token: string) => withClaims(world.db.api, joiner, (tx) => tx`select public.accept_invitation(${token})`);
  const tokens: string[] = [];

  before(async () => {
    smtp = await startSmtpStandIn();
    world = await startAdminWorld({ env: { MALLARD_SMTP_URL: smtp.url, MALLARD_SMTP_FROM: 'Mallard <no-reply@mallard.example.test>', MALLARD_INVITE_URL: INVITE_URL } });
  });
  after(async () => {
    await world?.stop();
    await smtp?.stop();
  });

  it('invite mails the invitee the accept link; resend mails a new token and the old one stops working', async () => {
    const admin = world.as('admin');
    const made = await admin.call({ op: 'members.invite', orgId: ids.orgA, email: 'joiner@example.test', roleId: builtinRoles.editor });
    assert.deepEqual([made.mail.status, made.mail.link], ['sent', undefined]);
    assert.equal(smtp.received.length, 1);
    const [first] = smtp.received;
    assert.deepEqual([first!.from, first!.to], ['no-reply@mallard.example.test', ['joiner@example.test']]);
    const { headers, body } = mailBody(first!);
    assert.equal(headers.get('to'), '<joiner@example.test>');
    assert.equal(headers.get('subject'), 'Invitation to Org A on Mallard');
    assert.match(body, /join Org A on Mallard as Editor by admin/);
    assert.equal(tokenOf(first!), made.token, 'the mailed token is the invitation\'s');
    tokens.push(made.token);

    const again = await admin.call({ op: 'invitations.resend', orgId: ids.orgA, invitationId: made.invitation.id });
    assert.equal(again.mail.status, 'sent');
    assert.equal(smtp.received.length, 2);
    const mailed = tokenOf(smtp.received[1]!);
    assert.notEqual(mailed, tokenOf(first!));
    tokens.push(mailed);
    await assert.rejects(accept(tokenOf(first!)), /invalid, expired/, 'the first mail\'s link no longer works');
    await accept(mailed);
    const { members } = await admin.call({ op: 'members.list', orgId: ids.orgA });
    assert.deepEqual(members.find((m) => m.userId === users.joiner)?.grants.map((g) => g.roleKey), ['editor']);
  });

  it('cancel invalidates the mailed link', async () => {
    const admin = world.as('admin');
    const made = await admin.call({ op: 'members.invite', orgId: ids.orgA, email: 'later@example.test', roleId: builtinRoles.viewer });
    const mailed = tokenOf(smtp.received.at(-1)!);
    tokens.push(mailed);
    await admin.call({ op: 'invitations.cancel', orgId: ids.orgA, invitationId: made.invitation.id });
    const later = { role: 'authenticated' as const, sub: users.newcomer, email: 'later@example.test' };
    await assert.rejects(withClaims(world.db.api, later, (tx) => tx`select public.accept_invitation(${mailed})`), /invalid, expired/);
  });

  it('a refusing mail server: a reason code and the link for the admin, the invitation stands and can be resent', async () => {
    const admin = world.as('admin');
    smtp.refuseRecipients = true;
    const before = smtp.received.length;
    const made = await admin.call({ op: 'members.invite', orgId: ids.orgA, email: 'bounce@example.test', roleId: builtinRoles.viewer });
    smtp.refuseRecipients = false;
    tokens.push(made.token);
    assert.deepEqual([made.mail.status, made.mail.code], ['failed', 'smtp-rejected']);
    assert.match(made.mail.message ?? '', /bounce@example\.test was not sent \(smtp-rejected\).*550/);
    assert.ok(!(made.mail.message ?? '').includes(made.token), 'the error text carries no token');
    assert.equal(new URL(made.mail.link ?? 'x:').searchParams.get('token'), made.token);
    assert.equal(smtp.received.length, before);
    const { invitations } = await admin.call({ op: 'invitations.list', orgId: ids.orgA });
    assert.ok(invitations.some((i) => i.id === made.invitation.id), 'the invitation is kept');
    const again = await admin.call({ op: 'invitations.resend', orgId: ids.orgA, invitationId: made.invitation.id });
    tokens.push(again.token);
    assert.equal(again.mail.status, 'sent');
    assert.deepEqual(smtp.received.at(-1)?.to, ['bounce@example.test']);
  });

  it('an inviter without members.read (a custom role) invites, and the mail goes out without naming the inviter', async () => {
    const admin = world.as('admin');
    const { role: reader } = await admin.call({ op: 'roles.create', orgId: ids.orgA, key: 'reader', name: 'Reader', permissions: ['catalog.read'] });
    const { role: inviter } = await admin.call({ op: 'roles.create', orgId: ids.orgA, key: 'inviter', name: 'Inviter', permissions: ['members.invite', 'roles.assign', 'roles.read', 'catalog.read'] });
    await admin.call({ op: 'members.grant', orgId: ids.orgA, userId: users.newcomer, roleId: inviter.id });
    const invited = await world.as('newcomer').call({ op: 'members.invite', orgId: ids.orgA, email: 'picked@example.test', roleId: reader.id });
    tokens.push(invited.token);
    assert.equal(invited.mail.status, 'sent');
    const { body } = mailBody(smtp.received.at(-1)!);
    assert.match(body, /join Org A on Mallard as Reader\./);
    assert.equal(tokenOf(smtp.received.at(-1)!), invited.token);
  });

  it('Deno logged no token', () => {
    assert.ok(tokens.length >= 5);
    const logs = world.functions.logs();
    for (const token of tokens) assert.ok(!logs.includes(token), 'a token appears in the Deno logs');
    assert.ok(!/mlinv_/.test(logs));
  });
});
