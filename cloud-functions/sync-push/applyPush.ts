import { SyncError } from '../../core/sync/errors';
import { SYNC_SCHEMA_VERSION } from '../../core/sync/limits';
import type { OpAck, PushRequest, PushResponse } from '../../core/sync/pushMessages';
import type { SyncOp } from '../../core/sync/ops';
import { withClaims } from '../_shared/db';
import type { SyncContext, SyncResult } from '../_shared/serve';
import { applyOps } from './applyOps';
import { holdForApproval, submitHeld } from './docApprovals';

/**
 * `sync-push`: applies a replica's batch in ONE transaction under the caller's role and claims and
 * records the replica's last applied op number in that same transaction. Ops at or below it are
 * duplicates (skipped), a gap stops the batch (what came before commits), a permanent refusal is a
 * stored rejection that consumes its number. Pushes of one organization queue on an advisory lock,
 * so every merge reads the row it replaces (the audit chain already orders them the same way).
 */
export async function applyPush(ctx: SyncContext<PushRequest>): Promise<SyncResult> {
  const req = ctx.body;
  const response = await withClaims(ctx.db, ctx.principal.claims, { writer: true }, async (tx): Promise<PushResponse & { rejected: number; applied: number }> => {
    await tx`select pg_advisory_xact_lock(hashtextextended(${`mallard.sync:${req.orgId}`}, 0))`;
    const [state] = await tx<{ last_op: string; retired: boolean }[]>`
      select last_op::text, retired from private.sync_open_replica(${req.replicaId}::uuid, ${req.orgId}::uuid, ${req.schemaVersion}::int, true)`;
    if (state === undefined) throw new SyncError('internal', 'The replica registry did not answer.');
    if (state.retired) {
      throw new SyncError('replica-retired', `Replica ${req.replicaId} was retired after a long silence; start a new replica id and re-base its pending ops.`);
    }
    let last = Number(state.last_op);
    const acks: OpAck[] = [];
    const run: SyncOp[] = [];
    let stopped: PushResponse['stopped'];
    for (const op of req.ops) {
      if (op.opNumber <= last) {
        acks.push({ opNumber: op.opNumber, status: 'duplicate' });
        continue;
      }
      const expected = last + run.length + 1;
      if (op.opNumber !== expected) {
        stopped = { reason: 'gap', expected, message: `Op ${op.opNumber} follows a gap: the server expects op ${expected} next; resend from it.` };
        break;
      }
      run.push(op);
    }
    let wrote = false;
    let rejected = 0;
    if (run.length > 0) {
      // Description changes that need approval become pending doc versions (docApprovals.ts).
      const held = await holdForApproval(tx, req.orgId, run);
      const applied = await applyOps(tx, req.orgId, held.ops);
      const submitted = await submitHeld(tx, req.orgId, req.replicaId, held.held, applied.acks);
      acks.push(...applied.acks);
      wrote = applied.wrote || submitted > 0;
      rejected = applied.rejections.length;
      last = run[run.length - 1]?.opNumber ?? last;
    }
    const maxSeen = Math.max(...req.ops.map((op) => op.opNumber));
    await tx`select private.sync_replica_pushed(${req.replicaId}::uuid, ${last}::bigint, ${maxSeen}::bigint)`;
    const txid = wrote ? ((await tx<{ txid: string }[]>`select pg_current_xact_id()::text as txid`)[0]?.txid ?? null) : null;
    acks.sort((a, b) => a.opNumber - b.opNumber);
    const body: PushResponse & { rejected: number; applied: number } = {
      schemaVersion: SYNC_SCHEMA_VERSION, acks, lastApplied: last, txid, rejected, applied: run.length,
    };
    if (stopped !== undefined) body.stopped = stopped;
    return body;
  });
  const { rejected, applied, ...body } = response;
  return { body, ops: applied, rejected };
}
