import * as vscode from 'vscode';
import type { SyncStatus } from '../../sync/status';
import type { CatalogRegistry } from './catalogRegistry';
import type { Logger } from './logger';
import { SyncAuth } from './syncAuth';
import type { SignedIn, SyncProject } from './syncAuth';
import { describeSync } from './syncStatusText';
import type { SyncSetup } from './syncStatusText';
import type { WorkspaceCatalog } from './workspaceCatalog';

/**
 * Team sync in the window: who is signed in (`SyncAuth`, SecretStorage), which organization, and
 * each open catalog's engine (it runs in that catalog's worker) started or stopped to match. Folds
 * the engines' statuses into the sync status-bar item and tells the views when records may have
 * changed. Nothing here runs without a configured project (`mallard.sync.url`).
 */

/** The organization chosen for sync (not a secret: kept in global state). */
export interface ChosenOrg {
  id: string;
  name: string;
}

const ORG_STATE_KEY = 'mallard.sync.organization';

export class SyncController implements vscode.Disposable {
  readonly auth: SyncAuth;
  private readonly item: vscode.StatusBarItem;
  private readonly engines = new Map<WorkspaceCatalog, { orgId: string; subscription: { dispose(): void } }>();
  private readonly recordListeners = new Set<() => void>();
  private readonly disposables: vscode.Disposable[] = [];
  private who: SignedIn | undefined;
  private reconciling: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly catalogs: CatalogRegistry,
    private readonly logger: Logger,
  ) {
    this.auth = new SyncAuth(context.secrets);
    this.item = vscode.window.createStatusBarItem('mallard.sync', vscode.StatusBarAlignment.Left, 9);
    this.item.name = 'Mallard Sync';
    this.disposables.push(
      this.item,
      context.secrets.onDidChange((e) => {
        // Another window of the same profile signed in or out: follow it.
        if (e.key.startsWith('mallard.sync')) this.reconcile();
      }),
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused) for (const catalog of this.engines.keys()) catalog.sync.notify('focus');
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mallard.sync')) this.reconcile();
      }),
    );
    this.auth.onDidChange(() => this.reconcile());
    this.reconcile();
  }

  /** The project from the settings, or undefined when none is configured. */
  project(): SyncProject | undefined {
    const settings = vscode.workspace.getConfiguration('mallard.sync');
    const url = settings.get<string>('url')?.trim().replace(/\/+$/, '') ?? '';
    const apiKey = settings.get<string>('publishableKey')?.trim() ?? '';
    return url !== '' && apiKey !== '' ? { url, apiKey } : undefined;
  }

  /** The organization to sync: the `mallard.sync.organizationId` setting, else the one chosen. */
  organization(): ChosenOrg | undefined {
    const fromSetting = vscode.workspace.getConfiguration('mallard.sync').get<string>('organizationId')?.trim();
    if (fromSetting) return { id: fromSetting, name: fromSetting };
    return this.context.globalState.get<ChosenOrg>(ORG_STATE_KEY);
  }

  async chooseOrganization(org: ChosenOrg): Promise<void> {
    await this.context.globalState.update(ORG_STATE_KEY, org);
    this.reconcile();
  }

  /** Catalogs opened or closed: engines follow. */
  catalogsChanged(): void {
    this.reconcile();
  }

  /** Calls `listener` when conflicts or rejections may have changed. */
  onRecordsChanged(listener: () => void): vscode.Disposable {
    this.recordListeners.add(listener);
    return new vscode.Disposable(() => this.recordListeners.delete(listener));
  }

  /** The catalogs whose engine runs, with their folder names. */
  syncing(): { name: string; catalog: WorkspaceCatalog }[] {
    return this.catalogs.list().filter((f) => this.engines.has(f.catalog));
  }

  /** Runs a cycle on every catalog now; the statuses after them. */
  async syncNow(): Promise<(SyncStatus | null)[]> {
    await this.reconciling;
    const results = await Promise.all([...this.engines.keys()].map((c) => c.sync.syncNow()));
    this.recordsChanged();
    return results;
  }

  /** Resolves once the engines match the sign-in, organization and catalogs. */
  whenReconciled(): Promise<void> {
    return this.reconciling;
  }

  /** Tells the views to re-read records (after a resolve, a retry, a dismiss). */
  recordsChanged(): void {
    for (const listener of this.recordListeners) listener();
  }

  private reconcile(): void {
    this.reconciling = this.reconciling.then(() => this.apply()).catch((err: unknown) => this.logger.error(err instanceof Error ? err : String(err)));
  }

  private async apply(): Promise<void> {
    this.who = await this.auth.signedIn();
    const org = this.who !== undefined && this.project() !== undefined ? this.organization() : undefined;
    for (const [catalog, engine] of [...this.engines]) {
      if (org !== undefined && engine.orgId === org.id && this.catalogs.has(catalog)) continue;
      engine.subscription.dispose();
      this.engines.delete(catalog);
      if (this.catalogs.has(catalog)) await catalog.sync.stop().catch(() => undefined);
    }
    if (org !== undefined) {
      for (const catalog of this.catalogs.all()) {
        if (this.engines.has(catalog)) continue;
        catalog.sync.credentials = this.auth;
        const subscription = catalog.sync.onStatus(() => this.statusChanged());
        this.engines.set(catalog, { orgId: org.id, subscription });
        this.logger.info(`Sync of ${this.catalogs.nameOf(catalog)} with organization ${org.name} started`);
        await catalog.sync.start(org.id).catch((err: unknown) => this.logger.warn(`Sync could not start for ${this.catalogs.nameOf(catalog)}: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
    this.statusChanged();
  }

  /** Whether the sync views and status-bar item are shown (the `mallard.syncVisible` context key). */
  private visible: boolean | undefined;

  private statusChanged(): void {
    const project = this.project();
    // The sync views and the item show only once sync is configured or someone signed in, so a
    // user who never syncs keeps the whole Mallard container for the catalog.
    const visible = project !== undefined || this.who !== undefined;
    if (visible !== this.visible) {
      this.visible = visible;
      void vscode.commands.executeCommand('setContext', 'mallard.syncVisible', visible);
    }
    if (!visible) {
      this.item.hide();
      return;
    }
    const org = this.organization();
    const setup: SyncSetup = this.who === undefined ? { kind: 'signed-out' } : org === undefined ? { kind: 'no-org', who: this.who.label } : { kind: 'syncing', who: this.who.label, org: org.name };
    const statuses = [...this.engines.keys()].map((c) => c.sync.status).filter((s): s is SyncStatus => s !== undefined);
    for (const status of statuses) this.noticeApprovals(status);
    const view = describeSync(setup, statuses);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = view.command;
    this.item.backgroundColor = view.tone === 'normal' ? undefined : new vscode.ThemeColor(view.tone === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
    this.item.show();
    this.recordsChanged();
  }

  /** Cycles whose held-for-approval edits were announced (by end time), so each is told once. */
  private readonly announcedApprovals = new Set<string>();

  /** Tells the author when the server held description edits for approval (doc versions): nothing vanishes silently. */
  private noticeApprovals(status: SyncStatus): void {
    const messages = status.lastCycle?.submittedForApproval ?? [];
    const key = `${status.replicaId ?? ''}@${status.lastSyncedAt ?? ''}`;
    if (messages.length === 0 || this.announcedApprovals.has(key)) return;
    this.announcedApprovals.add(key);
    const text = messages.length === 1 ? messages[0] : `${messages.length} description edits were submitted for approval; they are published once an approver accepts them.`;
    this.logger.info(`Sync: ${messages.join(' ')}`);
    void vscode.window.showInformationMessage(`Mallard: ${text} See the History section of the docs panel.`);
  }

  dispose(): void {
    for (const engine of this.engines.values()) engine.subscription.dispose();
    this.engines.clear();
    for (const d of this.disposables) d.dispose();
  }
}
