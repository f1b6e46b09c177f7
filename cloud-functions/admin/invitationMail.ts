import type { InvitationMail } from '../../core/admin/responses';
import { parseSmtpUrl, sendMail, SmtpError } from '../_shared/smtpClient';

/**
 * The invitation e-mail of `members.invite` and `invitations.resend`: composed from what the op
 * read inside its transaction and sent only after that transaction committed, so a mail always
 * names an invitation that exists, and a mail server that fails leaves the invitation in place (the
 * admin sees the reason code and can resend or pass the link on). The token is in the link and
 * nowhere else: no log line, no error message carries it.
 *
 * Environment: `MALLARD_SMTP_URL` (see `smtpClient.ts`; unset: no mail, as before),
 * `MALLARD_SMTP_FROM` (the From address, e.g. `Mallard <no-reply@example.com>`) and
 * `MALLARD_INVITE_URL` (the accept page; the organization and the token are added as its `org` and
 * `token` query parameters; the default is the extension's URI handler, which accepts in the editor).
 */

/** One invitation mail waiting for the commit of the op that made its token. */
export interface PendingInvitationMail {
  to: string;
  token: string;
  /** The organization the link joins (the accept op names it). */
  orgId: string;
  orgName: string;
  roleName: string;
  invitedBy: string | null;
  expiresAt: string;
}

/** Where the accept link points when `MALLARD_INVITE_URL` is not set: the extension's URI handler. */
export const DEFAULT_INVITE_URL = 'vscode://mallard.mallard/invite';

/** The accept link of `token`. */
export function acceptLink(token: string, orgId: string): string {
  const url = new URL(Deno.env.get('MALLARD_INVITE_URL') || DEFAULT_INVITE_URL);
  url.searchParams.set('org', orgId);
  url.searchParams.set('token', token);
  return url.toString();
}

/** A header value with anything that could end the header removed, RFC 2047-encoded when not ASCII. */
function headerText(text: string): string {
  const clean = text.replace(/[\r\n\t\u0000-\u001f]+/g, ' ').trim();
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  return `=?UTF-8?B?${base64(clean)}?=`;
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The bare address of a From value (`Name <a@b>` → `a@b`). */
function addressOf(from: string): string {
  return /<([^<>\s]+)>/.exec(from)?.[1] ?? from.trim();
}

/** The complete message text (headers, base64 UTF-8 body) of `mail` from `from`. */
export function composeInvitation(mail: PendingInvitationMail, from: string, link: string): string {
  const body = [
    `You have been invited to join ${mail.orgName} on Mallard as ${mail.roleName}${mail.invitedBy ? ` by ${mail.invitedBy}` : ''}.`,
    '',
    'Accept the invitation (sign in with this e-mail address first):',
    link,
    '',
    `The link works once and lapses at ${mail.expiresAt}. If you did not expect this invitation, ignore this e-mail.`,
    '',
  ].join('\r\n');
  const domain = addressOf(from).split('@')[1] ?? 'mallard.invalid';
  const headers = [
    `From: ${headerText(from)}`,
    `To: <${mail.to}>`,
    `Subject: ${headerText(`Invitation to ${mail.orgName} on Mallard`)}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${crypto.randomUUID()}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
  ];
  const encoded = base64(body).replace(/.{1,76}/g, '$&\r\n');
  return `${headers.join('\r\n')}\r\n\r\n${encoded}`;
}

/** Sends `mail` (or says why not); never throws. */
export async function deliverInvitation(mail: PendingInvitationMail): Promise<InvitationMail> {
  const link = acceptLink(mail.token, mail.orgId);
  const smtpUrl = Deno.env.get('MALLARD_SMTP_URL');
  if (smtpUrl === undefined || smtpUrl.trim() === '') {
    return { status: 'not-configured', message: 'No mail server is configured (MALLARD_SMTP_URL): pass this link on to the invitee.', link };
  }
  try {
    const from = Deno.env.get('MALLARD_SMTP_FROM')?.trim();
    if (!from) throw new SmtpError('smtp-config', 'MALLARD_SMTP_FROM (the sender address) is not set.');
    await sendMail(parseSmtpUrl(smtpUrl.trim()), { from: addressOf(from), to: mail.to, data: composeInvitation(mail, from, link) });
    return { status: 'sent', message: `Invitation e-mail sent to ${mail.to}.` };
  } catch (err) {
    const code = err instanceof SmtpError ? err.reason : 'smtp-connect';
    const message = err instanceof Error ? err.message : String(err);
    return { status: 'failed', code, message: `The invitation e-mail to ${mail.to} was not sent (${code}): ${message} The invitation stands: resend it, or pass this link on.`, link };
  }
}
