import * as vscode from 'vscode';
import type { Diagnostic } from '../../core/model/entities';
import type { WorkspaceCatalog } from './workspaceCatalog';

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

/** Publishes the catalog's diagnostics to the Problems panel and lists them in the Diagnostics view. */
export class DiagnosticsPublisher implements vscode.TreeDataProvider<Diagnostic | string>, vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mallard');
  private readonly emitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private byFile = new Map<string, Diagnostic[]>();
  private root = '';

  /** Re-reads every diagnostic from the store and republishes them. */
  publish(catalog: WorkspaceCatalog): void {
    this.root = catalog.root;
    this.byFile = new Map();
    for (const d of catalog.store.diagnostics()) {
      const list = this.byFile.get(d.file) ?? [];
      list.push(d);
      this.byFile.set(d.file, list);
    }
    this.collection.clear();
    for (const [file, list] of this.byFile) {
      this.collection.set(
        vscode.Uri.file(`${this.root}/${file}`),
        list.map((d) => {
          const diagnostic = new vscode.Diagnostic(rangeOf(d), d.message, SEVERITY[d.severity]);
          diagnostic.source = `mallard (${d.extractor})`;
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
    for (const list of this.byFile.values()) n += list.length;
    return n;
  }

  getChildren(element?: Diagnostic | string): (Diagnostic | string)[] {
    if (element === undefined) return [...this.byFile.keys()].sort();
    if (typeof element === 'string') return this.byFile.get(element) ?? [];
    return [];
  }

  getTreeItem(element: Diagnostic | string): vscode.TreeItem {
    if (typeof element === 'string') {
      const item = new vscode.TreeItem(element, vscode.TreeItemCollapsibleState.Expanded);
      item.resourceUri = vscode.Uri.file(`${this.root}/${element}`);
      item.iconPath = vscode.ThemeIcon.File;
      item.description = `${this.byFile.get(element)?.length ?? 0}`;
      return item;
    }
    const item = new vscode.TreeItem(element.message, vscode.TreeItemCollapsibleState.None);
    item.description = `${element.code} · ${element.line}:${element.column}`;
    item.iconPath = new vscode.ThemeIcon(element.severity === 'error' ? 'error' : element.severity === 'warning' ? 'warning' : 'info');
    const uri = vscode.Uri.file(`${this.root}/${element.file}`);
    item.command = { command: 'vscode.open', title: 'Open', arguments: [uri, { selection: rangeOf(element) }] };
    return item;
  }

  dispose(): void {
    this.collection.dispose();
    this.emitter.dispose();
  }
}
