import type { FieldPatch, RowTarget } from '../../core/sync/ops';
import type { SyncRow } from '../../core/sync/mergePatch';
import type { OpAck, PushResponse } from '../../core/sync/pushMessages';
import type { ConflictRecord, LoserRecord, RejectionRecord } from '../../core/sync/records';
import { mergePatch } from '../../core/sync/mergePatch';
import { MIN_SUPPORTED_SCHEMA_VERSION, SYNC_SCHEMA_VERSION } from '../../core/sync/limits';
import { PushRequest } from '../../core/sync/pushMessages';
import { SyncError } from '../../core/sync/errors';
import { targetKey } from '../ports';
import { servePull } from './memoryPull';

/**
 * An in-memory sync server for unit tests, built on the contract's `mergePatch` and following the
 * server rules of `core/sync/README.md`: pushes applied in one transaction with the replica's last
 * applied op number (duplicates skipped, a gap stops the batch, permanent refusals consumed and
 * recorded), every write stamped `(xid, seq)`, pulls served only below the settled horizon (the
 * oldest open transaction), tombstones, conflict/loser/rejection records, scopes (organization-wide
 * rows and teams) with access checked per request, per-scope checksums, epochs and a tombstone GC
 * floor. `handle` answers like the edge functions (status + JSON body), so the same server also
 * backs an HTTP stand-in in integration tests.
 */

/** What a member may do in one organization. */
export interface MemoryAccess {
  /** Reads (and, with `write`, writes) every row of the organization, organization-wide and of each team. */
  orgWide: boolean;
  teams: Set<string>;
  write: boolean;
}

/** A stored row with its stamp. */
export interface ServerRow {
  row: SyncRow;
  teamId: string | null;
  xid: bigint;
  seq: bigint;
}

/** A stored record with its stamp and who it concerns. */
export interface ServerRecord {
  type: 'conflict' | 'loser' | 'rejection';
  orgId: string;
  teamId: string | null;
  record: ConflictRecord | LoserRecord | RejectionRecord;
  xid: bigint;
  seq: bigint;
}

/** An answer as the edge functions give it. */
export interface MemoryAnswer {
  status: number;
  body: unknown;
}

/** A server-side transaction held open (a long writer): its rows become visible at commit, stamped with its early xid. */
export interface MemoryTransaction {
  readonly xid: bigint;
  write(orgId: string, target: RowTarget, patch: FieldPatch, options?: { teamId?: string | null; replicaId?: string }): void;
  commit(): void;
}

export class MemoryServer {
  epoch = 1n;
  nextXid = 1000n;
  private seq = 0n;
  /** orgId → row key → row. */
  readonly rows = new Map<string, Map<string, ServerRow>>();
  readonly records: ServerRecord[] = [];
  readonly lastApplied = new Map<string, number>();
  readonly open = new Map<bigint, Set<string>>();
  readonly tokens = new Map<string, string>();
  readonly members = new Map<string, Map<string, MemoryAccess>>();
  readonly retired = new Set<string>();
  /** Team of rows created by pushes (default: organization-wide). */
  readonly teamOf = new Map<string, string>();
  gcFloor = 0n;
  /** Next pushes answered with this retryable error, nothing applied. */
  failPushes: { count: number; code: 'unavailable' | 'internal' | 'rate-limited' | 'timeout' } = { count: 0, code: 'unavailable' };
  /** Requests handled, by function. */
  readonly calls = { push: 0, pull: 0 };
  private nextRecord = 1;

  /** Registers a user with a bearer token. */
  addUser(token: string, userId: string): void {
    this.tokens.set(token, userId);
  }

  /** Grants (or replaces) a user's access to an organization. */
  grant(userId: string, orgId: string, access: { orgWide?: boolean; teams?: string[]; write?: boolean }): void {
    const orgs = this.members.get(userId) ?? new Map<string, MemoryAccess>();
    orgs.set(orgId, { orgWide: access.orgWide ?? true, teams: new Set(access.teams ?? []), write: access.write ?? true });
    this.members.set(userId, orgs);
  }

  /** Removes a user from an organization, or from one of its teams. */
  revoke(userId: string, orgId: string, teamId?: string): void {
    const access = this.members.get(userId)?.get(orgId);
    if (access === undefined) return;
    if (teamId === undefined) this.members.get(userId)?.delete(orgId);
    else access.teams.delete(teamId);
  }

  /** The settled horizon: the oldest open transaction, else the next xid. */
  horizon(): bigint {
    let h = this.nextXid;
    for (const xid of this.open.keys()) if (xid < h) h = xid;
    return h;
  }

