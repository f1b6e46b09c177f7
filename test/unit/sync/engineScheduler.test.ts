import assert from 'node:assert/strict';
import type { SyncStatus } from '../../../sync/status';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../sync/status';
import { ORG, World, entity } from './engineHarness';

describe('sync engine: scheduler, backoff and status', () => {
  it('retries transient server errors with exponential backoff and applies the op once', async () => {
    const w = new World();
    const a = w.replica('a', { engine: { intervalMs: 60_000 } });
    a.edit(entity('model.p.x'), { description: 'x' });
    w.server.failPushes = { count: 3, code: 'unavailable' };
    const seen: SyncStatus[] = [];
    a.engine.onStatus((s) => seen.push(s));
    a.engine.start();
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      await w.clock.advance(0);
      assert.equal(a.engine.status.state, 'error');
      assert.equal(a.engine.status.reason?.code, 'unavailable');
      assert.equal(a.engine.status.reason?.retryable, true);
      assert.equal(a.engine.status.failures, i + 1);
      const [next] = w.clock.pending();
      delays.push(next ?? -1);
      await w.clock.advance(next ?? 0);
    }
    assert.deepEqual(delays, [1_000, 2_000, 4_000]);
    assert.equal(a.engine.status.state, 'idle');
    assert.equal(a.engine.status.failures, 0);
    assert.deepEqual(w.clock.pending(), [60_000], 'back to the interval');
    assert.equal(w.server.row(ORG, entity('model.p.x'))?.row.vector[a.store.state().replicaId], 1);
    assert.equal(w.server.calls.push, 4);
    const states = seen.map((s) => s.state).filter((s, i, all) => s !== all[i - 1]);
    assert.deepEqual(states, ['idle', 'syncing', 'error', 'syncing', 'error', 'syncing', 'error', 'syncing', 'idle']);
    await a.engine.stop();
    assert.deepEqual(w.clock.pending(), []);
  });

  it('caps and jitters the backoff', () => {
    assert.equal(backoffDelay(30, DEFAULT_BACKOFF, 0.999999), 300_000);
    assert.equal(backoffDelay(3, DEFAULT_BACKOFF, 0), 2_000);
    assert.equal(backoffDelay(3, DEFAULT_BACKOFF, 1), 4_000);
  });

  it('shows offline without a connection and syncs at once when the network is back', async () => {
    const w = new World();
    const a = w.replica('a');
    a.transport.offline = 100;
    a.engine.start();
    await w.clock.advance(0);
    assert.equal(a.engine.status.state, 'offline');
    assert.equal(a.engine.status.reason?.code, 'offline');
    await w.clock.advance(1_000);
    await w.clock.advance(2_000);
    assert.equal(a.engine.status.failures, 3);
    a.transport.offline = 0;
    a.engine.notify('online');
    await w.clock.advance(0);
    assert.equal(a.engine.status.state, 'idle');
    assert.equal(a.engine.status.failures, 0);
    await a.engine.stop();
  });

  it('syncs soon after an edit, once for a burst of edits, and waits for a running backoff', async () => {
    const w = new World();
    const a = w.replica('a', { engine: { editDelayMs: 2_000, intervalMs: 60_000 } });
    a.engine.start();
    await w.clock.advance(0);
    const pulls = (): number => w.server.calls.pull;
    const before = pulls();
    a.edit(entity('model.p.x'), { description: '1' });
    a.engine.notify('edit');
    await w.clock.advance(1_000);
    a.edit(entity('model.p.x'), { description: '2' });
    a.engine.notify('edit');
    await w.clock.advance(999);
    assert.equal(pulls(), before, 'not yet');
    await w.clock.advance(1);
    assert.equal(pulls(), before + 1, 'one cycle for both edits');
    assert.equal(a.engine.status.pendingOps, 0);
    // While backing off, an edit does not bring the retry forward.
    w.server.failPushes = { count: 1, code: 'unavailable' };
    a.edit(entity('model.p.x'), { description: '3' });
    a.engine.notify('edit');
    await w.clock.advance(2_000);
    assert.equal(a.engine.status.state, 'error');
    a.edit(entity('model.p.x'), { description: '4' });
    a.engine.notify('edit');
    a.engine.notify('focus');
    assert.deepEqual(w.clock.pending(), [1_000], 'neither an edit nor focus brings the backed-off retry forward');
    await w.clock.advance(1_000);
    assert.equal(a.engine.status.state, 'idle');
    await a.engine.stop();
  });

  it('reports signed-out without calling the server, and never throws to the caller', async () => {
    const w = new World();
    const a = w.replica('a');
    a.credentials.current = undefined;
    const status = await a.engine.syncNow();
    assert.equal(status.state, 'offline');
    assert.equal(status.reason?.code, 'signed-out');
    assert.equal(w.server.calls.pull + w.server.calls.push, 0);
    a.credentials.current = { url: 'memory://server', apiKey: 'anon', accessToken: 'forged' };
    const refused = await a.engine.syncNow();
    assert.deepEqual([refused.state, refused.reason?.code, refused.reason?.retryable], ['error', 'unauthorized', false]);
    // A store that fails: the status says so; no exception escapes.
    a.store.pendingOps = () => {
      throw new Error('disk I/O error');
    };
    a.credentials.current = { url: 'memory://server', apiKey: 'anon', accessToken: 'token-user-a' };
    const broken = await a.engine.syncNow();
    assert.deepEqual([broken.state, broken.reason?.code, broken.reason?.message], ['error', 'internal', 'disk I/O error']);
  });

  it('counts pending, unconfirmed, conflicts and rejections in the status', async () => {
    const w = new World();
    const a = w.replica('a');
    const b = w.replica('b');
    a.edit(entity('model.p.x'), { owners: ['a'] });
    b.edit(entity('model.p.x'), { owners: ['b'] });
    b.edit(entity('model.p.y'), { classification: 'BAD' });
    a.engine.notify('edit');
    assert.equal(a.engine.status.pendingOps, 1);
    await a.engine.syncNow();
    const s = await b.engine.syncNow();
    assert.deepEqual([s.pendingOps, s.unconfirmedOps, s.conflicts, s.rejections], [0, 0, 1, 1]);
    assert.ok(s.lastSyncedAt !== undefined);
  });
});
