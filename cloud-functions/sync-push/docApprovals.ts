import type { TransactionSql } from 'postgres';
import type { SyncOp } from '../../core/sync/ops';
import type { OpAck, PendingChange } from '../../core/sync/pushMessages';

/**
 * The approval workflow of doc versions inside `sync-push` (migration 20261216001000): when the
 * organization's `docs.approval` flag is on and the caller lacks `docs.approve` on a row's scope, a
 * description change in a patch is not merged. It is taken out of the op (the op's other fields and
 * its clock dot still apply, so the replica's numbering and vectors stay consistent) and, once the
 * op is applied, stored as a pending doc version; its ack says so (`pending`), so the client can tell
 * its author "submitted for approval" instead of the edit silently disappearing on the next pull.
 */

/** A description change held back from one op. */
interface Held {
  target: { kind: string; id: string };
  text: string | null;
}

/** What `holdForApproval` produced: the ops to merge and the held changes by op number. */
export interface HeldOps {
  ops: SyncOp[];
  held: Map<number, Held>;
}

const FIELD = 'description';

/** Takes description changes that need approval out of `ops` (valid values only: invalid ones are left for the merge to refuse). */
export async function holdForApproval(tx: TransactionSql, orgId: string, ops: SyncOp[]): Promise<HeldOps> {
  const candidates = ops.filter((op): op is Extract<SyncOp, { action: 'patch' }> =>
    op.action === 'patch' && (op.target.kind === 'entity' || op.target.kind === 'column')
    && Object.prototype.hasOwnProperty.call(op.patch, FIELD)
    && (typeof op.patch[FIELD] === 'string' || op.patch[FIELD] === null));
  const held = new Map<number, Held>();
  if (candidates.length === 0) return { ops, held };
  // One cheap lookup first: most organizations never turn approval on, and the per-target
  // permission check below is only needed when it is.
  const [flag] = await tx<{ on: boolean }[]>`select private.doc_approval_on(${orgId}::uuid) as on`;
  if (flag?.on !== true) return { ops, held };
  const targets = [...new Map(candidates.map((op) => [`${op.target.kind}\u001f${op.target.id}`, { kind: op.target.kind, id: op.target.id }])).values()];
  const rows = await tx<{ kind: string; row_id: string }[]>`
    select kind, row_id from private.doc_approval_targets(${orgId}::uuid, ${JSON.stringify(targets)}::text::jsonb)`;
  if (rows.length === 0) return { ops, held };
  const needs = new Set(rows.map((r) => `${r.kind}\u001f${r.row_id}`));
  const out = ops.map((op) => {
    if (op.action !== 'patch' || !candidates.includes(op) || !needs.has(`${op.target.kind}\u001f${op.target.id}`)) return op;
    const { [FIELD]: text, ...rest } = op.patch;
    held.set(op.opNumber, { target: { kind: op.target.kind, id: op.target.id }, text: typeof text === 'string' ? text : null });
    return { ...op, patch: rest };
  });
  return { ops: out, held };
}

/**
 * Stores the held changes of ops that were applied as pending versions and notes them on their
 * acks (in place). Returns how many were stored. A refused op stores nothing: its rejection says why.
 */
export async function submitHeld(tx: TransactionSql, orgId: string, replicaId: string, held: Map<number, Held>, acks: OpAck[]): Promise<number> {
  const applied = acks.filter((a) => held.has(a.opNumber) && (a.status === 'applied' || a.status === 'conflict'));
  if (applied.length === 0) return 0;
  const items = applied.map((a) => {
    const h = held.get(a.opNumber)!;
    return { kind: h.target.kind, id: h.target.id, text: h.text, replicaId, opNumber: a.opNumber };
  });
  const ids = await tx<{ id: string }[]>`select id::text from private.doc_submit_pending(${orgId}::uuid, ${JSON.stringify(items)}::text::jsonb)`;
  applied.forEach((ack, i) => {
    const versionId = ids[i]?.id;
    if (versionId === undefined || (ack.status !== 'applied' && ack.status !== 'conflict')) return;
    const h = held.get(ack.opNumber)!;
    const change: PendingChange = {
      field: FIELD,
      versionId,
      message: `Submitted for approval: the description of ${h.target.kind} ${h.target.id} is published once someone with docs.approve approves it.`,
    };
    ack.pending = [change];
  });
  return ids.length;
}