  /** The stored row of a target, for assertions. */
  row(orgId: string, target: RowTarget): ServerRow | undefined {
    return this.rows.get(orgId)?.get(targetKey(target));
  }

  /** A trusted server-side write (connector, org catalog extraction), committed at once. */
  write(orgId: string, target: RowTarget, patch: FieldPatch, options: { teamId?: string | null; replicaId?: string } = {}): void {
    const tx = this.begin();
    tx.write(orgId, target, patch, options);
    tx.commit();
  }

  /** A trusted server-side delete, committed at once. */
  remove(orgId: string, target: RowTarget, replicaId = SERVER_WRITER): void {
    const xid = this.nextXid++;
    const existing = this.row(orgId, target);
    const result = mergePatch(existing?.row, { action: 'delete', target, replicaId, vector: existing?.row.vector ?? {} }, { trusted: true });
    if (result.outcome === 'applied') this.store(orgId, result.row, existing?.teamId ?? null, xid);
  }

  /** Opens a writer transaction; pulls stop at its xid until it commits. */
  begin(): MemoryTransaction {
    const xid = this.nextXid++;
    const keys = new Set<string>();
    this.open.set(xid, keys);
    const writes: { orgId: string; row: SyncRow; teamId: string | null }[] = [];
    return {
      xid,
      write: (orgId, target, patch, options = {}) => {
        const existing = this.row(orgId, target);
        const replicaId = options.replicaId ?? SERVER_WRITER;
        const result = mergePatch(existing?.row, { action: 'patch', patch, target, replicaId, vector: existing?.row.vector ?? {} }, { trusted: true });
        if (result.outcome !== 'applied') throw new Error(`server write refused: ${result.outcome}`);
        keys.add(`${orgId}/${targetKey(target)}`);
        writes.push({ orgId, row: result.row, teamId: options.teamId ?? existing?.teamId ?? null });
      },
      commit: () => {
        for (const w of writes) this.store(w.orgId, w.row, w.teamId, xid);
        this.open.delete(xid);
      },
    };
  }

  /** A restore: a new epoch, and every row and record stamped again with new transaction ids. */
  bumpEpoch(): void {
    this.epoch += 1n;
    this.nextXid += 1_000_000n;
    for (const org of this.rows.values()) for (const r of org.values()) r.xid = this.nextXid;
    for (const r of this.records) r.xid = this.nextXid;
    this.nextXid++;
  }

  /** Drops tombstones below the horizon; cursors older than that become `cursor-expired`. */
  collectTombstones(): void {
    this.gcFloor = this.horizon();
    for (const org of this.rows.values()) for (const [key, r] of org) if (r.row.deleted !== undefined && r.xid < this.gcFloor) org.delete(key);
  }

