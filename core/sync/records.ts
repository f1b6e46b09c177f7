import { z } from 'zod';
import { JsonValueSchema, RowTarget } from './ops';
import { FieldPath } from './rowKinds';
import { ReplicaId, VersionVectorSchema } from './versionVector';

/**
 * What the server keeps so that no acknowledged edit disappears silently: conflicts (a
 * `keep-server` field changed concurrently: both values, until someone resolves it), losers (a value
 * overwritten by a concurrent `last-writer-wins` op, a set element a union kept against an op's
 * intent, or an edit that lost against a concurrent delete: kept for one-click restore) and
 * rejections (an op the server refused for good; its number is still consumed, and its author sees
 * it). `mergePatch` produces the field-level parts; the server adds ids and times.
 */

/** Why the server refused an op for good (it is stored and shown, and never blocks later ops). */
export const RejectionCode = z.enum([
  /** Row-level security or a permission check refused the write (Postgres 42501). */
  'forbidden',
  /** The op or a field value failed validation. */
  'invalid-op',
  /** The row the op refers to does not exist where it must (foreign key). */
  'not-found',
  /** The row kind is pulled read-only (the org catalog). */
  'read-only',
  /** The row kind is unknown to the server. */
  'unknown-kind',
  /** The replica lost access to the row's scope before the op was sent (set by the client on revocation). */
  'access-revoked',
]);
export type RejectionCode = z.infer<typeof RejectionCode>;

/** Field part of a conflict, as `mergePatch` reports it. */
export const FieldConflict = z.looseObject({
  field: FieldPath,
  /** The value the row keeps (`null`: unset). */
  serverValue: JsonValueSchema,
  /** Provenance (field vector) of the server value. */
  serverProvenance: VersionVectorSchema,
  /** The value the op wanted (`null`: unset). */
  incomingValue: JsonValueSchema,
  /** The op's own change, as a one-entry vector. */
  incomingProvenance: VersionVectorSchema,
});
export type FieldConflict = z.infer<typeof FieldConflict>;

/** Why a value lost. */
export const LoserReason = z.enum(['overwritten', 'union', 'deleted']);
export type LoserReason = z.infer<typeof LoserReason>;

/** Field part of a loser, as `mergePatch` reports it. */
export const FieldLoser = z.looseObject({
  field: FieldPath,
  /** The value that did not survive (`null`: the field was unset), to restore it. */
  value: JsonValueSchema,
  /** Provenance of that value (who wrote it). */
  provenance: VersionVectorSchema,
  /**
   * `overwritten`: a concurrent last-writer-wins op replaced it; `union`: the op's set after the
   * union kept elements it had removed; `deleted`: a concurrent delete won over this edit.
   */
  reason: LoserReason,
});
export type FieldLoser = z.infer<typeof FieldLoser>;

/** The op a record belongs to. */
export const OpRef = z.looseObject({ replicaId: ReplicaId, opNumber: z.number().int().positive() });
export type OpRef = z.infer<typeof OpRef>;

const recordCommon = {
  /** Server id (uuid). */
  id: z.uuid(),
  target: RowTarget,
  /** The op whose arrival created the record. */
  op: OpRef,
  /** Server time (ISO 8601). */
  createdAt: z.string(),
};

/** A conflict both sides see until it is resolved (Conflicts view). */
export const ConflictRecord = FieldConflict.extend({
  ...recordCommon,
  status: z.enum(['open', 'resolved']),
  /** Server time of the resolution, when resolved. */
  resolvedAt: z.string().nullable().optional(),
});
export type ConflictRecord = z.infer<typeof ConflictRecord>;

/** A value kept for one-click restore. */
export const LoserRecord = FieldLoser.extend(recordCommon);
export type LoserRecord = z.infer<typeof LoserRecord>;

/** An op refused for good, shown to its author (Rejected Changes view). */
export const RejectionRecord = z.looseObject({
  op: OpRef,
  target: RowTarget,
  code: RejectionCode,
  /** Human-readable reason naming the field or permission. */
  message: z.string(),
  createdAt: z.string(),
});
export type RejectionRecord = z.infer<typeof RejectionRecord>;
