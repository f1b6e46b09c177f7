import * as vscode from 'vscode';
import type { SupabaseClient } from '@supabase/supabase-js';
import { parseInvitationLink } from '../../core/admin/invitationLink';
import { AdminError, createAdminClient } from '../admin/adminClient';
import type { Logger } from './logger';
import type { SignedIn } from './syncAuth';
import type { ChosenOrg } from './syncController';

/**
 * "Mallard: Accept Invitation" and the `vscode://mallard.mallard/invite?org=…&token=…` link of the
 * invitation e-mail: signs the invitee in when needed (with the invited address), accepts through
 * the `admin` function (the database checks the confirmed e-mail), and makes the organization the
 * one team sync uses. The token never reaches a log line or a message.
 */

/** What accepting needs from the sign-in commands and the sync controller. */
export interface InvitationDeps {
  auth: { signedIn(): Promise<SignedIn | undefined>; dataClient(): Promise<SupabaseClient | undefined> };
  /** Runs the sign-in flow without asking for an organization afterwards. */
  signIn(): Promise<void>;
  chooseOrganization(org: ChosenOrg): Promise<void>;
  logger: Logger;
}

/** Accepts the invitation of `link` (asked for when omitted). */
export async function acceptInvitation(deps: InvitationDeps, link?: string): Promise<void> {
  const text =
    link ??
    (await vscode.window.showInputBox({
      title: 'Mallard: Accept Invitation',
      prompt: 'The link from your invitation e-mail (or the one your admin passed on).',
      ignoreFocusOut: true,
      validateInput: (v) => {
        const parsed = parseInvitationLink(v);
        return 'problem' in parsed ? parsed.problem : undefined;
      },
    }));
  if (text === undefined) return;
  const parsed = parseInvitationLink(text);
  if ('problem' in parsed) {
    void vscode.window.showErrorMessage(`Mallard: ${parsed.problem}`);
    return;
  }
  if ((await deps.auth.signedIn()) === undefined) {
    const go = await vscode.window.showInformationMessage('Mallard: sign in with the e-mail address the invitation was sent to, and the invitation is accepted.', 'Sign In');
    if (go !== 'Sign In') return;
    await deps.signIn();
    if ((await deps.auth.signedIn()) === undefined) {
      void vscode.window.showInformationMessage('Mallard: once you are signed in, open the invitation link again (or run "Mallard: Accept Invitation").');
      return;
    }
  }
  const supabase = await deps.auth.dataClient();
  if (supabase === undefined) return;
  try {
    const joined = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Mallard: accepting the invitation…' }, () =>
      createAdminClient(supabase).call({ op: 'invitations.accept', orgId: parsed.orgId, token: parsed.token }),
    );
    await deps.chooseOrganization({ id: joined.orgId, name: joined.orgName });
    deps.logger.info(`Joined organization ${joined.orgId} through an invitation`);
    void vscode.window.showInformationMessage(`Mallard: you joined ${joined.orgName || 'the organization'}. Team sync now uses it.`);
  } catch (err) {
    const message = err instanceof AdminError || err instanceof Error ? err.message : String(err);
    deps.logger.warn(`Accepting an invitation failed: ${err instanceof AdminError ? err.reason : 'error'}`);
    void vscode.window.showErrorMessage(`Mallard could not accept the invitation: ${message}`);
  }
}
