import assert from 'node:assert/strict';
import type { FieldPatch, JsonValue } from '../../../core/sync/ops';
import type { MergeResult, SyncRow } from '../../../core/sync/mergePatch';
import { mergePatch } from '../../../core/sync/mergePatch';
import { jsonEqual } from '../../../core/sync/jsonEqual';
import { fieldSpec, normalizeFieldValue } from '../../../core/sync/rowKinds';
import type { VersionVector } from '../../../core/sync/versionVector';
import { SERVER_ENTRY, counterOf, incrementVector, mergeVectors, nextDot } from '../../../core/sync/versionVector';

/**
 * A model of one synced row shared by several replicas, used by the property tests of `mergePatch`.
 * Replicas edit offline from what they last pulled, push their ops in order (interleaved at random
 * with other replicas), and pull. Next to the real merge it keeps an *oracle*: the set of changes
 * each op had seen (event ids, not vectors) and, per field, the changes that produced the server's
 * value. After every merge it checks, against the oracle only:
 * - a field is treated as concurrent exactly when the op had not seen every change behind the
 *   server's value (with retired replicas: at least then — folding may add false alarms, never
 *   miss one);
 * - no value disappears unless the op that replaced it had seen it, or a conflict/loser record holds it.
 */

export const TARGET = { kind: 'entity', id: 'model.shop.orders' } as const;

/** Fields the simulation edits: one per policy, a meta key and a field unknown to the registry. */
export const SIM_FIELDS = ['description', 'owners', 'tags', 'meta.tier', 'futureField'] as const;

/** One step of a run. */
export type Step =
  | { type: 'edit'; replica: number; patch: Partial<Record<(typeof SIM_FIELDS)[number], JsonValue>> }
  | { type: 'delete'; replica: number }
  | { type: 'push'; replica: number }
  | { type: 'pull'; replica: number }
  | { type: 'retire'; replica: number };

interface PendingOp {
  replicaId: string;
  vector: VersionVector;
  event: string;
  knowledge: ReadonlySet<string>;
  change: { action: 'patch'; patch: FieldPatch } | { action: 'delete' };
}

interface Replica {
  id: string;
  vector: VersionVector;
  knowledge: Set<string>;
  outbox: PendingOp[];
  retired: boolean;
}

/** Counters of what a run saw, so tests can check that their cases really occurred. */
export interface RunStats {
  merges: number;
  concurrentFields: number;
  spuriousConcurrent: number;
  conflicts: number;
  losers: number;
  maxVectorEntries: number;
}

/** Replica ids of the simulation (uuids). */
export const REPLICA_IDS = Array.from({ length: 6 }, (_, i) => `0000000${i}-0000-4000-8000-00000000000${i}`);

