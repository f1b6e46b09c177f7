import type { Cursor } from '../../core/sync/cursor';
import { SyncError } from '../../core/sync/errors';
import { COMPACT_CLOCKS_SINCE, SYNC_SCHEMA_VERSION } from '../../core/sync/limits';
import { ReplicaDictionaryBuilder, encodeRowClock, encodeVector } from '../../core/sync/clockCodec';
import type { VersionVector } from '../../core/sync/versionVector';
import type { PullRequest, Scope } from '../../core/sync/pullMessages';
import { sqlState, withClaims } from '../_shared/db';
import type { SyncContext, SyncResult } from '../_shared/serve';
import { readStream, scopeTotals } from './pageQueries';
import type { StreamItem } from './pageQueries';
import { plainScopes, scopeDifference } from './scopes';

/**
 * `sync-pull`: one page of the organization's change stream after the replica's cursor, as the
 * caller sees it (RLS). Only settled transactions are served: the page stops below
 * `pg_snapshot_xmin(pg_current_snapshot())`, so a transaction that took its id early and commits
 * late is waited for, never skipped. The page is read in one REPEATABLE READ transaction (rows,
 * records and checksums agree). Scopes gained send the stream from its start again (the rows of the
 * new scope can lie anywhere behind the cursor); scopes lost are reported so the replica purges.
 */

const DEFAULT_PAGE = 1000;
const MOD = 2n ** 64n;

interface ReplicaState {
  retired: boolean;
  scopes: Scope[];
  member: boolean;
}

function checksumsFor(scopes: Scope[], totals: { team_id: string | null; rows: string; sum: string; unsettled: boolean }[]) {
  const out: { scope: Scope; rows: number; checksum: string }[] = [];
  for (const scope of scopes) {
    const groups = scope.teamId === null ? totals : totals.filter((t) => t.team_id === scope.teamId);
    // A scope with rows newer than the horizon cannot be compared yet: the replica has not got them.
    if (groups.some((g) => g.unsettled)) continue;
    const rows = groups.reduce((n, g) => n + Number(g.rows), 0);
    const sum = groups.reduce((s, g) => (s + BigInt(g.sum)) % MOD, 0n);
    out.push({ scope, rows, checksum: sum.toString() });
  }
  return out;
}

/**
 * A row's or tombstone's JSON with its clock: full (`provenance`, `vector`) for a client older than
 * `COMPACT_CLOCKS_SINCE`, else compact (`v`, `d`, `p`) against the page's dictionary. Only the clocks are
 * parsed; the fields stay the text Postgres built.
 */
function itemJson(item: StreamItem, dict: ReplicaDictionaryBuilder | undefined): string {
  if (item.vector === null) return item.json;
  const head = item.json.slice(0, -1);
  if (dict === undefined) {
    return `${head}${item.provenance === null ? '' : `,"provenance":${item.provenance}`},"vector":${item.vector}}`;
  }
  const vector = JSON.parse(item.vector) as VersionVector;
  if (item.provenance === null) return `${head},"v":${JSON.stringify(encodeVector(vector, dict))}}`;
  const clock = encodeRowClock(item.fieldPaths ?? [], JSON.parse(item.provenance) as Record<string, VersionVector>, vector, dict);
  return `${head},"v":${JSON.stringify(clock.v)}${clock.d === undefined ? '' : `,"d":${JSON.stringify(clock.d)}`}${clock.p === undefined ? '' : `,"p":${JSON.stringify(clock.p)}`}}`;
}

/** The JSON text of a page (rows and records are already JSON text) for a client of `schemaVersion`. */
function pageJson(schemaVersion: number, cursor: Cursor, items: StreamItem[], added: Scope[], removed: Scope[], horizon: string, hasMore: boolean, checksums: unknown[]): string {
  const dict = schemaVersion >= COMPACT_CLOCKS_SINCE ? new ReplicaDictionaryBuilder() : undefined;
  const pick = (table: StreamItem['table']) => `[${items.filter((i) => i.table === table).map((i) => itemJson(i, dict)).join(',')}]`;
  const rows = pick('row');
  const tombstones = pick('tombstone');
  // The page answers in the client's version (never above this server's): version 1 has no dictionary.
  const version = Math.min(schemaVersion, SYNC_SCHEMA_VERSION);
  return `{"schemaVersion":${version},"cursor":${JSON.stringify(cursor)},${dict === undefined ? '' : `"replicas":${JSON.stringify(dict.ids)},`}"rows":${rows},"tombstones":${tombstones},` +
    `"scopes":${JSON.stringify({ added, removed })},"records":{"conflicts":${pick('conflict')},"losers":${pick('loser')},` +
    `"rejections":${pick('rejection')}},"horizon":${JSON.stringify(horizon)},"hasMore":${hasMore},"checksums":${JSON.stringify(checksums)}}`;
}

/** The page (JSON text), the cursor served, the scopes the replica now holds, and whether its record must change. */
interface Page {
  body: string;
  rows: number;
  cursor: Cursor;
  current: Scope[];
  record: boolean;
}