  /** Answers a request to `sync-push` or `sync-pull` with the caller's bearer token. */
  handle(fn: 'sync-push' | 'sync-pull', body: unknown, token: string | undefined): MemoryAnswer {
    try {
      const userId = token === undefined ? undefined : this.tokens.get(token);
      if (userId === undefined) throw new SyncError('unauthorized', 'Missing or invalid token.');
      if (fn === 'sync-push') {
        this.calls.push++;
        return { status: 200, body: this.push(body, userId) };
      }
      this.calls.pull++;
      return { status: 200, body: servePull(this, body, userId) };
    } catch (err) {
      if (SyncError.is(err)) return { status: err.httpStatus, body: err.toEnvelope() };
      return { status: 500, body: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
    }
  }

  /** Access of a user to an organization, or a `forbidden` error. */
  accessOf(userId: string, orgId: string): MemoryAccess | undefined {
    return this.members.get(userId)?.get(orgId);
  }

  private push(body: unknown, userId: string): PushResponse {
    const parsed = PushRequest.safeParse(body);
    if (!parsed.success) {
      // Like the edge function: the first issue with its path (a bad dictionary index names the op's vector).
      const issue = parsed.error.issues[0];
      throw new SyncError('bad-request', `Invalid push: ${issue === undefined ? 'bad body' : `${issue.path.join('.') || '(body)'}: ${issue.message}`}`);
    }
    const req = parsed.data;
    if (req.schemaVersion < MIN_SUPPORTED_SCHEMA_VERSION) throw new SyncError('client-too-old', 'Update Mallard to sync.');
    const access = this.accessOf(userId, req.orgId);
    if (access === undefined) throw new SyncError('forbidden', `Not a member of organization ${req.orgId}.`);
    if (this.retired.has(req.replicaId)) throw new SyncError('replica-retired', `Replica ${req.replicaId} was retired.`);
    if (this.failPushes.count > 0) {
      this.failPushes.count--;
      throw new SyncError(this.failPushes.code, 'The database is unavailable; nothing was applied.');
    }
    for (const op of req.ops) {
      for (const keys of this.open.values()) {
        if (keys.has(`${req.orgId}/${targetKey(op.target)}`)) throw new SyncError('unavailable', 'A row is locked by another transaction; retry.');
      }
    }
    const xid = this.nextXid++;
    let last = this.lastApplied.get(req.replicaId) ?? 0;
    let wrote = false;
    const acks: OpAck[] = [];
    let stopped: PushResponse['stopped'];
    const now = new Date(0).toISOString();
    for (const op of req.ops) {
      if (op.opNumber <= last) {
        acks.push({ opNumber: op.opNumber, status: 'duplicate' });
        continue;
      }
      if (op.opNumber !== last + 1) {
        stopped = { reason: 'gap', expected: last + 1, message: `Expected op ${last + 1}, got ${op.opNumber}.` };
        break;
      }
      last = op.opNumber;
      const key = targetKey(op.target);
      const existing = this.rows.get(req.orgId)?.get(key);
      const teamId = existing?.teamId ?? this.teamOf.get(key) ?? null;
      const ref = { replicaId: op.replicaId, opNumber: op.opNumber };
      const reject = (code: RejectionRecord['code'], message: string): void => {
        acks.push({ opNumber: op.opNumber, status: 'rejected', code, message });
        this.addRecord(req.orgId, teamId, 'rejection', { op: ref, target: op.target, code, message, createdAt: now }, xid);
        wrote = true;
      };
      const canWrite = access.write && (access.orgWide || (teamId !== null && access.teams.has(teamId)));
      if (!canWrite) {
        reject('forbidden', `No write access to ${teamId === null ? 'organization-wide rows' : `team ${teamId}`}.`);
        continue;
      }
      const result = mergePatch(existing?.row, op, { isRetired: (r) => this.retired.has(r) });
      if (result.outcome === 'rejected') {
        reject(result.code, result.message);
        continue;
      }
      if (result.outcome === 'duplicate') {
        acks.push({ opNumber: op.opNumber, status: 'duplicate' });
        continue;
      }
      this.store(req.orgId, result.row, teamId, xid);
      wrote = true;
      for (const loser of result.losers) this.addRecord(req.orgId, teamId, 'loser', { ...loser, id: this.recordId(), target: op.target, op: ref, createdAt: now }, xid);
      const conflicts = result.conflicts.map((c): ConflictRecord => ({ ...c, id: this.recordId(), target: op.target, op: ref, createdAt: now, status: 'open' }));
      for (const c of conflicts) this.addRecord(req.orgId, teamId, 'conflict', c, xid);
      for (const id of op.resolves ?? []) this.resolve(id, xid);
      acks.push(conflicts.length > 0 ? { opNumber: op.opNumber, status: 'conflict', conflicts } : { opNumber: op.opNumber, status: 'applied' });
    }
    this.lastApplied.set(req.replicaId, last);
    const response: PushResponse = { schemaVersion: SYNC_SCHEMA_VERSION, acks, lastApplied: last, txid: wrote ? String(xid) : null };
    if (stopped !== undefined) response.stopped = stopped;
    return response;
  }

  private store(orgId: string, row: SyncRow, teamId: string | null, xid: bigint): void {
    const org = this.rows.get(orgId) ?? new Map<string, ServerRow>();
    org.set(targetKey(row.target), { row, teamId, xid, seq: ++this.seq });
    this.rows.set(orgId, org);
  }

  private addRecord(orgId: string, teamId: string | null, type: ServerRecord['type'], record: ServerRecord['record'], xid: bigint): void {
    this.records.push({ type, orgId, teamId, record, xid, seq: ++this.seq });
  }

  private resolve(conflictId: string, xid: bigint): void {
    const found = this.records.find((r) => r.type === 'conflict' && (r.record as ConflictRecord).id === conflictId);
    if (found === undefined) return;
    found.record = { ...(found.record as ConflictRecord), status: 'resolved', resolvedAt: new Date(0).toISOString() };
    found.xid = xid;
    found.seq = ++this.seq;
  }

  private recordId(): string {
    return `${(this.nextRecord++).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
  }
}

/** Replica id of the server's own writer in tests. */
export const SERVER_WRITER = 'ffffffff-0000-4000-8000-000000000000';
