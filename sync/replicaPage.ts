import type { JsonValue, RowTarget } from '../core/sync/ops';
import type { PulledRow, PullResponse, Scope, Tombstone } from '../core/sync/pullMessages';
import type { VersionVector } from '../core/sync/versionVector';
import { isKnownKind, ROW_KINDS } from '../core/sync/rowKinds';
import { compareVectors, counterOf, sortedVector } from '../core/sync/versionVector';
import { computeView, isConfirmed, localVectorAfterPull } from './localView';
import type { PageStream, ResyncState } from './ports';
import { scopeKey, targetKey } from './ports';
import type { ReplicaTables, StoredRow, TeamSelector } from './replicaTables';
import type { ReplicaStore } from './replicaStore';

/**
 * Applying pulled pages to a replica (called by `ReplicaStore` inside one transaction): rows and
 * tombstones with the views of rows that have pending ops, records, scopes gained and lost (a lost
 * scope is purged and its pending ops become `access-revoked` rejections), the cursor, confirmation
 * of applied ops, and the resync that re-reads everything (epoch change) or some scopes (checksum
 * mismatch) and then removes what it did not see.
 */

/** Applies one page; the caller holds the transaction. */
export function applyPageTo(store: ReplicaStore, page: PullResponse, stream: PageStream, confirm: boolean): void {
  const t = store.tables;
  const me = store.replicaId();
  const resync = readResync(t);
  const generation = stream === 'resync' && resync !== undefined ? resync.generation : 0;
  const pending = t.targetsWithOps();
  for (const row of page.rows) applyRow(t, row, me, generation, pending);
  for (const tomb of page.tombstones) applyRow(t, tombstoneRow(tomb), me, generation, pending);
  for (const conflict of page.records.conflicts) t.putConflict(conflict);
  for (const loser of page.records.losers) t.putLoser(loser);
  for (const rejection of page.records.rejections) {
    // A rejection whose push answer was lost: the retried push saw it as a duplicate.
    const op = [...t.opsFor(rejection.target)].find((o) => o.replicaId === rejection.op.replicaId && o.opNumber === rejection.op.opNumber);
    if (op !== undefined) {
      store.reject(op, rejection.code, rejection.message, rejection.createdAt);
      store.refreshView(op.target);
    } else if (rejection.op.replicaId === me && t.getRejection(rejection.op) === undefined) {
      t.putRejection(rejection);
    }
  }
  const held = new Map(readScopes(t).map((s) => [scopeKey(s), s]));
  for (const scope of page.scopes.added) held.set(scopeKey(scope), { orgId: scope.orgId, teamId: scope.teamId });
  t.setMeta('scopes', JSON.stringify([...held.values()]));
  let purgedAll = false;
  for (const scope of page.scopes.removed) {
    if (scope.orgId !== t.getMeta('orgId')) continue;
    purgedAll = purgeScope(store, scope) || purgedAll;
  }
  // After losing the organization nothing of it is left, the cursor included: a regrant starts over.
  if (purgedAll) return;
  if (stream === 'resync' && resync !== undefined) t.setMeta('resync', JSON.stringify({ ...resync, cursor: page.cursor }));
  else t.setMeta('cursor', JSON.stringify(page.cursor));
  if (confirm) confirmSettled(store, page.horizon);
}

function tombstoneRow(tomb: Tombstone): PulledRow & { deleted: VersionVector } {
  return { target: tomb.target, teamId: tomb.teamId, fields: {}, provenance: {}, vector: tomb.vector, deleted: tomb.vector };
}

function applyRow(t: ReplicaTables, pulled: PulledRow & { deleted?: VersionVector }, me: string, generation: number, pending: Set<string>): void {
  const target: RowTarget = { kind: pulled.target.kind, id: pulled.target.id };
  const existing = t.getRow(target);
  // A page older than what the replica holds (a late or repeated answer) never moves a row backwards.
  if (existing !== undefined && compareVectors(pulled.vector, existing.vector) === 'dominated') {
    if (existing.generation !== generation) t.putRow({ ...existing, generation });
    return;
  }
  const row: StoredRow = {
    target,
    teamId: pulled.teamId,
    fields: pulled.fields as Record<string, JsonValue>,
    provenance: pulled.provenance,
    vector: pulled.vector,
    view: null,
    generation,
  };
  if (pulled.deleted !== undefined) row.deleted = pulled.deleted;
  if (pending.has(targetKey(target))) row.view = computeView(row, t.opsFor(target));
  t.putRow(row);
  // Read-only kinds (the org catalog) never get ops, so they need no local vector.
  if (isKnownKind(target.kind) && !ROW_KINDS[target.kind].writable) return;
  t.setRowVector(target, localVectorAfterPull(pulled.vector, t.rowVector(target), me));
}

/** Drops unconfirmed ops whose transaction settled below `horizon` and whose change the local row has. */
function confirmSettled(store: ReplicaStore, horizon: string): void {
  const t = store.tables;
  const me = store.replicaId();
  const touched = new Map<string, RowTarget>();
  for (const entry of t.unconfirmed()) {
    if (!isConfirmed(entry, horizon, t.getRow(entry.op.target), me)) continue;
    t.removeUnconfirmed(entry.op);
    touched.set(targetKey(entry.op.target), entry.op.target);
  }
  for (const target of touched.values()) store.refreshView(target);
}

