import * as vscode from 'vscode';
import { compiledDocumentText } from './compiledRender';
import type { CatalogRegistry } from './catalogRegistry';
import type { Logger } from './logger';

/**
 * "Mallard: Show Compiled SQL": the rendered Jinja of a dbt model in a read-only virtual document
 * (`mallard-compiled:` scheme) beside the model. The scan worker renders it (`compiledRender.ts`)
 * with the dbt context of the last scan, from the editor's text, so unsaved edits show up; edits
 * re-render after a short pause, and a catalog change (a macro or YAML edit) re-renders every open one.
 */

/** URI scheme of compiled documents. */
export const COMPILED_SCHEME = 'mallard-compiled';
/** Pause after the last keystroke before the model is rendered again. */
const DEBOUNCE_MS = 300;
/** Context key: the active editor shows a dbt model, snapshot or analysis (the editor title button). */
const COMPILABLE_KEY = 'mallard.compilable';

/** The compiled document of a source file: `<name>.compiled.sql` beside it, the source in the query. */
export function compiledUri(source: vscode.Uri): vscode.Uri {
  const path = source.path.replace(/(\.[^./]*)?$/, '.compiled.sql');
  return vscode.Uri.from({ scheme: COMPILED_SCHEME, path, query: source.toString() });
}

/** The source file of a compiled document. */
export function sourceOf(compiled: vscode.Uri): vscode.Uri {
  return vscode.Uri.parse(compiled.query);
}

/** The content provider, the command and the listeners that keep open compiled documents current. */
export class CompiledSqlProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** Latest text of each open compiled document, by its URI string. */
  private readonly contents = new Map<string, string>();
  /** Number of the latest render asked per compiled URI: an older answer arriving late is dropped. */
  private readonly generation = new Map<string, number>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly catalogs: CatalogRegistry, private readonly logger: Logger) {
    this.disposables.push(
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(COMPILED_SCHEME, this),
      vscode.commands.registerCommand('mallard.showCompiledSql', (arg?: unknown) => this.show(arg instanceof vscode.Uri ? arg : undefined)),
      vscode.workspace.onDidChangeTextDocument((e) => this.sourceEdited(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme !== COMPILED_SCHEME) return;
        this.contents.delete(doc.uri.toString());
        this.generation.delete(doc.uri.toString());
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateContext()),
    );
    this.updateContext();
  }

  provideTextDocumentContent(uri: vscode.Uri): Promise<string> | string {
    return this.contents.get(uri.toString()) ?? this.render(uri);
  }

  /** Opens the compiled document of the given (else the active) model beside it. */
  async show(target?: vscode.Uri): Promise<void> {
    const source = target ?? vscode.window.activeTextEditor?.document.uri;
    if (!source || source.scheme !== 'file') {
      void vscode.window.showInformationMessage('Mallard: open a dbt model to show its compiled SQL.');
      return;
    }
    const doc = await vscode.workspace.openTextDocument(compiledUri(source));
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false });
  }

  /** Re-renders every open compiled document (the dbt context may have changed). */
  refresh(): void {
    for (const key of this.contents.keys()) this.schedule(vscode.Uri.parse(key), 0);
    this.updateContext();
  }

  private sourceEdited(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file') return;
    const compiled = compiledUri(doc.uri).toString();
    if (this.contents.has(compiled)) this.schedule(vscode.Uri.parse(compiled), DEBOUNCE_MS);
  }

  private schedule(compiled: vscode.Uri, delay: number): void {
    const key = compiled.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.render(compiled).then(() => this.changed.fire(compiled));
      }, delay),
    );
  }

  /** Renders the source of `compiled` (its open editor text, else the file) and stores the result. */
  private async render(compiled: vscode.Uri): Promise<string> {
    const key = compiled.toString();
    const turn = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, turn);
    const source = sourceOf(compiled);
    const catalog = this.catalogs.forPath(source.fsPath);
    const rel = catalog?.relative(source.fsPath);
    let text: string;
    if (!catalog || !rel) {
      text = `-- Mallard could not compile ${source.fsPath}: it is outside every catalogued workspace folder.\n`;
    } else {
      const doc = await vscode.workspace.openTextDocument(source);
      const preview = await catalog.render(rel, doc.getText());
      if (!preview.ok && preview.reason === 'failed') this.logger.warn(`Compiling ${rel} failed: ${preview.message}`);
      text = compiledDocumentText(rel, preview);
    }
    // A newer render was asked while this one ran: its text wins, whichever answers last.
    if (this.generation.get(key) === turn) this.contents.set(key, text);
    return this.contents.get(key) ?? text;
  }

  /** Sets the context key of the editor title button from the active editor's catalog entities. */
  private updateContext(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const catalog = doc && doc.uri.scheme === 'file' ? this.catalogs.forPath(doc.uri.fsPath) : undefined;
    const rel = doc && catalog?.relative(doc.uri.fsPath);
    const compilable = rel !== undefined && rel.endsWith('.sql') && catalog !== undefined && catalog.entitiesIn(rel).some((e) => e.kind === 'model' || e.kind === 'snapshot' || e.kind === 'analysis');
    void vscode.commands.executeCommand('setContext', COMPILABLE_KEY, compilable);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}
