import type { Database } from 'better-sqlite3';
import type { FieldPatch, JsonValue, RowTarget, SyncOp } from '../../core/sync/ops';
import type { VersionVector } from '../../core/sync/versionVector';
import { SYNC_SCHEMA_VERSION } from '../../core/sync/limits';
import { mapFieldPath, normalizeFieldValue } from '../../core/sync/rowKinds';
import { incrementVector } from '../../core/sync/versionVector';
import type { EditPatch, EditTarget } from './catalogTypes';
import { getMeta, setMeta } from './metaTable';
import { parseJson, prepared } from './sqlUtil';

/**
 * The sync outbox: ops in the wire contract's shape (`core/sync/ops.ts`), written in the same
 * transaction as the local change they describe, and the local version vector of each synced row
 * (`row_vectors`) from which an op's base vector comes. The sync engine reads and acknowledges ops
 * here; when it applies a pulled row it sets that row's vector to the pulled one, keeping this
 * replica's own entry if it is higher (its own changes may not have reached the server yet).
 */

/** Meta key of the last op number handed out; op numbers are never reused, even after acks. */
export const LAST_OP_KEY = 'lastOpNumber';

/** Meta key of the replica id (the same as `openDatabase.ts`'s `REPLICA_ID_KEY`). */
const REPLICA_ID = 'replicaId';

/** The contract's row target of a local edit target (entity and column metadata rows). */
export function rowTargetOf(target: EditTarget): RowTarget {
  return 'entityId' in target ? { kind: 'entity', id: target.entityId } : { kind: 'column', id: target.columnId };
}

/**
 * The field patch of a local edit: `description` and `tags` as they are (tags as a sorted set),
 * each `meta` key as its own field `meta.<key>` (`null` unsets it), so concurrent edits of
 * different meta keys never conflict.
 */
export function fieldPatchOf(kind: string, edit: EditPatch): FieldPatch {
  const patch: Record<string, JsonValue> = {};
  if (edit.description !== undefined) patch.description = edit.description;
  if (edit.tags !== undefined) patch.tags = normalizeFieldValue(kind, 'tags', edit.tags) as JsonValue;
  for (const [key, value] of Object.entries(edit.meta ?? {})) patch[mapFieldPath('meta', key)] = (value ?? null) as JsonValue;
  return patch;
}

/** The local version vector of a row (empty when this replica has neither pulled nor changed it). */
export function rowVector(db: Database, target: RowTarget): VersionVector {
  const text = prepared(db, 'SELECT vector FROM row_vectors WHERE target_kind = ? AND target_id = ?').pluck().get(target.kind, target.id) as string | undefined;
  return text === undefined ? {} : parseJson<VersionVector>(text);
}

/** Stores the local version vector of a row (the sync engine calls it when it applies a pulled row). */
export function setRowVector(db: Database, target: RowTarget, vector: VersionVector): void {
  prepared(db, 'INSERT INTO row_vectors (target_kind, target_id, vector) VALUES (?, ?, ?) ON CONFLICT(target_kind, target_id) DO UPDATE SET vector = excluded.vector').run(
    target.kind,
    target.id,
    JSON.stringify(vector),
  );
}

/**
 * Appends an op for a change of `target` made by this replica: the next op number, the row's
 * current local vector as base, then advances the row's vector by this replica's change. Call it
 * inside the transaction that writes the change. The replica id is read from the file, not cached:
 * the sync engine starts a new one when it re-bases the outbox or the organization changes.
 */
export function appendOp(db: Database, replicaId: string, target: RowTarget, change: { action: 'patch'; patch: FieldPatch } | { action: 'delete' }, now = new Date()): SyncOp {
  const me = getMeta(db, REPLICA_ID) ?? replicaId;
  const opNumber = Number(getMeta(db, LAST_OP_KEY) ?? '0') + 1;
  setMeta(db, LAST_OP_KEY, String(opNumber));
  const vector = rowVector(db, target);
  setRowVector(db, target, incrementVector(vector, me));
  const common = { schemaVersion: SYNC_SCHEMA_VERSION, replicaId: me, opNumber, target, vector, createdAt: now.toISOString() };
  const op: SyncOp = change.action === 'patch' ? { ...common, action: 'patch', patch: change.patch } : { ...common, action: 'delete' };
  writeOutboxOp(db, op);
  return op;
}

/** Writes one op to the outbox as it is (the sync engine re-writes ops when it re-bases them). */
export function writeOutboxOp(db: Database, op: SyncOp): void {
  const patch = op.action === 'patch' ? JSON.stringify(op.patch) : '{}';
  const resolves = op.resolves !== undefined && op.resolves.length > 0 ? JSON.stringify(op.resolves) : null;
  prepared(
    db,
    `INSERT INTO outbox (replica_id, op_number, target_kind, target_id, patch, created_at, action, base_vector, schema_version, resolves)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(op.replicaId, op.opNumber, op.target.kind, op.target.id, patch, op.createdAt, op.action, JSON.stringify(op.vector), op.schemaVersion, resolves);
}

interface OutboxRow {
  replica_id: string;
  op_number: number;
  target_kind: string;
  target_id: string;
  patch: string;
  created_at: string;
  action: string;
  base_vector: string;
  schema_version: number;
  resolves: string | null;
}

/** The op an outbox row holds. */
export function toOp(r: OutboxRow): SyncOp {
  const common = {
    schemaVersion: r.schema_version,
    replicaId: r.replica_id,
    opNumber: r.op_number,
    target: { kind: r.target_kind, id: r.target_id },
    vector: parseJson<VersionVector>(r.base_vector),
    createdAt: r.created_at,
    ...(r.resolves === null ? {} : { resolves: parseJson<string[]>(r.resolves) }),
  };
  return r.action === 'delete' ? { ...common, action: 'delete' } : { ...common, action: 'patch', patch: parseJson<FieldPatch>(r.patch) };
}

/** Outbox ops, oldest first. */
export function pendingOps(db: Database, limit = 1000): SyncOp[] {
  const rows = prepared(db, 'SELECT * FROM outbox ORDER BY replica_id, op_number LIMIT ?').all(Math.max(1, Math.trunc(limit))) as OutboxRow[];
  return rows.map(toOp);
}

/** Outbox ops on one row, oldest first. */
export function pendingOpsOf(db: Database, target: RowTarget): SyncOp[] {
  const rows = prepared(db, 'SELECT * FROM outbox WHERE target_kind = ? AND target_id = ? ORDER BY replica_id, op_number').all(target.kind, target.id) as OutboxRow[];
  return rows.map(toOp);
}

/** Deletes acknowledged outbox rows of a replica up to `opNumber`. */
export function ackOps(db: Database, replicaId: string, opNumber: number): number {
  return prepared(db, 'DELETE FROM outbox WHERE replica_id = ? AND op_number <= ?').run(replicaId, opNumber).changes;
}
