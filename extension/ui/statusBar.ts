import * as vscode from 'vscode';

/** What the status-bar item shows. */
export type ScanState =
  | { kind: 'starting' }
  | { kind: 'scanning'; done: number; total: number }
  | { kind: 'ready'; models: number; sources: number; diagnostics: number; perFolder?: readonly { name: string; models: number; sources: number }[]; dialects?: readonly { project: string; dialect: string; reason: string }[] }
  | { kind: 'error'; message: string }
  | { kind: 'unsupported'; message: string };

/** The Mallard status-bar item: scan state and counts; clicking it shows the log. */
export class MallardStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('mallard.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Mallard';
    this.item.command = 'mallard.showLog';
    this.update({ kind: 'starting' });
    this.item.show();
  }

  update(state: ScanState): void {
    this.item.backgroundColor = undefined;
    switch (state.kind) {
      case 'starting':
        this.item.text = '$(database) Mallard';
        this.item.tooltip = 'Mallard is starting';
        break;
      case 'scanning':
        this.item.text = `$(sync) Mallard ${state.done}/${state.total}`;
        this.item.tooltip = 'Mallard is scanning the workspace';
        break;
      case 'ready':
        this.item.text = `$(database) Mallard: ${state.models} models · ${state.sources} sources`;
        // Counts are totals across the workspace folders' catalogs; the tooltip splits them.
        this.item.tooltip = [
          ...(state.perFolder ?? []).map((f) => `${f.name}: ${f.models} models · ${f.sources} sources`),
          // Which dialect each dbt project is parsed in, and why: a wrong dialect explains many parse errors.
          ...(state.dialects ?? []).map((d) => `${d.project}: ${d.dialect} SQL (${d.reason})`),
          `${state.diagnostics} diagnostics. Click to show the Mallard log.`,
        ].join('\n');
        break;
      case 'error':
      case 'unsupported':
        this.item.text = '$(error) Mallard';
        this.item.tooltip = state.message;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
