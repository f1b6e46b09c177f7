import assert from 'node:assert/strict';
import type { PullRequest } from '../../../core/sync/pullMessages';
import { scopeChecksum } from '../../../core/sync/checksum';
import { ORG, OTHER_ORG, TEAM_A, TEAM_B, World, entity } from './engineHarness';

const SHARED = entity('model.p.shared');
const TEAM_ROW = entity('model.p.team_a_row');
const TEAM_B_ROW = entity('model.p.team_b_row');

/** A world where A is a member of teams A and B (not of the whole organization), with their rows, all synced. */
async function teamWorld(): Promise<{ w: World; a: ReturnType<World['replica']> }> {
  const w = new World();
  const a = w.replica('a');
  w.server.grant('user-a', ORG, { orgWide: false, teams: [TEAM_A, TEAM_B] });
  w.server.write(ORG, SHARED, { description: 'org row' }, { teamId: TEAM_B });
  w.server.write(ORG, TEAM_ROW, { description: 'team row' }, { teamId: TEAM_A });
  w.server.write(ORG, TEAM_B_ROW, { description: 'team b row' }, { teamId: TEAM_B });
  assert.equal((await a.engine.syncNow()).state, 'idle');
  assert.equal(a.tables.allRows().length, 3);
  return { w, a };
}

