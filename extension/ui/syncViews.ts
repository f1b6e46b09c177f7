import * as vscode from 'vscode';
import type { JsonValue } from '../../core/sync/ops';
import type { Logger } from './logger';
import type { SyncController } from './syncController';
import { conflictEntries, diffText, editTargetOf, isResolution, rejectedEntries } from './syncRecords';
import type { ConflictEntry, RejectedEntry } from './syncRecords';
import type { WorkspaceCatalog } from './workspaceCatalog';

/**
 * The Conflicts and Rejected Changes views of the Mallard container. Selecting a conflict opens a
 * side-by-side diff of two read-only virtual documents (`mallard-sync:` URIs: mine, theirs); its
 * actions (inline, and in the diff editor's title) call the worker's `resolveConflict`, or undo a
 * last-write-wins overwrite through the one mutation API. Rejected edits can be retried or
 * dismissed. Both views re-read the records when the engines publish a status.
 */

const SCHEME = 'mallard-sync';
const HIDDEN_KEY = 'mallard.sync.keptOverwrites';

type ConflictNode = { type: 'conflict'; folder: string; catalog: WorkspaceCatalog; entry: ConflictEntry };
type RejectedNode = { type: 'rejected'; folder: string; catalog: WorkspaceCatalog; entry: RejectedEntry };

