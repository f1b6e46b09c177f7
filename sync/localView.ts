import type { JsonValue, SyncOp } from '../core/sync/ops';
import type { SyncRow } from '../core/sync/mergePatch';
import type { VersionVector } from '../core/sync/versionVector';
import { isSettled } from '../core/sync/cursor';
import { mergePatch } from '../core/sync/mergePatch';
import { counterOf, nextDot, sortedVector, vectorHasDot } from '../core/sync/versionVector';
import { targetKey } from './ports';
import type { StoredRow, UnconfirmedOp } from './replicaTables';

/**
 * Pure rules of the local replica: how pending ops show over a pulled row, when an applied op is
 * confirmed, how a pulled vector becomes the row's local vector, and how ops are re-based on a new
 * replica id. No storage here; `replicaStore.ts` calls these inside its transactions.
 */

/** The server row a stored row mirrors, in `mergePatch`'s shape. */
export function asSyncRow(row: StoredRow): SyncRow {
  const out: SyncRow = { target: row.target, fields: row.fields, provenance: row.provenance, vector: row.vector };
  if (row.deleted !== undefined) out.deleted = row.deleted;
  return out;
}

/**
 * What reads show for a pulled row while `ops` (this replica's unconfirmed ops on it, oldest first)
 * are pending: each op merged over the server row with the contract's `mergePatch`, exactly as the
 * server will merge it. A pending edit of a field the server changed concurrently therefore follows
 * the field's policy (last writer wins for text, server value kept for owners, union for tags); an op
 * the row already has is a duplicate and changes nothing. `null` when no op is pending.
 */
export function computeView(row: StoredRow, ops: readonly SyncOp[]): Record<string, JsonValue> | null {
  if (ops.length === 0) return null;
  let current = asSyncRow(row);
  for (const op of ops) {
    const result = mergePatch(current, op);
    if (result.outcome !== 'rejected') current = result.row;
  }
  return current.deleted !== undefined ? {} : { ...current.fields };
}

/** The fields reads show for a stored row: the view while ops are pending, else the server's (none for a tombstone). */
export function shownFields(row: StoredRow): Record<string, JsonValue> {
  if (row.view !== null) return row.view;
  return row.deleted !== undefined ? {} : row.fields;
}

/**
 * The contract's client rule on pull: the row's local vector becomes the pulled vector, keeping this
 * replica's own entry when higher (its changes may not have reached the server yet). Old entries of
 * other replicas are never merged in: the server may have folded them.
 */
export function localVectorAfterPull(pulled: VersionVector, local: VersionVector, replicaId: string): VersionVector {
  const own = Math.max(counterOf(pulled, replicaId), counterOf(local, replicaId));
  return sortedVector({ ...pulled, [replicaId]: own });
}

/**
 * True when an applied op is confirmed: its transaction settled below a completed pull's `horizon`
 * (so every pull after it includes its rows) and the local copy of its row has its change. The
 * second test keeps the op when its row was rewritten by a transaction that has not settled yet
 * (the pulled copy would lack the change). Ops of an earlier replica id and ops on rows this replica
 * cannot read confirm on the horizon alone.
 */
export function isConfirmed(entry: UnconfirmedOp, horizon: string, row: StoredRow | undefined, replicaId: string): boolean {
  if (entry.txid !== null && !isSettled(entry.txid, horizon)) return false;
  if (row === undefined || entry.op.replicaId !== replicaId) return true;
  return vectorHasDot(row.vector, nextDot(entry.op.vector, entry.op.replicaId));
}

/** How re-basing changes one row's local vector: entries to lower (per old replica id) and the new id's count. */
export interface VectorShift {
  lowered: Map<string, number>;
  added: number;
}

/**
 * Re-bases outbox ops (oldest first, of any replica ids) on `newId`, numbered from 1. An op's base
 * vector counted this replica's earlier pending ops on the same row under their old ids; those
 * changes will now reach the server under `newId`, so each op's vector lowers the old entries by
 * the earlier pending ops and counts them under `newId` instead. Returns the ops and, per row key,
 * the shift to apply to the row's local vector.
 */
export function rebaseOps(ops: readonly SyncOp[], newId: string): { ops: SyncOp[]; shifts: Map<string, VectorShift> } {
  const shifts = new Map<string, VectorShift>();
  const out = ops.map((op, i): SyncOp => {
    const key = targetKey(op.target);
    const shift = shifts.get(key) ?? { lowered: new Map<string, number>(), added: 0 };
    const vector: Record<string, number> = { ...op.vector };
    for (const [replica, n] of shift.lowered) vector[replica] = counterOf(vector, replica) - n;
    vector[newId] = counterOf(vector, newId) + shift.added;
    shift.lowered.set(op.replicaId, (shift.lowered.get(op.replicaId) ?? 0) + 1);
    shift.added += 1;
    shifts.set(key, shift);
    return { ...op, replicaId: newId, opNumber: i + 1, vector: sortedVector(vector) };
  });
  return { ops: out, shifts };
}

/** Applies a `VectorShift` to a row's local vector. */
export function shiftVector(vector: VersionVector, shift: VectorShift, newId: string): VersionVector {
  const out: Record<string, number> = { ...vector };
  for (const [replica, n] of shift.lowered) out[replica] = Math.max(0, counterOf(out, replica) - n);
  out[newId] = counterOf(out, newId) + shift.added;
  return sortedVector(out);
}
