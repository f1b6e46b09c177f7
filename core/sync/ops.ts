import { z } from 'zod';
import { SYNC_LIMITS } from './limits';
import { FieldPath } from './rowKinds';
import { ReplicaId, VersionVectorSchema } from './versionVector';

/**
 * Ops: what a replica's outbox holds and pushes. An op names one row (`target`), carries a *patch*
 * of the fields the user changed (never the whole row, so a client never erases a field it does not
 * know) or a delete, and the row's version vector as the replica saw it before this change. Ops of a
 * replica are numbered 1, 2, 3… and written in the same SQLite transaction as the local change; the
 * server applies them in order, once each (see `pushMessages.ts`).
 *
 * Every object schema here and in the other message files is loose: properties this code does not
 * know are kept when parsing and sent on unchanged, so an older peer round-trips a newer one's data.
 */

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Zod schema of any JSON value. */
export const JsonValueSchema: z.ZodType<JsonValue> = z.json();

/** A row id: an entity or column id (dbt `unique_id` style), stable across scans. */
export const RowId = z.string().min(1).max(SYNC_LIMITS.maxIdLength);

/** Row kinds on the wire: any name, so a newer kind reaches an older peer intact; the registry decides what is known. */
export const RowKindName = z.string().regex(/^[a-z][A-Za-z0-9]{0,63}$/, 'a row kind is a camelCase name');

/** Which row an op changes. The organization is the request's (one replica syncs one organization). */
export const RowTarget = z.looseObject({
  /** Row kind (see `ROW_KINDS`). */
  kind: RowKindName,
  /** Stable id of the row within its kind and organization. */
  id: RowId,
});
export type RowTarget = z.infer<typeof RowTarget>;

/**
 * Changed fields only: field path → new value, `null` to unset. Map fields use one path per key
 * (`meta.owner`), so two replicas changing different keys never conflict.
 */
export const FieldPatch = z
  .record(FieldPath, JsonValueSchema)
  .refine((p) => Object.keys(p).length <= SYNC_LIMITS.maxPatchFields, { message: `a patch changes at most ${SYNC_LIMITS.maxPatchFields} fields` });
export type FieldPatch = Readonly<Record<string, JsonValue>>;

const opCommon = {
  /** Wire format version of the replica that wrote the op. */
  schemaVersion: z.number().int().positive(),
  /** The replica (SQLite file) that made the change. */
  replicaId: ReplicaId,
  /** 1, 2, 3… per replica, never reused; the server applies them in this order, each once. */
  opNumber: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  target: RowTarget,
  /**
   * The row's version vector as the replica saw it *before* this change. The op's own change is
   * the next dot of its replica on that vector (`nextDot(vector, replicaId)`).
   */
  vector: VersionVectorSchema,
  /** Client clock (ISO 8601) when the change was made; informative only, never used to order. */
  createdAt: z.string().min(1).max(64),
  /** Conflict ids (uuids) this op resolves; a resolving op may have an empty patch (keep the server value). */
  resolves: z.array(z.uuid()).max(100).optional(),
};

/** An op that sets or unsets fields (and restores the row if the replica saw it deleted). */
export const PatchOp = z.looseObject({ ...opCommon, action: z.literal('patch'), patch: FieldPatch });

/** An op that deletes the row (a tombstone; delete wins over concurrent edits, which are kept to restore). */
export const DeleteOp = z.looseObject({ ...opCommon, action: z.literal('delete') });

/** One op of a replica's outbox, as pushed. */
export const SyncOp = z.discriminatedUnion('action', [PatchOp, DeleteOp]);
export type SyncOp = z.infer<typeof SyncOp>;

/** What `mergePatch` needs of an op. */
export type IncomingChange = Pick<SyncOp, 'replicaId' | 'vector' | 'target'> &
  ({ action: 'patch'; patch: FieldPatch } | { action: 'delete' });