describe('sync engine: revocation, epochs and checksums', () => {
  it('purges a lost team in one transaction and lists its pending edits as access revoked', async () => {
    const { w, a } = await teamWorld();
    const me = a.store.state().replicaId;
    w.server.revoke('user-a', ORG, TEAM_A);
    // The page that reports the loss also updates an org row; the page fails at its cursor, after the purge.
    w.server.write(ORG, SHARED, { tags: ['from server'] });
    a.tables.failOnMeta = 'cursor';
    const failed = await a.engine.syncNow();
    assert.equal(failed.state, 'error');
    assert.equal(a.tables.allRows().length, 3, 'a page that fails halfway purges nothing: one transaction');
    assert.deepEqual(a.engine.rejections(), []);
    assert.equal(a.tables.getRow(SHARED)?.fields.tags, undefined);
    a.tables.failOnMeta = undefined;
    // Edits made while the next pull is on its way: one on the lost team's row, one on an org row.
    a.transport.beforeCall = (fn) => {
      if (fn !== 'sync-pull' || a.store.pendingOps(1).length > 0) return;
      a.edit(TEAM_ROW, { description: 'too late' });
      a.edit(SHARED, { description: 'still mine' });
    };
    const sentBefore = a.transport.sent.length;
    const status = await a.engine.syncNow();
    a.transport.beforeCall = undefined;
    assert.equal(status.state, 'idle');
    assert.deepEqual(a.tables.allRows().map((r) => r.target.id).sort(), ['model.p.shared', 'model.p.team_b_row'], 'no row of team A is left');
    const rejections = a.engine.rejections();
    assert.deepEqual(rejections.map((r) => [r.code, r.target.id]), [['access-revoked', 'model.p.team_a_row']]);
    assert.match(rejections[0]?.message ?? '', /access to team 22222222-2222-4222-8222-22222222222a .*revoked/);
    assert.notEqual(a.store.state().replicaId, me, 'the remaining op went up under a new replica id (no gap left behind)');
    const pushes = a.transport.sent.slice(sentBefore).filter((s) => s.fn === 'sync-push').map((s) => (s.body as { replicaId: string }).replicaId);
    assert.deepEqual(pushes, [a.store.state().replicaId], 're-based in the purge: no push ran into the gap first');
    assert.deepEqual(w.server.row(ORG, SHARED)?.row.fields, { description: 'still mine', tags: ['from server'] });
    assert.deepEqual(a.store.state().scopes.map((s) => s.teamId), [TEAM_B]);
    // A regrant brings the team's rows back; the revoked edit can be retried.
    w.server.grant('user-a', ORG, { orgWide: false, teams: [TEAM_A, TEAM_B] });
    await a.engine.syncNow();
    assert.deepEqual(a.shown(TEAM_ROW), { description: 'team row' });
    a.engine.retryRejected(rejections[0]!.op);
    await a.engine.syncNow();
    assert.deepEqual(w.server.row(ORG, TEAM_ROW)?.row.fields, { description: 'too late' });
  });

  it('leaves nothing of the organization on a removed member\'s replica after its next pull', async () => {
    const { w, a } = await teamWorld();
    a.edit(SHARED, { description: 'pending' });
    a.store.appendEdit(TEAM_ROW, { action: 'patch', patch: { tags: ['x'] } });
    w.server.revoke('user-a', ORG);
    // The push is refused (no longer a member); the same cycle still pulls, and the pull reports
    // the lost scopes (without it the replica would stop at the refused push on every cycle).
    const pushRefused = await a.engine.syncNow();
    assert.equal(pushRefused.reason?.code, 'forbidden');
    assert.deepEqual(a.transport.sent.slice(-2).map((s) => s.fn), ['sync-push', 'sync-pull']);
    assert.deepEqual(a.tables.allRows(), []);
    assert.deepEqual(a.engine.losers(), []);
    assert.equal(a.store.state().cursor, null);
    assert.deepEqual(a.store.state().scopes, []);
    assert.deepEqual(a.engine.rejections().map((r) => [r.code, r.target.id]).sort(), [
      ['access-revoked', 'model.p.shared'],
      ['access-revoked', 'model.p.team_a_row'],
    ]);
    assert.equal(a.store.counts().pending, 0);
  });

  it('keeps an edit made after the organization was lost and given back: no dot is reused', async () => {
    const { w, a } = await teamWorld();
    w.server.grant('user-a', ORG, { orgWide: true, teams: [TEAM_A, TEAM_B] });
    a.edit(SHARED, { description: 'first' });
    a.edit(SHARED, { tags: ['x'] });
    assert.equal((await a.engine.syncNow()).state, 'idle');
    const before = a.store.state().replicaId;
    // Removed with nothing pending: the purge alone must not let the replica reuse its counters.
    w.server.revoke('user-a', ORG);
    await a.engine.syncNow();
    assert.deepEqual(a.tables.allRows(), []);
    w.server.grant('user-a', ORG, { orgWide: true, teams: [] });
    a.edit(SHARED, { description: 'after the regrant' });
    assert.equal((await a.engine.syncNow()).state, 'idle');
    assert.equal(w.server.row(ORG, SHARED)?.row.fields.description, 'after the regrant', 'not dropped as a duplicate of the first edit');
    assert.deepEqual(a.shown(SHARED), { description: 'after the regrant', tags: ['x'] });
    assert.notEqual(a.store.state().replicaId, before);
  });

  it('resyncs everything after an epoch change, removing rows the restored server no longer has', async () => {
    const { w, a } = await teamWorld();
    // Restored from a backup that lacks one row; every xid changed.
    w.server.rows.get(ORG)?.delete(`entity\u0000${TEAM_B_ROW.id}`);
    w.server.bumpEpoch();
    w.server.write(ORG, SHARED, { description: 'after restore' });
    a.edit(TEAM_ROW, { tags: ['kept'] });
    const status = await a.engine.syncNow();
    assert.equal(status.state, 'idle');
    const pulls = a.transport.sent.filter((s) => s.fn === 'sync-pull').map((s) => s.body as PullRequest);
    assert.ok(pulls.some((p) => p.cursor === null && p.scopeFilter === undefined && pulls.indexOf(p) > 0), 'pulled again from the start');
    assert.deepEqual(a.tables.allRows().map((r) => r.target.id).sort(), ['model.p.shared', 'model.p.team_a_row']);
    assert.deepEqual(a.shown(SHARED), { description: 'after restore' });
    assert.deepEqual(a.shown(TEAM_ROW), { description: 'team row', tags: ['kept'] });
    assert.equal(a.store.state().cursor?.epoch, String(w.server.epoch));
    assert.equal(a.store.state().resync, undefined);
  });

  it('resyncs only the scope whose checksum differs', async () => {
    const { w, a } = await teamWorld();
    // Silent divergence in team A's scope: a row the server still has is gone here, another is stale.
    a.tables.deleteRow(TEAM_ROW);
    a.tables.putRow({ target: entity('model.p.ghost'), teamId: TEAM_A, fields: { description: 'ghost' }, provenance: {}, vector: { 'ffffffff-0000-4000-8000-00000000000f': 1 }, view: null, generation: 0 });
    const sentBefore = a.transport.sent.length;
    assert.equal((await a.engine.syncNow()).state, 'idle');
    const pulls = a.transport.sent.slice(sentBefore).filter((s) => s.fn === 'sync-pull').map((s) => s.body as PullRequest);
    const targeted = pulls.filter((p) => p.scopeFilter !== undefined);
    assert.deepEqual(targeted.map((p) => [p.cursor, p.scopeFilter?.map((s) => s.teamId)]), [[null, [TEAM_A]]], 'one targeted pull of team A from the start');
    assert.deepEqual(a.tables.allRows().map((r) => r.target.id).sort(), ['model.p.shared', 'model.p.team_a_row', 'model.p.team_b_row']);
    for (const scope of [null, TEAM_A, TEAM_B]) {
      assert.deepEqual(a.tables.checksum(scope), checksumOnServer(w, scope));
    }
  });

  it('keeps a lost team\'s rows while the organization scope still covers them', async () => {
    const { w, a } = await teamWorld();
    w.server.grant('user-a', ORG, { orgWide: true, teams: [TEAM_A, TEAM_B] });
    await a.engine.syncNow();
    w.server.revoke('user-a', ORG, TEAM_A);
    a.edit(TEAM_ROW, { tags: ['still readable'] });
    assert.equal((await a.engine.syncNow()).state, 'idle');
    assert.equal(a.tables.allRows().length, 3);
    assert.deepEqual(a.engine.rejections(), []);
    assert.deepEqual(w.server.row(ORG, TEAM_ROW)?.row.fields.tags, ['still readable']);
    assert.deepEqual(a.store.state().scopes.map((s) => String(s.teamId)).sort(), [TEAM_B, 'null']);
  });

  it('re-reads everything when only the organization scope differs', async () => {
    const { w, a } = await teamWorld();
    const ORG_ROW = entity('model.p.org_wide');
    w.server.grant('user-a', ORG, { orgWide: true, teams: [TEAM_A, TEAM_B] });
    w.server.write(ORG, ORG_ROW, { description: 'everyone' });
    await a.engine.syncNow();
    const stale = a.tables.getRow(ORG_ROW);
    a.tables.putRow({ ...stale!, vector: { 'ffffffff-0000-4000-8000-00000000000f': 9 } });
    const sentBefore = a.transport.sent.length;
    assert.equal((await a.engine.syncNow()).state, 'idle');
    const pulls = a.transport.sent.slice(sentBefore).filter((s) => s.fn === 'sync-pull').map((s) => s.body as PullRequest);
    assert.ok(pulls.some((p) => p.cursor === null && p.scopeFilter === undefined), 'a full resync from the start');
    assert.ok(!pulls.some((p) => p.scopeFilter !== undefined), 'no team differed');
    assert.deepEqual(a.tables.getRow(ORG_ROW)?.vector, w.server.row(ORG, ORG_ROW)?.row.vector);
    assert.deepEqual(a.tables.checksum(null), checksumOnServer(w, null));
  });

  it('starts over when another account signs in on the catalog', async () => {
    const { w, a } = await teamWorld();
    const me = a.store.state().replicaId;
    a.credentials.current = { ...a.credentials.current!, principal: 'user-a' };
    await a.engine.syncNow();
    assert.equal(a.store.state().replicaId, me, 'the first principal is recorded, nothing changes');
    a.edit(TEAM_ROW, { description: 'typed by a' });
    w.server.addUser('token-b', 'user-b');
    w.server.grant('user-b', ORG, { orgWide: false, teams: [TEAM_B] });
    a.credentials.current = { url: 'memory://server', apiKey: 'anon', accessToken: 'token-b', principal: 'user-b' };
    assert.equal((await a.engine.syncNow()).state, 'idle');
    assert.notEqual(a.store.state().replicaId, me);
    assert.deepEqual(a.tables.allRows().map((r) => r.target.id).sort(), ['model.p.shared', 'model.p.team_b_row'], 'only what the new account reads');
    assert.deepEqual(a.engine.rejections().map((r) => [r.code, r.target.id]), [['access-revoked', 'model.p.team_a_row']]);
    assert.match(a.engine.rejections()[0]?.message ?? '', /another account was signed in/);
    assert.deepEqual(w.server.row(ORG, TEAM_ROW)?.row.fields, { description: 'team row' }, 'nothing was pushed as the other account');
  });

  it('starts a new replica id when the organization changes and keeps the old pending edits as rejections', async () => {
    const { w, a } = await teamWorld();
    const me = a.store.state().replicaId;
    a.edit(SHARED, { description: 'meant for the first org' });
    w.server.grant('user-a', OTHER_ORG, { orgWide: true });
    const bound = a.store.bindOrg(OTHER_ORG);
    assert.equal(bound.changed, true);
    assert.notEqual(bound.replicaId, me);
    assert.deepEqual(a.tables.allRows(), []);
    assert.deepEqual(a.store.state().cursor, null);
    assert.deepEqual(a.engine.rejections().map((r) => [r.code, r.change?.action === 'patch' ? r.change.patch : undefined]), [['access-revoked', { description: 'meant for the first org' }]]);
    assert.match(a.engine.rejections()[0]?.message ?? '', /now syncs organization 33333333/);
  });
});

function checksumOnServer(w: World, teamId: string | null): { rows: number; checksum: string } {
  const live = [...(w.server.rows.get(ORG)?.values() ?? [])].filter((r) => (teamId === null || r.teamId === teamId) && r.row.deleted === undefined);
  return scopeChecksum(live.map((r) => ({ target: r.row.target, vector: r.row.vector })));
}
