import type { CatalogStore } from '../catalog/catalogStore';
import { CatalogError } from '../catalog/catalogError';
import type { CredentialsProvider, SyncCredentials } from '../../sync/ports';
import { SyncEngine } from '../../sync/syncEngine';
import type { SyncStatus } from '../../sync/status';
import { createSupabaseTransport } from '../sync/supabaseTransport';
import { nodeClock } from '../sync/nodeClock';
import type { FromWorkerSync, SyncCall } from './syncWorkerProtocol';
import { ToWorkerSync } from './syncWorkerProtocol';

/**
 * The worker side of sync (no `vscode` here: it runs in the catalog worker thread). It owns the
 * engine, which works on the worker's catalog connection — the one that already writes — so a
 * 10,000-row page never blocks the extension host and the file keeps one writer. Credentials are
 * asked of the host for every cycle. User edits (`mutate`) arrive here too, so the engine can sync
 * soon after them.
 */
export class WorkerSync {
  private engine: SyncEngine | undefined;
  private nextRequest = 1;
  private readonly waiting = new Map<number, (credentials: SyncCredentials | undefined) => void>();
  private unsubscribe: (() => void) | undefined;
  private lastAnnounced: string | undefined;

  constructor(
    private readonly store: CatalogStore,
    private readonly post: (message: FromWorkerSync) => void,
    /** Builds the transport (tests pass one to an in-memory server). */
    private readonly transport = createSupabaseTransport,
  ) {}

  /** Handles a message of the sync protocol; returns false for other messages. */
  handle(raw: unknown): boolean {
    const parsed = ToWorkerSync.safeParse(raw);
    if (!parsed.success) return false;
    const message = parsed.data;
    if (message.type === 'credentials') {
      this.waiting.get(message.requestId)?.(message.credentials ?? undefined);
      this.waiting.delete(message.requestId);
      return true;
    }
    void this.call(message.call).then(
      (value) => this.post({ type: 'reply', callId: message.callId, ok: true, value }),
      (err: unknown) => this.post({ type: 'reply', callId: message.callId, ok: false, error: err instanceof Error ? err.message : String(err), ...(CatalogError.is(err) ? { reason: err.reason } : {}) }),
    );
    return true;
  }

  /** Stops the engine (the worker is closing). */
  async dispose(): Promise<void> {
    await this.stopEngine();
    for (const resolve of this.waiting.values()) resolve(undefined);
    this.waiting.clear();
  }

  private async call(call: SyncCall): Promise<unknown> {
    switch (call.command) {
      case 'start':
        await this.stopEngine();
        this.engine = new SyncEngine({
          orgId: call.orgId,
          store: this.store.syncStore(),
          transport: this.transport(),
          credentials: this.credentialsFromHost(),
          clock: nodeClock,
          ...(call.intervalMs !== undefined ? { intervalMs: call.intervalMs } : {}),
        });
        this.unsubscribe = this.engine.onStatus((status) => this.published(status));
        this.engine.start();
        return this.engine.status;
      case 'stop':
        await this.stopEngine();
        return null;
      case 'syncNow':
        return this.engine === undefined ? null : this.engine.syncNow();
      case 'status':
        return this.engine?.status ?? null;
      case 'notify':
        this.engine?.notify(call.trigger);
        return null;
      case 'records':
        return this.engine === undefined
          ? { conflicts: [], losers: [], rejections: this.store.syncStore().rejections() }
          : { conflicts: this.engine.conflicts(), losers: this.engine.losers(), rejections: this.engine.rejections() };
      case 'resolveConflict':
        return this.engine?.resolveConflict(call.conflictId, call.resolution) ?? null;
      case 'retryRejected':
        return this.engine?.retryRejected(call.op) ?? this.store.syncStore().retryRejected(call.op) ?? null;
      case 'dismissRejection':
        return this.engine?.dismissRejection(call.op) ?? this.store.syncStore().dismissRejection(call.op);
      case 'mutate': {
        const op = this.store.mutate(call.target, call.patch);
        this.engine?.notify('edit');
        return op;
      }
    }
  }

  private published(status: SyncStatus): void {
    this.post({ type: 'syncStatus', status: { ...status } });
    // Once per completed cycle that moved something: the host's views re-read the catalog.
    const moved = status.lastCycle;
    if (status.lastSyncedAt === this.lastAnnounced || moved === undefined) return;
    this.lastAnnounced = status.lastSyncedAt;
    if (moved.pulledRows + moved.pushedOps > 0) this.post({ type: 'syncChanged' });
  }

  private credentialsFromHost(): CredentialsProvider {
    return {
      getCredentials: () =>
        new Promise((resolve) => {
          const requestId = this.nextRequest++;
          this.waiting.set(requestId, resolve);
          this.post({ type: 'credentials', requestId });
        }),
    };
  }

  private async stopEngine(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await engine?.stop();
  }
}
