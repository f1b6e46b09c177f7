import type { Cursor } from '../../core/sync/cursor';
import type { PulledRow, PullResponse, PullResponseWire, Scope, ScopeChecksum, Tombstone } from '../../core/sync/pullMessages';
import type { ConflictRecord, LoserRecord, RejectionRecord } from '../../core/sync/records';
import { COMPACT_CLOCKS_SINCE, MIN_SUPPORTED_SCHEMA_VERSION, SYNC_SCHEMA_VERSION } from '../../core/sync/limits';
import { PullRequest, encodePullPage } from '../../core/sync/pullMessages';
import { SyncError } from '../../core/sync/errors';
import { scopeChecksum } from '../../core/sync/checksum';
import { scopeKey } from '../ports';
import type { MemoryAccess, MemoryServer, ServerRecord, ServerRow } from './memoryServer';

/**
 * `sync-pull` of the in-memory server. One stream per organization ordered by `(xid, seq)`: rows,
 * tombstones and records, served only below the settled horizon, after the cursor, visible to the
 * caller (every row with organization access, a team's rows with team membership) and,
 * with `scopeFilter`, only of those scopes. A scope the caller gained while holding a cursor is
 * back-filled in the same answer (all its rows up to the cursor, beyond the page limit). A caller
 * who lost the organization gets `scopes.removed` (HTTP 200), so its replica can purge. The last
 * page carries checksums of every scope whose rows have all settled. Like the edge function, it
 * answers a client of `COMPACT_CLOCKS_SINCE` or later with compact clocks, an older one with full vectors.
 */

type Item = { kind: 'row'; entry: ServerRow } | { kind: 'record'; entry: ServerRecord };

/** Serves one page (the caller has been authenticated), in the wire form of the client's schema version. */
export function servePull(server: MemoryServer, body: unknown, userId: string): PullResponseWire {
  const parsed = PullRequest.safeParse(body);
  if (!parsed.success) throw new SyncError('bad-request', `Invalid pull: ${parsed.error.issues[0]?.message ?? 'bad body'}`);
  const req = parsed.data;
  if (req.schemaVersion < MIN_SUPPORTED_SCHEMA_VERSION) throw new SyncError('client-too-old', 'Update Mallard to sync.');
  const cursor = req.cursor;
  if (cursor !== null && BigInt(cursor.epoch) !== server.epoch) throw new SyncError('epoch-changed', 'The database was restored; pull again from the start.');
  if (cursor !== null && BigInt(cursor.xid) < server.gcFloor) throw new SyncError('cursor-expired', 'The cursor is older than the tombstone GC floor; pull again from the start.');
  if (server.retired.has(req.replicaId)) throw new SyncError('replica-retired', `Replica ${req.replicaId} was retired.`);
  const access = server.accessOf(userId, req.orgId);
  const current = currentScopes(req.orgId, access);
  const held = (req.scopes ?? []).filter((s) => s.orgId === req.orgId);
  const heldKeys = new Set(held.map(scopeKey));
  const currentKeys = new Set(current.map(scopeKey));
  const added = current.filter((s) => !heldKeys.has(scopeKey(s)));
  const removed = held.filter((s) => !currentKeys.has(scopeKey(s)));
  const horizon = server.horizon();
  const filter = req.scopeFilter === undefined ? undefined : new Set(req.scopeFilter.map((s) => s.teamId));
  // The organization scope covers every row of the organization; a team scope its team's rows.
  const visible = (teamId: string | null): boolean =>
    access !== undefined && (access.orgWide || (teamId !== null && access.teams.has(teamId))) && (filter === undefined || filter.has(teamId));
  const after = (xid: bigint, seq: bigint): boolean => cursor === null || xid > BigInt(cursor.xid) || (xid === BigInt(cursor.xid) && seq > BigInt(cursor.seq));
  const concerns = (r: ServerRecord): boolean =>
    r.type === 'rejection' ? (r.record as RejectionRecord).op.replicaId === req.replicaId : visible(r.teamId);

  const rows = [...(server.rows.get(req.orgId)?.values() ?? [])];
  const items: Item[] = [
    ...rows.filter((r) => r.xid < horizon && visible(r.teamId) && after(r.xid, r.seq)).map((entry): Item => ({ kind: 'row', entry })),
    ...server.records.filter((r) => r.orgId === req.orgId && r.xid < horizon && concerns(r) && after(r.xid, r.seq)).map((entry): Item => ({ kind: 'record', entry })),
  ].sort((a, b) => compareStamp(a.entry, b.entry));
  const limit = req.limit ?? 1000;
  const page = items.slice(0, limit);
  const hasMore = items.length > limit;
  // Rows of a scope gained while holding a cursor come with this answer, whatever their stamp.
  const addedTeams = new Set(added.map((s) => s.teamId));
  const backfill = cursor === null ? [] : rows.filter((r) => r.xid < horizon && addedTeams.has(r.teamId) && visible(r.teamId) && !after(r.xid, r.seq));
  const last = page[page.length - 1];
  const nextCursor: Cursor = last === undefined ? (cursor ?? { epoch: String(server.epoch), xid: '0', seq: '0' }) : { epoch: String(server.epoch), xid: String(last.entry.xid), seq: String(last.entry.seq) };
  const out: PullResponse = {
    schemaVersion: Math.min(req.schemaVersion, SYNC_SCHEMA_VERSION),
    cursor: nextCursor,
    rows: [],
    tombstones: [],
    scopes: { added, removed },
    records: { conflicts: [], losers: [], rejections: [] },
    horizon: String(horizon),
    hasMore,
    checksums: hasMore ? [] : checksums(current.filter((s) => visible(s.teamId)), rows.filter((r) => visible(r.teamId)), horizon),
  };
  for (const entry of [...backfill, ...page.filter((i) => i.kind === 'row').map((i) => i.entry as ServerRow)]) addRow(out, entry);
  for (const item of page) {
    if (item.kind !== 'record') continue;
    const { type, record } = item.entry;
    if (type === 'conflict') out.records.conflicts.push(record as ConflictRecord);
    else if (type === 'loser') out.records.losers.push(record as LoserRecord);
    else out.records.rejections.push(record as RejectionRecord);
  }
  const wire: PullResponseWire = req.schemaVersion >= COMPACT_CLOCKS_SINCE ? encodePullPage(out) : out;
  return JSON.parse(JSON.stringify(wire)) as PullResponseWire;
}

