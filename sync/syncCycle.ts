import type { PullRequest } from '../core/sync/pullMessages';
import { SYNC_SCHEMA_VERSION } from '../core/sync/limits';
import { SyncError } from '../core/sync/errors';
import type { SyncCredentials, SyncStore, SyncTransport } from './ports';
import { scopeKey } from './ports';

/**
 * One sync cycle's two halves. Push sends the outbox oldest first in batches until it is empty;
 * pull pages through the server's change stream until caught up, resyncing on an epoch change, an
 * expired cursor or a checksum mismatch. Both throw `SyncError` / `OfflineError` / store errors to
 * the engine, which turns them into a status and a retry.
 */

/** What the halves need. */
export interface CycleContext {
  orgId: string;
  store: SyncStore;
  transport: SyncTransport;
  credentials: SyncCredentials;
  pushBatch: number;
  pageSize: number;
  /** Called after each push answer (ops acknowledged) or pulled page (rows applied) is stored. */
  progress: (event: { pushedOps: number; submittedForApproval?: string[] } | { pulledRows: number }) => void;
}

/** Most requests one half makes in a cycle; beyond it something loops, and the cycle fails. */
const MAX_REQUESTS = 100_000;

/**
 * Pushes every pending op. A gap (the server expects an op the batch does not start with) is
 * repaired by sending again the ops the server lost (still kept as unconfirmed), or else by re-basing
 * the outbox on a new replica id; a retired replica id is re-based too.
 */
export async function pushAll(ctx: CycleContext): Promise<void> {
  const { store } = ctx;
  let rebased = false;
  for (let requests = 0; requests < MAX_REQUESTS; requests++) {
    const ops = store.pendingOps(ctx.pushBatch);
    if (ops.length === 0) return;
    const replicaId = store.state().replicaId;
    let response;
    try {
      response = await ctx.transport.push({ schemaVersion: SYNC_SCHEMA_VERSION, orgId: ctx.orgId, replicaId, ops }, ctx.credentials);
    } catch (err) {
      if (SyncError.is(err, 'replica-retired') && !rebased) {
        store.rebase();
        rebased = true;
        continue;
      }
      throw err;
    }
    store.recordPush(ops, response);
    // Description changes the server held for approval (core/sync/pushMessages.ts `pending`): the author is told.
    const submitted = response.acks.flatMap((a) => (a.status === 'applied' || a.status === 'conflict' ? (a.pending ?? []).map((p) => p.message) : []));
    ctx.progress({ pushedOps: response.acks.length, ...(submitted.length > 0 ? { submittedForApproval: submitted } : {}) });
    if (response.stopped === undefined) continue;
    const expected = response.stopped.expected;
    if (store.pendingOps(1)[0]?.opNumber === expected) continue;
    if (store.restoreUnconfirmed(expected) > 0 && store.pendingOps(1)[0]?.opNumber === expected) continue;
    if (rebased) throw new SyncError('internal', `The server still expects op ${expected} after re-basing the outbox.`);
    // The ops the server expects are gone here: continue under a new replica id, numbered from 1.
    store.rebase();
    rebased = true;
  }
  throw new SyncError('internal', 'Push did not finish after too many requests.');
}

/**
 * Pulls until caught up. Each page is applied with its cursor in one transaction; the last page
 * (`hasMore: false`) confirms settled ops and carries checksums, and a scope whose checksum differs
 * is pulled again by a targeted resync (once per cycle). `epoch-changed` / `cursor-expired` restart
 * from `cursor: null` as a full resync that keeps the local rows visible until it ends.
 */
export async function pullAll(ctx: CycleContext): Promise<void> {
  const { store } = ctx;
  const resynced = new Set<string>();
  let fullResyncs = 0;
  let rebased = false;
  for (let requests = 0; requests < MAX_REQUESTS; requests++) {
    const state = store.state();
    const resync = state.resync;
    const request: PullRequest = {
      schemaVersion: SYNC_SCHEMA_VERSION,
      orgId: ctx.orgId,
      replicaId: state.replicaId,
      cursor: resync !== undefined ? resync.cursor : state.cursor,
      limit: ctx.pageSize,
      scopes: state.scopes,
    };
    if (resync !== undefined && resync.scopes !== 'all') request.scopeFilter = resync.scopes;
    let page;
    try {
      page = await ctx.transport.pull(request, ctx.credentials);
    } catch (err) {
      if ((SyncError.is(err, 'epoch-changed') || SyncError.is(err, 'cursor-expired')) && request.cursor !== null && fullResyncs++ < 2) {
        store.beginResync('all');
        continue;
      }
      if (SyncError.is(err, 'replica-retired') && !rebased) {
        store.rebase();
        rebased = true;
        continue;
      }
      throw err;
    }
    const last = !page.hasMore;
    const stream = resync !== undefined ? 'resync' : 'main';
    store.applyPage(page, stream, last && (resync === undefined || resync.scopes === 'all'));
    ctx.progress({ pulledRows: page.rows.length + page.tombstones.length });
    if (!last) continue;
    if (resync !== undefined) store.finishResync();
    const differing = mismatchedScopes(store, page.checksums).filter((s) => !resynced.has(scopeKey(s)));
    if (differing.length > 0) {
      // Teams first, by filtered pulls. The organization scope covers every row (its sum differs too
      // when a team's does), so it is re-read in full only if it still differs after them.
      const teams = differing.filter((s) => s.teamId !== null);
      for (const s of teams.length > 0 ? teams : differing) resynced.add(scopeKey(s));
      store.beginResync(teams.length > 0 ? teams : 'all');
      continue;
    }
    // A targeted resync ends with one more look at the main stream (it may have moved meanwhile).
    if (resync !== undefined && resync.scopes !== 'all') continue;
    return;
  }
  throw new SyncError('internal', 'Pull did not catch up after too many requests.');
}

/** Scopes whose local count or checksum differs from the server's. */
function mismatchedScopes(store: SyncStore, checksums: readonly { scope: { orgId: string; teamId: string | null }; rows: number; checksum: string }[]): { orgId: string; teamId: string | null }[] {
  if (checksums.length === 0) return [];
  const local = store.localChecksums(checksums.map((c) => c.scope));
  return checksums.filter((c, i) => local[i]?.rows !== c.rows || local[i]?.checksum !== c.checksum).map((c) => ({ orgId: c.scope.orgId, teamId: c.scope.teamId }));
}
