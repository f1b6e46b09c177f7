/**
 * The published state of the sync engine, for the status bar, `mallard sync status` and tests. The
 * engine never throws to its callers: every failure becomes a status with a reason, and the engine
 * retries on its own when retrying can help.
 */

/**
 * - `idle`: the last cycle completed; nothing is in flight.
 * - `syncing`: a cycle is pushing or pulling.
 * - `offline`: the server cannot be reached, or nobody is signed in (`reason.code` says which).
 * - `error`: the server or the replica refused; `reason` says why and whether it is retried.
 */
export type SyncState = 'idle' | 'syncing' | 'offline' | 'error';

/** Why the engine is `offline` or in `error`. */
export interface SyncReason {
  /**
   * A request error code of the contract (`unauthorized`, `forbidden`, `client-too-old`,
   * `unavailable`, …), or a local one: `offline` (no connection), `signed-out` (no credentials),
   * `credentials` (the provider failed), `internal` (an unexpected local failure).
   */
  code: string;
  message: string;
  /** True when the engine retries by itself (with backoff); otherwise the next trigger tries again. */
  retryable: boolean;
}

/** A snapshot of the engine's state. Plain JSON: it crosses the worker protocol unchanged. */
export interface SyncStatus {
  state: SyncState;
  reason?: SyncReason;
  /** Organization synced. */
  orgId: string;
  /** This replica's id, once known. */
  replicaId?: string;
  /** Local edits not yet acknowledged by the server. */
  pendingOps: number;
  /** Edits the server applied whose result a pull has not brought back yet. */
  unconfirmedOps: number;
  /** Open conflicts (Conflicts view). */
  conflicts: number;
  /** Refused edits kept for the author (Rejected Changes view). */
  rejections: number;
  /** End of the last cycle that completed (ISO 8601). */
  lastSyncedAt?: string;
  /** When the engine will try again (ISO 8601), while a retry or the next interval is scheduled. */
  nextAttemptAt?: string;
  /** Failed cycles in a row (the backoff exponent). */
  failures: number;
  /** What the last completed cycle moved. */
  lastCycle?: CycleSummary;
}

/** What one cycle moved. */
export interface CycleSummary {
  /** Ops the server acknowledged (applied, conflict, duplicate or rejected). */
  pushedOps: number;
  /** Rows and tombstones applied from pulled pages. */
  pulledRows: number;
  /** Pull requests made (pages). */
  pages: number;
  /** The server's messages for description changes it held for approval in this cycle (doc versions). */
  submittedForApproval?: string[];
}

/** Backoff after failed cycles: exponential with jitter, capped. */
export interface BackoffOptions {
  /** Delay after the first failure (default 1 s). */
  initialMs: number;
  /** Largest delay (default 5 min). */
  maxMs: number;
  /** Growth per failure (default 2). */
  factor: number;
  /** Fraction of the delay that is random (default 0.5: between 50 % and 100 % of it). */
  jitter: number;
}

/** Default backoff. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 300_000, factor: 2, jitter: 0.5 };

/** Delay before the next attempt after `failures` failed cycles in a row (`random` in [0, 1)). */
export function backoffDelay(failures: number, options: BackoffOptions, random: number): number {
  const raw = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, failures - 1));
  return Math.round(raw * (1 - options.jitter + options.jitter * random));
}
