import type { TransactionSql } from 'postgres';
import { mergePatch } from '../../core/sync/mergePatch';
import type { MergeResult, SyncRow } from '../../core/sync/mergePatch';
import type { SyncOp } from '../../core/sync/ops';
import type { OpAck } from '../../core/sync/pushMessages';
import type { ConflictRecord, RejectionCode } from '../../core/sync/records';
import { isPermanentWriteError, sqlState } from '../_shared/db';
import { loadRows, targetKey, writeRows } from '../_shared/syncRows';
import { insertRecords, insertRejections, knownConflicts, resolveConflicts } from './records';
import type { OpRecords, Rejection } from './records';

/**
 * Applies a run of consecutive ops (already checked to follow the replica's last applied number)
 * inside the push transaction. Each op is merged with `mergePatch` over the row as it stands after
 * the ops before it. Fast path: all merged rows and records are written in a few statements; if the
 * database refuses any of it for good (RLS 42501, a guard, a foreign key, a check), that savepoint is
 * rolled back and the ops are applied one by one, each in its own savepoint, so exactly the refused
 * ops become rejections — stored, acknowledged, their numbers consumed — and the others apply.
 */

/** What applying the run produced. */
export interface AppliedRun {
  acks: OpAck[];
  rejections: Rejection[];
  /** True when a row, record or rejection was written. */
  wrote: boolean;
}

type Planned =
  | { op: SyncOp; kind: 'merged'; result: Extract<MergeResult, { outcome: 'applied' }> }
  | { op: SyncOp; kind: 'duplicate' }
  | { op: SyncOp; kind: 'rejected'; code: RejectionCode; message: string };

const keyOf = (op: SyncOp): string => targetKey(op.target.kind, op.target.id);

/** Merges `op` over `state` (updated in place when it applies). */
function plan(state: Map<string, SyncRow>, op: SyncOp, known: Map<string, string>, isRetired: (r: string) => boolean): Planned {
  const key = keyOf(op);
  for (const id of op.resolves ?? []) {
    if (known.get(id) !== key) {
      return { op, kind: 'rejected', code: 'not-found', message: `Conflict ${id} does not exist on ${op.target.kind} ${op.target.id} (or is not visible to you).` };
    }
  }
  const result = mergePatch(state.get(key), op, { isRetired });
  if (result.outcome === 'rejected') return { op, kind: 'rejected', code: result.code, message: result.message };
  if (result.outcome === 'duplicate') return { op, kind: 'duplicate' };
  state.set(key, result.row);
  return { op, kind: 'merged', result };
}

function recordsOf(planned: Planned[]): OpRecords[] {
  return planned.flatMap((p) => (p.kind === 'merged' && (p.result.conflicts.length > 0 || p.result.losers.length > 0)
    ? [{ target: p.op.target, replicaId: p.op.replicaId, opNumber: p.op.opNumber, conflicts: p.result.conflicts, losers: p.result.losers }]
    : []));
}

function rejectionCodeOf(err: unknown): RejectionCode {
  const state = sqlState(err);
  if (state === '42501') return 'forbidden';
  if (state === '23503') return 'not-found';
  return 'invalid-op';
}

function rejectionMessageOf(op: SyncOp, err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (sqlState(err) === '42501' && /row-level security/.test(text)) {
    return `You may not write ${op.target.kind} ${op.target.id}: editing needs catalog.write on its team or organization (${text}).`;
  }
  return `The server refused ${op.target.kind} ${op.target.id}: ${text}.`;
}

/** Writes merged rows, their records and resolutions; returns the conflict records per op number. */
async function writeMerged(tx: TransactionSql, orgId: string, state: Map<string, SyncRow>, planned: Planned[]) {
  const touched = [...new Set(planned.filter((p) => p.kind === 'merged').map((p) => keyOf(p.op)))];
  const teams = await writeRows(tx, orgId, touched.map((k) => state.get(k)).filter((r): r is SyncRow => r !== undefined));
  const conflicts = await insertRecords(tx, orgId, teams, recordsOf(planned));
  await resolveConflicts(tx, orgId, [...new Set(planned.flatMap((p) => (p.kind === 'merged' ? p.op.resolves ?? [] : [])))]);
  return conflicts;
}

function ackOf(p: Planned, conflicts: Map<number, ConflictRecord[]>): OpAck {
  const opNumber = p.op.opNumber;
  if (p.kind === 'duplicate') return { opNumber, status: 'duplicate' };
  if (p.kind === 'rejected') return { opNumber, status: 'rejected', code: p.code, message: p.message };
  const stored = conflicts.get(opNumber) ?? [];
  return stored.length > 0 ? { opNumber, status: 'conflict', conflicts: stored } : { opNumber, status: 'applied' };
}

/** Applies `ops` (consecutive op numbers of one replica) in the caller's transaction `tx`. */
export async function applyOps(tx: TransactionSql, orgId: string, ops: SyncOp[]): Promise<AppliedRun> {
  const targets = [...new Map(ops.map((op) => [keyOf(op), { kind: op.target.kind, id: op.target.id }])).values()];
  const current = await loadRows(tx, orgId, targets);
  const [retiredRow] = await tx<{ ids: string[] }[]>`select private.sync_retired_replicas(${orgId}::uuid)::text[] as ids`;
  const retired = new Set(retiredRow?.ids ?? []);
  const isRetired = (replica: string): boolean => retired.has(replica);
  const known = await knownConflicts(tx, orgId, [...new Set(ops.flatMap((op) => op.resolves ?? []))]);

  let planned: Planned[] = [];
  let conflicts = new Map<number, ConflictRecord[]>();
  try {
    const state = new Map(current);
    planned = ops.map((op) => plan(state, op, known, isRetired));
    conflicts = await tx.savepoint((sp) => writeMerged(sp, orgId, state, planned));
  } catch (err) {
    if (!isPermanentWriteError(err)) throw err;
    // Some write was refused for good: find exactly which ops, one savepoint each.
    const state = new Map(current);
    planned = [];
    conflicts = new Map();
    for (const op of ops) {
      const before = state.get(keyOf(op));
      const p = plan(state, op, known, isRetired);
      if (p.kind !== 'merged') {
        planned.push(p);
        continue;
      }
      try {
        const stored = await tx.savepoint((sp) => writeMerged(sp, orgId, state, [p]));
        for (const [n, records] of stored) conflicts.set(n, records);
        planned.push(p);
      } catch (opErr) {
        if (!isPermanentWriteError(opErr)) throw opErr;
        if (before === undefined) state.delete(keyOf(op));
        else state.set(keyOf(op), before);
        planned.push({ op, kind: 'rejected', code: rejectionCodeOf(opErr), message: rejectionMessageOf(op, opErr) });
      }
    }
  }
  const rejections: Rejection[] = planned.flatMap((p) => (p.kind === 'rejected'
    ? [{ target: p.op.target, replicaId: p.op.replicaId, opNumber: p.op.opNumber, code: p.code, message: p.message }]
    : []));
  await insertRejections(tx, orgId, rejections);
  return {
    acks: planned.map((p) => ackOf(p, conflicts)),
    rejections,
    wrote: planned.some((p) => p.kind !== 'duplicate'),
  };
}