/**
 * Purges a scope the replica lost, in the caller's transaction, unless a scope it still holds covers
 * its rows (the organization scope covers every team; team hierarchies are the server's to report):
 * its rows, tombstones, conflicts and losers go; its pending ops move to the rejection list as `access-revoked` (the user's own edits,
 * kept so they can be retried after a regrant). Losing the organization-wide scope loses the
 * organization: everything goes, the cursor too (as when no scope is left), and the replica
 * continues under a new id (its own vector entries went too). Returns whether nothing of the
 * organization is left. Because the removed ops were never acknowledged, the remaining ones are
 * re-based on a new replica id, so the server never waits for a number that will not come.
 */
export function purgeScope(store: ReplicaStore, scope: Scope): boolean {
  const t = store.tables;
  const held = readScopes(t).filter((s) => scopeKey(s) !== scopeKey(scope));
  if (scope.teamId !== null && held.some((s) => s.teamId === null)) {
    // The organization scope still covers every team's rows: nothing becomes unreadable.
    t.setMeta('scopes', JSON.stringify(held));
    return false;
  }
  const selector: TeamSelector = scope.teamId === null ? 'all' : { teamId: scope.teamId };
  const targets = t.rowTargets(selector);
  const inScope = new Set(targets.map(targetKey));
  const message =
    scope.teamId === null
      ? `Not sent: access to organization ${scope.orgId} was revoked.`
      : `Not sent: access to team ${scope.teamId} of organization ${scope.orgId} was revoked.`;
  let removedPending = false;
  for (const op of t.outbox()) {
    if (selector !== 'all' && !inScope.has(targetKey(op.target))) continue;
    store.reject(op, 'access-revoked', message);
    removedPending = true;
  }
  for (const entry of t.unconfirmed()) {
    if (selector === 'all' || inScope.has(targetKey(entry.op.target))) t.removeUnconfirmed(entry.op);
  }
  const me = store.replicaId();
  if (selector === 'all') {
    t.deleteAllRecords();
    t.clearRowVectors();
  } else {
    t.deleteRecordsOf(targets);
    // Other replicas' entries described rows this replica may no longer read.
    for (const target of targets) t.setRowVector(target, sortedVector({ [me]: counterOf(t.rowVector(target), me) }));
  }
  for (const target of targets) t.deleteRow(target);
  t.setMeta('scopes', JSON.stringify(selector === 'all' ? [] : held));
  // Nothing of the organization is readable any more: a regrant starts from the beginning.
  const lostAll = selector === 'all' || held.length === 0;
  if (lostAll) {
    t.setMeta('cursor', undefined);
    t.setMeta('resync', undefined);
  }
  // Clearing every row vector also forgets this replica's own counters: under the same id its next
  // edit of a row would reuse a dot the server already holds and be dropped as a duplicate. Losing
  // the organization therefore always continues under a new replica id.
  if (removedPending || selector === 'all') store.rebase();
  return lostAll;
}

/** Starts a resync with the next generation; `all` restarts the main stream too. */
export function beginResyncIn(t: ReplicaTables, scopes: 'all' | Scope[]): ResyncState {
  const generation = Number(t.getMeta('generation') ?? '0') + 1;
  t.setMeta('generation', String(generation));
  const resync: ResyncState = { generation, scopes, cursor: null };
  t.setMeta('resync', JSON.stringify(resync));
  return resync;
}

/** Ends the resync: its scopes' rows it did not serve are removed; an `all` resync's cursor becomes the main one. */
export function finishResyncIn(store: ReplicaStore): void {
  const t = store.tables;
  const resync = readResync(t);
  if (resync === undefined) return;
  const selectors: TeamSelector[] = resync.scopes === 'all' ? ['all'] : resync.scopes.map((s): TeamSelector => (s.teamId === null ? 'all' : { teamId: s.teamId }));
  for (const selector of selectors) {
    const stale = t.rowTargets(selector, resync.generation);
    t.deleteRecordsOf(stale);
    for (const target of stale) {
      t.deleteRow(target);
    }
  }
  if (resync.scopes === 'all') t.setMeta('cursor', resync.cursor === null ? undefined : JSON.stringify(resync.cursor));
  t.setMeta('resync', undefined);
}

/** Local count and checksum of each scope (the organization scope counts every live row). */
export function localChecksumsOf(t: ReplicaTables, scopes: readonly Scope[]): { scope: Scope; rows: number; checksum: string }[] {
  return scopes.map((scope) => ({ scope, ...t.checksum(scope.teamId) }));
}

function readResync(t: ReplicaTables): ResyncState | undefined {
  const text = t.getMeta('resync');
  return text === undefined ? undefined : (JSON.parse(text) as ResyncState);
}

function readScopes(t: ReplicaTables): Scope[] {
  const text = t.getMeta('scopes');
  return text === undefined ? [] : (JSON.parse(text) as Scope[]);
}