async function readPage(ctx: SyncContext<PullRequest>, state: ReplicaState): Promise<Page> {
  const req = ctx.body;
  const limit = req.limit ?? DEFAULT_PAGE;
  // One snapshot for the horizon, the bounds, the stream and the checksums; nothing is written in it
  // (a write would meet the audit chain's row locks of concurrent writers and fail to serialize).
  return await withClaims(ctx.db, ctx.principal.claims, { isolation: 'repeatable read' }, async (tx) => {
    const [head] = await tx<{ horizon: string; scopes: Scope[]; epoch: string; floor_xid: string; floor_seq: string }[]>`
      select pg_snapshot_xmin(pg_current_snapshot())::text as horizon, private.sync_scopes(${req.orgId}::uuid) as scopes,
             b.epoch::text, b.floor_xid::text, b.floor_seq::text
      from private.sync_stream_bounds(${req.orgId}::uuid) b`;
    if (head === undefined) throw new SyncError('internal', 'The sync state did not answer.');
    const current = state.member ? plainScopes(head.scopes) : [];
    const known = req.scopes !== undefined ? plainScopes(req.scopes) : req.cursor === null ? [] : plainScopes(state.scopes);
    const removed = scopeDifference(known, current);
    const added = scopeDifference(current, known);
    const horizon = head.horizon;
    const changedScopes = JSON.stringify(plainScopes(state.scopes)) !== JSON.stringify(current);
    if (current.length === 0) {
      if (removed.length === 0) throw new SyncError('forbidden', 'You cannot read the catalog of this organization.');
      // Access is gone: tell the replica to purge, and nothing else.
      const cursor = req.cursor ?? { epoch: head.epoch, xid: '0', seq: '0' };
      return { body: pageJson(req.schemaVersion, cursor, [], [], removed, horizon, false, []), rows: 0, cursor, current, record: true };
    }
    let after = { xid: '0', seq: '0' };
    if (req.cursor !== null) {
      if (req.cursor.epoch !== head.epoch) {
        throw new SyncError('epoch-changed', `The server database was restored (epoch ${head.epoch}, cursor ${req.cursor.epoch}): pull again from the start.`);
      }
      const floorXid = BigInt(head.floor_xid);
      const [x, s] = [BigInt(req.cursor.xid), BigInt(req.cursor.seq)];
      if (x < floorXid || (x === floorXid && s < BigInt(head.floor_seq))) {
        throw new SyncError('cursor-expired', 'The cursor is older than the tombstone window: pull again from the start.');
      }
      // Gained scopes: their rows may lie anywhere behind the cursor, so the stream starts over.
      if (added.length === 0) after = { xid: req.cursor.xid, seq: req.cursor.seq };
    }
    const items = await readStream(tx, req.orgId, req.replicaId, after, horizon, limit);
    const hasMore = items.length > limit;
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    const cursor: Cursor = last === undefined
      ? { epoch: head.epoch, xid: after.xid, seq: after.seq }
      : { epoch: head.epoch, xid: last.xid.toString(), seq: last.seq.toString() };
    // Checksums on the last page of a pull that served something (or started from scratch): an idle
    // pull leaves the replica where the page with the last checksums left it, and skips the sums.
    const served = page.length > 0 || req.cursor === null || added.length > 0;
    const checksums = hasMore || !served ? [] : checksumsFor(current, await scopeTotals(tx, req.orgId, horizon));
    const record = req.cursor === null || changedScopes || cursor.xid !== req.cursor.xid || cursor.seq !== req.cursor.seq || req.cursor.epoch !== cursor.epoch;
    return { body: pageJson(req.schemaVersion, cursor, page, added, removed, horizon, hasMore, checksums), rows: page.length, cursor, current, record };
  });
}

async function pullOnce(ctx: SyncContext<PullRequest>): Promise<Page> {
  const req = ctx.body;
  const [state] = await withClaims(ctx.db, ctx.principal.claims, {}, async (tx) => await tx<ReplicaState[]>`
    select retired, scopes, member from private.sync_open_replica(${req.replicaId}::uuid, ${req.orgId}::uuid, ${req.schemaVersion}::int, false)`);
  if (state === undefined) throw new SyncError('internal', 'The replica registry did not answer.');
  if (state.retired) throw new SyncError('replica-retired', `Replica ${req.replicaId} was retired after a long silence; start a new replica id.`);
  const page = await readPage(ctx, state);
  if (page.record) {
    // The served position holds the GC floor for this replica; recorded after the read, in its own transaction.
    await withClaims(ctx.db, ctx.principal.claims, {}, async (tx) => await tx`
      select private.sync_replica_pulled(${req.replicaId}::uuid, ${page.cursor.epoch}::bigint, ${page.cursor.xid}::xid8,
        ${page.cursor.seq}::bigint, ${JSON.stringify(page.current)}::text::jsonb)`);
  }
  return page;
}

let lastRestoreCheck = 0;

/**
 * Once a minute per worker: a restored database (stamps at or above the next transaction id) gets a
 * new epoch before anything is served from it (`private.sync_check_restore`, on the function's login).
 */
async function checkRestore(ctx: SyncContext<PullRequest>): Promise<void> {
  if (Date.now() - lastRestoreCheck < 60_000) return;
  await ctx.db`select private.sync_check_restore(false)`;
  lastRestoreCheck = Date.now();
}

/** Serves one pull; a serialization failure of its read (a concurrent restore or GC) is retried twice. */
export async function servePull(ctx: SyncContext<PullRequest>): Promise<SyncResult> {
  await checkRestore(ctx);
  for (let attempt = 0; ; attempt++) {
    try {
      const { body, rows } = await pullOnce(ctx);
      return { body, ops: rows };
    } catch (err) {
      if (sqlState(err) !== '40001' || attempt >= 2) throw err;
    }
  }
}
