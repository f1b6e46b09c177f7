import { z } from 'zod';
import { SYNC_LIMITS } from './limits';
import { Cursor, XidString } from './cursor';
import { JsonValueSchema, RowTarget } from './ops';
import { ConflictRecord, LoserRecord, RejectionRecord } from './records';
import { FieldPath } from './rowKinds';
import { ReplicaId, VersionVectorSchema } from './versionVector';

/**
 * `sync-pull`: a replica asks for the changes after its cursor and gets one page: rows in their
 * current state (each target at most once per page), tombstones, scopes it gained or lost, the
 * records that concern it, and — on the last page — a checksum per scope. The client applies a page
 * and the new cursor in one SQLite transaction; a row with pending local ops keeps its local value
 * until those ops are confirmed (`txid` settled below `horizon`), merging the pulled row under them
 * with `mergePatch`.
 *
 * A cursor of another epoch, or one older than the tombstone GC floor, is answered with error
 * `epoch-changed` / `cursor-expired` (HTTP 410): the client pulls again from `cursor: null`.
 */

/** An organization, or one team of it: what access is granted on and what a revocation removes. */
export const Scope = z.looseObject({
  orgId: z.uuid(),
  /** `null` for organization-wide rows. */
  teamId: z.uuid().nullable(),
});
export type Scope = z.infer<typeof Scope>;

/** Body of a pull. */
export const PullRequest = z.looseObject({
  schemaVersion: z.number().int().positive(),
  orgId: z.uuid(),
  replicaId: ReplicaId,
  /** `null` for a full (initial or re-)sync. */
  cursor: Cursor.nullable(),
  /** Page size wanted; the server may send fewer. */
  limit: z.number().int().positive().max(SYNC_LIMITS.maxPageRows).optional(),
  /** Scopes the replica holds rows of, so the server can report which it lost. */
  scopes: z.array(Scope).max(10_000).optional(),
  /**
   * Only rows, tombstones, records and checksums of these scopes: a targeted resync after a checksum
   * mismatch, which pulls with a cursor of its own starting at `null` (added in schema version 1,
   * optional). A server that ignores it serves every scope; the client copes (it applies what it
   * gets and removes unseen rows only in the targeted scopes).
   */
  scopeFilter: z.array(Scope).min(1).max(100).optional(),
});
export type PullRequest = z.infer<typeof PullRequest>;

/** A row in its current server state. */
export const PulledRow = z.looseObject({
  target: RowTarget,
  /** The row's team, `null` for organization-wide rows; revoking the scope purges the row. */
  teamId: z.uuid().nullable(),
  /** Field path → value; unset fields are absent. Unknown paths are kept as they are. */
  fields: z.record(FieldPath, JsonValueSchema),
  /** Field path → provenance (the changes that produced the value); may list unset fields too. */
  provenance: z.record(FieldPath, VersionVectorSchema),
  vector: VersionVectorSchema,
});
export type PulledRow = z.infer<typeof PulledRow>;

/** A deleted row: the client removes it (and keeps nothing of it but the vector, if it tracks vectors). */
export const Tombstone = z.looseObject({
  target: RowTarget,
  teamId: z.uuid().nullable(),
  vector: VersionVectorSchema,
});
export type Tombstone = z.infer<typeof Tombstone>;

/** Count and checksum of the live rows of one scope (`checksum.ts`); a mismatch triggers a targeted resync. */
export const ScopeChecksum = z.looseObject({
  scope: Scope,
  rows: z.number().int().nonnegative(),
  /** Sum of row digests modulo 2^64, decimal. */
  checksum: XidString,
});
export type ScopeChecksum = z.infer<typeof ScopeChecksum>;

/** One page of changes (HTTP 200). */
export const PullResponse = z.looseObject({
  schemaVersion: z.number().int().positive(),
  /** Cursor to store with this page (and send next). */
  cursor: Cursor,
  rows: z.array(PulledRow),
  tombstones: z.array(Tombstone),
  /** Scopes gained since the cursor (pull their rows: they come in this and later pages) and lost (purge locally, in one transaction). */
  scopes: z.looseObject({ added: z.array(Scope), removed: z.array(Scope) }),
  /** Records changed since the cursor that concern this replica or its user. */
  records: z.looseObject({
    conflicts: z.array(ConflictRecord),
    losers: z.array(LoserRecord),
    /** Rejections of this replica's ops (also returned in push acks; here for a lost push response). */
    rejections: z.array(RejectionRecord),
  }),
  /** Settled horizon (xid8): every transaction below it is included up to `cursor`. */
  horizon: XidString,
  /** True when more pages follow immediately. */
  hasMore: z.boolean(),
  /** Per-scope checksums, on the last page (`hasMore: false`) only; empty otherwise. */
  checksums: z.array(ScopeChecksum),
});
export type PullResponse = z.infer<typeof PullResponse>;
