import * as vscode from 'vscode';
import type { Diagnostic } from '../../core/model/entities';
import type { CatalogRegistry } from './catalogRegistry';

/** VS Code range of a catalog diagnostic (1-based in the catalog, 0-based in VS Code). */
export function rangeOf(d: Diagnostic): vscode.Range {
  const line = Math.max(0, d.line - 1);
  const column = Math.max(0, d.column - 1);
  const endLine = d.endLine !== undefined && d.endLine > 0 ? d.endLine - 1 : line;
  const endColumn = d.endColumn !== undefined && d.endColumn > 0 ? d.endColumn - 1 : column + 1;
  return new vscode.Range(line, column, endLine, Math.max(endColumn, endLine === line ? column + 1 : endColumn));
}

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** A file row's label split into the file name and the folder it is in ('' at the top). */
export function splitLabel(label: string): { name: string; folder: string } {
  const slash = label.lastIndexOf('/');
  return slash < 0 ? { name: label, folder: '' } : { name: label.slice(slash + 1), folder: label.slice(0, slash) };
}

/** One file's diagnostics and how the Diagnostics view labels the file. */
interface FileDiagnostics {
  /** Workspace-relative path, prefixed with the folder's name when several folders are catalogued. */
  label: string;
  list: Diagnostic[];
}

/**
 * Publishes the diagnostics of every catalog to the Problems panel and lists them in the
 * Diagnostics view. Files are keyed by absolute path, so two folders may both have `models/a.sql`.
 */
export class DiagnosticsPublisher implements vscode.TreeDataProvider<Diagnostic | string>, vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mallard');
  private readonly emitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private byFile = new Map<string, FileDiagnostics>();
  /** The absolute path of each published diagnostic's file (tree rows open it). */
  private fileOf = new WeakMap<Diagnostic, string>();

  /** Re-reads every diagnostic from every catalog's store and republishes them. */
  publish(catalogs: CatalogRegistry): void {
    this.byFile = new Map();
    this.fileOf = new WeakMap();
    const several = catalogs.size > 1;
    for (const { catalog, name } of catalogs.list()) {
      for (const d of catalog.store.diagnostics()) {
        const absolute = `${catalog.root}/${d.file}`;
        const entry = this.byFile.get(absolute) ?? { label: several ? `${name}/${d.file}` : d.file, list: [] };
        entry.list.push(d);
        this.fileOf.set(d, absolute);
        this.byFile.set(absolute, entry);
      }
    }
    this.collection.clear();
    for (const [absolute, { list }] of this.byFile) {
      this.collection.set(
        vscode.Uri.file(absolute),
        list.map((d) => {
          const diagnostic = new vscode.Diagnostic(rangeOf(d), d.message, SEVERITY[d.severity]);
          // One source for every kind, so the Problems panel reads "mallard(sql-parse)" rather than
          // the extractor and the code side by side; the code says which kind of problem it is.
          diagnostic.source = 'mallard';
          diagnostic.code = d.code;
          return diagnostic;
        }),
      );
    }
    this.emitter.fire(undefined);
  }

  /** Total number of diagnostics published. */
  get count(): number {
    let n = 0;
    for (const entry of this.byFile.values()) n += entry.list.length;
    return n;
  }

  getChildren(element?: Diagnostic | string): (Diagnostic | string)[] {
    if (element === undefined) return [...this.byFile.keys()].sort((a, b) => {
      // Code-unit order of the labels, as a plain sort() of the relative paths always listed them.
      const [la, lb] = [this.labelOf(a), this.labelOf(b)];
      return la < lb ? -1 : la > lb ? 1 : 0;
    });
    if (typeof element === 'string') return this.byFile.get(element)?.list ?? [];
    return [];
  }

  getTreeItem(element: Diagnostic | string): vscode.TreeItem {
    if (typeof element === 'string') {
      // The file name first and its folder as the description: long paths of a deep project
      // otherwise all read "transform/mattermost-analytics/…" with the names cut off.
      const { name, folder } = splitLabel(this.labelOf(element));
      const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Expanded);
      item.resourceUri = vscode.Uri.file(element);
      item.iconPath = vscode.ThemeIcon.File;
      const count = this.byFile.get(element)?.list.length ?? 0;
      item.description = folder ? `${folder} · ${count}` : `${count}`;
      item.tooltip = `${this.labelOf(element)} (${count})`;
      return item;
    }
    const item = new vscode.TreeItem(element.message, vscode.TreeItemCollapsibleState.None);
    item.description = `${element.code} · ${element.line}:${element.column}`;
    item.iconPath = new vscode.ThemeIcon(element.severity === 'error' ? 'error' : element.severity === 'warning' ? 'warning' : 'info');
    const uri = vscode.Uri.file(this.fileOf.get(element) ?? element.file);
    item.command = { command: 'vscode.open', title: 'Open', arguments: [uri, { selection: rangeOf(element) }] };
    return item;
  }

  private labelOf(absolute: string): string {
    return this.byFile.get(absolute)?.label ?? absolute;
  }

  dispose(): void {
    this.collection.dispose();
    this.emitter.dispose();
  }
}
