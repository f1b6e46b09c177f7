import assert from 'node:assert/strict';
import { CatalogError } from '../../../extension/catalog/catalogError';
import type { EditPatch } from '../../../extension/catalog/catalogTypes';
import { column, entity, facts, tempStore } from './catalogFixtures';

function extracted(description = 'from yaml', tags: string[] = ['finance'], meta: Record<string, unknown> = { owner: 'ann' }) {
  return facts({
    entities: [entity('model.p.orders', { description, tags, meta }), entity('model.p.customers')],
    columns: [column('model.p.orders', 'amount', 0, { description: 'col from yaml' }), column('model.p.orders', 'id', 1)],
  });
}

const scope = { entityIds: ['model.p.orders', 'model.p.customers'], files: [] };

describe('catalog store: user edits, overlay and outbox', () => {
  let env: ReturnType<typeof tempStore>;
  beforeEach(() => {
    env = tempStore();
    env.store.replaceAll(extracted());
  });
  afterEach(() => env.cleanup());

  it('mutate writes the edit and a numbered outbox row together', () => {
    const { store } = env;
    const op1 = store.mutate({ entityId: 'model.p.orders' }, { description: 'Orders, one row per order', tags: ['core'] });
    const op2 = store.mutate({ columnId: 'model.p.orders#amount' }, { meta: { pii: false } });
    assert.deepEqual([op1.opNumber, op2.opNumber], [1, 2]);
    assert.equal(op1.replicaId, store.replicaId);
    const orders = store.getEntity('model.p.orders');
    assert.equal(orders?.description, 'Orders, one row per order');
    assert.deepEqual(orders?.tags, ['core']);
    assert.deepEqual(orders?.meta, { owner: 'ann' }, 'untouched fields keep extracted values');
    assert.deepEqual(store.columnsOf('model.p.orders')[0]?.meta, { pii: false });
    const ops = store.pendingOps();
    assert.deepEqual(ops.map((o) => [o.opNumber, o.target, o.action === 'patch' ? o.patch : undefined]), [
      [1, { kind: 'entity', id: 'model.p.orders' }, { description: 'Orders, one row per order', tags: ['core'] }],
      [2, { kind: 'column', id: 'model.p.orders#amount' }, { 'meta.pii': false }],
    ]);
    assert.deepEqual(ops, [op1, op2], 'mutate returns the op it stored');
    assert.deepEqual(store.search('row per order').map((h) => h.id), ['model.p.orders'], 'search sees the edited description');
  });

  it('op numbers are never reused after acknowledgement', () => {
    const { store } = env;
    store.mutate({ entityId: 'model.p.orders' }, { description: 'a' });
    store.mutate({ entityId: 'model.p.orders' }, { description: 'b' });
    assert.equal(store.ackOps(2), 2);
    assert.equal(store.pendingOps().length, 0);
    assert.equal(store.mutate({ entityId: 'model.p.orders' }, { description: 'c' }).opNumber, 3);
  });

  it('a refused edit writes neither the overlay nor an outbox row', () => {
    const { store } = env;
    assert.throws(() => store.mutate({ entityId: 'model.p.nope' }, { description: 'x' }), (e: unknown) => CatalogError.is(e, 'not-found'));
    assert.throws(() => store.mutate({ columnId: 'model.p.orders#nope' }, { description: 'x' }), (e: unknown) => CatalogError.is(e, 'not-found'));
    const bad = [{ tags: 'core' }, { description: 5 }, { name: 'renamed' }] as unknown as EditPatch[];
    for (const patch of bad) {
      assert.throws(() => store.mutate({ entityId: 'model.p.orders' }, patch), (e: unknown) => CatalogError.is(e, 'invalid-input'));
    }
    assert.equal(store.pendingOps().length, 0);
    assert.equal(store.stats().userEdits, 0);
    assert.equal(store.getEntity('model.p.orders')?.description, 'from yaml');
  });

  it('edit and outbox row are atomic: a failing outbox insert leaves no overlay', () => {
    const { store } = env;
    // Occupy the next op number so the outbox insert hits the primary key after the overlay write.
    store.db.prepare("INSERT INTO outbox (replica_id, op_number, target_kind, target_id, patch, created_at) VALUES (?, 1, 'entity', 'x', '{}', 'now')").run(store.replicaId);
    assert.throws(() => store.mutate({ entityId: 'model.p.orders' }, { description: 'lost?' }));
    assert.equal(store.getEntity('model.p.orders')?.description, 'from yaml');
    assert.equal(store.stats().userEdits, 0);
    assert.deepEqual(store.search('lost'), []);
    assert.equal(store.getMeta('lastOpNumber'), undefined);
    assert.equal(store.db.prepare('SELECT count(*) FROM row_vectors').pluck().get(), 0, 'the row vector did not advance either');
  });

  it('user edits survive re-extraction until the file carries the same value', () => {
    const { store } = env;
    store.mutate({ entityId: 'model.p.orders' }, { description: 'mine', tags: ['core'], meta: { owner: null, tier: 1 } });
    store.mutate({ columnId: 'model.p.orders#amount' }, { description: 'gross amount' });
    // Rescan with the file unchanged (incremental and cold): the overlay still wins.
    store.replaceFacts(scope, extracted());
    store.replaceAll(extracted());
    let orders = store.getEntity('model.p.orders');
    assert.equal(orders?.description, 'mine');
    assert.deepEqual(orders?.tags, ['core']);
    assert.deepEqual(orders?.meta, { tier: 1 });
    assert.equal(store.columnsOf('model.p.orders')[0]?.description, 'gross amount');
    // The description is written back to YAML; the rescan extracts it and the overlay field goes.
    store.replaceFacts(scope, extracted('mine'));
    assert.equal(store.stats().userEdits, 2);
    store.replaceFacts(scope, extracted('changed again in git'));
    orders = store.getEntity('model.p.orders');
    assert.equal(orders?.description, 'changed again in git', 'after reconciliation the file is the source again');
    assert.deepEqual(orders?.tags, ['core'], 'tags not written back yet keep the edit');
    // Everything written back: tags, meta removal + addition, column description.
    const all = extracted('x', ['core'], { tier: 1 });
    all.columns[0] = column('model.p.orders', 'amount', 0, { description: 'gross amount' });
    store.replaceFacts(scope, all);
    assert.equal(store.stats().userEdits, 0);
  });

  it('an edit survives its entity vanishing and coming back', () => {
    const { store } = env;
    store.mutate({ entityId: 'model.p.customers' }, { description: 'kept' });
    store.replaceFacts({ entityIds: ['model.p.customers'], files: [] }, facts({}));
    assert.equal(store.getEntity('model.p.customers'), undefined);
    store.replaceFacts(scope, extracted());
    assert.equal(store.getEntity('model.p.customers')?.description, 'kept');
  });

  it('revertEdit drops chosen overlay fields', () => {
    const { store } = env;
    store.mutate({ entityId: 'model.p.orders' }, { description: 'mine', tags: ['core'] });
    store.revertEdit({ entityId: 'model.p.orders' }, ['description']);
    assert.equal(store.getEntity('model.p.orders')?.description, 'from yaml');
    assert.deepEqual(store.getEntity('model.p.orders')?.tags, ['core']);
    store.revertEdit({ entityId: 'model.p.orders' });
    assert.deepEqual(store.getEntity('model.p.orders')?.tags, ['finance']);
    assert.equal(store.stats().userEdits, 0);
    assert.equal(store.pendingOps().length, 1, 'reverting is local; the outbox keeps what was sent');
  });
});
