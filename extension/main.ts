import * as vscode from 'vscode';
import { readConfig, type MallardConfig } from './config';
import { CatalogTreeProvider } from './ui/catalogTree';
import { registerCatalogCommands } from './ui/commands';
import { DiagnosticsPublisher } from './ui/diagnostics';
import { registerEditorFeatures } from './ui/editorFeatures';
import { checkHost } from './ui/hostCheck';
import { LineagePanels } from './ui/lineagePanel';
import { registerAiCommands, setOrgAiSession } from './ui/aiSettings';
import { AdminPanels } from './ui/adminPanel';
import { DocsPanels } from './ui/docsPanel';
import { DocHistoryHost } from './ui/docHistory';
import { AiBatchCommands } from './ui/aiBatch';
import { QualityService } from './ui/qualityService';
import { QualityTreeProvider } from './ui/qualityTree';
import { OutputLogger } from './ui/outputLogger';
import { timeline } from './ui/logger';
import { MallardStatusBar } from './ui/statusBar';
import { CatalogRegistry } from './ui/catalogRegistry';
import { nestedFolderExcludes } from './ui/folderPick';
import { SyncController } from './ui/syncController';
import { registerSyncCommands } from './ui/syncCommands';
import { registerGovernanceCommands } from './ui/governanceCommands';
import { GovernanceViews } from './ui/governanceViews';
import { SyncViews } from './ui/syncViews';
import { registerConnectorCommands } from './ui/connectorCommands';
import type { WorkspaceCatalog } from './ui/workspaceCatalog';
import type { ScanProgress } from './scanner/scanTypes';

