import type { Cursor } from '../core/sync/cursor';
import type { FieldPatch, RowTarget, SyncOp } from '../core/sync/ops';
import type { PullResponse, Scope } from '../core/sync/pullMessages';
import type { PushResponse } from '../core/sync/pushMessages';
import type { ConflictRecord, LoserRecord, OpRef, RejectionCode } from '../core/sync/records';
import { SYNC_SCHEMA_VERSION } from '../core/sync/limits';
import { incrementVector } from '../core/sync/versionVector';
import { computeView, rebaseOps, shiftVector } from './localView';
import type { ConflictResolution, LocalRejection, LocalSyncState, PageStream, ResyncState, SyncCounts, SyncStore } from './ports';
import { targetKey } from './ports';
import type { ReplicaTables } from './replicaTables';
import { applyPageTo, beginResyncIn, finishResyncIn, localChecksumsOf } from './replicaPage';

/**
 * `SyncStore` implemented once over `ReplicaTables` (SQLite or memory): every rule of the local
 * replica — push bookkeeping, confirmation, views over pending ops, purges, re-basing, resyncs — is
 * here or in `replicaPage.ts`, each public method one transaction.
 */
export class ReplicaStore implements SyncStore {
  constructor(
    /** The storage primitives. */
    readonly tables: ReplicaTables,
    private readonly now: () => Date = () => new Date(),
  ) {}

  state(): LocalSyncState {
    const t = this.tables;
    return {
      replicaId: this.replicaId(),
      orgId: t.getMeta('orgId'),
      cursor: readJson<Cursor | null>(t.getMeta('cursor'), null),
      scopes: readJson<Scope[]>(t.getMeta('scopes'), []),
      resync: readJson<ResyncState | undefined>(t.getMeta('resync'), undefined),
    };
  }

  /** This replica's id (created on first use). */
  replicaId(): string {
    const existing = this.tables.getMeta('replicaId');
    if (existing !== undefined) return existing;
    return this.tables.transaction(() => {
      const id = this.tables.getMeta('replicaId') ?? this.tables.newReplicaId();
      this.tables.setMeta('replicaId', id);
      return id;
    });
  }

  bindOrg(orgId: string, principal?: string): { replicaId: string; changed: boolean } {
    return this.tables.transaction(() => {
      const t = this.tables;
      const previous = t.getMeta('orgId');
      const previousPrincipal = t.getMeta('principal');
      const samePrincipal = principal === undefined || previousPrincipal === undefined || previousPrincipal === principal;
      if (principal !== undefined) t.setMeta('principal', principal);
      if (previous === orgId && samePrincipal) return { replicaId: this.replicaId(), changed: false };
      t.setMeta('orgId', orgId);
      // The first binding keeps the replica: its pending edits were made for whichever org it syncs.
      if (previous === undefined) return { replicaId: this.replicaId(), changed: false };
      const message =
        previous !== orgId
          ? `Not sent: this catalog now syncs organization ${orgId}; the edit was made while it synced ${previous}.`
          : 'Not sent: the edit was made while another account was signed in; retry it to send it as the current account.';
      for (const op of t.outbox()) this.reject(op, 'access-revoked', message);
      for (const entry of t.unconfirmed()) t.removeUnconfirmed(entry.op);
      for (const target of t.rowTargets('all')) t.deleteRow(target);
      t.deleteAllRecords();
      t.clearRowVectors();
      for (const key of ['cursor', 'scopes', 'resync'] as const) t.setMeta(key, undefined);
      t.setMeta('replicaId', t.newReplicaId());
      t.setMeta('lastOpNumber', '0');
      return { replicaId: this.replicaId(), changed: true };
    });
  }

  pendingOps(limit: number): SyncOp[] {
    const me = this.replicaId();
    return this.tables.outbox(limit).filter((op) => op.replicaId === me);
  }

  counts(): SyncCounts {
    return this.tables.counts();
  }

  recordPush(ops: readonly SyncOp[], response: PushResponse): void {
    this.tables.transaction(() => {
      const t = this.tables;
      const sent = new Map(ops.map((op) => [op.opNumber, op]));
      const touched = new Map<string, RowTarget>();
      for (const ack of response.acks) {
        const op = sent.get(ack.opNumber);
        if (op === undefined) continue;
        sent.delete(ack.opNumber);
        if (ack.status === 'rejected') {
          this.reject(op, ack.code, ack.message);
          touched.set(targetKey(op.target), op.target);
          continue;
        }
        t.removeOutbox(op);
        // A duplicate was applied by an earlier transaction whose id this answer does not carry.
        t.addUnconfirmed({ op, txid: ack.status === 'duplicate' ? null : response.txid });
        if (ack.status === 'conflict') for (const conflict of ack.conflicts) t.putConflict(conflict);
      }
      // Ops the server counts as applied but did not ack (an earlier, lost answer applied them).
      for (const op of sent.values()) {
        if (op.opNumber > response.lastApplied) continue;
        t.removeOutbox(op);
        t.addUnconfirmed({ op, txid: null });
      }
      for (const target of touched.values()) this.refreshView(target);
    });
  }

