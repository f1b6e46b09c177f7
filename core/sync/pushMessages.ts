import { z } from 'zod';
import { SYNC_LIMITS } from './limits';
import { DeleteOp, PatchOp, SyncOp } from './ops';
import { CompactVectorSchema, ReplicaDictionary, ReplicaDictionaryBuilder, decodeVector, encodeVector } from './clockCodec';
import { ReplicaId, VersionVectorSchema } from './versionVector';
import type { VersionVector } from './versionVector';
import { ConflictRecord, RejectionCode } from './records';
import { XidString } from './cursor';

/**
 * `sync-push`: a replica sends its oldest pending ops; the server applies them in one transaction
 * and records the replica's last applied op number in that same transaction.
 *
 * - An op at or below the last applied number is a `duplicate` (a retried push): skipped.
 * - The first op must be `lastApplied + 1` and each next op one more; at a gap the server stops
 *   (`stopped.reason = 'gap'`), commits what it applied and the client resends from `expected`.
 * - A permanent refusal (`rejected`) consumes the op number, is stored and returned to its author,
 *   and never blocks later ops.
 * - A transient failure (database unavailable, timeout) fails the whole request with an error
 *   envelope whose code is retryable (`errors.ts`); nothing was applied, the client retries with
 *   backoff.
 *
 * On the wire (schema version 2, `encodePushRequest`) an op's `vector` may be compact
 * (`clockCodec.ts`: index/counter pairs into the request's `replicas`) and its `replicaId` may be
 * left out (it is the request's). `PushRequest.parse` decodes both; an index outside the dictionary
 * is a schema issue at the op's vector, so the whole request is a `bad-request` and nothing is
 * written. Full (version 1) ops parse unchanged.
 */

/** How an op's clock may travel: a full vector, or a compact one; its replica may be implied. */
const wireClock = { vector: z.union([VersionVectorSchema, CompactVectorSchema]), replicaId: ReplicaId.optional() };

/** One op as pushed. */
const WireSyncOp = z.discriminatedUnion('action', [PatchOp.extend(wireClock), DeleteOp.extend(wireClock)]);

/** Body of a push on the wire. */
const WirePushRequest = z.looseObject({
  schemaVersion: z.number().int().positive(),
  /** The organization this replica syncs. */
  orgId: z.uuid(),
  replicaId: ReplicaId,
  /** Replica ids the request's compact vectors index (absent when every vector is full). */
  replicas: ReplicaDictionary.optional(),
  /** Pending ops of `replicaId`, op numbers strictly increasing. */
  ops: z.array(WireSyncOp).min(1).max(SYNC_LIMITS.maxOpsPerPush),
});
/** A push as the client sends it. */
export type PushRequestWire = z.input<typeof WirePushRequest>;

/** Body of a push, decoded: every op names its replica and carries a full vector. */
export const PushRequest = WirePushRequest
  .transform((wire, ctx): { schemaVersion: number; orgId: string; replicaId: string; ops: SyncOp[] } & Record<string, unknown> => {
    const dict = wire.replicas ?? [];
    const { replicas: _dictionary, ops: wireOps, ...rest } = wire;
    const ops: SyncOp[] = [];
    for (const [i, op] of wireOps.entries()) {
      let vector = op.vector as VersionVector;
      if (Array.isArray(op.vector)) {
        const decoded = decodeVector(op.vector, dict);
        if ('problem' in decoded) {
          ctx.issues.push({ code: 'custom', message: decoded.problem.message, input: op.vector, path: ['ops', i, 'vector', ...decoded.problem.path] });
          return z.NEVER;
        }
        vector = decoded.vector;
      }
      ops.push({ ...op, replicaId: op.replicaId ?? wire.replicaId, vector } as SyncOp);
    }
    return { ...rest, ops };
  })
  .superRefine((req, ctx) => {
    req.ops.forEach((op, i) => {
      if (op.replicaId !== req.replicaId) ctx.addIssue({ code: 'custom', path: ['ops', i, 'replicaId'], message: 'every op must come from the pushing replica' });
      const prev = req.ops[i - 1];
      if (prev !== undefined && op.opNumber <= prev.opNumber) ctx.addIssue({ code: 'custom', path: ['ops', i, 'opNumber'], message: 'op numbers must increase' });
    });
  });
