import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pushAll } from '../../../sync/syncCycle';
import { ORG, World, entity } from './engineHarness';

const ROW = entity('model.shop.orders');

describe('sync engine: pulled rows over pending edits', () => {
  it('never lets a pulled row clobber a pending edit; the edit wins once pushed', async () => {
    const w = new World();
    const a = w.replica('a');
    const b = w.replica('b');
    b.edit(ROW, { description: 'theirs', tags: ['finance'] });
    await b.engine.syncNow();
    // A edits while its pull is on the way: the page brings B's row, A's op is still in the outbox.
    a.transport.beforeCall = (fn) => {
      if (fn !== 'sync-pull' || a.store.pendingOps(1).length > 0) return;
      a.edit(ROW, { description: 'mine', tags: ['sales'] });
    };
    let shownAfterPage: Record<string, unknown> | undefined;
    const off = a.engine.onStatus(() => {
      if (shownAfterPage === undefined && a.tables.allRows().length > 0) shownAfterPage = a.shown(ROW);
    });
    await a.engine.syncNow();
    off();
    assert.deepEqual(shownAfterPage, { description: 'mine', tags: ['finance', 'sales'] }, 'right after the page: own text kept, tags merged as a union');
    a.transport.beforeCall = undefined;
    // The next edit is based on the row as pulled plus A's own change, so it is a new change, not a repeat.
    a.edit(ROW, { description: 'mine, again' });
    await a.engine.syncNow();
    await b.engine.syncNow();
    const server = w.server.row(ORG, ROW)?.row.fields;
    assert.deepEqual(server, { description: 'mine, again', tags: ['finance', 'sales'] });
    assert.deepEqual(a.shown(ROW), server);
    assert.deepEqual(b.shown(ROW), server);
    assert.deepEqual(
      b.engine.losers().map((l) => [l.field, l.value, l.reason]),
      [
        ['description', 'theirs', 'overwritten'],
        ['tags', ['sales'], 'union'],
      ],
      'the overwritten text is kept for undo, and the set A meant (without finance) too',
    );
  });

  it('keeps showing an applied edit until a pull has it, even while an older transaction holds the horizon', async () => {
    const w = new World();
    const a = w.replica('a');
    const held = w.server.begin();
    held.write(ORG, entity('model.shop.customers'), { description: 'connector' });
    a.edit(ROW, { description: 'mine' });
    const status = await a.engine.syncNow();
    assert.equal(status.unconfirmedOps, 1, 'applied, but the horizon has not passed its transaction');
    assert.equal(a.shown(ROW), undefined, 'not served yet: the replica holds no copy, reads show the local edit');
    held.commit();
    const after = await a.engine.syncNow();
    assert.equal(after.unconfirmedOps, 0);
    assert.deepEqual(a.shown(ROW), { description: 'mine' });
    assert.deepEqual(a.shown(entity('model.shop.customers')), { description: 'connector' }, 'the row committed out of order arrived');
  });

  it('keeps an applied edit showing while its row was rewritten by a transaction that has not settled', async () => {
    const w = new World();
    const a = w.replica('a');
    w.server.write(ORG, ROW, { description: 'base' });
    await a.engine.syncNow();
    a.edit(ROW, { description: 'mine' });
    // A's push is stamped first; then a long transaction opens; then a writer rewrites the row.
    await pushAll({ orgId: ORG, store: a.store, transport: a.transport, credentials: a.credentials.current!, pushBatch: 10, pageSize: 10, progress: () => undefined });
    const held = w.server.begin();
    w.server.write(ORG, ROW, { tags: ['connector'] });
    const status = await a.engine.syncNow();
    assert.equal(status.unconfirmedOps, 1, 'settled below the horizon, but the pulled copy lacks the change');
    assert.deepEqual(a.shown(ROW), { description: 'mine' });
    held.commit();
    const after = await a.engine.syncNow();
    assert.equal(after.unconfirmedOps, 0);
    assert.deepEqual(a.shown(ROW), { description: 'mine', tags: ['connector'] });
  });

  it('never moves a row backwards when an old page arrives late or twice', async () => {
    const w = new World();
    const a = w.replica('a');
    w.server.write(ORG, ROW, { description: 'v1' });
    let captured: unknown;
    const pull = a.transport.pull.bind(a.transport);
    a.transport.pull = async (request, credentials) => {
      const page = await pull(request, credentials);
      if (captured === undefined && page.rows.length > 0) captured = JSON.parse(JSON.stringify(page));
      return page;
    };
    await a.engine.syncNow();
    w.server.write(ORG, ROW, { description: 'v2' });
    await a.engine.syncNow();
    assert.deepEqual(a.shown(ROW), { description: 'v2' });
    a.store.applyPage(captured as Parameters<typeof a.store.applyPage>[0], 'main', true);
    assert.deepEqual(a.shown(ROW), { description: 'v2' }, 'the late page left the newer row alone');
    assert.deepEqual(a.tables.getRow(ROW)?.vector, w.server.row(ORG, ROW)?.row.vector);
  });

  it('merges edits of different fields made concurrently, with no record', async () => {
    const w = new World();
    const a = w.replica('a');
    const b = w.replica('b');
    a.edit(ROW, { description: 'from a' });
    b.edit(ROW, { tags: ['b'], 'meta.tier': 1 });
    a.edit(ROW, { 'meta.owner team': 'x' });
    for (const r of [a, b, a, b]) await r.engine.syncNow();
    const expected = { description: 'from a', tags: ['b'], 'meta.tier': 1, 'meta.owner team': 'x' };
    assert.deepEqual(w.server.row(ORG, ROW)?.row.fields, expected);
    assert.deepEqual(a.shown(ROW), expected);
    assert.deepEqual(b.shown(ROW), expected);
    assert.equal(w.server.records.length, 0);
    assert.deepEqual([a.engine.conflicts(), b.engine.conflicts(), a.engine.losers(), b.engine.losers()], [[], [], [], []]);
  });

  it('keeps fields this client does not know through its edits', async () => {
    const w = new World();
    const a = w.replica('a');
    w.server.write(ORG, ROW, { description: 'old', futureField: { nested: [1, 2] } }, { replicaId: 'eeeeeeee-0000-4000-8000-000000000001' });
    await a.engine.syncNow();
    assert.deepEqual(a.shown(ROW), { description: 'old', futureField: { nested: [1, 2] } });
    a.edit(ROW, { description: 'new' });
    await a.engine.syncNow();
    assert.deepEqual(w.server.row(ORG, ROW)?.row.fields, { description: 'new', futureField: { nested: [1, 2] } });
    assert.deepEqual(a.shown(ROW), { description: 'new', futureField: { nested: [1, 2] } });
  });

  it('reports a conflict exactly when the same keep-server field was edited concurrently, and both sides see it (property)', async () => {
    type Step = { t: 'edit'; who: 0 | 1; field: 'owners' | 'description' } | { t: 'sync'; who: 0 | 1 };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ t: fc.constant('edit' as const), who: fc.constantFrom(0 as const, 1 as const), field: fc.constantFrom('owners' as const, 'description' as const) }),
      fc.record({ t: fc.constant('sync' as const), who: fc.constantFrom(0 as const, 1 as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 20 }), async (steps) => {
        const w = new World();
        const replicas = [w.replica('a'), w.replica('b')];
        // Oracle: events each replica knows (pulled or its own), and per field the event behind the server value.
        const knows = [new Set<string>(), new Set<string>()];
        const pending: { who: number; field: string; event: string; seen: Set<string> }[][] = [[], []];
        const writer = new Map<string, string>();
        const serverEvents = new Set<string>();
        let expectedConflicts = 0;
        let expectedLosers = 0;
        let n = 0;
        for (const s of [...steps, { t: 'sync', who: 0 } as Step, { t: 'sync', who: 1 } as Step, { t: 'sync', who: 0 } as Step]) {
          const r = replicas[s.who];
          if (r === undefined) continue;
          if (s.t === 'edit') {
            const event = `e${++n}`;
            r.edit(ROW, s.field === 'owners' ? { owners: [event] } : { description: event });
            pending[s.who]?.push({ who: s.who, field: s.field, event, seen: new Set(knows[s.who]) });
            knows[s.who]?.add(event);
            continue;
          }
          for (const op of pending[s.who] ?? []) {
            const last = writer.get(op.field);
            const concurrent = last !== undefined && !op.seen.has(last);
            if (concurrent && op.field === 'owners') expectedConflicts++;
            else writer.set(op.field, op.event);
            if (concurrent && op.field === 'description') expectedLosers++;
            serverEvents.add(op.event);
          }
          pending[s.who] = [];
          await r.engine.syncNow();
          for (const e of serverEvents) knows[s.who]?.add(e);
        }
        const conflicts = w.server.records.filter((x) => x.type === 'conflict');
        assert.equal(conflicts.length, expectedConflicts);
        assert.equal(w.server.records.filter((x) => x.type === 'loser').length, expectedLosers);
        const ids = conflicts.map((c) => (c.record as { id: string }).id).sort();
        for (const r of replicas) assert.deepEqual(r.engine.conflicts().map((c) => c.id).sort(), ids, `${r.name} sees every open conflict`);
        assert.deepEqual(replicas[0]?.shown(ROW), replicas[1]?.shown(ROW), 'both converge');
      }),
      { numRuns: 80 },
    );
  });

  it('resolves a conflict from either side with a resolving op', async () => {
    const w = new World();
    const a = w.replica('a');
    const b = w.replica('b');
    a.edit(ROW, { owners: ['ann'] });
    b.edit(ROW, { owners: ['bob'] });
    await a.engine.syncNow();
    const s = await b.engine.syncNow();
    assert.equal(s.conflicts, 1);
    await a.engine.syncNow();
    const [conflict] = a.engine.conflicts();
    assert.deepEqual([conflict?.serverValue, conflict?.incomingValue], [['ann'], ['bob']]);
    const op = a.engine.resolveConflict(conflict?.id ?? '', { value: ['bob', 'ann'] });
    assert.deepEqual(op?.action === 'patch' ? [op.patch, op.resolves] : undefined, [{ owners: ['bob', 'ann'] }, [conflict?.id]]);
    assert.equal(a.engine.conflicts().length, 0, 'leaves the list at once');
    await a.engine.syncNow();
    await b.engine.syncNow();
    assert.equal(b.engine.conflicts().length, 0, 'the other side sees it resolved');
    assert.deepEqual(b.shown(ROW), { owners: ['bob', 'ann'] });
  });
});
