import type { JsonValue, RowTarget, SyncOp } from '../../core/sync/ops';
import type { ConflictRecord, LoserRecord, OpRef } from '../../core/sync/records';
import type { VersionVector } from '../../core/sync/versionVector';
import { scopeChecksum } from '../../core/sync/checksum';
import type { LocalRejection, SyncCounts } from '../ports';
import { targetKey } from '../ports';
import type { ReplicaMetaKey, ReplicaTables, StoredRow, TeamSelector, UnconfirmedOp } from '../replicaTables';
import { ReplicaStore } from '../replicaStore';

/**
 * `ReplicaTables` in memory, for unit tests of the engine: the same `ReplicaStore` rules run over
 * plain maps. A transaction snapshots every map and restores it when the function throws, so a
 * failure mid-page leaves nothing behind, as in SQLite. `failOnPut` lets a test make a write fail.
 */
export class MemoryTables implements ReplicaTables {
  private meta = new Map<ReplicaMetaKey, string>();
  private rows = new Map<string, StoredRow>();
  private vectors = new Map<string, VersionVector>();
  private out = new Map<string, SyncOp>();
  private pendingConfirm = new Map<string, UnconfirmedOp>();
  private conflictRecords = new Map<string, ConflictRecord>();
  private loserRecords = new Map<string, LoserRecord>();
  private rejected = new Map<string, LocalRejection>();
  private depth = 0;
  private nextId = 1;
  /** Transactions committed (outermost), for tests that count them. */
  commits = 0;
  /** When set, `putRow` throws for this row id (a write failing halfway through a page). */
  failOnPut: string | undefined;
  /** When set, `setMeta` throws for this key (a page failing at its cursor, after its rows and purges). */
  failOnMeta: ReplicaMetaKey | undefined;

