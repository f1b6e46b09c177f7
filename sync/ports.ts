import type { Cursor } from '../core/sync/cursor';
import type { JsonValue, RowTarget, SyncOp } from '../core/sync/ops';
import type { PullRequest, PullResponse, Scope } from '../core/sync/pullMessages';
import type { PushRequest, PushResponse } from '../core/sync/pushMessages';
import type { ConflictRecord, LoserRecord, OpRef, RejectionRecord } from '../core/sync/records';

/**
 * The ports through which the sync engine reaches the world, and nothing else: the local replica
 * (`SyncStore`), the server (`SyncTransport`) and the signed-in identity (`CredentialsProvider`),
 * plus a clock for its timers. Each has a production implementation outside `sync/` (SQLite adapter
 * in `extension/catalog/sqliteSyncStore.ts`, supabase-js in `extension/sync/supabaseTransport.ts`,
 * CLI and VS Code credentials) and an in-memory one for unit tests (`sync/memory/`).
 */

/** What a transport needs to call the edge functions as the signed-in user or API token. */
export interface SyncCredentials {
  /** Supabase project URL (`https://<ref>.supabase.co`). */
  url: string;
  /** The project's publishable (anon) key, sent as `apikey`. */
  apiKey: string;
  /** A user session's access token (JWT) or an API token (`mlpat_…`), sent as `Authorization: Bearer`. */
  accessToken: string;
  /** Who this is (e-mail or token name), for status lines; never sent. */
  label?: string;
  /**
   * A stable id of the principal (a user's JWT `sub`, or a fingerprint of an API token). The server
   * ties a replica id to the principal that first used it, so a replica signed in as another
   * principal starts over (`SyncStore.bindOrg`). Undefined: not checked.
   */
  principal?: string;
}

/**
 * Hands out fresh credentials for each sync cycle (PowerSync's `fetchCredentials`): it refreshes an
 * expiring session itself. `undefined` means signed out: the engine shows `offline` / `signed-out`
 * and does not call the server.
 */
export interface CredentialsProvider {
  getCredentials(): Promise<SyncCredentials | undefined>;
}

/**
 * The server. Implementations throw `SyncError` (from `core/sync/errors.ts`) for an error envelope
 * or HTTP status, and `OfflineError` when the server cannot be reached at all; the engine decides
 * on retries from those. They validate responses against the contract's schemas.
 */
export interface SyncTransport {
  push(request: PushRequest, credentials: SyncCredentials): Promise<PushResponse>;
  pull(request: PullRequest, credentials: SyncCredentials): Promise<PullResponse>;
}

/** The server could not be reached (no network, DNS, connection refused); retried with backoff, shown as `offline`. */
export class OfflineError extends Error {
  override readonly name = 'OfflineError';
  readonly reason = 'offline';

  /** True when `err` is an OfflineError. */
  static is(err: unknown): err is OfflineError {
    return err instanceof OfflineError;
  }
}

