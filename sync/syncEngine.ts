import type { SyncOp } from '../core/sync/ops';
import type { ConflictRecord, LoserRecord, OpRef } from '../core/sync/records';
import { SyncError } from '../core/sync/errors';
import type { ConflictResolution, CredentialsProvider, LocalRejection, SyncClock, SyncStore, SyncTransport } from './ports';
import { OfflineError } from './ports';
import type { BackoffOptions, CycleSummary, SyncReason, SyncStatus } from './status';
import { DEFAULT_BACKOFF, backoffDelay } from './status';
import { pullAll, pushAll } from './syncCycle';

/**
 * The client sync engine. A cycle pushes the outbox, then pulls until caught up; the scheduler runs
 * cycles on an interval, soon after local edits, on window focus and when the network comes back,
 * and backs off exponentially after transient failures. Every outcome is published as a
 * `SyncStatus`; no method throws to the caller (the UI), and user actions on conflicts and
 * rejections are local writes followed by a sync. See `sync/README.md`.
 */

/** What starts a cycle (besides `syncNow`). */
export type SyncTrigger = 'focus' | 'online' | 'edit';

/** Construction options. */
export interface SyncEngineOptions {
  /** Organization this replica syncs. */
  orgId: string;
  store: SyncStore;
  transport: SyncTransport;
  credentials: CredentialsProvider;
  clock: SyncClock;
  /** Time between cycles when nothing happens (default 60 s). */
  intervalMs?: number;
  /**
   * Delay between a local edit and the cycle that pushes it (default 300 ms: edits of one burst, such
   * as a bulk change, share a cycle, and a teammate sees a saved edit within a second).
   */
  editDelayMs?: number;
  /** Ops per push request (default 500; the contract allows 1000). */
  pushBatch?: number;
  /** Rows asked for per pull page (default 1000; the contract allows 5000). */
  pageSize?: number;
  backoff?: Partial<BackoffOptions>;
  /** Random source for backoff jitter (default `Math.random`). */
  random?: () => number;
}

type Listener = (status: SyncStatus) => void;

export class SyncEngine {
  private current: SyncStatus;
  private readonly listeners = new Set<Listener>();
  private chain: Promise<SyncStatus>;
  private queued: Promise<SyncStatus> | undefined;
  private started = false;
  private timer: unknown;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly backoff: BackoffOptions;

  constructor(private readonly options: SyncEngineOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.current = { state: 'idle', orgId: options.orgId, pendingOps: 0, unconfirmedOps: 0, conflicts: 0, rejections: 0, failures: 0 };
    this.current = this.withCounts(this.current);
    this.chain = Promise.resolve(this.current);
  }

  /** The latest status. */
  get status(): SyncStatus {
    return this.current;
  }