  constructor(private readonly idPrefix = '00000000-0000-4000-8000') {}

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    const snapshot = this.snapshot();
    this.depth++;
    try {
      const result = fn();
      this.commits++;
      return result;
    } catch (err) {
      this.restore(snapshot);
      throw err;
    } finally {
      this.depth--;
    }
  }

  private snapshot(): unknown[] {
    const copy = <K, V>(m: Map<K, V>): Map<K, V> => new Map([...m].map(([k, v]) => [k, clone(v)]));
    return [this.meta, this.rows, this.vectors, this.out, this.pendingConfirm, this.conflictRecords, this.loserRecords, this.rejected].map((m) => copy(m as Map<unknown, unknown>));
  }

  private restore(s: unknown[]): void {
    [this.meta, this.rows, this.vectors, this.out, this.pendingConfirm, this.conflictRecords, this.loserRecords, this.rejected] = s as [
      Map<ReplicaMetaKey, string>,
      Map<string, StoredRow>,
      Map<string, VersionVector>,
      Map<string, SyncOp>,
      Map<string, UnconfirmedOp>,
      Map<string, ConflictRecord>,
      Map<string, LoserRecord>,
      Map<string, LocalRejection>,
    ];
  }

  getMeta(key: ReplicaMetaKey): string | undefined {
    return this.meta.get(key);
  }

  setMeta(key: ReplicaMetaKey, value: string | undefined): void {
    if (this.failOnMeta === key) throw new Error(`write of ${key} failed`);
    if (value === undefined) this.meta.delete(key);
    else this.meta.set(key, value);
  }

  newReplicaId(): string {
    return `${this.idPrefix}-${(this.nextId++).toString(16).padStart(12, '0')}`;
  }

  getRow(target: RowTarget): StoredRow | undefined {
    const row = this.rows.get(targetKey(target));
    return row === undefined ? undefined : clone(row);
  }

  putRow(row: StoredRow): void {
    if (this.failOnPut === row.target.id) throw new Error(`write of ${row.target.id} failed`);
    this.rows.set(targetKey(row.target), clone(row));
  }

  setView(target: RowTarget, view: Record<string, JsonValue> | null): void {
    const row = this.rows.get(targetKey(target));
    if (row !== undefined) row.view = clone(view);
  }

  deleteRow(target: RowTarget): void {
    this.rows.delete(targetKey(target));
  }

  rowTargets(selector: TeamSelector, olderThanGeneration?: number): RowTarget[] {
    return [...this.rows.values()]
      .filter((r) => selector === 'all' || r.teamId === selector.teamId)
      .filter((r) => olderThanGeneration === undefined || r.generation < olderThanGeneration)
      .map((r) => r.target);
  }

  checksum(teamId: string | null): { rows: number; checksum: string } {
    return scopeChecksum([...this.rows.values()].filter((r) => (teamId === null || r.teamId === teamId) && r.deleted === undefined));
  }

  rowVector(target: RowTarget): VersionVector {
    return this.vectors.get(targetKey(target)) ?? {};
  }

  setRowVector(target: RowTarget, vector: VersionVector): void {
    this.vectors.set(targetKey(target), vector);
  }

  clearRowVectors(): void {
    this.vectors.clear();
  }

  outbox(limit?: number): SyncOp[] {
    const all = [...this.out.values()].sort((a, b) => (a.replicaId < b.replicaId ? -1 : a.replicaId > b.replicaId ? 1 : a.opNumber - b.opNumber));
    return clone(limit === undefined ? all : all.slice(0, limit));
  }

  appendOutbox(op: SyncOp): void {
    this.out.set(refKey(op), clone(op));
  }

  removeOutbox(ref: OpRef): void {
    this.out.delete(refKey(ref));
  }

  unconfirmed(): UnconfirmedOp[] {
    return clone([...this.pendingConfirm.values()]);
  }

  addUnconfirmed(entry: UnconfirmedOp): void {
    this.pendingConfirm.set(refKey(entry.op), clone(entry));
  }

  removeUnconfirmed(ref: OpRef): void {
    this.pendingConfirm.delete(refKey(ref));
  }

  opsFor(target: RowTarget): SyncOp[] {
    const key = targetKey(target);
    return [...this.unconfirmed().map((u) => u.op), ...this.outbox()].filter((op) => targetKey(op.target) === key);
  }

  targetsWithOps(): Set<string> {
    return new Set([...this.pendingConfirm.values()].map((u) => u.op).concat([...this.out.values()]).map((op) => targetKey(op.target)));
  }

  putConflict(record: ConflictRecord): void {
    this.conflictRecords.set(record.id, clone(record));
  }

  getConflict(id: string): ConflictRecord | undefined {
    return clone(this.conflictRecords.get(id));
  }

  conflicts(): ConflictRecord[] {
    return clone([...this.conflictRecords.values()].filter((c) => c.status === 'open'));
  }

  putLoser(record: LoserRecord): void {
    this.loserRecords.set(record.id, clone(record));
  }

  losers(): LoserRecord[] {
    return clone([...this.loserRecords.values()]);
  }

  deleteRecordsOf(targets: readonly RowTarget[]): void {
    const keys = new Set(targets.map(targetKey));
    for (const [id, c] of this.conflictRecords) if (keys.has(targetKey(c.target))) this.conflictRecords.delete(id);
    for (const [id, l] of this.loserRecords) if (keys.has(targetKey(l.target))) this.loserRecords.delete(id);
  }

  deleteAllRecords(): void {
    this.conflictRecords.clear();
    this.loserRecords.clear();
  }

  putRejection(rejection: LocalRejection): void {
    this.rejected.set(refKey(rejection.op), clone(rejection));
  }

  rejections(): LocalRejection[] {
    return clone([...this.rejected.values()]);
  }

  getRejection(ref: OpRef): LocalRejection | undefined {
    return clone(this.rejected.get(refKey(ref)));
  }

  removeRejection(ref: OpRef): boolean {
    return this.rejected.delete(refKey(ref));
  }

  counts(): SyncCounts {
    return { pending: this.out.size, unconfirmed: this.pendingConfirm.size, conflicts: this.conflicts().length, rejections: this.rejected.size };
  }

  /** Every stored row (server state and view), for assertions. */
  allRows(): StoredRow[] {
    return clone([...this.rows.values()]);
  }
}

/** An in-memory replica: `ReplicaStore` over `MemoryTables`. */
export function memoryReplica(idPrefix?: string, now?: () => Date): { store: ReplicaStore; tables: MemoryTables } {
  const tables = new MemoryTables(idPrefix);
  return { store: new ReplicaStore(tables, now), tables };
}

function refKey(ref: OpRef): string {
  return `${ref.replicaId}#${ref.opNumber}`;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
