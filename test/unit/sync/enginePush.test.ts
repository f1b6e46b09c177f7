import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pushAll } from '../../../sync/syncCycle';
import { World, entity, TEAM_A, TEAM_B } from './engineHarness';

describe('sync engine: push', () => {
  it('applies a push whose answer was lost exactly once when it is retried', async () => {
    const w = new World();
    const a = w.replica('a');
    const target = entity('model.shop.orders');
    a.edit(target, { description: 'first' });
    a.transport.loseAnswers = 1;
    const lost = await a.engine.syncNow();
    assert.equal(lost.state, 'offline');
    assert.equal(w.server.lastApplied.get(a.store.state().replicaId), 1, 'the server committed before the answer was lost');
    assert.equal(a.store.pendingOps(10).length, 1, 'the op stays in the outbox');
    const after = await a.engine.syncNow();
    assert.equal(after.state, 'idle');
    const row = w.server.row(w.server.rows.keys().next().value as string, target);
    assert.deepEqual(row?.row.vector, { [a.store.state().replicaId]: 1 }, 'one change, not two');
    assert.equal(w.server.records.length, 0, 'no loser or conflict from applying it twice');
    assert.deepEqual(a.store.pendingOps(10), []);
    assert.equal(after.unconfirmedOps, 0, 'the pull confirmed it');
    assert.deepEqual(a.shown(target), { description: 'first' });
  });

  it('applies every op once whatever answers are lost or the network drops (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.record({ t: fc.constant('edit' as const), row: fc.integer({ min: 0, max: 2 }), v: fc.string() }), fc.record({ t: fc.constant('sync' as const), lose: fc.integer({ min: 0, max: 2 }), offline: fc.boolean() })), { maxLength: 25 }),
        async (steps) => {
          const w = new World();
          const a = w.replica('a', { engine: { pushBatch: 2 } });
          const edits = new Map<number, number>();
          for (const step of steps) {
            if (step.t === 'edit') {
              a.edit(entity(`model.p.m${step.row}`), { description: step.v });
              edits.set(step.row, (edits.get(step.row) ?? 0) + 1);
            } else {
              a.transport.loseAnswers = step.lose;
              a.transport.offline = step.offline ? 1 : 0;
              await a.engine.syncNow();
            }
          }
          a.transport.loseAnswers = 0;
          a.transport.offline = 0;
          assert.equal((await a.engine.syncNow()).state, 'idle');
          const me = a.store.state().replicaId;
          for (const [row, count] of edits) {
            assert.equal(w.server.row('11111111-1111-4111-8111-111111111111', entity(`model.p.m${row}`))?.row.vector[me], count, `row ${row}: each edit applied once`);
          }
          assert.equal(w.server.records.length, 0);
          assert.equal(a.store.counts().pending + a.store.counts().unconfirmed, 0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('stops a batch at a gap and sends the ops again under a new replica id when the missing op is gone', async () => {
    const w = new World();
    const a = w.replica('a');
    a.edit(entity('model.p.x'), { description: 'one' });
    a.edit(entity('model.p.y'), { description: 'two' });
    a.edit(entity('model.p.y'), { tags: ['t'] });
    const oldId = a.store.state().replicaId;
    // Op 1 vanished locally (say, a backup restored over the catalog): the server waits for it.
    a.tables.removeOutbox({ replicaId: oldId, opNumber: 1 });
    const status = await a.engine.syncNow();
    assert.equal(status.state, 'idle');
    const first = a.transport.sent.find((s) => s.fn === 'sync-push');
    assert.deepEqual((first?.body as { ops: { opNumber: number }[] }).ops.map((o) => o.opNumber), [2, 3]);
    assert.equal(w.server.lastApplied.get(oldId), 0, 'nothing after the gap was applied under the old id');
    const newId = a.store.state().replicaId;
    assert.notEqual(newId, oldId);
    assert.equal(w.server.lastApplied.get(newId), 2);
    const y = w.server.row('11111111-1111-4111-8111-111111111111', entity('model.p.y'));
    assert.deepEqual(y?.row.fields, { description: 'two', tags: ['t'] });
    assert.deepEqual(y?.row.vector, { [newId]: 2 }, 're-based ops count their changes under the new id only');
  });

  it('sends again the applied ops the server lost instead of skipping them', async () => {
    const w = new World();
    const a = w.replica('a');
    const me = a.store.state().replicaId;
    a.edit(entity('model.p.x'), { description: 'one' });
    a.edit(entity('model.p.x'), { description: 'two' });
    // Push only: the ops are applied and wait for a pull to confirm them.
    await pushOnly(a);
    assert.equal(a.store.counts().unconfirmed, 2);
    // The server is restored from a backup taken before them.
    w.server.lastApplied.set(me, 0);
    w.server.rows.clear();
    a.edit(entity('model.p.x'), { description: 'three' });
    assert.equal((await a.engine.syncNow()).state, 'idle');
    assert.equal(a.store.state().replicaId, me, 'no new id needed: the lost ops were still here');
    const x = w.server.row('11111111-1111-4111-8111-111111111111', entity('model.p.x'));
    assert.deepEqual(x?.row.fields, { description: 'three' });
    assert.deepEqual(x?.row.vector, { [me]: 3 });
  });

  it('keeps a rejected op visible with its reason and lets later ops through', async () => {
    const w = new World();
    const a = w.replica('a');
    const secret = entity('model.p.payroll');
    // A belongs to team B only; the payroll row is team A's.
    w.server.grant('user-a', '11111111-1111-4111-8111-111111111111', { orgWide: false, teams: [TEAM_B] });
    w.server.teamOf.set(`entity\u0000${secret.id}`, TEAM_A);
    w.server.teamOf.set('entity\u0000model.p.orders', TEAM_B);
    a.edit(secret, { description: 'salaries' });
    a.edit(entity('model.p.orders'), { classification: 'Not A Key' });
    a.edit(entity('model.p.orders'), { description: 'fine' });
    const status = await a.engine.syncNow();
    assert.equal(status.state, 'idle');
    assert.equal(status.rejections, 2);
    const rejections = a.engine.rejections();
    assert.deepEqual(
      rejections.map((r) => [r.op.opNumber, r.code, r.target.id]),
      [
        [1, 'forbidden', 'model.p.payroll'],
        [2, 'invalid-op', 'model.p.orders'],
      ],
    );
    assert.match(rejections[0]?.message ?? '', /team 22222222/);
    assert.match(rejections[1]?.message ?? '', /classification/);
    assert.deepEqual(w.server.row('11111111-1111-4111-8111-111111111111', entity('model.p.orders'))?.row.fields, { description: 'fine' }, 'op 3 applied after two refusals');
    assert.deepEqual(a.shown(entity('model.p.orders')), { description: 'fine' }, 'the refused classification does not show');
    // Once access is granted, the author retries the refused edit.
    w.server.grant('user-a', '11111111-1111-4111-8111-111111111111', { orgWide: false, teams: [TEAM_A, TEAM_B] });
    const retried = a.engine.retryRejected({ replicaId: a.store.state().replicaId, opNumber: 1 });
    assert.equal(retried?.opNumber, 4);
    assert.equal((await a.engine.syncNow()).rejections, 1);
    assert.deepEqual(w.server.row('11111111-1111-4111-8111-111111111111', secret)?.row.fields, { description: 'salaries' });
  });
});

/** Runs only the push half of a cycle (the pull would confirm the ops). */
async function pushOnly(r: ReturnType<World['replica']>): Promise<void> {
  await pushAll({
    orgId: '11111111-1111-4111-8111-111111111111',
    store: r.store,
    transport: r.transport,
    credentials: r.credentials.current ?? { url: '', apiKey: '', accessToken: '' },
    pushBatch: 100,
    pageSize: 100,
    progress: () => undefined,
  });
}
