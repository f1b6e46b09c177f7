import { writeFile } from 'node:fs/promises';
import { createClient } from '@supabase/supabase-js';
import * as vscode from 'vscode';
import { createAdminClient } from '../admin/adminClient';
import { ADMIN_PROTOCOL_VERSION, parseAdminWebviewMessage, type AdminHostMessage, type AdminWebviewMessage } from '../../webviews/admin/protocol';
import { adminContextOf, AdminRouteError, exportAuditCsv, routeAdminCall, type AdminCalls, type CsvSink } from './adminRouting';
import type { Logger } from './logger';
import type { SyncController } from './syncController';
import { WebviewPanelHost } from './webviewHost';

/**
 * Hosts the "Manage Team" panel ("Mallard: Manage Team"): one panel per window, for the
 * organization of the sync configuration and the signed-in session (or API token) of
 * `SyncController`. Every webview request goes to the `admin` edge function through the typed
 * admin client; the function checks each permission under the caller's claims. The panel follows
 * sign-in, sign-out and a change of organization by sending the webview its new context.
 */
export class AdminPanels implements vscode.Disposable {
  private panel: WebviewPanelHost<AdminWebviewMessage, AdminHostMessage> | undefined;
  /** The admin client of the current access token (a refreshed session gets a new one). */
  private cached: { key: string; client: AdminCalls } | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sync: SyncController,
    private readonly logger: Logger,
  ) {
    this.disposables.push(
      toDisposable(this.sync.auth.onDidChange(() => void this.sendContext())),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mallard.sync')) void this.sendContext();
      }),
    );
  }

  registerCommands(): vscode.Disposable[] {
    return [vscode.commands.registerCommand('mallard.manageTeam', () => this.show())];
  }

  /** Opens the panel (in the active editor group: it is a page of its own, not a side view), or reveals it. */
  show(): void {
    if (this.panel) return this.panel.reveal();
    const spec = { viewType: 'mallard.admin', app: 'admin', title: 'Manage Team', protocolVersion: ADMIN_PROTOCOL_VERSION, parse: parseAdminWebviewMessage };
    const handlers = { onReady: () => this.sendContext(), onMessage: (m: AdminWebviewMessage) => this.receive(m), onDispose: () => (this.panel = undefined) };
    this.panel = new WebviewPanelHost<AdminWebviewMessage, AdminHostMessage>(this.extensionUri, { ...spec, ...handlers }, this.logger, vscode.ViewColumn.Active);
  }

  private async sendContext(): Promise<void> {
    if (!this.panel?.ready) return;
    const who = await this.sync.auth.signedIn().catch(() => undefined);
    const context = adminContextOf({ project: this.sync.project() !== undefined, signedInAs: who?.label, org: this.sync.organization() });
    this.panel?.post({ type: 'notify', event: 'context', context });
  }

  private async receive(message: AdminWebviewMessage): Promise<void> {
    if (message.type === 'ready') return;
    if (message.type === 'command') {
      if (message.command === 'copy') {
        await vscode.env.clipboard.writeText(message.text);
        void vscode.window.setStatusBarMessage('Mallard: copied to the clipboard', 3000);
      } else {
        await vscode.commands.executeCommand(message.command === 'signIn' ? 'mallard.signIn' : 'mallard.chooseOrganization');
        await this.sendContext();
      }
      return;
    }
    await this.panel?.respond(message, async () => {
      const org = this.sync.organization();
      if (org === undefined) throw new AdminRouteError('not-ready', 'Choose the organization to manage first.');
      const client = await this.client();
      try {
        if (message.method === 'exportAudit') return await exportAuditCsv(message, org.id, client, this.csvSink());
        return await routeAdminCall(message, org.id, client);
      } catch (err) {
        this.logger.warn(`Manage Team: ${message.method} failed: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    });
  }

  /** The admin client of the signed-in session; throws when nobody is signed in. */
  private async client(): Promise<AdminCalls> {
    const credentials = await this.sync.auth.getCredentials();
    if (credentials === undefined) throw new AdminRouteError('not-ready', 'Sign in to manage your team.');
    const key = `${credentials.url}\u0000${credentials.apiKey}\u0000${credentials.accessToken}`;
    if (this.cached?.key !== key) {
      const supabase = createClient(credentials.url, credentials.apiKey, { accessToken: async () => credentials.accessToken });
      this.cached = { key, client: createAdminClient(supabase) };
    }
    return this.cached.client;
  }

  private csvSink(): CsvSink {
    return {
      pick: async (name) => {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const uri = await vscode.window.showSaveDialog({ title: 'Export the audit log', saveLabel: 'Export', filters: { CSV: ['csv'] }, ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}) });
        return uri?.fsPath;
      },
      write: async (path, text) => {
        await writeFile(path, text, 'utf8');
        this.logger.info(`Manage Team: exported the audit log to ${path}`);
      },
    };
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function toDisposable(d: { dispose(): void }): vscode.Disposable {
  return new vscode.Disposable(() => d.dispose());
}