/**
 * The composition root: the only place that builds services and wires them together with plain
 * constructors. Activation stays fast: the catalog is opened and scanned after `activate` returns,
 * parsing runs in worker threads, and views read whatever the store holds meanwhile.
 */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const logger = new OutputLogger();
  context.subscriptions.push(logger);
  context.subscriptions.push(vscode.commands.registerCommand('mallard.showLog', () => logger.show()));

  const statusBar = new MallardStatusBar();
  context.subscriptions.push(statusBar);

  const host = checkHost(process.versions);
  if (!host.ok) {
    // Refuse clearly instead of letting the native SQLite binding crash the extension host.
    logger.error(host.reason);
    statusBar.update({ kind: 'unsupported', message: host.reason });
    void vscode.window.showErrorMessage(host.reason, 'Open Log').then((choice) => {
      if (choice === 'Open Log') logger.show();
    });
    return;
  }

  const readSettings = (): MallardConfig => {
    const settings = vscode.workspace.getConfiguration('mallard');
    // `get` answers a setting's default too; `dialect` must say whether the user chose one.
    const { config, problems } = readConfig((key) => {
      if (key !== 'dialect') return settings.get(key);
      const set = settings.inspect(key);
      return set?.workspaceFolderValue ?? set?.workspaceValue ?? set?.globalValue;
    });
    for (const problem of problems) logger.warn(`Setting ignored: ${problem}`);
    return config;
  };
  let config = readSettings();
  const catalogs = new CatalogRegistry();
  /** Until every first scan ends, views that find nothing wait for it instead of saying "not found". */
  let foldersChecked = false;
  let firstScansPending = 0;
  const scanning = (): boolean => !foldersChecked || firstScansPending > 0;

  // Docs quality scores, computed in a worker thread; their arrival redraws the views that show them.
  const quality = new QualityService(() => {
    tree.refresh();
    qualityTree.refresh();
  }, (message) => logger.warn(message));
  const tree = new CatalogTreeProvider(catalogs, (root, id) => {
    const c = catalogs.byRoot(root);
    return c ? quality.score(root, c.store.file, id) : undefined;
  });
  const qualityTree = new QualityTreeProvider(catalogs, quality);
  const diagnostics = new DiagnosticsPublisher();
  const lineage = new LineagePanels(context.extensionUri, catalogs, () => config, logger, scanning);
  const docs = new DocsPanels(context.extensionUri, catalogs, logger, context.secrets);
  const editorFeatures = registerEditorFeatures(catalogs, logger);
  context.subscriptions.push(
    tree,
    diagnostics,
    lineage,
    docs,
    ...registerAiCommands(context.secrets),
    vscode.window.createTreeView('mallard.catalog', { treeDataProvider: tree, showCollapseAll: true }),
    vscode.window.createTreeView('mallard.diagnostics', { treeDataProvider: diagnostics }),
    quality,
    qualityTree,
    vscode.window.createTreeView('mallard.quality', { treeDataProvider: qualityTree }),
  );
  // "Draft Docs with AI for Folder…": batch drafts into the session's review queue.
  const aiBatch = new AiBatchCommands(context.extensionUri, catalogs, docs, context.secrets, logger);
  context.subscriptions.push(aiBatch, ...aiBatch.registerCommands());
  // Team sync: sign-in, the sync status-bar item, the Conflicts and Rejected Changes views.
  const sync = new SyncController(context, catalogs, logger);
  docs.attachHistory(new DocHistoryHost(sync, logger));
  context.subscriptions.push(sync, new SyncViews(context, sync, logger), ...registerSyncCommands(sync, logger, context.extension.id));
  // AI with the organization's key (`mallard.ai.keySource: org`) goes through the `ai` function as the signed-in member.
  context.subscriptions.push(setOrgAiSession(async () => {
    const credentials = await sync.auth.getCredentials();
    const org = sync.organization();
    return credentials && org ? { url: credentials.url, apiKey: credentials.apiKey, accessToken: credentials.accessToken, orgId: org.id } : undefined;
  }));
  // "Mallard: Manage Team": the admin webview, acting as the signed-in user through the admin function.
  const admin = new AdminPanels(context.extensionUri, sync, logger);
  context.subscriptions.push(admin, ...admin.registerCommands());
  // Governance: classification suggestions and the Compliance view / Problems entries (issue 16).
  const governance = new GovernanceViews(catalogs, logger);
  context.subscriptions.push(
    governance,
    vscode.window.createTreeView('mallard.compliance', { treeDataProvider: governance.complianceTree }),
    vscode.window.createTreeView('mallard.classification', { treeDataProvider: governance.classificationTree }),
    ...registerGovernanceCommands({ catalogs, views: governance, sync, secrets: context.secrets, logger }),
  );

  const refreshViews = (): void => {
    quality.invalidate();
    tree.refresh();
    qualityTree.refresh();
    diagnostics.publish(catalogs);
    lineage.catalogChanged();
    docs.catalogChanged();
    editorFeatures.refresh();
    sync.catalogsChanged();
    governance.catalogChanged();
    // The status bar shows totals across every folder's catalog.
    const totals = { models: 0, sources: 0, diagnostics: 0 };
    const perFolder: { name: string; models: number; sources: number }[] = [];
    const dialects: { project: string; dialect: string; reason: string }[] = [];
    for (const { name, catalog } of catalogs.list()) {
      const stats = catalog.store.summary();
      dialects.push(...stats.dialects);
      const folder = { name, models: stats.entitiesByKind.model ?? 0, sources: stats.entitiesByKind.source ?? 0 };
      perFolder.push(folder);
      totals.models += folder.models;
      totals.sources += folder.sources;
      totals.diagnostics += stats.diagnostics;
    }
    statusBar.update({ kind: 'ready', ...totals, ...(perFolder.length > 1 ? { perFolder } : {}), dialects });
  };

  // Connectors (Add Connector, the Connectors view, local and org runs).
  context.subscriptions.push(...registerConnectorCommands({ context, catalogs, sync, logger, catalogChanged: () => refreshViews() }));

  // Scans run one at a time: each catalog's scan already keeps the machine's cores busy.
  let scanQueue: Promise<void> = Promise.resolve();
  const scan = (current: WorkspaceCatalog): Promise<void> => {
    const run = scanQueue.then(() => scanNow(current));
    scanQueue = run.catch(() => undefined);
    return run;
  };
  const scanNow = async (current: WorkspaceCatalog): Promise<void> => {
    if (!catalogs.has(current)) return;
    timeline(logger, 'scan requested');
    const title = catalogs.size > 1 ? `Mallard: scanning ${catalogs.nameOf(current)}` : 'Mallard: scanning workspace';
    const abort = new AbortController();
    // A first scan shows a cancellable notification at once. A catalog scanned before (a window
    // opened again) usually only needs its files' hashes checked, a second or two: that shows in the
    // status bar alone, and the notification appears only if the check finds files to parse.
    const notification = lazyProgressNotification(title, abort);
    if (!current.scannedBefore) notification.show();
    try {
      await current.scan((p) => {
        statusBar.update({ kind: 'scanning', done: p.done, total: p.total });
        if (p.phase !== 'walk' && p.phase !== 'read') notification.show();
        notification.report(p);
      }, abort.signal);
    } catch (err) {
      if (abort.signal.aborted || (err as { cancelled?: boolean }).cancelled) logger.info('Scan cancelled');
      else if (catalogs.has(current)) throw err;
    } finally {
      notification.end();
      refreshViews();
    }
  };

  /** The settings of one folder's catalog: folders nested inside it are scanned by their own catalog only. */
  const folderConfig = (root: string): MallardConfig => {
    const nested = nestedFolderExcludes(root, (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath));
    return nested.length > 0 ? { ...config, exclude: [...config.exclude, ...nested] } : config;
  };

  /** Gives every open catalog its current settings; one whose scan settings changed is scanned again. */
  const reconfigureCatalogs = async (): Promise<void> => {
    for (const c of catalogs.all()) {
      if (await c.reconfigure(folderConfig(c.root))) void scan(c).catch((err: unknown) => reportError(logger, `Mallard could not scan ${catalogs.nameOf(c)}`, err, statusBar));
    }
  };

  /** Opens a folder's catalog (stored data shows at once), then queues its first scan. */
  const openCatalog = async (folder: vscode.WorkspaceFolder): Promise<void> => {
    // Loaded lazily so that activation never pays for the native binding and the parser bundle.
    const openStarted = performance.now();
    const { WorkspaceCatalog: Catalog } = await import('./ui/workspaceCatalog.js');
    if (catalogs.byRoot(folder.uri.fsPath) || !isOpenFolder(folder)) return;
    const opened = new Catalog(folder.uri.fsPath, folderConfig(folder.uri.fsPath), logger);
    // Timeline lines (with their own timestamps) let the extension bench split window-open time.
    timeline(logger, `catalog opened in ${(performance.now() - openStarted).toFixed(0)} ms (${opened.store.listEntities({ limit: 1 }).total} entities already stored)`);
    catalogs.add({ name: folder.name, catalog: opened }, (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath));
    opened.onDidChange(refreshViews);
    refreshViews();
    firstScansPending++;
    void scan(opened)
      .then(() => opened.watch())
      .catch((err: unknown) => reportError(logger, `Mallard could not scan ${folder.name}`, err, statusBar))
      .finally(() => {
        firstScansPending--;
        if (firstScansPending === 0) lineage.catalogChanged();
      });
  };

  /** Closes the catalog of a folder that left the workspace (stops its worker, closes its store). */
  const closeCatalog = (root: string): void => {
    const removed = catalogs.remove(root);
    if (!removed) return;
    quality.forget(root);
    logger.info(`Closed the catalog of ${root}`);
    void removed.dispose();
    refreshViews();
  };

  /** Gives every folder with SQL or a dbt project a catalog, and closes those of folders that left. */
  const syncFolders = async (): Promise<void> => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    for (const c of catalogs.all()) if (!folders.some((f) => f.uri.fsPath === c.root)) closeCatalog(c.root);
    // A folder added inside (or removed from inside) an open one changes what that one scans.
    await reconfigureCatalogs();
    for (const folder of folders) {
      if (catalogs.byRoot(folder.uri.fsPath) || !(await wantsCatalog(folder, folders.length))) continue;
      await openCatalog(folder);
    }
    if (folders.length > 1) logger.info(`Mallard catalogs ${catalogs.size} of ${folders.length} workspace folders: ${catalogs.list().map((f) => f.name).join(', ') || 'none'}`);
  };

  const startCatalogs = async (): Promise<void> => {
    await syncFolders();
    foldersChecked = true;
    if (catalogs.size === 0) statusBar.update({ kind: 'ready', models: 0, sources: 0, diagnostics: 0 });
    await scanQueue;
  };

  context.subscriptions.push(
    ...registerCatalogCommands({
      catalogs,
      tree,
      rescan: async () => {
        // A folder that gained its first SQL file since it was checked gets its catalog now.
        await syncFolders().catch((err: unknown) => reportError(logger, 'Rescan failed', err));
        for (const c of catalogs.all()) await scan(c).catch((err: unknown) => reportError(logger, 'Rescan failed', err));
      },
    }),
    ...editorFeatures.disposables,
    ...lineage.registerCommands(),
    ...docs.registerCommands(),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mallard')) {
        config = readSettings();
        logger.info('Settings changed');
        void reconfigureCatalogs().catch((err: unknown) => reportError(logger, 'Mallard could not apply the settings', err, statusBar));
      }
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      void syncFolders().catch((err: unknown) => reportError(logger, 'Mallard could not open the catalog', err, statusBar));
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      const catalog = config.rescanOnSave ? catalogs.forPath(doc.uri.fsPath) : undefined;
      const rel = catalog?.relative(doc.uri.fsPath);
      if (catalog && rel && /\.(sql|ya?ml|md|csv|py)$/i.test(rel)) void catalog.update([rel]).catch((err: unknown) => logger.error(err instanceof Error ? err : String(err)));
    }),
    // Every catalog still open when the extension stops: its worker and its store.
    { dispose: () => void closeCatalogs?.() },
  );

  closeCatalogs = async () => {
    const open = catalogs.all();
    if (open.length === 0) return;
    const started = performance.now();
    await Promise.all(open.map((c) => c.dispose()));
    logger.info(`Closed ${open.length} catalog${open.length === 1 ? '' : 's'} in ${(performance.now() - started).toFixed(0)} ms`);
  };

  const version = (context.extension.packageJSON as { version?: string }).version ?? '?';
  timeline(logger, `Mallard ${version} activated in ${(performance.now() - started).toFixed(1)} ms (Node ${process.versions.node}, Node-API ${process.versions.napi ?? '?'})`);
  setTimeout(() => void startCatalogs().catch((err: unknown) => reportError(logger, 'Mallard could not open the catalog', err, statusBar)), 0);
}