  restoreUnconfirmed(from: number): number {
    return this.tables.transaction(() => {
      const me = this.replicaId();
      const back = this.tables.unconfirmed().filter((u) => u.op.replicaId === me && u.op.opNumber >= from);
      for (const entry of back) {
        this.tables.removeUnconfirmed(entry.op);
        this.tables.appendOutbox(entry.op);
      }
      return back.length;
    });
  }

  rebase(): string {
    return this.tables.transaction(() => {
      const t = this.tables;
      const old = t.outbox();
      const newId = t.newReplicaId();
      const { ops, shifts } = rebaseOps(old, newId);
      for (const op of old) t.removeOutbox(op);
      for (const op of ops) t.appendOutbox(op);
      for (const op of ops) {
        const shift = shifts.get(targetKey(op.target));
        if (shift === undefined) continue;
        shifts.delete(targetKey(op.target));
        t.setRowVector(op.target, shiftVector(t.rowVector(op.target), shift, newId));
        this.refreshView(op.target);
      }
      t.setMeta('replicaId', newId);
      t.setMeta('lastOpNumber', String(ops.length));
      return newId;
    });
  }

  applyPage(response: PullResponse, stream: PageStream, confirm: boolean): void {
    this.tables.transaction(() => applyPageTo(this, response, stream, confirm));
  }

  beginResync(scopes: 'all' | Scope[]): ResyncState {
    return this.tables.transaction(() => beginResyncIn(this.tables, scopes));
  }

  finishResync(): void {
    this.tables.transaction(() => finishResyncIn(this));
  }

  localChecksums(scopes: readonly Scope[]): { scope: Scope; rows: number; checksum: string }[] {
    return localChecksumsOf(this.tables, scopes);
  }

  conflicts(): ConflictRecord[] {
    return this.tables.conflicts();
  }

  losers(): LoserRecord[] {
    return this.tables.losers();
  }

  rejections(): LocalRejection[] {
    return this.tables.rejections();
  }

  resolveConflict(conflictId: string, resolution: ConflictResolution): SyncOp | undefined {
    return this.tables.transaction(() => {
      const conflict = this.tables.getConflict(conflictId);
      if (conflict === undefined || conflict.status !== 'open') return undefined;
      const patch: FieldPatch = 'keep' in resolution ? {} : { [conflict.field]: resolution.value };
      const op = this.appendEdit(conflict.target, { action: 'patch', patch }, [conflictId]);
      // It leaves the list at once; the server's resolved record follows with a later pull.
      this.tables.putConflict({ ...conflict, status: 'resolved', resolvedAt: this.now().toISOString() });
      return op;
    });
  }

  retryRejected(ref: OpRef): SyncOp | undefined {
    return this.tables.transaction(() => {
      const rejection = this.tables.getRejection(ref);
      const change = rejection?.change;
      if (change === undefined) return undefined;
      this.tables.removeRejection(ref);
      const body = change.action === 'patch' ? { action: 'patch' as const, patch: change.patch } : { action: 'delete' as const };
      return this.appendEdit(change.target, body, change.resolves);
    });
  }

  dismissRejection(ref: OpRef): boolean {
    return this.tables.transaction(() => this.tables.removeRejection(ref));
  }

  /**
   * Appends a user edit to the outbox: the next op number, the row's local vector as base (then
   * advanced by this change), and the row's view refreshed. The SQLite catalog's `mutate` writes
   * the same shape through `extension/catalog/outbox.ts`.
   */
  appendEdit(target: RowTarget, change: { action: 'patch'; patch: FieldPatch } | { action: 'delete' }, resolves?: readonly string[]): SyncOp {
    return this.tables.transaction(() => {
      const t = this.tables;
      const me = this.replicaId();
      const opNumber = Number(t.getMeta('lastOpNumber') ?? '0') + 1;
      t.setMeta('lastOpNumber', String(opNumber));
      const vector = t.rowVector(target);
      t.setRowVector(target, incrementVector(vector, me));
      const common = { schemaVersion: SYNC_SCHEMA_VERSION, replicaId: me, opNumber, target: { kind: target.kind, id: target.id }, vector, createdAt: this.now().toISOString() };
      const extra = resolves !== undefined && resolves.length > 0 ? { resolves: [...resolves] } : {};
      const op: SyncOp = change.action === 'patch' ? { ...common, ...extra, action: 'patch', patch: change.patch } : { ...common, ...extra, action: 'delete' };
      t.appendOutbox(op);
      this.refreshView(target);
      return op;
    });
  }

  /** Recomputes what reads show for a row from its server state and the ops still pending on it. */
  refreshView(target: RowTarget): void {
    const row = this.tables.getRow(target);
    if (row === undefined) return;
    const view = computeView(row, this.tables.opsFor(target));
    if (JSON.stringify(view) !== JSON.stringify(row.view)) this.tables.setView(target, view);
  }

  /** Moves an op out of the outbox (or the unconfirmed list) into the rejection list. */
  reject(op: SyncOp, code: RejectionCode, message: string, createdAt = this.now().toISOString()): void {
    this.tables.removeOutbox(op);
    this.tables.removeUnconfirmed(op);
    this.tables.putRejection({ op: { replicaId: op.replicaId, opNumber: op.opNumber }, target: op.target, code, message, createdAt, change: op });
  }
}

function readJson<T>(text: string | undefined, fallback: T): T {
  return text === undefined ? fallback : (JSON.parse(text) as T);
}
