import * as vscode from 'vscode';
import { BATCH_LIMIT, modelsToDraft, runBatchDraft, type BatchTarget } from '../ai/batchDraft';
import { ReviewQueue } from '../ai/reviewQueue';
import { readAiSettings } from './aiSettings';
import type { CatalogRegistry } from './catalogRegistry';
import type { DocsPanels } from './docsPanel';
import type { Logger } from './logger';
import { ReviewQueuePanel } from './reviewQueuePanel';
import type { WorkspaceCatalog } from './workspaceCatalog';

/**
 * "Mallard: Draft Docs with AI for Folder…" and "Mallard: Show AI Review Queue": finds the models
 * under a folder that lack descriptions, drafts them one or two at a time under a cancellable
 * progress notification, and collects the drafts in the session's review queue. Nothing is written
 * until a proposal is accepted in the queue, which saves through the docs panel's save path.
 */
export class AiBatchCommands implements vscode.Disposable {
  /** The session's queue: it outlives the panel, so closing the panel loses no draft. */
  readonly queue = new ReviewQueue();
  private readonly panel: ReviewQueuePanel;
  private running: AbortController | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly catalogs: CatalogRegistry,
    private readonly docs: DocsPanels,
    private readonly secrets: vscode.SecretStorage,
    private readonly logger: Logger,
  ) {
    this.panel = new ReviewQueuePanel(extensionUri, this.queue, {
      save: async (entry, column, text) => {
        const catalog = this.catalogs.byRoot(entry.root);
        if (!catalog) throw new Error('The folder of this model is no longer in the workspace.');
        const result = await this.docs.saveAccepted(catalog, entry.entityId, column, text);
        if (!result.saved) throw new Error(result.message);
        return `Saved to ${result.file}${result.created ? ' (new entry)' : ''}`;
      },
      openDocs: (entry) => {
        const catalog = this.catalogs.byRoot(entry.root);
        if (catalog) this.docs.show(catalog, entry.entityId);
      },
      cancelBatch: () => this.running?.abort(),
    }, logger);
  }

  registerCommands(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('mallard.ai.draftFolder', (arg: unknown) => this.draftFolder(arg)),
      vscode.commands.registerCommand('mallard.ai.showReviewQueue', () => this.panel.show()),
    ];
  }

  private async draftFolder(arg: unknown): Promise<void> {
    if (this.running) {
      void vscode.window.showInformationMessage('Mallard: a batch of AI drafts is already running; its drafts arrive in the review queue.');
      this.panel.show();
      return;
    }
    const picked = arg instanceof vscode.Uri ? this.folderOf(arg) : await this.pickFolder();
    if (!picked) return;
    const { catalog, folder } = picked;
    let targets = modelsToDraft(catalog.store, folder);
    const where = folder || this.catalogs.nameOf(catalog);
    if (targets.length === 0) {
      void vscode.window.showInformationMessage(`Mallard: every model under ${where} has its descriptions; nothing to draft.`);
      return;
    }
    if (targets.length > BATCH_LIMIT) {
      void vscode.window.showWarningMessage(`Mallard: ${targets.length} models under ${where} lack descriptions; drafting the first ${BATCH_LIMIT}. Run it again on the rest once they are reviewed.`);
      targets = targets.slice(0, BATCH_LIMIT);
    }
    const settings = await readAiSettings(this.secrets);
    if (settings.apiKey.trim() === '') {
      const pick = await vscode.window.showWarningMessage('Mallard: set the API key of your AI provider to draft docs.', 'Set AI API Key');
      if (pick) await vscode.commands.executeCommand('mallard.ai.setApiKey');
      return;
    }
    await this.run(catalog, folder, where, targets, settings);
  }

  private async run(catalog: WorkspaceCatalog, folder: string, where: string, targets: BatchTarget[], settings: Awaited<ReturnType<typeof readAiSettings>>): Promise<void> {
    const controller = new AbortController();
    this.running = controller;
    this.panel.show();
    this.panel.setBatch({ folder: where, done: 0, total: targets.length, running: true });
    const concurrency = vscode.workspace.getConfiguration('mallard.ai').get<number>('batchConcurrency', 2);
    try {
      const outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Mallard: drafting docs of ${targets.length} model${targets.length === 1 ? '' : 's'} in ${where} with ${settings.model}`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          return runBatchDraft(catalog.store, catalog.root, targets, this.queue, {
            settings,
            ...(settings.template ? { template: settings.template } : {}),
            concurrency,
            signal: controller.signal,
            readSql: (p) => Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.file(`${catalog.root}/${p}`))).then((b) => new TextDecoder().decode(b), () => ''),
            onProgress: (done, total, name) => {
              progress.report({ message: `${done}/${total} · ${name}`, increment: 100 / total });
              this.panel.setBatch({ folder: where, done, total, running: true });
            },
          });
        },
      );
      this.panel.setBatch({ folder: where, done: targets.length, total: targets.length, running: false });
      // Counts only: no prompt, no answer, no key.
      this.logger.info(`AI docs batch ${folder || '(workspace)'}: ${outcome.drafted} drafted, ${outcome.failed} failed, ${outcome.notDrafted} not drafted, ${outcome.tokens} tokens with ${settings.model}.`);
      const parts = [`${outcome.drafted} of ${targets.length} models drafted`, outcome.failed ? `${outcome.failed} failed` : '', outcome.notDrafted ? `${outcome.notDrafted} not drafted` : ''].filter(Boolean).join(', ');
      const text = outcome.stoppedBy ? `Mallard: the batch stopped: ${outcome.stoppedBy} (${parts}).` : `Mallard: ${parts}. Nothing is saved until you accept it in the review queue.`;
      const show = outcome.stoppedBy ? vscode.window.showWarningMessage(text, 'Open Review Queue') : vscode.window.showInformationMessage(text, 'Open Review Queue');
      void show.then((choice) => choice && this.panel.show());
    } finally {
      if (this.running === controller) this.running = undefined;
    }
  }

  /** The catalog and workspace-relative folder of a folder chosen in the Explorer. */
  private folderOf(uri: vscode.Uri): { catalog: WorkspaceCatalog; folder: string } | undefined {
    const catalog = this.catalogs.forPath(uri.fsPath);
    const folder = catalog?.relative(uri.fsPath);
    if (!catalog || folder === undefined) {
      void vscode.window.showInformationMessage('Mallard: this folder is not in a catalogued workspace folder.');
      return undefined;
    }
    return { catalog, folder };
  }

  /** A quick pick of the folders that hold models lacking descriptions, with how many each has. */
  private async pickFolder(): Promise<{ catalog: WorkspaceCatalog; folder: string } | undefined> {
    type Item = vscode.QuickPickItem & { catalog: WorkspaceCatalog; folder: string };
    const items: Item[] = [];
    for (const { name, catalog } of this.catalogs.list()) {
      const all = modelsToDraft(catalog.store, '');
      if (all.length === 0) continue;
      const counts = new Map<string, number>();
      for (const t of all) {
        // Every ancestor folder of the model counts it: picking `models/` drafts its subfolders too.
        const parts = t.path.split('/').slice(0, -1);
        for (let i = 1; i <= parts.length; i++) counts.set(parts.slice(0, i).join('/'), (counts.get(parts.slice(0, i).join('/')) ?? 0) + 1);
      }
      const multi = this.catalogs.size > 1;
      items.push({ label: multi ? name : '$(root-folder) Whole workspace', description: `${all.length} model${all.length === 1 ? '' : 's'} to draft`, catalog, folder: '' });
      for (const [folder, n] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
        items.push({ label: `$(folder) ${folder}`, description: `${n} model${n === 1 ? '' : 's'} to draft`, ...(multi ? { detail: name } : {}), catalog, folder });
      }
    }
    if (items.length === 0) {
      void vscode.window.showInformationMessage(this.catalogs.size === 0 ? 'Mallard: the catalog is not ready yet.' : 'Mallard: every model has its descriptions; nothing to draft.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(items, { title: 'Mallard: Draft Docs with AI for Folder', placeHolder: 'Folder whose undocumented models to draft (you review every draft before it is saved)', matchOnDescription: true });
    return pick ? { catalog: pick.catalog, folder: pick.folder } : undefined;
  }

  dispose(): void {
    this.running?.abort();
    this.panel.dispose();
  }
}
