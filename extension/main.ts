import * as vscode from 'vscode';
import { readConfig, type MallardConfig } from './config';
import { CatalogTreeProvider } from './ui/catalogTree';
import { registerCatalogCommands } from './ui/commands';
import { DiagnosticsPublisher } from './ui/diagnostics';
import { registerEditorFeatures } from './ui/editorFeatures';
import { checkHost } from './ui/hostCheck';
import { LineagePanels } from './ui/lineagePanel';
import { DocsPanels } from './ui/docsPanel';
import { OutputLogger } from './ui/outputLogger';
import { MallardStatusBar } from './ui/statusBar';
import type { WorkspaceCatalog } from './ui/workspaceCatalog';

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
    const { config, problems } = readConfig((key) => vscode.workspace.getConfiguration('mallard').get(key));
    for (const problem of problems) logger.warn(`Setting ignored: ${problem}`);
    return config;
  };
  let config = readSettings();
  let catalog: WorkspaceCatalog | undefined;
  /** Until the first scan ends, views that find nothing wait for it instead of saying "not found". */
  let firstScanDone = false;
  const getCatalog = (): WorkspaceCatalog | undefined => catalog;

  const tree = new CatalogTreeProvider(getCatalog);
  const diagnostics = new DiagnosticsPublisher();
  const lineage = new LineagePanels(context.extensionUri, getCatalog, () => config, logger, () => !firstScanDone);
  const docs = new DocsPanels(context.extensionUri, getCatalog, logger);
  const editorFeatures = registerEditorFeatures(getCatalog, logger);
  context.subscriptions.push(
    tree,
    diagnostics,
    lineage,
    docs,
    vscode.window.createTreeView('mallard.catalog', { treeDataProvider: tree, showCollapseAll: true }),
    vscode.window.createTreeView('mallard.diagnostics', { treeDataProvider: diagnostics }),
  );

  const refreshViews = (): void => {
    if (!catalog) return;
    tree.refresh();
    diagnostics.publish(catalog);
    lineage.catalogChanged();
    docs.catalogChanged();
    editorFeatures.refresh();
    const stats = catalog.store.stats();
    statusBar.update({ kind: 'ready', models: stats.entitiesByKind.model ?? 0, sources: stats.entitiesByKind.source ?? 0, diagnostics: stats.diagnostics });
  };

  const scan = async (): Promise<void> => {
    const current = catalog;
    if (!current) return;
    logger.info('Timeline: scan requested');
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Mallard: scanning workspace', cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        let last = 0;
        try {
          await current.scan((p) => {
            statusBar.update({ kind: 'scanning', done: p.done, total: p.total });
            const percent = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 0;
            progress.report({ message: `${p.phase} ${p.done}/${p.total}`, increment: Math.max(0, percent - last) });
            last = percent;
          }, abort.signal);
        } catch (err) {
          if (abort.signal.aborted || (err as { cancelled?: boolean }).cancelled) logger.info('Scan cancelled');
          else throw err;
        } finally {
          cancel.dispose();
          firstScanDone = true;
          refreshViews();
        }
      },
    );
  };

  const startCatalog = async (): Promise<void> => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') {
      firstScanDone = true;
      statusBar.update({ kind: 'ready', models: 0, sources: 0, diagnostics: 0 });
      return;
    }
    const others = (vscode.workspace.workspaceFolders ?? []).slice(1).map((f) => f.name);
    // Multi-root workspaces are not supported yet: say so instead of silently ignoring folders.
    if (others.length > 0) logger.warn(`Mallard catalogs only the first workspace folder (${folder.name}); not scanned: ${others.join(', ')}`);
    // Loaded lazily so that activation never pays for the native binding and the parser bundle.
    const openStarted = performance.now();
    const { WorkspaceCatalog: Catalog } = await import('./ui/workspaceCatalog.js');
    const opened = new Catalog(folder.uri.fsPath, config, logger);
    // Timeline lines (timestamped by the log channel) let the extension bench split window-open time.
    logger.info(`Timeline: catalog opened in ${(performance.now() - openStarted).toFixed(0)} ms (${opened.store.listEntities({ limit: 1 }).total} entities already stored)`);
    catalog = opened;
    context.subscriptions.push({ dispose: () => void opened.dispose() });
    opened.onDidChange(refreshViews);
    refreshViews();
    await scan();
    opened.watch();
  };

  context.subscriptions.push(
    ...registerCatalogCommands({
      catalog: getCatalog,
      tree,
      rescan: async () => {
        await scan().catch((err: unknown) => reportError(logger, 'Rescan failed', err));
      },
    }),
    ...editorFeatures.disposables,
    ...lineage.registerCommands(),
    ...docs.registerCommands(),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mallard')) {
        config = readSettings();
        logger.info('Settings changed; they apply to the next scan');
      }
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (!config.rescanOnSave || !catalog) return;
      const rel = catalog.relative(doc.uri.fsPath);
      if (rel && /\.(sql|ya?ml|md|csv)$/i.test(rel)) void catalog.update([rel]).catch((err: unknown) => logger.error(err instanceof Error ? err : String(err)));
    }),
  );

  const version = (context.extension.packageJSON as { version?: string }).version ?? '?';
  logger.info(`Mallard ${version} activated in ${(performance.now() - started).toFixed(1)} ms (Node ${process.versions.node}, Node-API ${process.versions.napi ?? '?'})`);
  setTimeout(() => void startCatalog().catch((err: unknown) => reportError(logger, 'Mallard could not open the catalog', err, statusBar)), 0);
}

function reportError(logger: OutputLogger, what: string, err: unknown, statusBar?: MallardStatusBar): void {
  const message = err instanceof Error ? err.message : String(err);
  logger.error(err instanceof Error ? err : `${what}: ${message}`);
  statusBar?.update({ kind: 'error', message: `${what}: ${message}` });
  void vscode.window.showErrorMessage(`${what}: ${message}`, 'Open Log').then((choice) => {
    if (choice === 'Open Log') logger.show();
  });
}

/** Everything is owned by `context.subscriptions`; VS Code disposes them. */
export function deactivate(): void {
  // Nothing beyond the subscriptions.
}