/**
 * A cancellable progress notification that appears on `show()` (once), then follows `report`s
 * until `end()`. Cancelling it aborts `abort`.
 */
function lazyProgressNotification(title: string, abort: AbortController): { show(): void; report(p: ScanProgress): void; end(): void } {
  let sink: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  let finish: (() => void) | undefined;
  let ended = false;
  let last = 0;
  return {
    show: () => {
      if (finish || ended) return;
      const done = new Promise<void>((resolve) => (finish = resolve));
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        sink = progress;
        const cancel = token.onCancellationRequested(() => abort.abort());
        return done.finally(() => cancel.dispose());
      });
    },
    report: (p) => {
      const percent = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 0;
      sink?.report({ message: `${p.phase} ${p.done}/${p.total}`, increment: Math.max(0, percent - last) });
      last = percent;
    },
    end: () => {
      ended = true;
      finish?.();
    },
  };
}

/** A folder still in the workspace (it may have been removed while its catalog was loading). */
function isOpenFolder(folder: vscode.WorkspaceFolder): boolean {
  return (vscode.workspace.workspaceFolders ?? []).some((f) => f.uri.toString() === folder.uri.toString());
}

/**
 * Whether a folder gets a catalog: a local folder with SQL or a dbt project. The only folder of a
 * single-folder workspace always gets one, as before multi-root support (no search at startup).
 */