function addRow(out: PullResponse, entry: ServerRow): void {
  const { row, teamId } = entry;
  if (row.deleted !== undefined) {
    const tomb: Tombstone = { target: row.target, teamId, vector: row.vector };
    out.tombstones.push(tomb);
    return;
  }
  const pulled: PulledRow = { target: row.target, teamId, fields: { ...row.fields }, provenance: { ...row.provenance }, vector: row.vector };
  out.rows.push(pulled);
}

function currentScopes(orgId: string, access: MemoryAccess | undefined): Scope[] {
  if (access === undefined) return [];
  return [...(access.orgWide ? [{ orgId, teamId: null }] : []), ...[...access.teams].sort().map((teamId) => ({ orgId, teamId }))];
}

/**
 * Checksums of the scopes whose rows have all settled (a scope with a newer, unsettled version is
 * skipped). The organization scope covers every row the caller reads; a team scope its team's rows.
 */
function checksums(scopes: Scope[], rows: ServerRow[], horizon: bigint): ScopeChecksum[] {
  const out: ScopeChecksum[] = [];
  for (const scope of scopes) {
    const mine = rows.filter((r) => scope.teamId === null || r.teamId === scope.teamId);
    if (mine.some((r) => r.xid >= horizon)) continue;
    const live = mine.filter((r) => r.row.deleted === undefined).map((r) => ({ target: r.row.target, vector: r.row.vector }));
    out.push({ scope, ...scopeChecksum(live) });
  }
  return out;
}

function compareStamp(a: { xid: bigint; seq: bigint }, b: { xid: bigint; seq: bigint }): number {
  if (a.xid !== b.xid) return a.xid < b.xid ? -1 : 1;
  return a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}