/** Timers, injected so that tests drive time and `sync/` needs no host globals. */
export interface SyncClock {
  now(): number;
  setTimer(ms: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
}

/** A resync in progress: pages of its own stream, then rows of `scopes` it did not serve are removed. */
export interface ResyncState {
  /** Rows applied by this resync carry this generation; the final sweep removes older ones in its scopes. */
  generation: number;
  /** `all` after an epoch change or an expired cursor (its stream becomes the main one); else the scopes whose checksum differed. */
  scopes: 'all' | Scope[];
  cursor: Cursor | null;
}

/** The local sync state of a replica. */
export interface LocalSyncState {
  replicaId: string;
  /** The organization this replica syncs; undefined before the first sync. */
  orgId: string | undefined;
  /** Position of the main pull stream; `null` before the first page. */
  cursor: Cursor | null;
  /** Scopes this replica holds rows of (sent with each pull, so the server reports the ones lost). */
  scopes: Scope[];
  resync: ResyncState | undefined;
}

/** Counters for the status. */
export interface SyncCounts {
  /** Ops in the outbox, not yet acknowledged by the server. */
  pending: number;
  /** Ops the server applied whose result a pull has not confirmed yet. */
  unconfirmed: number;
  /** Open conflicts (both sides see them until resolved). */
  conflicts: number;
  /** Ops refused for good (by the server, or locally: access revoked), kept until retried or dismissed. */
  rejections: number;
}

/** A rejected op as the replica keeps it: the record plus the op, so it can be shown and retried. */
export interface LocalRejection extends RejectionRecord {
  /** The refused op (absent when only the server's record is known). */
  change?: SyncOp;
}

/** How a conflict is settled: keep the server value, or write a value (the op's, or one edited in the diff view). */
export type ConflictResolution = { keep: 'server' } | { value: JsonValue };

/** Which page stream a pulled page belongs to. */
export type PageStream = 'main' | 'resync';

/**
 * The local replica: one SQLite file in production. Every method is synchronous and atomic (one
 * transaction); none of them may throw on data from the server it has already validated.
 * `applyPage` never writes the outbox: only user edits (and `resolveConflict` / `retryRejected`,
 * which are user edits) append ops.
 */
export interface SyncStore {
  state(): LocalSyncState;
  /**
   * Binds the replica to `orgId` and the signed-in `principal`. Another organization or principal
   * than before starts a new replica id (one replica syncs one organization for one principal),
   * removes the rows, records, scopes and cursor pulled before (they followed the old access), and
   * moves pending ops to rejections (they were meant for the old organization or made by the other
   * principal; `retryRejected` re-queues one).
   */
  bindOrg(orgId: string, principal?: string): { replicaId: string; changed: boolean };
  /** Outbox ops of the current replica, oldest first. */
  pendingOps(limit: number): SyncOp[];
  counts(): SyncCounts;
  /**
   * Records a push answer in one transaction: applied / conflict / duplicate ops (and any op up to
   * `lastApplied` without an ack) leave the outbox and wait for confirmation with `txid`; rejected
   * ops leave it for the rejection list, and rows they touched show the server value again.
   */
  recordPush(ops: readonly SyncOp[], response: PushResponse): void;
  /** Moves unconfirmed ops numbered `from` and up back to the outbox (the server lost them); returns how many. */
  restoreUnconfirmed(from: number): number;
  /**
   * Starts a new replica id and renumbers the outbox under it from 1, re-basing each op's vector (the
   * server retired the old id, or ops it expects are gone). Returns the new id.
   */
  rebase(): string;
  /**
   * Applies one pulled page in one transaction together with its cursor: rows and tombstones (a row
   * older than the local copy is skipped), local views of rows with pending ops (merged with the
   * contract's `mergePatch`), records, scopes added, scopes removed (purged, their pending ops become
   * `access-revoked` rejections), and — when `confirm` — confirmation of unconfirmed ops whose
   * transaction settled below the page's horizon.
   */
  applyPage(response: PullResponse, stream: PageStream, confirm: boolean): void;
  /** Starts a resync (`all`: the main cursor restarts too) and returns it. */
  beginResync(scopes: 'all' | Scope[]): ResyncState;
  /** Ends the resync: rows of its scopes it did not serve are removed; an `all` resync's cursor becomes the main one. */
  finishResync(): void;
  /** Count and checksum (`core/sync/checksum.ts`) of the live rows of each scope, as the server computes them. */
  localChecksums(scopes: readonly Scope[]): { scope: Scope; rows: number; checksum: string }[];
  conflicts(): ConflictRecord[];
  losers(): LoserRecord[];
  rejections(): LocalRejection[];
  /** Appends the op that resolves a conflict (`resolves: [id]`); undefined when the conflict is not open. */
  resolveConflict(conflictId: string, resolution: ConflictResolution): SyncOp | undefined;
  /** Re-queues a rejected op as a new op based on the row as it is now; undefined when unknown or without the op. */
  retryRejected(op: OpRef): SyncOp | undefined;
  /** Forgets a rejection; returns whether it existed. */
  dismissRejection(op: OpRef): boolean;
}

/** A row target as a map key. */
export function targetKey(target: RowTarget): string {
  return `${target.kind}\u0000${target.id}`;
}

/** A scope as a map key. */
export function scopeKey(scope: Scope): string {
  return `${scope.orgId}/${scope.teamId ?? '*'}`;
}