async function wantsCatalog(folder: vscode.WorkspaceFolder, folderCount: number): Promise<boolean> {
  if (folder.uri.scheme !== 'file') return false;
  if (folderCount === 1) return true;
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/{*.sql,dbt_project.yml}'), '**/{node_modules,.git,.mallard,dbt_packages,target}/**', 1);
  return found.length > 0;
}

function reportError(logger: OutputLogger, what: string, err: unknown, statusBar?: MallardStatusBar): void {
  const message = err instanceof Error ? err.message : String(err);
  logger.error(err instanceof Error ? err : `${what}: ${message}`);
  statusBar?.update({ kind: 'error', message: `${what}: ${message}` });
  void vscode.window.showErrorMessage(`${what}: ${message}`, 'Open Log').then((choice) => {
    if (choice === 'Open Log') logger.show();
  });
}

/** Closes every open catalog (stops its worker, closes its store); set by `activate`. */
let closeCatalogs: (() => Promise<void>) | undefined;

/**
 * VS Code awaits this before it disposes `context.subscriptions` (which would only start the same
 * closing): each store closes cleanly, so SQLite checkpoints and removes its write-ahead log
 * instead of leaving it to be replayed when the window opens again.
 */
export async function deactivate(): Promise<void> {
  await closeCatalogs?.();
}