export class SyncViews implements vscode.Disposable {
  private conflicts: ConflictNode[] = [];
  private rejected: RejectedNode[] = [];
  private readonly contents = new Map<string, string>();
  private readonly conflictsChanged = new vscode.EventEmitter<void>();
  private readonly rejectedChanged = new vscode.EventEmitter<void>();
  private readonly contentChanged = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> = Promise.resolve();
  readonly conflictsView: vscode.TreeView<ConflictNode>;
  readonly rejectedView: vscode.TreeView<RejectedNode>;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly controller: SyncController,
    private readonly logger: Logger,
  ) {
    this.conflictsView = vscode.window.createTreeView('mallard.conflicts', {
      treeDataProvider: { onDidChangeTreeData: this.conflictsChanged.event, getChildren: () => this.conflicts, getTreeItem: (n) => this.conflictItem(n) },
    });
    this.rejectedView = vscode.window.createTreeView('mallard.rejected', {
      treeDataProvider: { onDidChangeTreeData: this.rejectedChanged.event, getChildren: () => this.rejected, getTreeItem: (n) => this.rejectedItem(n) },
    });
    this.disposables.push(
      this.conflictsView,
      this.rejectedView,
      this.conflictsChanged,
      this.rejectedChanged,
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, { onDidChange: this.contentChanged.event, provideTextDocumentContent: (uri) => this.contents.get(uri.toString()) ?? '' }),
      controller.onRecordsChanged(() => this.scheduleRefresh()),
      vscode.commands.registerCommand('mallard.showConflicts', () => this.show()),
      vscode.commands.registerCommand('mallard.openConflict', (n?: ConflictNode) => n && this.openDiff(n)),
      vscode.commands.registerCommand('mallard.keepMine', (arg?: ConflictNode | vscode.Uri) => this.act(arg, 'mine')),
      vscode.commands.registerCommand('mallard.takeTheirs', (arg?: ConflictNode | vscode.Uri) => this.act(arg, 'theirs')),
      vscode.commands.registerCommand('mallard.undoLastWrite', (arg?: ConflictNode | vscode.Uri) => this.act(arg, 'mine')),
      vscode.commands.registerCommand('mallard.keepCurrent', (arg?: ConflictNode | vscode.Uri) => this.act(arg, 'theirs')),
      vscode.commands.registerCommand('mallard.retryRejected', (n?: RejectedNode) => n && this.rejection(n, 'retry')),
      vscode.commands.registerCommand('mallard.dismissRejection', (n?: RejectedNode) => n && this.rejection(n, 'dismiss')),
    );
  }

  /** Re-reads every syncing catalog's records now (the views and the diff documents follow). */
  refresh(): Promise<void> {
    this.loading = this.loading.then(() => this.load()).catch((err: unknown) => this.logger.warn(`Sync records could not be read: ${err instanceof Error ? err.message : String(err)}`));
    return this.loading;
  }

  /** The entries shown, for tests and the e2e scenario's log. */
  get shown(): { conflicts: readonly ConflictEntry[]; rejected: readonly RejectedEntry[] } {
    return { conflicts: this.conflicts.map((n) => n.entry), rejected: this.rejected.map((n) => n.entry) };
  }

  private scheduleRefresh(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, 200);
  }

  private async load(): Promise<void> {
    const hidden = new Set(this.context.workspaceState.get<string[]>(HIDDEN_KEY) ?? []);
    const conflicts: ConflictNode[] = [];
    const rejected: RejectedNode[] = [];
    for (const { name, catalog } of this.controller.syncing()) {
      const records = await catalog.sync.records();
      const current = (target: { kind: string; id: string }): ReturnType<typeof catalog.store.syncedMetadata> => {
        const edit = editTargetOf(target);
        return edit === undefined ? undefined : catalog.store.syncedMetadata(edit);
      };
      for (const entry of conflictEntries(records, catalog.sync.status?.replicaId, current, hidden)) conflicts.push({ type: 'conflict', folder: name, catalog, entry });
      for (const entry of rejectedEntries(records.rejections)) rejected.push({ type: 'rejected', folder: name, catalog, entry });
    }
    this.conflicts = conflicts;
    this.rejected = rejected;
    for (const node of conflicts) {
      for (const side of ['mine', 'theirs'] as const) {
        const uri = this.sideUri(node, side).toString();
        const text = diffText(node.entry[side]);
        if (this.contents.get(uri) !== text) {
          this.contents.set(uri, text);
          this.contentChanged.fire(vscode.Uri.parse(uri));
        }
      }
    }
    this.conflictsView.badge = conflicts.length > 0 ? { value: conflicts.length, tooltip: `${conflicts.length} sync conflict${conflicts.length === 1 ? '' : 's'}` } : undefined;
    this.rejectedView.badge = rejected.length > 0 ? { value: rejected.length, tooltip: `${rejected.length} rejected edit${rejected.length === 1 ? '' : 's'}` } : undefined;
    this.conflictsView.message = this.controller.syncing().length === 0 ? 'Sign in and choose an organization to sync.' : undefined;
    this.conflictsChanged.fire();
    this.rejectedChanged.fire();
  }

  private async show(): Promise<void> {
    await this.refresh();
    const view = this.conflicts.length === 0 && this.rejected.length > 0 ? 'mallard.rejected' : 'mallard.conflicts';
    await vscode.commands.executeCommand(`${view}.focus`);
  }

  private conflictItem(node: ConflictNode): vscode.TreeItem {
    const { entry } = node;
    const item = new vscode.TreeItem(`${displayName(entry.target.id)} · ${entry.field}`);
    item.id = `${node.catalog.root}\u0000${entry.id}`;
    item.description = entry.summary + (this.controller.syncing().length > 1 ? ` (${node.folder})` : '');
    item.tooltip = `${entry.target.kind} ${entry.target.id}\n${entry.summary}\n${entry.mineTitle}: ${preview(entry.mine)}\n${entry.theirsTitle}: ${preview(entry.theirs)}`;
    item.iconPath = new vscode.ThemeIcon(entry.kind === 'conflict' ? 'git-merge' : 'history');
    item.contextValue = entry.kind === 'conflict' ? 'mallardConflict' : entry.keepMine !== undefined ? 'mallardOverwrite' : 'mallardOverwriteFixed';
    item.command = { command: 'mallard.openConflict', title: 'Open Diff', arguments: [node] };
    return item;
  }

  private rejectedItem(node: RejectedNode): vscode.TreeItem {
    const { entry } = node;
    const item = new vscode.TreeItem(`${displayName(entry.target.id)} · ${entry.change}`);
    item.id = `${node.catalog.root}\u0000${entry.op.replicaId}/${entry.op.opNumber}`;
    item.description = `${entry.code}: ${entry.message}`;
    item.tooltip = `${entry.target.kind} ${entry.target.id}\nRejected (${entry.code}): ${entry.message}`;
    item.iconPath = new vscode.ThemeIcon('circle-slash');
    item.contextValue = entry.retryable ? 'mallardRejected' : 'mallardRejectedFixed';
    return item;
  }

  private sideUri(node: ConflictNode, side: 'mine' | 'theirs'): vscode.Uri {
    const title = side === 'mine' ? node.entry.mineTitle : node.entry.theirsTitle;
    const ext = typeof node.entry.mine === 'string' || typeof node.entry.theirs === 'string' ? 'md' : 'json';
    // The kind leads the path so that the diff editor's title shows the actions of that kind.
    return vscode.Uri.from({ scheme: SCHEME, path: `/${node.entry.kind}/${node.entry.id}/${side}/${node.entry.field} (${title}).${ext}`, query: encodeURIComponent(node.catalog.root) });
  }

  private async openDiff(node: ConflictNode): Promise<void> {
    const { entry } = node;
    await vscode.commands.executeCommand('vscode.diff', this.sideUri(node, 'mine'), this.sideUri(node, 'theirs'), `${displayName(entry.target.id)} · ${entry.field}: ${entry.mineTitle} ↔ ${entry.theirsTitle}`, { preview: true });
  }

  /** Keep mine / take theirs for a tree node or the diff editor's document. */
  private async act(arg: ConflictNode | vscode.Uri | undefined, side: 'mine' | 'theirs'): Promise<void> {
    const node = arg instanceof vscode.Uri ? this.conflicts.find((n) => n.entry.id === arg.path.split('/')[2] && encodeURIComponent(n.catalog.root) === arg.query) : arg;
    if (node === undefined) return;
    const { entry, catalog } = node;
    try {
      const action = side === 'mine' ? entry.keepMine : entry.takeTheirs;
      if (entry.kind === 'overwritten' && side === 'theirs') {
        // Keeping the current value of an overwrite changes nothing on the server: hide the entry here.
        const hidden = this.context.workspaceState.get<string[]>(HIDDEN_KEY) ?? [];
        await this.context.workspaceState.update(HIDDEN_KEY, [...hidden, entry.id]);
      } else if (action === undefined) {
        void vscode.window.showWarningMessage(`Mallard cannot edit ${entry.field} here; change it where it is defined.`);
        return;
      } else if (isResolution(action)) {
        await catalog.sync.resolveConflict(entry.id, action);
        catalog.sync.notify('edit');
      } else {
        const target = editTargetOf(entry.target);
        if (target === undefined) return;
        await catalog.mutate(target, action);
      }
      await this.closeDiff(node);
      this.controller.recordsChanged();
      await this.refresh();
    } catch (err) {
      void vscode.window.showErrorMessage(`Mallard could not resolve the conflict: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async rejection(node: RejectedNode, action: 'retry' | 'dismiss'): Promise<void> {
    try {
      if (action === 'retry') {
        const op = await node.catalog.sync.retryRejected(node.entry.op);
        if (op === null) void vscode.window.showWarningMessage('This edit can no longer be retried.');
        else node.catalog.sync.notify('edit');
      } else {
        await node.catalog.sync.dismissRejection(node.entry.op);
      }
      await this.refresh();
    } catch (err) {
      void vscode.window.showErrorMessage(`Mallard could not ${action} the rejected edit: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Closes the diff editors of a settled entry. */
  private async closeDiff(node: ConflictNode): Promise<void> {
    const uris = new Set([this.sideUri(node, 'mine').toString(), this.sideUri(node, 'theirs').toString()]);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && (uris.has(t.input.original.toString()) || uris.has(t.input.modified.toString())));
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** A row's short name: `orders` for `model.shop.orders`, `orders.amount` for its column (the full id is in the tooltip). */
function displayName(id: string): string {
  const [entity = id, column] = id.split('#');
  const name = entity.slice(entity.lastIndexOf('.') + 1) || entity;
  return column === undefined ? name : `${name}.${column}`;
}

/** A value on one line, for tooltips. */
function preview(value: JsonValue): string {
  const line = value === null ? '(not set)' : typeof value === 'string' ? (value.split('\n')[0] ?? '') : JSON.stringify(value);
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
