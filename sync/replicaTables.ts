import type { JsonValue, RowTarget, SyncOp } from '../core/sync/ops';
import type { ConflictRecord, LoserRecord, OpRef } from '../core/sync/records';
import type { VersionVector } from '../core/sync/versionVector';
import type { LocalRejection, SyncCounts } from './ports';

/**
 * The storage primitives a replica needs, below the `SyncStore` port. `ReplicaStore`
 * (`replicaStore.ts`) implements every sync rule once on top of them, so the SQLite adapter and the
 * in-memory store differ only in where bytes go, and the engine's unit tests exercise the same
 * rules the SQLite file runs. Implementations do no sync logic of their own.
 */

/** Keys of the replica's small state. */
export type ReplicaMetaKey =
  /** This file's replica id. */
  | 'replicaId'
  /** Last op number handed out (never reused). */
  | 'lastOpNumber'
  /** Organization the replica syncs. */
  | 'orgId'
  /** Principal the replica syncs as. */
  | 'principal'
  /** Main pull cursor (JSON). */
  | 'cursor'
  /** Scopes held (JSON array). */
  | 'scopes'
  /** Resync in progress (JSON `ResyncState`). */
  | 'resync'
  /** Last resync generation handed out. */
  | 'generation';

/** A pulled row as the replica keeps it: the server's state, and the local view when ops are pending. */
export interface StoredRow {
  target: RowTarget;
  teamId: string | null;
  /** Server field values (unset fields absent). */
  fields: Record<string, JsonValue>;
  provenance: Record<string, VersionVector>;
  vector: VersionVector;
  /** Set on a tombstone (then `fields` is empty): the vector of the delete as pulled. */
  deleted?: VersionVector;
  /**
   * What reads show while this replica has unconfirmed ops on the row: the server row with those ops
   * merged over it by `mergePatch`; `null` when no op is pending (reads show `fields`).
   */
  view: Record<string, JsonValue> | null;
  /** Resync generation that last wrote the row (0 when none). */
  generation: number;
}

/** An op the server applied, kept until a pull confirms it. */
export interface UnconfirmedOp {
  op: SyncOp;
  /** Transaction that applied it; `null` when the server reported it as already applied. */
  txid: string | null;
}

/** Which rows a purge or sweep concerns: one team's rows, organization-wide rows (`null`), or every row. */
export type TeamSelector = { teamId: string | null } | 'all';

/** Storage primitives of a replica. Called only inside `transaction`. */
export interface ReplicaTables {
  /** Runs `fn` in one transaction (nested calls join it); all or nothing. */
  transaction<T>(fn: () => T): T;
  getMeta(key: ReplicaMetaKey): string | undefined;
  setMeta(key: ReplicaMetaKey, value: string | undefined): void;
  /** A new random replica id (lower-case uuid). */
  newReplicaId(): string;

  getRow(target: RowTarget): StoredRow | undefined;
  putRow(row: StoredRow): void;
  /** Sets only the view of an existing row. */
  setView(target: RowTarget, view: Record<string, JsonValue> | null): void;
  deleteRow(target: RowTarget): void;
  /** Targets of the rows selected (tombstones included), to purge or sweep them. */
  rowTargets(selector: TeamSelector, olderThanGeneration?: number): RowTarget[];
  /**
   * Count and checksum of the live rows of a scope: one team's rows, or for the organization scope
   * (`null`) every live row the replica holds (as the server computes it over what the caller reads).
   */
  checksum(teamId: string | null): { rows: number; checksum: string };

  rowVector(target: RowTarget): VersionVector;
  setRowVector(target: RowTarget, vector: VersionVector): void;
  clearRowVectors(): void;

  /** Outbox ops of every replica id, by replica id then op number. */
  outbox(limit?: number): SyncOp[];
  appendOutbox(op: SyncOp): void;
  removeOutbox(ref: OpRef): void;
  unconfirmed(): UnconfirmedOp[];
  addUnconfirmed(entry: UnconfirmedOp): void;
  removeUnconfirmed(ref: OpRef): void;
  /** Ops on one target not yet confirmed: unconfirmed ones (oldest first), then the outbox's. */
  opsFor(target: RowTarget): SyncOp[];
  /** Keys (`targetKey`) of every target with an unconfirmed or outbox op. */
  targetsWithOps(): Set<string>;

  putConflict(record: ConflictRecord): void;
  getConflict(id: string): ConflictRecord | undefined;
  /** Open conflicts. */
  conflicts(): ConflictRecord[];
  putLoser(record: LoserRecord): void;
  losers(): LoserRecord[];
  /** Deletes conflicts and losers on the given targets. */
  deleteRecordsOf(targets: readonly RowTarget[]): void;
  /** Deletes every conflict and loser. */
  deleteAllRecords(): void;
  putRejection(rejection: LocalRejection): void;
  rejections(): LocalRejection[];
  getRejection(ref: OpRef): LocalRejection | undefined;
  removeRejection(ref: OpRef): boolean;

  counts(): SyncCounts;
}