export type PushRequest = z.infer<typeof PushRequest>;

/**
 * A push in the compact wire form: one replica dictionary, every op's vector as index/counter pairs,
 * and no per-op `replicaId` where it is the request's. A vector that is not a plain object (a test
 * sending a malformed op on purpose) is left as it is, for the server to refuse.
 */
export function encodePushRequest(req: PushRequest): PushRequestWire {
  const dict = new ReplicaDictionaryBuilder();
  const ops = req.ops.map((op) => {
    const { replicaId, vector, ...rest } = op;
    const compact = typeof vector === 'object' && vector !== null && !Array.isArray(vector) ? encodeVector(vector, dict) : vector;
    return { ...rest, ...(replicaId === req.replicaId ? {} : { replicaId }), vector: compact };
  });
  return { ...req, replicas: dict.ids, ops } as PushRequestWire;
}

/**
 * A field change of an applied op the server held for approval instead of applying (the
 * organization's `docs.approval` flag is on and the author lacks `docs.approve`): it is stored as a
 * pending doc version (`versionId`) that an approver publishes or rejects; the rest of the op applied.
 * Older clients ignore the property (objects are loose) and see the server value on their next pull.
 */
export const PendingChange = z.looseObject({
  field: z.string(),
  /** The pending doc version (`public.doc_versions.id`). */
  versionId: z.uuid(),
  message: z.string(),
});
export type PendingChange = z.infer<typeof PendingChange>;

/** The op was applied; every field is in the row (values a concurrent op overwrote became losers), except fields held for approval. */
export const AppliedAck = z.looseObject({
  opNumber: z.number().int().positive(),
  status: z.literal('applied'),
  pending: z.array(PendingChange).optional(),
});

/** The op was applied, but some `keep-server` fields kept the server value: these conflicts are open. */
export const ConflictAck = z.looseObject({
  opNumber: z.number().int().positive(),
  status: z.literal('conflict'),
  conflicts: z.array(ConflictRecord).min(1),
  pending: z.array(PendingChange).optional(),
});

/** The op had been applied before (a retried push); nothing changed. */
export const DuplicateAck = z.looseObject({ opNumber: z.number().int().positive(), status: z.literal('duplicate') });

/** The op was refused for good; its number is consumed and the rejection is stored for its author. */
export const RejectedAck = z.looseObject({
  opNumber: z.number().int().positive(),
  status: z.literal('rejected'),
  code: RejectionCode,
  message: z.string(),
});

/** What happened to one op. */
export const OpAck = z.discriminatedUnion('status', [AppliedAck, ConflictAck, DuplicateAck, RejectedAck]);
export type OpAck = z.infer<typeof OpAck>;

/** Answer to a push (HTTP 200); errors of the whole request use the error envelope instead. */
export const PushResponse = z.looseObject({
  schemaVersion: z.number().int().positive(),
  /** One ack per op the server looked at, in op order; ops after a stop have none. */
  acks: z.array(OpAck),
  /** The replica's last applied (or rejected) op number after this request; outbox rows up to it can go. */
  lastApplied: z.number().int().nonnegative(),
  /**
   * The transaction that applied the ops (xid8 as a decimal string), `null` when nothing was
   * written. Rows it wrote are confirmed — may replace local pending values — once a pull's
   * `horizon` passes it (`isSettled`).
   */
  txid: XidString.nullable(),
  /** Present when the server stopped early at a gap: resend starting with op number `expected`. */
  stopped: z.looseObject({ reason: z.literal('gap'), expected: z.number().int().positive(), message: z.string() }).optional(),
});
export type PushResponse = z.infer<typeof PushResponse>;
