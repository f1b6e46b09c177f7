import * as vscode from 'vscode';
import type { Logger } from './logger';
import { webviewHtml, webviewOptions } from './webviewHtml';

/**
 * The one webview host every Mallard panel (lineage, docs, and the coming admin and conflicts views)
 * is built on. It owns what each panel used to repeat: creating the panel with the shared options,
 * the HTML shell with its CSP and nonce, the ready handshake (with a protocol-version check), a
 * queue for messages posted before the page listens, typed request/response answering, and the
 * disposables of one panel, released together when the panel closes.
 */

/** The handshake message every webview app posts once its script listens. */
export interface ReadyMessage {
  type: 'ready';
  protocolVersion: number;
}

/** A request from a webview: the reply must carry the same `id` and `method`. */
export interface WebviewRequest {
  type: 'request';
  id: number;
  method: string;
}

/** The reply to one request, as every Mallard protocol spells it. */
export type WebviewResponse<M extends string = string> =
  | { type: 'response'; id: number; method: M; ok: true; result: unknown }
  | { type: 'response'; id: number; method: M; ok: false; error: string };

/** What a panel declares about itself. `In` is every message its webview may post, `ready` included. */
export interface WebviewPanelSpec<In extends { type: string }> {
  /** The `viewType` of the panel (`mallard.lineage`). */
  viewType: string;
  /** The webview app: its bundle is `dist/webviews/<app>.js`. */
  app: string;
  /** The tab title until the panel sets a better one. */
  title: string;
  /** The protocol version the host speaks; a `ready` with another version is refused (and logged). */
  protocolVersion: number;
  /** Validates a raw message; undefined drops it. */
  parse(raw: unknown): In | undefined;
  /** Runs after each handshake (also after the page reloads), once queued messages are flushed. */
  onReady(): void | Promise<void>;
  /** Every valid message that is not the handshake. */
  onMessage(message: Exclude<In, ReadyMessage>): void | Promise<void>;
  /** Runs once when the user (or `dispose`) closes the panel. */
  onDispose?(): void;
}

/** One open panel and its plumbing. `Out` is every message the host may post to it. */
export class WebviewPanelHost<In extends { type: string }, Out> implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private isReady = false;
  private disposed = false;
  /** Messages posted before the handshake; sent in order once the page listens. */
  private queue: Out[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly spec: WebviewPanelSpec<In>,
    private readonly logger: Logger,
    column: vscode.ViewColumn = vscode.ViewColumn.Beside,
  ) {
    this.panel = vscode.window.createWebviewPanel(spec.viewType, spec.title, { viewColumn: column, preserveFocus: true }, webviewOptions(extensionUri));
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'webviews', 'media', 'mallard.svg');
    this.panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw), undefined, this.disposables);
    this.panel.onDidDispose(() => this.released(), undefined, this.disposables);
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, spec.app, spec.title);
  }

  /** True once the page has answered the handshake with the right protocol version. */
  get ready(): boolean {
    return this.isReady;
  }

  /** False once the panel was closed; a closed host posts nothing. */
  get alive(): boolean {
    return !this.disposed;
  }

  /** Sets the tab title (a human name, never a raw id). */
  set title(title: string) {
    if (!this.disposed) this.panel.title = title;
  }

  /** Brings the panel to the front without taking focus from the editor. */
  reveal(): void {
    if (!this.disposed) this.panel.reveal(undefined, true);
  }

  /** Posts a message now, or after the handshake if the page does not listen yet. */
  post(message: Out): void {
    if (this.disposed) return;
    if (!this.isReady) {
      this.queue.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  /**
   * Answers one request with exactly one response carrying its id and method: the handler's value,
   * or its error's message (a failed handler never leaves the webview's promise pending).
   */
  async respond(request: WebviewRequest, handler: () => unknown): Promise<void> {
    let response: WebviewResponse;
    try {
      response = { type: 'response', id: request.id, method: request.method, ok: true, result: await handler() };
    } catch (err) {
      response = { type: 'response', id: request.id, method: request.method, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    // Responses share the protocol's response shape, which every `Out` union includes.
    this.post(response as Out);
  }

  /** Ties a disposable to this panel: released when the panel closes. */
  track<T extends vscode.Disposable>(disposable: T): T {
    if (this.disposed) disposable.dispose();
    else this.disposables.push(disposable);
    return disposable;
  }

  dispose(): void {
    if (!this.disposed) this.panel.dispose();
  }

  private async receive(raw: unknown): Promise<void> {
    const message = this.spec.parse(raw);
    if (!message) {
      this.logger.debug(`${this.spec.title}: dropped a message that does not match the protocol`);
      return;
    }
    if (isReady(message)) {
      if (message.protocolVersion !== this.spec.protocolVersion) {
        this.logger.warn(`${this.spec.title} view speaks protocol ${message.protocolVersion}, expected ${this.spec.protocolVersion}`);
        return;
      }
      this.isReady = true;
      const queued = this.queue;
      this.queue = [];
      for (const m of queued) void this.panel.webview.postMessage(m);
      await this.spec.onReady();
      return;
    }
    await this.spec.onMessage(message as Exclude<In, ReadyMessage>);
  }

  private released(): void {
    this.disposed = true;
    this.isReady = false;
    this.queue = [];
    this.spec.onDispose?.();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function isReady(message: { type: string }): message is ReadyMessage {
  return message.type === 'ready';
}
