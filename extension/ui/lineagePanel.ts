import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { MallardConfig } from '../config';
import { GraphSession } from '../../webviews/lineage/graphSession';
import { LINEAGE_PROTOCOL_VERSION, parseWebviewMessage, type LineageCommand, type LineageHostMessage, type LineageRequest, type LineageWebviewMessage } from '../../webviews/lineage/protocol';
import type { CatalogRegistry } from './catalogRegistry';
import { commandCatalog, openEntity, targetEntity } from './commands';
import { columnGraph, explainMissing, readAdjacency, storeReader, type Adjacency } from './lineageData';
import { timeline, type Logger } from './logger';
import { WebviewPanelHost } from './webviewHost';
import type { WorkspaceCatalog } from './workspaceCatalog';

/**
 * Hosts the one lineage panel: handshake, paging through `GraphSession`, requests and commands.
 * The panel keeps the catalog of the entity it shows (multi-root workspaces have one per folder).
 */
export class LineagePanels implements vscode.Disposable {
  private panel: WebviewPanelHost<LineageWebviewMessage, LineageHostMessage> | undefined;
  private session: GraphSession | undefined;
  /** The catalog `rootId` comes from. */
  private catalog: WorkspaceCatalog | undefined;
  private rootId: string | undefined;
  private pendingColumn: string | undefined;
  /** A file whose lineage was asked for before the scan reached it; shown as soon as it is stored. */
  private waitingFor: string | undefined;
  /** Built on first use after each catalog change, for `adjacencyOf`. */
  private adjacency: Adjacency | undefined;
  private adjacencyOf: WorkspaceCatalog | undefined;
  /** The panel was just created by splitting the only editor group; widen it once it is shown. */
  private widenAfterSplit = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly catalogs: CatalogRegistry,
    private readonly config: () => MallardConfig,
    private readonly logger: Logger,
    /** True until the first scan of the catalog has finished. */
    private readonly scanning: () => boolean = () => false,
  ) {}

  registerCommands(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('mallard.showLineage', (arg: unknown, root?: unknown) => this.showFor(arg, root)),
      vscode.commands.registerCommand('mallard.showColumnLineage', (arg: unknown, root?: unknown) => this.showColumnFor(arg, root)),
      // While the panel is open it follows the model in the active editor.
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (!this.panel || !editor) return;
        if (this.waitingFor) this.waitingFor = editor.document.uri.fsPath;
        const catalog = this.catalogs.forPath(editor.document.uri.fsPath);
        const id = catalog && targetEntity(catalog, undefined);
        if (catalog && id && (id !== this.rootId || catalog !== this.catalog)) this.show(catalog, id, undefined, false);
      }),
    ];
  }

  private showFor(arg: unknown, root?: unknown): void {
    const catalog = commandCatalog(this.catalogs, arg, root);
    const id = catalog && targetEntity(catalog, arg);
    const file = vscode.window.activeTextEditor?.document.uri.fsPath;
    if (!id && arg === undefined && file && this.scanning()) {
      // The first scan has not reached this file yet: open the panel now and draw the graph the
      // moment the model is stored, instead of refusing while the user waits for a progress bar.
      timeline(this.logger, `lineage requested for ${file} before the scan stored it`);
      this.waitingFor = file;
      this.rootId = undefined;
      this.catalog = undefined;
      this.openPanel(true);
      if (this.panel?.ready) this.post({ type: 'notify', event: 'message', level: 'info', text: 'Mallard is scanning the workspace; the lineage appears as soon as this model is in the catalog.' });
      return;
    }
    if (!catalog || !id) {
      void vscode.window.showInformationMessage('Mallard: open a model or pick one in the Catalog view to show its lineage.');
      return;
    }
    this.show(catalog, id);
  }

  private async showColumnFor(arg: unknown, root?: unknown): Promise<void> {
    const catalog = commandCatalog(this.catalogs, arg, root);
    if (typeof arg === 'object' && arg !== null && (arg as { type?: string }).type === 'column') {
      const node = arg as { entityId: string; name: string };
      if (catalog) this.show(catalog, node.entityId, node.name);
      return;
    }
    const id = catalog && targetEntity(catalog, arg);
    if (!catalog || !id) return this.showFor(arg, root);
    const editor = vscode.window.activeTextEditor;
    const word = editor ? editor.document.getText(editor.document.getWordRangeAtPosition(editor.selection.active)) : '';
    const columns = catalog.store.columnsOf(id).map((c) => c.name);
    const column = columns.find((c) => c.toLowerCase() === word.toLowerCase()) ?? (await vscode.window.showQuickPick(columns, { placeHolder: 'Column to trace' }));
    if (column) this.show(catalog, id, column);
  }

  /** Shows (or re-centres) the lineage panel on `entityId` of `catalog`, optionally in column mode. */
  show(catalog: WorkspaceCatalog, entityId: string, column?: string, reveal = true): void {
    timeline(this.logger, `lineage requested for ${entityId}`);
    this.catalog = catalog;
    this.rootId = entityId;
    this.pendingColumn = column;
    this.waitingFor = undefined;
    if (this.openPanel(reveal) && this.panel?.ready) this.sendRoot();
  }

  /** Creates the panel, or reveals it when asked; true when it already existed. */
  private openPanel(reveal: boolean): boolean {
    if (!this.panel) {
      const groupsBefore = vscode.window.tabGroups.all.length;
      this.panel = new WebviewPanelHost<LineageWebviewMessage, LineageHostMessage>(
        this.extensionUri,
        {
          viewType: 'mallard.lineage',
          app: 'lineage',
          title: 'Mallard Lineage',
          protocolVersion: LINEAGE_PROTOCOL_VERSION,
          parse: parseWebviewMessage,
          onReady: () => this.onReady(),
          onMessage: (message) => this.receive(message),
          onDispose: () => {
            this.panel = undefined;
            this.session = undefined;
          },
        },
        this.logger,
      );
      timeline(this.logger, 'lineage panel created');
      this.widenAfterSplit = groupsBefore === 1;
      return false;
    }
    // Following the editor must not cover it, so only explicit requests reveal the panel.
    if (reveal) this.panel.reveal();
    return true;
  }

  /** The catalog changed: re-send the current root so the graph reflects it. */
  catalogChanged(): void {
    this.adjacency = undefined;
    this.adjacencyOf = undefined;
    if (this.catalog && !this.catalogs.has(this.catalog)) {
      // The shown model's folder left the workspace: say so rather than keep a graph nothing backs.
      this.catalog = undefined;
      this.rootId = undefined;
      this.session = undefined;
      if (this.panel) {
        this.panel.title = 'Mallard Lineage';
        this.post({ type: 'notify', event: 'clear', text: 'The workspace folder of this model was removed; its catalog is closed.' });
      }
    }
    if (this.waitingFor) this.resolveWaiting();
    else if (this.panel?.ready && this.rootId) this.sendRoot();
  }

  /** Shows the lineage of the file asked for during the first scan once it is stored (or says why not). */
  private resolveWaiting(): void {
    const file = this.waitingFor;
    const catalog = file === undefined ? undefined : this.catalogs.forPath(file);
    if (!file || !this.panel) return;
    const rel = catalog?.relative(file);
    const id = rel ? catalog?.entitiesIn(rel).find((e) => e.kind !== 'docBlock' && e.kind !== 'macro')?.id : undefined;
    if (catalog && id) {
      this.show(catalog, id, undefined, false);
    } else if (!this.scanning()) {
      this.waitingFor = undefined;
      if (this.panel?.ready) this.post({ type: 'notify', event: 'message', level: 'info', text: 'This file defines no model, seed, snapshot or source in the catalog.' });
    }
  }

  private post(message: LineageHostMessage): void {
    this.panel?.post(message);
  }

  private sendRoot(): void {
    const catalog = this.currentCatalog();
    if (!catalog || !this.rootId) return;
    const entity = catalog.store.getEntity(this.rootId);
    if (this.panel) this.panel.title = `Lineage: ${entity?.name ?? this.rootId}`;
    const started = performance.now();
    if (this.adjacencyOf !== catalog) this.adjacency = undefined;
    this.adjacency ??= readAdjacency(catalog);
    this.adjacencyOf = catalog;
    const adjacencyMs = performance.now() - started;
    this.session = new GraphSession(storeReader(catalog, this.adjacency), this.config().maxGraphNodes);
    const page = this.session.open(this.rootId);
    this.post({ type: 'notify', event: 'graph', page });
    timeline(this.logger, `lineage graph sent (${page.nodes.length} nodes) in ${(performance.now() - started).toFixed(0)} ms (adjacency ${adjacencyMs.toFixed(0)} ms)`);
    if (this.pendingColumn) {
      this.post({ type: 'notify', event: 'selectColumn', nodeId: this.rootId, column: this.pendingColumn });
      this.pendingColumn = undefined;
    }
  }

  private onReady(): void {
    timeline(this.logger, 'lineage webview ready');
    if (this.widenAfterSplit) {
      this.widenAfterSplit = false;
      // A left-to-right graph needs width: when the panel just split a single editor group, give
      // it 60 % instead of half (a half-width panel fits two or three levels at a legible size).
      // The webview refits when its size changes.
      if (vscode.window.tabGroups.all.length === 2) {
        void vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 0, groups: [{ size: 0.4 }, { size: 0.6 }] }).then(undefined, (err: unknown) => this.logger.debug(`Lineage: could not widen the panel: ${String(err)}`));
      }
    }
    if (this.waitingFor) this.post({ type: 'notify', event: 'message', level: 'info', text: 'Mallard is scanning the workspace; the lineage appears as soon as this model is in the catalog.' });
    else this.sendRoot();
  }

  private async receive(message: LineageRequest | LineageCommand): Promise<void> {
    if (message.type === 'request') await this.panel?.respond(message, () => this.answer(message));
    else await this.command(message);
  }

  /** The catalog of the shown entity, unless its folder left the workspace. */
  private currentCatalog(): WorkspaceCatalog | undefined {
    return this.catalog && this.catalogs.has(this.catalog) ? this.catalog : undefined;
  }

  private answer(request: LineageRequest): unknown {
    const catalog = this.currentCatalog();
    if (!catalog) throw new Error('The catalog is not ready');
    switch (request.method) {
      case 'expand': {
        const page = this.session?.expand(request.params.cursor);
        if (!page) throw new Error('This part of the graph changed; show the lineage again');
        return page;
      }
      case 'columnLineage':
        return columnGraph(catalog, request.params.nodeId, request.params.column, request.params.includeIndirect, this.config().maxGraphNodes * 10);
      case 'explainMissing':
        return explainMissing(catalog, request.params.nodeId);
      case 'search':
        return catalog.store.search(request.params.query, { limit: 20 }).map((h) => ({ id: h.id, name: h.name, kind: h.kind }));
    }
  }

  private async command(command: LineageCommand): Promise<void> {
    const catalog = this.currentCatalog();
    if (!catalog) return;
    switch (command.command) {
      case 'openNode':
        await openEntity(catalog, command.nodeId);
        return;
      case 'openDocs':
        await vscode.commands.executeCommand('mallard.openDocs', command.nodeId, catalog.root);
        return;
      case 'focus':
        this.show(catalog, command.nodeId);
        return;
      case 'export': {
        const ext = command.format === 'mermaid' ? 'mmd' : command.format;
        const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(`${catalog.root}/lineage.${ext}`), filters: { [command.format.toUpperCase()]: [ext] } });
        if (!uri) return;
        const data = command.format === 'png' ? Buffer.from(command.content.replace(/^data:image\/png;base64,/, ''), 'base64') : command.content;
        await writeFile(uri.fsPath, data);
        this.logger.info(`Exported lineage to ${uri.fsPath}`);
      }
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
