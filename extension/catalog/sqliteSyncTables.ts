import { createHash, randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { JsonValue, RowTarget, SyncOp } from '../../core/sync/ops';
import type { ConflictRecord, LoserRecord, OpRef } from '../../core/sync/records';
import type { VersionVector } from '../../core/sync/versionVector';
import { rowDigestInput } from '../../core/sync/checksum';
import type { LocalRejection, SyncCounts } from '../../sync/ports';
import { targetKey } from '../../sync/ports';
import type { ReplicaMetaKey, ReplicaTables, StoredRow, TeamSelector, UnconfirmedOp } from '../../sync/replicaTables';
import { indexEntity } from './ftsIndex';
import { getMeta, setMeta } from './metaTable';
import { LAST_OP_KEY, pendingOps, pendingOpsOf, rowVector, setRowVector, writeOutboxOp } from './outbox';
import { inTransaction, parseJson, prepared } from './sqlUtil';

/**
 * `ReplicaTables` on the catalog's SQLite file (schema step 4), so the sync rules of
 * `sync/replicaStore.ts` run on the connection that already writes the catalog. Rows keep their
 * checksum digest in two 32-bit halves so a scope's checksum is one indexed `sum()`. Writes of
 * `entity` rows re-index the entity's search row, because reads show synced descriptions.
 */

const META_KEYS: Record<ReplicaMetaKey, string> = {
  replicaId: 'replicaId',
  lastOpNumber: LAST_OP_KEY,
  orgId: 'sync.orgId',
  principal: 'sync.principal',
  cursor: 'sync.cursor',
  scopes: 'sync.scopes',
  resync: 'sync.resync',
  generation: 'sync.generation',
};

interface RowRecord {
  kind: string;
  id: string;
  team_id: string | null;
  fields: string;
  provenance: string;
  vector: string;
  deleted: string | null;
  view: string | null;
  generation: number;
}

export class SqliteSyncTables implements ReplicaTables {
  constructor(private readonly db: Database) {}

  transaction<T>(fn: () => T): T {
    return inTransaction(this.db, fn);
  }

  getMeta(key: ReplicaMetaKey): string | undefined {
    return getMeta(this.db, META_KEYS[key]);
  }

  setMeta(key: ReplicaMetaKey, value: string | undefined): void {
    if (value === undefined) prepared(this.db, 'DELETE FROM meta WHERE key = ?').run(META_KEYS[key]);
    else setMeta(this.db, META_KEYS[key], value);
  }

  newReplicaId(): string {
    return randomUUID();
  }

  getRow(target: RowTarget): StoredRow | undefined {
    const r = prepared(this.db, 'SELECT * FROM sync_rows WHERE kind = ? AND id = ?').get(target.kind, target.id) as RowRecord | undefined;
    return r === undefined ? undefined : toStoredRow(r);
  }

  putRow(row: StoredRow): void {
    const [hi, lo] = row.deleted === undefined ? digestHalves(row.target, row.vector) : [0, 0];
    prepared(
      this.db,
      `INSERT INTO sync_rows (kind, id, team_id, fields, provenance, vector, deleted, view, generation, digest_hi, digest_lo)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(kind, id) DO UPDATE SET team_id = excluded.team_id, fields = excluded.fields, provenance = excluded.provenance,
         vector = excluded.vector, deleted = excluded.deleted, view = excluded.view, generation = excluded.generation,
         digest_hi = excluded.digest_hi, digest_lo = excluded.digest_lo`,
    ).run(
      row.target.kind,
      row.target.id,
      row.teamId,
      JSON.stringify(row.fields),
      JSON.stringify(row.provenance),
      JSON.stringify(row.vector),
      row.deleted === undefined ? null : JSON.stringify(row.deleted),
      row.view === null ? null : JSON.stringify(row.view),
      row.generation,
      hi,
      lo,
    );
    this.reindex(row.target);
  }

  setView(target: RowTarget, view: Record<string, JsonValue> | null): void {
    prepared(this.db, 'UPDATE sync_rows SET view = ? WHERE kind = ? AND id = ?').run(view === null ? null : JSON.stringify(view), target.kind, target.id);
    this.reindex(target);
  }

  deleteRow(target: RowTarget): void {
    prepared(this.db, 'DELETE FROM sync_rows WHERE kind = ? AND id = ?').run(target.kind, target.id);
    this.reindex(target);
  }

  rowTargets(selector: TeamSelector, olderThanGeneration?: number): RowTarget[] {
    const below = olderThanGeneration ?? Number.MAX_SAFE_INTEGER;
    const rows = (
      selector === 'all'
        ? prepared(this.db, 'SELECT kind, id FROM sync_rows WHERE generation < ?').all(below)
        : prepared(this.db, 'SELECT kind, id FROM sync_rows WHERE team_id IS ? AND generation < ?').all(selector.teamId, below)
    ) as { kind: string; id: string }[];
    return rows.map((r) => ({ kind: r.kind, id: r.id }));
  }

  checksum(teamId: string | null): { rows: number; checksum: string } {
    const sql =
      teamId === null
        ? 'SELECT count(*) AS n, coalesce(sum(digest_hi), 0) AS hi, coalesce(sum(digest_lo), 0) AS lo FROM sync_rows WHERE deleted IS NULL'
        : 'SELECT count(*) AS n, coalesce(sum(digest_hi), 0) AS hi, coalesce(sum(digest_lo), 0) AS lo FROM sync_rows WHERE team_id = ? AND deleted IS NULL';
    const stmt = prepared(this.db, sql).safeIntegers(true);
    const r = (teamId === null ? stmt.get() : stmt.get(teamId)) as { n: bigint; hi: bigint; lo: bigint };
    const sum = ((r.hi << 32n) + r.lo) % 2n ** 64n;
    return { rows: Number(r.n), checksum: sum.toString() };
  }

  rowVector(target: RowTarget): VersionVector {
    return rowVector(this.db, target);
  }

  setRowVector(target: RowTarget, vector: VersionVector): void {
    setRowVector(this.db, target, vector);
  }

  clearRowVectors(): void {
    prepared(this.db, 'DELETE FROM row_vectors').run();
  }

  outbox(limit?: number): SyncOp[] {
    return pendingOps(this.db, limit ?? Number.MAX_SAFE_INTEGER);
  }

  appendOutbox(op: SyncOp): void {
    writeOutboxOp(this.db, op);
  }

  removeOutbox(ref: OpRef): void {
    prepared(this.db, 'DELETE FROM outbox WHERE replica_id = ? AND op_number = ?').run(ref.replicaId, ref.opNumber);
  }

  unconfirmed(): UnconfirmedOp[] {
    const rows = prepared(this.db, 'SELECT op, txid FROM sync_unconfirmed ORDER BY rowid').all() as { op: string; txid: string | null }[];
    return rows.map((r) => ({ op: parseJson<SyncOp>(r.op), txid: r.txid }));
  }

  addUnconfirmed(entry: UnconfirmedOp): void {
    const { op } = entry;
    prepared(
      this.db,
      `INSERT INTO sync_unconfirmed (replica_id, op_number, target_kind, target_id, op, txid) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(replica_id, op_number) DO UPDATE SET op = excluded.op, txid = excluded.txid`,
    ).run(op.replicaId, op.opNumber, op.target.kind, op.target.id, JSON.stringify(op), entry.txid);
  }

  removeUnconfirmed(ref: OpRef): void {
    prepared(this.db, 'DELETE FROM sync_unconfirmed WHERE replica_id = ? AND op_number = ?').run(ref.replicaId, ref.opNumber);
  }

  opsFor(target: RowTarget): SyncOp[] {
    const unconfirmed = prepared(this.db, 'SELECT op FROM sync_unconfirmed WHERE target_kind = ? AND target_id = ? ORDER BY rowid').pluck().all(target.kind, target.id) as string[];
    return [...unconfirmed.map((o) => parseJson<SyncOp>(o)), ...pendingOpsOf(this.db, target)];
  }

  targetsWithOps(): Set<string> {
    const rows = prepared(this.db, 'SELECT target_kind AS kind, target_id AS id FROM outbox UNION SELECT target_kind, target_id FROM sync_unconfirmed').all() as RowTarget[];
    return new Set(rows.map(targetKey));
  }

  putConflict(record: ConflictRecord): void {
    this.putRecord('conflict', record.id, record.target, record.status === 'open', record);
  }

  getConflict(id: string): ConflictRecord | undefined {
    const payload = prepared(this.db, "SELECT payload FROM sync_records WHERE id = ? AND type = 'conflict'").pluck().get(id) as string | undefined;
    return payload === undefined ? undefined : parseJson<ConflictRecord>(payload);
  }

  conflicts(): ConflictRecord[] {
    return (prepared(this.db, "SELECT payload FROM sync_records WHERE type = 'conflict' AND open = 1 ORDER BY rowid").pluck().all() as string[]).map((p) => parseJson<ConflictRecord>(p));
  }

  putLoser(record: LoserRecord): void {
    this.putRecord('loser', record.id, record.target, false, record);
  }

  losers(): LoserRecord[] {
    return (prepared(this.db, "SELECT payload FROM sync_records WHERE type = 'loser' ORDER BY rowid").pluck().all() as string[]).map((p) => parseJson<LoserRecord>(p));
  }

  deleteRecordsOf(targets: readonly RowTarget[]): void {
    const stmt = prepared(this.db, 'DELETE FROM sync_records WHERE target_kind = ? AND target_id = ?');
    for (const t of targets) stmt.run(t.kind, t.id);
  }

  deleteAllRecords(): void {
    prepared(this.db, 'DELETE FROM sync_records').run();
  }

  putRejection(rejection: LocalRejection): void {
    prepared(
      this.db,
      'INSERT INTO sync_rejections (replica_id, op_number, payload) VALUES (?, ?, ?) ON CONFLICT(replica_id, op_number) DO UPDATE SET payload = excluded.payload',
    ).run(rejection.op.replicaId, rejection.op.opNumber, JSON.stringify(rejection));
  }

  rejections(): LocalRejection[] {
    return (prepared(this.db, 'SELECT payload FROM sync_rejections ORDER BY rowid').pluck().all() as string[]).map((p) => parseJson<LocalRejection>(p));
  }

  getRejection(ref: OpRef): LocalRejection | undefined {
    const payload = prepared(this.db, 'SELECT payload FROM sync_rejections WHERE replica_id = ? AND op_number = ?').pluck().get(ref.replicaId, ref.opNumber) as string | undefined;
    return payload === undefined ? undefined : parseJson<LocalRejection>(payload);
  }

  removeRejection(ref: OpRef): boolean {
    return prepared(this.db, 'DELETE FROM sync_rejections WHERE replica_id = ? AND op_number = ?').run(ref.replicaId, ref.opNumber).changes > 0;
  }

  counts(): SyncCounts {
    const r = prepared(
      this.db,
      `SELECT (SELECT count(*) FROM outbox) AS pending, (SELECT count(*) FROM sync_unconfirmed) AS unconfirmed,
         (SELECT count(*) FROM sync_records WHERE type = 'conflict' AND open = 1) AS conflicts, (SELECT count(*) FROM sync_rejections) AS rejections`,
    ).get() as SyncCounts;
    return { pending: r.pending, unconfirmed: r.unconfirmed, conflicts: r.conflicts, rejections: r.rejections };
  }

  private putRecord(type: 'conflict' | 'loser', id: string, target: RowTarget, open: boolean, payload: unknown): void {
    prepared(
      this.db,
      `INSERT INTO sync_records (id, type, target_kind, target_id, open, payload) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET open = excluded.open, payload = excluded.payload`,
    ).run(id, type, target.kind, target.id, open ? 1 : 0, JSON.stringify(payload));
  }

  /** Search shows synced descriptions: an entity's search row follows its synced row. */
  private reindex(target: RowTarget): void {
    if (target.kind === 'entity') indexEntity(this.db, target.id);
  }
}

/** The row's checksum digest (`core/sync/checksum.ts` `rowDigest`) as two unsigned 32-bit halves. */
export function digestHalves(target: RowTarget, vector: VersionVector): [number, number] {
  const hash = createHash('sha256').update(rowDigestInput(target, vector), 'utf8').digest();
  return [hash.readUInt32BE(0), hash.readUInt32BE(4)];
}

function toStoredRow(r: RowRecord): StoredRow {
  const row: StoredRow = {
    target: { kind: r.kind, id: r.id },
    teamId: r.team_id,
    fields: parseJson<Record<string, JsonValue>>(r.fields),
    provenance: parseJson<Record<string, VersionVector>>(r.provenance),
    vector: parseJson<VersionVector>(r.vector),
    view: r.view === null ? null : parseJson<Record<string, JsonValue>>(r.view),
    generation: r.generation,
  };
  if (r.deleted !== null) row.deleted = parseJson<VersionVector>(r.deleted);
  return row;
}