  /** Calls `listener` with every new status; returns the unsubscribe function. */
  onStatus(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts scheduling: a first cycle at once, then on the interval and on triggers. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0, true);
  }

  /** Stops scheduling and waits for a running cycle to end. Idempotent. */
  async stop(): Promise<void> {
    this.started = false;
    this.clearTimer();
    await this.chain;
  }

  /** Runs a cycle now (or joins the one queued) and resolves with the status after it. Never rejects. */
  syncNow(): Promise<SyncStatus> {
    if (this.queued !== undefined) return this.queued;
    const next = this.chain.then(() => {
      this.queued = undefined;
      return this.cycle();
    });
    this.queued = next;
    this.chain = next;
    return next;
  }

  /**
   * Tells the scheduler something happened: `edit` (a local change: sync after `editDelayMs`),
   * `focus` (the window came back: sync now), `online` (the network is back: forget the backoff and
   * sync now). Edits and focus wait for a running backoff; they do not hammer a failing server.
   */
  notify(trigger: SyncTrigger): void {
    if (!this.started) {
      this.refreshCounts();
      return;
    }
    if (trigger === 'online') {
      this.current = { ...this.current, failures: 0 };
      this.schedule(0, true);
      return;
    }
    if (this.current.failures > 0 && this.timer !== undefined) return;
    this.schedule(trigger === 'edit' ? (this.options.editDelayMs ?? 300) : 0, false);
  }

  /** Open conflicts, newest state first as stored. */
  conflicts(): ConflictRecord[] {
    return this.safely(() => this.options.store.conflicts(), []);
  }

  /** Values kept for one-click undo. */
  losers(): LoserRecord[] {
    return this.safely(() => this.options.store.losers(), []);
  }

  /** Refused edits (by the server, or access revoked). */
  rejections(): LocalRejection[] {
    return this.safely(() => this.options.store.rejections(), []);
  }

  /** Settles a conflict with a resolving op, then syncs soon. Undefined when it is not open (or the store failed). */
  resolveConflict(conflictId: string, resolution: ConflictResolution): SyncOp | undefined {
    return this.afterEdit(() => this.options.store.resolveConflict(conflictId, resolution));
  }

  /** Re-queues a rejected edit as a new op, then syncs soon. */
  retryRejected(op: OpRef): SyncOp | undefined {
    return this.afterEdit(() => this.options.store.retryRejected(op));
  }

  /** Forgets a rejected edit. */
  dismissRejection(op: OpRef): boolean {
    const done = this.safely(() => this.options.store.dismissRejection(op), false);
    this.refreshCounts();
    return done;
  }

  private afterEdit(fn: () => SyncOp | undefined): SyncOp | undefined {
    const op = this.safely(fn, undefined);
    this.refreshCounts();
    if (op !== undefined) this.notify('edit');
    return op;
  }

  private async cycle(): Promise<SyncStatus> {
    this.clearTimer();
    const { store, transport, orgId } = this.options;
    try {
      const credentials = await this.options.credentials.getCredentials().catch((err: unknown) => {
        throw new CycleFailure({ code: 'credentials', message: `Could not get credentials: ${messageOf(err)}`, retryable: true }, 'error');
      });
      if (credentials === undefined) {
        this.publish({ ...this.withCounts(this.current), state: 'offline', reason: { code: 'signed-out', message: 'Sign in to sync.', retryable: false } });
        this.scheduleInterval();
        return this.current;
      }
      const { replicaId } = store.bindOrg(orgId, credentials.principal);
      const summary: CycleSummary = { pushedOps: 0, pulledRows: 0, pages: 0 };
      this.publish({ ...this.current, state: 'syncing', replicaId, reason: undefined, nextAttemptAt: undefined });
      const context = {
        orgId,
        store,
        transport,
        credentials,
        pushBatch: this.options.pushBatch ?? 500,
        pageSize: this.options.pageSize ?? 1000,
        progress: (event: { pushedOps: number; submittedForApproval?: string[] } | { pulledRows: number }) => {
          if ('pushedOps' in event) {
            summary.pushedOps += event.pushedOps;
            if (event.submittedForApproval) summary.submittedForApproval = [...(summary.submittedForApproval ?? []), ...event.submittedForApproval];
          } else {
            summary.pulledRows += event.pulledRows;
            summary.pages += 1;
          }
          this.refreshCounts();
        },
      };
      // A push refused for lack of access still pulls: a revocation reaches the replica only
      // through a pull (scopes removed: its rows are purged and its pending ops become
      // access-revoked rejections). Without it a member removed while holding pending edits would
      // keep the organization's rows forever, every cycle stopping at the refused push.
      const refused = await pushAll(context).then(
        () => undefined,
        (err: unknown) => {
          if (SyncError.is(err, 'forbidden')) return err;
          throw err;
        },
      );
      await pullAll(context);
      // Edits made while the pull ran go up in the same cycle.
      await pushAll(context);
      if (refused !== undefined) throw refused;
      this.publish({ ...this.withCounts(this.current), state: 'idle', reason: undefined, failures: 0, lastSyncedAt: this.isoNow(), replicaId: store.state().replicaId, lastCycle: summary });
      this.scheduleInterval();
    } catch (err) {
      this.fail(err);
    }
    return this.current;
  }

  private fail(err: unknown): void {
    const { reason, state } = classify(err);
    const failures = reason.retryable ? this.current.failures + 1 : this.current.failures;
    this.publish({ ...this.withCounts(this.current), state, reason, failures });
    if (reason.retryable) {
      const delay = backoffDelay(failures, this.backoff, (this.options.random ?? Math.random)());
      this.schedule(delay, true);
    } else {
      this.scheduleInterval();
    }
  }

  private scheduleInterval(): void {
    this.schedule(this.options.intervalMs ?? 60_000, true);
  }

  /** Sets the timer to fire in `ms`; without `replace`, only when that is sooner than the one set. */
  private schedule(ms: number, replace: boolean): void {
    if (!this.started) return;
    const { clock } = this.options;
    const at = clock.now() + ms;
    if (!replace && this.timer !== undefined && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = clock.setTimer(ms, () => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      void this.syncNow();
    });
    this.publish({ ...this.current, nextAttemptAt: new Date(at).toISOString() });
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.options.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private refreshCounts(): void {
    this.publish(this.withCounts(this.current));
  }

  private withCounts(status: SyncStatus): SyncStatus {
    const counts = this.safely(() => this.options.store.counts(), undefined);
    if (counts === undefined) return status;
    return { ...status, pendingOps: counts.pending, unconfirmedOps: counts.unconfirmed, conflicts: counts.conflicts, rejections: counts.rejections };
  }

  private publish(status: SyncStatus): void {
    const clean = Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined)) as unknown as SyncStatus;
    if (JSON.stringify(clean) === JSON.stringify(this.current)) return;
    this.current = clean;
    for (const listener of this.listeners) {
      try {
        listener(clean);
      } catch {
        // A failing listener must not stop the engine or the other listeners.
      }
    }
  }

  private safely<T>(fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (err) {
      this.publish({ ...this.current, state: 'error', reason: { code: 'internal', message: messageOf(err), retryable: true } });
      return fallback;
    }
  }

  private isoNow(): string {
    return new Date(this.options.clock.now()).toISOString();
  }
}

/** A failure already classified. */
class CycleFailure extends Error {
  constructor(
    readonly reason: SyncReason,
    readonly state: 'offline' | 'error',
  ) {
    super(reason.message);
  }
}

/** Maps what a cycle threw to a state and reason. */
function classify(err: unknown): { reason: SyncReason; state: 'offline' | 'error' } {
  if (err instanceof CycleFailure) return { reason: err.reason, state: err.state };
  if (OfflineError.is(err)) return { state: 'offline', reason: { code: 'offline', message: err.message, retryable: true } };
  if (SyncError.is(err)) return { state: 'error', reason: { code: err.reason, message: err.message, retryable: err.retryable } };
  // A local failure (a locked or full disk): retried with backoff like a transient server error.
  return { state: 'error', reason: { code: 'internal', message: messageOf(err), retryable: true } };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
