import assert from 'node:assert/strict';
import path from 'node:path';
import DatabaseConstructor from 'better-sqlite3';
import { SyncOp } from '../../../core/sync/ops';
import { PushRequest } from '../../../core/sync/pushMessages';
import { SYNC_SCHEMA_VERSION } from '../../../core/sync/limits';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { MIGRATIONS, migrate } from '../../../extension/catalog/migrations';
import { rowVector, setRowVector } from '../../../extension/catalog/outbox';
import { column, entity, facts, tempStore } from './catalogFixtures';

describe('catalog store: the outbox speaks the sync contract', () => {
  let env: ReturnType<typeof tempStore>;
  beforeEach(() => {
    env = tempStore();
    env.store.replaceAll(facts({ entities: [entity('model.p.orders'), entity('model.p.customers')], columns: [column('model.p.orders', 'amount', 0)] }));
  });
  afterEach(() => env.cleanup());

  it('mutate writes ops with a field patch and the base vector, each a valid push', () => {
    const { store } = env;
    const r = store.replicaId;
    store.mutate({ entityId: 'model.p.orders' }, { description: 'one', meta: { owner: 'ann', gone: null } });
    store.mutate({ entityId: 'model.p.orders' }, { tags: ['b', 'a', 'b'] });
    store.mutate({ columnId: 'model.p.orders#amount' }, { description: 'gross' });
    const ops = store.pendingOps();
    assert.deepEqual(
      ops.map((o) => [o.opNumber, o.target.kind, o.vector, o.action === 'patch' ? o.patch : undefined]),
      [
        [1, 'entity', {}, { description: 'one', 'meta.owner': 'ann', 'meta.gone': null }],
        [2, 'entity', { [r]: 1 }, { tags: ['a', 'b'] }],
        [3, 'column', {}, { description: 'gross' }],
      ],
      'a row\'s next op is based on the vector after the previous one; tags go as a set',
    );
    for (const op of ops) {
      assert.equal(op.schemaVersion, SYNC_SCHEMA_VERSION);
      assert.ok(!Number.isNaN(Date.parse(op.createdAt)));
      assert.deepEqual(SyncOp.parse(op), op);
    }
    const push = PushRequest.safeParse({ schemaVersion: SYNC_SCHEMA_VERSION, orgId: '11111111-1111-4111-8111-111111111111', replicaId: r, ops });
    assert.ok(push.success, JSON.stringify(push.error?.issues));
    assert.deepEqual(rowVector(store.db, { kind: 'entity', id: 'model.p.orders' }), { [r]: 2 });
  });

  it('bases the next op on a vector the sync engine stored, keeping it across acks', () => {
    const { store } = env;
    const other = 'bbbbbbbb-0000-4000-8000-000000000002';
    const target = { kind: 'entity', id: 'model.p.customers' };
    // The engine applied a pulled row that another replica changed twice.
    setRowVector(store.db, target, { [other]: 2 });
    const op = store.mutate({ entityId: 'model.p.customers' }, { description: 'mine' });
    assert.deepEqual(op.vector, { [other]: 2 });
    assert.deepEqual(rowVector(store.db, target), { [other]: 2, [store.replicaId]: 1 });
    store.ackOps(op.opNumber);
    assert.deepEqual(store.mutate({ entityId: 'model.p.customers' }, { description: 'again' }).vector, { [other]: 2, [store.replicaId]: 1 });
  });

  it('upgrades a version-2 outbox to contract ops without reusing a change number', () => {
    const file = path.join(env.dir, 'v2.db');
    const raw = new DatabaseConstructor(file);
    migrate(raw, MIGRATIONS.slice(0, 2));
    const r = 'aaaaaaaa-0000-4000-8000-000000000001';
    raw.prepare("INSERT INTO meta (key, value) VALUES ('replicaId', ?), ('lastOpNumber', '3')").run(r);
    const insert = raw.prepare('INSERT INTO outbox (replica_id, op_number, target_kind, target_id, patch, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run(r, 1, 'entity', 'model.p.orders', JSON.stringify({ description: 'old', meta: { tier: 1, x: null } }), '2026-01-01T00:00:00.000Z');
    insert.run(r, 2, 'column', 'model.p.orders#amount', JSON.stringify({ tags: ['z', 'a'] }), '2026-01-01T00:00:01.000Z');
    insert.run(r, 3, 'entity', 'model.p.orders', JSON.stringify({ description: 'older still pending' }), '2026-01-01T00:00:02.000Z');
    raw.close();
    const upgraded = CatalogStore.open(file);
    try {
      const ops = upgraded.pendingOps();
      assert.deepEqual(
        ops.map((o) => [o.opNumber, o.target, o.vector, o.action === 'patch' ? o.patch : undefined]),
        [
          [1, { kind: 'entity', id: 'model.p.orders' }, {}, { description: 'old', 'meta.tier': 1, 'meta.x': null }],
          [2, { kind: 'column', id: 'model.p.orders#amount' }, {}, { tags: ['a', 'z'] }],
          [3, { kind: 'entity', id: 'model.p.orders' }, { [r]: 1 }, { description: 'older still pending' }],
        ],
      );
      for (const op of ops) assert.deepEqual(SyncOp.parse(op), op);
      // New edits continue both the op numbers and the row's vector.
      upgraded.replaceAll(facts({ entities: [entity('model.p.orders')] }));
      const next = upgraded.mutate({ entityId: 'model.p.orders' }, { description: 'new' });
      assert.deepEqual([next.opNumber, next.vector], [4, { [r]: 2 }]);
    } finally {
      upgraded.close();
    }
  });
});