/** Runs `steps` and checks the oracle after each merge; returns the final row and counters. */
export function runSimulation(steps: readonly Step[], replicaCount: number, options: { fold: boolean } = { fold: false }): { row: SyncRow | undefined; stats: RunStats } {
  const replicas: Replica[] = REPLICA_IDS.slice(0, replicaCount).map((id) => ({ id, vector: {}, knowledge: new Set(), outbox: [], retired: false }));
  const retiredIds = new Set<string>();
  const isRetired = (id: string): boolean => retiredIds.has(id);
  let row: SyncRow | undefined;
  // Oracle state: events applied to the row, the events behind each field's value, the delete event.
  const applied = new Set<string>();
  const writers = new Map<string, Set<string>>();
  let deletedBy: Set<string> | undefined;
  const stats: RunStats = { merges: 0, concurrentFields: 0, spuriousConcurrent: 0, conflicts: 0, losers: 0, maxVectorEntries: 0 };

  for (const step of steps) {
    const replica = replicas[step.replica % replicas.length];
    if (replica === undefined || replica.retired) continue;
    if (step.type === 'retire') {
      // Only a replica with nothing left to send can retire, and it never writes again.
      if (!options.fold || replica.outbox.length > 0 || replicas.filter((r) => !r.retired).length <= 2) continue;
      replica.retired = true;
      retiredIds.add(replica.id);
    } else if (step.type === 'pull') {
      if (row === undefined) continue;
      // The client rule: other replicas' entries come from the server; its own entry never goes back.
      replica.vector = mergeVectors(row.vector, { [replica.id]: counterOf(replica.vector, replica.id) });
      for (const e of applied) replica.knowledge.add(e);
    } else if (step.type === 'edit' || step.type === 'delete') {
      const dot = nextDot(replica.vector, replica.id);
      const event = `${dot.replica}:${dot.counter}`;
      const change = step.type === 'delete' ? ({ action: 'delete' } as const) : ({ action: 'patch', patch: step.patch as FieldPatch } as const);
      if (change.action === 'patch' && Object.keys(change.patch).length === 0) continue;
      replica.outbox.push({ replicaId: replica.id, vector: replica.vector, event, knowledge: new Set(replica.knowledge), change });
      replica.vector = incrementVector(replica.vector, replica.id);
      replica.knowledge.add(event);
    } else {
      const op = replica.outbox.shift();
      if (op === undefined) continue;
      const result = mergePatch(row, { target: TARGET, replicaId: op.replicaId, vector: op.vector, ...op.change }, options.fold ? { isRetired } : {});
      assert.equal(result.outcome, 'applied', `op ${op.event} was ${result.outcome}`);
      if (result.outcome !== 'applied') continue;
      stats.merges++;
      const state = { row, writers, deletedBy };
      checkAgainstOracle(state, op, result, options.fold, stats);
      ({ deletedBy } = advanceOracle(state, op, result));
      row = result.row;
      applied.add(op.event);
      stats.maxVectorEntries = Math.max(stats.maxVectorEntries, Object.keys(row.vector).length);
      // The bound: live replicas that wrote the row, plus the server entry.
      const live = replicas.filter((r) => !r.retired).length;
      assert.ok(Object.keys(row.vector).length <= live + (counterOf(row.vector, SERVER_ENTRY) > 0 ? 1 : 0), `vector ${JSON.stringify(row.vector)} exceeds ${live} live replicas + 1`);
    }
  }
  return { row, stats };
}

const known = (events: ReadonlySet<string> | undefined, knowledge: ReadonlySet<string>): boolean => [...(events ?? [])].every((e) => knowledge.has(e));

