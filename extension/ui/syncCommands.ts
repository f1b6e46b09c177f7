import * as vscode from 'vscode';
import type { Logger } from './logger';
import type { SyncProject } from './syncAuth';
import type { SyncController } from './syncController';
import { acceptInvitation } from './invitationAccept';

/**
 * The sign-in and sync commands ("Mallard: Sign In", "Sign In with API Token", "Sign Out",
 * "Choose Organization", "Sync Now", "Accept Invitation") and the `vscode://mallard.mallard` URI
 * handler: `/auth` completes a browser (PKCE) sign-in, `/invite` accepts an invitation e-mail's link. The redirect URI goes through `env.asExternalUri`, so that
 * code-server and remote windows get a URL the browser can reach.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerSyncCommands(controller: SyncController, logger: Logger, extensionId: string): vscode.Disposable[] {
  const { auth } = controller;

  const needProject = (): SyncProject | undefined => {
    const project = controller.project();
    if (project === undefined) {
      void vscode.window.showErrorMessage('Set the Supabase project of your team first: "mallard.sync.url" and "mallard.sync.publishableKey".', 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'mallard.sync');
      });
    }
    return project;
  };

  const redirectUri = async (): Promise<string> => {
    const local = vscode.Uri.parse(`${vscode.env.uriScheme}://${extensionId}/auth`);
    return (await vscode.env.asExternalUri(local)).toString(true);
  };

  // While an invitation is being accepted, signing in does not ask for an organization: the invitation names it.
  let joining = false;
  const signedIn = async (label: string): Promise<void> => {
    logger.info(`Signed in to sync as ${label}`);
    if (controller.organization() === undefined && !joining) {
      await chooseOrganization();
    } else {
      void vscode.window.showInformationMessage(`Mallard: signed in as ${label}.`);
    }
  };

  const fail = (what: string, err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    logger.warn(`${what}: ${message}`);
    void vscode.window.showErrorMessage(`${what}: ${message}`);
  };

  const signInWithToken = async (): Promise<void> => {
    const project = needProject();
    if (project === undefined) return;
    const token = await vscode.window.showInputBox({ title: 'Mallard: Sign In with API Token', prompt: 'An API token of your organization (mlpat_…). It is kept in the secret storage of VS Code.', password: true, ignoreFocusOut: true });
    if (!token) return;
    try {
      const who = await auth.useToken(project, token);
      await signedIn(who.label);
    } catch (err) {
      fail('Mallard could not use the token', err);
    }
  };

  const signInWithEmail = async (project: SyncProject): Promise<void> => {
    const email = await vscode.window.showInputBox({ title: 'Mallard: Sign In with E-mail', prompt: 'Your e-mail address; a one-time code is sent to it.', ignoreFocusOut: true, validateInput: (v) => (/^\S+@\S+$/.test(v.trim()) ? undefined : 'An e-mail address') });
    if (!email) return;
    try {
      await auth.sendEmailCode(project, email.trim(), await redirectUri());
      const code = await vscode.window.showInputBox({ title: 'Mallard: Sign In with E-mail', prompt: `The code sent to ${email.trim()} (or open the link in the e-mail).`, ignoreFocusOut: true });
      if (!code) return;
      const who = await auth.verifyEmailCode(project, email.trim(), code);
      await signedIn(who.label);
    } catch (err) {
      fail('Mallard could not sign in', err);
    }
  };

  const signInWithBrowser = async (project: SyncProject): Promise<void> => {
    const provider = vscode.workspace.getConfiguration('mallard.sync').get<string>('authProvider') || 'github';
    try {
      const url = await auth.beginBrowserSignIn(project, provider, await redirectUri());
      await vscode.env.openExternal(vscode.Uri.parse(url, true));
      void vscode.window.showInformationMessage('Mallard: complete the sign-in in your browser; it comes back to this window.');
    } catch (err) {
      fail('Mallard could not start the sign-in', err);
    }
  };

  const signIn = async (): Promise<void> => {
    const project = needProject();
    if (project === undefined) return;
    const provider = vscode.workspace.getConfiguration('mallard.sync').get<string>('authProvider') || 'github';
    const choice = await vscode.window.showQuickPick(
      [
        { label: `$(globe) Sign in with ${provider}`, detail: 'Opens the browser, then returns to VS Code.', id: 'browser' },
        { label: '$(mail) Sign in with an e-mail code', detail: 'A one-time code is sent to your address.', id: 'email' },
        { label: '$(key) Use an API token', detail: 'For CI and shared machines (mlpat_…).', id: 'token' },
      ],
      { title: 'Mallard: Sign In', ignoreFocusOut: true },
    );
    if (choice?.id === 'browser') await signInWithBrowser(project);
    else if (choice?.id === 'email') await signInWithEmail(project);
    else if (choice?.id === 'token') await signInWithToken();
  };

  const chooseOrganization = async (): Promise<void> => {
    const who = await auth.signedIn();
    if (who === undefined) {
      void vscode.window.showWarningMessage('Mallard: sign in first.', 'Sign In').then((c) => c && vscode.commands.executeCommand('mallard.signIn'));
      return;
    }
    let orgs: { id: string; name: string; display_name: string }[] = [];
    let listError: string | undefined;
    try {
      const client = await auth.dataClient();
      const answer = await client?.from('organizations').select('id, name, display_name').order('display_name');
      if (answer?.error) listError = answer.error.message;
      else orgs = (answer?.data ?? []) as typeof orgs;
    } catch (err) {
      listError = err instanceof Error ? err.message : String(err);
    }
    let picked: { id: string; name: string } | undefined;
    if (orgs.length > 0) {
      const item = await vscode.window.showQuickPick(
        orgs.map((o) => ({ label: o.display_name, description: o.name, detail: o.id, org: { id: o.id, name: o.display_name } })),
        { title: 'Mallard: Choose Organization', placeHolder: 'The organization whose catalog this window syncs' },
      );
      picked = item?.org;
    } else {
      // An API token cannot list organizations (and a listing can fail): ask for the id instead.
      if (listError !== undefined) logger.warn(`Organizations could not be listed: ${listError}`);
      const id = await vscode.window.showInputBox({ title: 'Mallard: Choose Organization', prompt: 'The organization id (uuid), from the organization settings', ignoreFocusOut: true, validateInput: (v) => (UUID.test(v.trim()) ? undefined : 'An organization id (uuid)') });
      if (id) picked = { id: id.trim().toLowerCase(), name: id.trim().toLowerCase() };
    }
    if (picked === undefined) return;
    await controller.chooseOrganization(picked);
    void vscode.window.showInformationMessage(`Mallard: syncing with ${picked.name}.`);
  };

  const signOut = async (): Promise<void> => {
    const had = await auth.signOut();
    void vscode.window.showInformationMessage(had ? 'Mallard: signed out; sync stopped. Edits made now stay on this machine until you sign in again.' : 'Mallard: nobody was signed in.');
  };

  const syncNow = async (): Promise<void> => {
    if ((await auth.signedIn()) === undefined) return signIn();
    if (controller.organization() === undefined) return chooseOrganization();
    const statuses = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Mallard: syncing' }, () => controller.syncNow());
    const failed = statuses.find((s) => s !== null && (s.state === 'error' || s.state === 'offline'));
    if (failed?.reason) void vscode.window.showWarningMessage(`Mallard sync: ${failed.reason.message}`);
  };

  const acceptInvite = async (link?: string): Promise<void> => {
    if (needProject() === undefined) return;
    joining = true;
    try {
      await acceptInvitation({ auth, signIn, chooseOrganization: (org) => controller.chooseOrganization(org), logger }, link);
    } finally {
      joining = false;
    }
  };

  return [
    vscode.commands.registerCommand('mallard.signIn', signIn),
    vscode.commands.registerCommand('mallard.acceptInvitation', () => acceptInvite()),
    vscode.commands.registerCommand('mallard.signInWithToken', signInWithToken),
    vscode.commands.registerCommand('mallard.signOut', signOut),
    vscode.commands.registerCommand('mallard.chooseOrganization', chooseOrganization),
    vscode.commands.registerCommand('mallard.syncNow', syncNow),
    vscode.window.registerUriHandler({
      handleUri: async (uri) => {
        if (uri.path === '/invite') return acceptInvite(uri.query);
        if (uri.path !== '/auth') return;
        try {
          const who = await auth.completeBrowserSignIn(uri.query);
          await signedIn(who.label);
        } catch (err) {
          fail('Mallard could not sign in', err);
        }
      },
    }),
  ];
}
