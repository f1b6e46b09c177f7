import type { SyncOp } from '../../core/sync/ops';
import type { ConflictRecord, LoserRecord, OpRef } from '../../core/sync/records';
import type { EditPatch, EditTarget } from '../catalog/catalogTypes';
import type { ConflictResolution, CredentialsProvider, LocalRejection } from '../../sync/ports';
import type { SyncStatus } from '../../sync/status';
import type { SyncCall, ToWorkerSync } from './syncWorkerProtocol';
import { FromWorkerSync } from './syncWorkerProtocol';

/**
 * The host side of a catalog worker's sync engine (no `vscode` here; the VS Code layer builds its
 * status bar, Conflicts and Rejected Changes views on it). Calls go to the worker and resolve with
 * its reply; the worker's statuses are kept and fanned out; its credential requests are answered
 * from the `CredentialsProvider` the VS Code layer sets (SecretStorage), `null` when none is set.
 * After a worker restart, calls not answered are sent again and a started engine is started again.
 */
export class CatalogSync {
  private nextCall = 1;
  private readonly calls = new Map<number, { call: SyncCall; resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private readonly statusListeners = new Set<(status: SyncStatus) => void>();
  private started: SyncCall | undefined;
  private latest: SyncStatus | undefined;
  /** Where credentials come from; undefined means signed out. */
  credentials: CredentialsProvider | undefined;

  constructor(
    private readonly post: (message: ToWorkerSync) => void,
    /** Called when synced rows changed what reads show (views refresh). */
    private readonly onChanged: () => void,
    private readonly onError: (message: string) => void,
  ) {}

  /** The latest status the engine published (undefined before `start`). */
  get status(): SyncStatus | undefined {
    return this.latest;
  }

  /** Calls `listener` with every status; returns its disposable. */
  onStatus(listener: (status: SyncStatus) => void): { dispose(): void } {
    this.statusListeners.add(listener);
    return { dispose: () => this.statusListeners.delete(listener) };
  }

  /** Starts syncing `orgId` (a first cycle at once, then on the engine's schedule). */
  start(orgId: string, options: { intervalMs?: number } = {}): Promise<SyncStatus> {
    const call: SyncCall = { command: 'start', orgId, ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}) };
    this.started = call;
    return this.call(call) as Promise<SyncStatus>;
  }

  /** Stops the engine. */
  async stop(): Promise<void> {
    this.started = undefined;
    await this.call({ command: 'stop' });
  }

  /** Runs a cycle now; the status after it (`null` when the engine is not started). */
  syncNow(): Promise<SyncStatus | null> {
    return this.call({ command: 'syncNow' }) as Promise<SyncStatus | null>;
  }

  /** Tells the scheduler: window focus, network back, or a local edit. */
  notify(trigger: 'focus' | 'online' | 'edit'): void {
    void this.call({ command: 'notify', trigger }).catch(() => undefined);
  }

  /** Open conflicts, losers (for undo) and rejected edits. */
  records(): Promise<{ conflicts: ConflictRecord[]; losers: LoserRecord[]; rejections: LocalRejection[] }> {
    return this.call({ command: 'records' }) as Promise<{ conflicts: ConflictRecord[]; losers: LoserRecord[]; rejections: LocalRejection[] }>;
  }

  resolveConflict(conflictId: string, resolution: ConflictResolution): Promise<SyncOp | null> {
    return this.call({ command: 'resolveConflict', conflictId, resolution }) as Promise<SyncOp | null>;
  }

  retryRejected(op: OpRef): Promise<SyncOp | null> {
    return this.call({ command: 'retryRejected', op }) as Promise<SyncOp | null>;
  }

  dismissRejection(op: OpRef): Promise<boolean> {
    return this.call({ command: 'dismissRejection', op }) as Promise<boolean>;
  }

  /**
   * A user edit through the one mutation API, on the worker's connection: the overlay and the outbox
   * op in one transaction. Rejects with the store's message (`not-found`, `invalid-input`).
   */
  mutate(target: EditTarget, patch: EditPatch): Promise<SyncOp> {
    return this.call({ command: 'mutate', target: { ...target }, patch: { ...patch } }) as Promise<SyncOp>;
  }

  /** Handles a worker message of the sync protocol; false for other messages. */
  receive(raw: unknown): boolean {
    const parsed = FromWorkerSync.safeParse(raw);
    if (!parsed.success) return false;
    const message = parsed.data;
    switch (message.type) {
      case 'reply': {
        const entry = this.calls.get(message.callId);
        this.calls.delete(message.callId);
        if (message.ok) entry?.resolve(message.value);
        else entry?.reject(Object.assign(new Error(message.error ?? 'sync call failed'), message.reason !== undefined ? { reason: message.reason } : {}));
        return true;
      }
      case 'syncStatus':
        this.latest = message.status as unknown as SyncStatus;
        for (const listener of this.statusListeners) listener(this.latest);
        return true;
      case 'credentials':
        void this.answerCredentials(message.requestId);
        return true;
      case 'syncChanged':
        this.onChanged();
        return true;
    }
  }

  /** After the worker restarted: calls it never answered go again, and a started engine starts again. */
  workerRestarted(): void {
    const resend = [...this.calls.entries()];
    if (this.started !== undefined && !resend.some(([, c]) => c.call.command === 'start')) void this.call(this.started).catch(() => undefined);
    for (const [callId, entry] of resend) this.post({ type: 'call', callId, call: entry.call });
  }

  /** Rejects calls that can no longer be answered (the catalog closed). */
  dispose(): void {
    for (const entry of this.calls.values()) entry.reject(new Error('The catalog is closed'));
    this.calls.clear();
    this.statusListeners.clear();
  }

  private call(call: SyncCall): Promise<unknown> {
    const callId = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.calls.set(callId, { call, resolve, reject });
      this.post({ type: 'call', callId, call });
    });
  }

  private async answerCredentials(requestId: number): Promise<void> {
    let credentials = null;
    try {
      credentials = (await this.credentials?.getCredentials()) ?? null;
    } catch (err) {
      this.onError(`Sync: could not read credentials: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.post({ type: 'credentials', requestId, credentials });
  }
}