function checkAgainstOracle(
  state: { row: SyncRow | undefined; writers: Map<string, Set<string>>; deletedBy: Set<string> | undefined },
  op: PendingOp,
  result: Extract<MergeResult, { outcome: 'applied' }>,
  fold: boolean,
  stats: RunStats,
): void {
  const before = state.row;
  const beforeDeleted = before?.deleted !== undefined;
  stats.conflicts += result.conflicts.length;
  stats.losers += result.losers.length;
  if (op.change.action === 'delete') {
    assert.ok(result.row.deleted !== undefined, 'a delete leaves a tombstone');
    if (beforeDeleted) return;
    for (const [field, value] of Object.entries(before?.fields ?? {})) {
      const seen = known(state.writers.get(field), op.knowledge);
      const lost = result.losers.some((l) => l.field === field && l.reason === 'deleted' && jsonEqual(l.value, value));
      if (!seen) assert.ok(lost, `delete ${op.event} dropped unseen ${field}=${JSON.stringify(value)} without a loser`);
      else if (!fold) assert.ok(!lost, `delete ${op.event} recorded seen ${field} as a loser`);
    }
    return;
  }
  const patch = op.change.patch;
  if (beforeDeleted) {
    const deleteSeen = known(state.deletedBy, op.knowledge);
    if (!deleteSeen) assert.ok(result.row.deleted !== undefined, 'delete wins over an edit that had not seen it');
    else if (!fold) assert.equal(result.row.deleted, undefined, 'an edit that had seen the delete restores the row');
    if (result.row.deleted !== undefined) {
      if (deleteSeen) stats.spuriousConcurrent++;
      for (const [field, value] of Object.entries(patch)) {
        assert.ok(result.losers.some((l) => l.field === field && l.reason === 'deleted' && jsonEqual(l.value, value)), `edit of ${field} lost to a delete without a loser`);
      }
      return;
    }
  }
  for (const [field, raw] of Object.entries(patch)) {
    const incoming = normalizeFieldValue(TARGET.kind, field, raw) as JsonValue;
    const current = beforeDeleted ? null : (before?.fields[field] ?? null);
    const concurrent = !beforeDeleted && !known(state.writers.get(field), op.knowledge);
    const conflict = result.conflicts.find((c) => c.field === field);
    const loser = result.losers.find((l) => l.field === field);
    const final = result.row.fields[field] ?? null;
    if (concurrent) stats.concurrentFields++;
    const policy = fieldSpec(TARGET.kind, field).policy;
    const treatedConcurrent = conflict !== undefined || (loser !== undefined && loser.reason !== 'deleted') || (policy === 'set-union' && !jsonEqual(final, incoming));
    if (!concurrent && treatedConcurrent) {
      assert.ok(fold, `${field}: op ${op.event} had seen the server value but was treated as concurrent`);
      stats.spuriousConcurrent++;
    }
    if (jsonEqual(current, incoming)) {
      assert.ok(jsonEqual(final, incoming), `${field}: equal values merge to that value`);
      continue;
    }
    if (!concurrent && !fold) {
      assert.ok(jsonEqual(final, incoming), `${field}: a sequential write replaces the value`);
      assert.ok(conflict === undefined && loser === undefined, `${field}: a sequential write records nothing`);
      continue;
    }
    if (!concurrent && !treatedConcurrent) continue;
    // Concurrent (or conservatively treated so): the policy decides, and nothing vanishes.
    if (policy === 'last-writer-wins') {
      assert.ok(jsonEqual(final, incoming), `${field}: last writer wins`);
      assert.ok(loser !== undefined && jsonEqual(loser.value, current) && loser.reason === 'overwritten', `${field}: the overwritten value is a loser`);
    } else if (policy === 'keep-server') {
      assert.ok(jsonEqual(final, current), `${field}: keep-server keeps the server value`);
      assert.ok(conflict !== undefined && jsonEqual(conflict.incomingValue, incoming) && jsonEqual(conflict.serverValue, current), `${field}: conflict holds both values`);
    } else {
      const expected = normalizeFieldValue(TARGET.kind, field, [...(Array.isArray(current) ? current : []), ...(Array.isArray(incoming) ? incoming : [])]);
      assert.ok(jsonEqual(final, expected as JsonValue), `${field}: union of both sets`);
    }
  }
}

function advanceOracle(
  state: { row: SyncRow | undefined; writers: Map<string, Set<string>>; deletedBy: Set<string> | undefined },
  op: PendingOp,
  result: Extract<MergeResult, { outcome: 'applied' }>,
): { deletedBy: Set<string> | undefined } {
  const wasDeleted = state.row?.deleted !== undefined;
  if (op.change.action === 'delete') {
    if (!wasDeleted) state.writers.clear();
    return { deletedBy: wasDeleted ? new Set([...(state.deletedBy ?? []), op.event]) : new Set([op.event]) };
  }
  // An edit that lost against the delete changes nothing of the row.
  if (result.row.deleted !== undefined) return { deletedBy: state.deletedBy };
  if (wasDeleted) state.writers.clear();
  for (const [field, raw] of Object.entries(op.change.patch)) {
    // The server value stays (a keep-server conflict): its writers stay.
    if (result.conflicts.some((c) => c.field === field)) continue;
    const prev = state.writers.get(field) ?? new Set<string>();
    const current = state.row?.fields[field] ?? null;
    const incoming = normalizeFieldValue(TARGET.kind, field, raw) as JsonValue;
    const unseen = !known(prev, op.knowledge);
    // A value that now stems from both sides (equal concurrent values, or a union) keeps both writers.
    const both = unseen && (jsonEqual(current, incoming) || fieldSpec(TARGET.kind, field).policy === 'set-union');
    state.writers.set(field, both ? new Set([...prev, op.event]) : new Set([op.event]));
  }
  return { deletedBy: undefined };
}
