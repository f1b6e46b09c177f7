import * as vscode from 'vscode';
import type { ReviewQueue, QueueEntry } from '../ai/reviewQueue';
import { parseQueueWebviewMessage, QUEUE_PROTOCOL_VERSION, type BatchView, type QueueHostMessage, type QueueWebviewMessage } from '../../webviews/queue/protocol';
import type { Logger } from './logger';
import { WebviewPanelHost } from './webviewHost';

/** What the panel asks of the rest of the extension. */
export interface ReviewQueueActions {
  /** Saves an accepted description through the docs save path; resolves to the confirmation. */
  save(entry: QueueEntry, column: string | undefined, text: string): Promise<string>;
  openDocs(entry: QueueEntry): void;
  cancelBatch(): void;
}

/**
 * Hosts the AI review-queue webview: posts the session's queue (and the running batch's progress)
 * after every change, and turns the page's Accept into a save through the docs save path. The queue
 * is not owned here: closing the panel drops only the view.
 */
export class ReviewQueuePanel implements vscode.Disposable {
  private panel: WebviewPanelHost<QueueWebviewMessage, QueueHostMessage> | undefined;
  private batch: BatchView | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly queue: ReviewQueue,
    private readonly actions: ReviewQueueActions,
    private readonly logger: Logger,
  ) {
    this.unsubscribe = queue.onChange(() => this.send());
  }

  /** Opens (or reveals) the panel. */
  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.panel = new WebviewPanelHost<QueueWebviewMessage, QueueHostMessage>(this.extensionUri, {
      viewType: 'mallard.aiQueue',
      app: 'queue',
      title: 'Mallard AI Review Queue',
      protocolVersion: QUEUE_PROTOCOL_VERSION,
      parse: parseQueueWebviewMessage,
      onReady: () => this.send(),
      onMessage: (m) => this.receive(m),
      onDispose: () => (this.panel = undefined),
    }, this.logger);
  }

  /** The running batch's progress (undefined once no batch ran). */
  setBatch(batch: BatchView | undefined): void {
    this.batch = batch;
    this.send();
  }

  private send(): void {
    if (!this.panel) return;
    const entries = this.queue.entries().map(({ root: _root, ...e }) => e);
    this.panel.post({ type: 'notify', event: 'queue', entries, ...(this.batch ? { batch: this.batch } : {}) });
  }

  private async receive(message: Exclude<QueueWebviewMessage, { type: 'ready' }>): Promise<void> {
    if (message.type === 'request') {
      const { key, column, text } = message.params;
      await this.panel?.respond(message, () => this.queue.accept(key, column, text, (entry, col, t) => this.actions.save(entry, col, t)));
      return;
    }
    const entry = 'key' in message ? this.queue.get(message.key) : undefined;
    if (message.command === 'discard') this.queue.discard(message.key, message.column);
    else if (message.command === 'remove') this.queue.remove(message.key);
    else if (message.command === 'clearFinished') this.queue.clearFinished();
    else if (message.command === 'cancelBatch') this.actions.cancelBatch();
    else if (message.command === 'openDocs' && entry) this.actions.openDocs(entry);
  }

  dispose(): void {
    this.unsubscribe();
    this.panel?.dispose();
  }
}
