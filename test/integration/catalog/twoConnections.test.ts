import assert from 'node:assert/strict';
import { CatalogError } from '../../../extension/catalog/catalogError';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { entity, facts, tempStore } from './catalogFixtures';

/** The extension and the CLI open the same file: WAL lets them read while the other writes. */
describe('catalog store: two connections on one file', () => {
  let env: ReturnType<typeof tempStore>;
  let other: CatalogStore;
  beforeEach(() => {
    env = tempStore();
    other = CatalogStore.open(env.file, { busyTimeoutMs: 50 });
  });
  afterEach(() => {
    other.close();
    env.cleanup();
  });

  it('a committed write is visible to the other connection; an open read keeps its snapshot', () => {
    env.store.replaceAll(facts({ entities: [entity('model.p.a')] }));
    assert.equal(other.getEntity('model.p.a')?.id, 'model.p.a');
    const reading = other.exportEntities();
    assert.equal(reading.next().value?.id, 'model.p.a');
    env.store.replaceFacts({ entityIds: ['model.p.b'], files: [] }, facts({ entities: [entity('model.p.b')] }));
    assert.equal([...reading].length, 0, 'the iterator reads the snapshot it started with');
    assert.equal(other.stats().entities, 2);
  });

  it('a writer blocked past the busy timeout gets a typed busy error and writes nothing', () => {
    env.store.db.exec('BEGIN IMMEDIATE');
    try {
      assert.throws(() => other.replaceAll(facts({ entities: [entity('model.p.z')] })), (e: unknown) => CatalogError.is(e, 'busy'));
      assert.throws(() => other.removeFiles(['x.sql']), (e: unknown) => CatalogError.is(e, 'busy'));
      assert.throws(() => other.mutate({ entityId: 'model.p.z' }, { description: 'x' }), (e: unknown) => CatalogError.is(e, 'busy'));
    } finally {
      env.store.db.exec('ROLLBACK');
    }
    assert.equal(other.getEntity('model.p.z'), undefined);
    other.replaceAll(facts({ entities: [entity('model.p.z')] }));
    assert.equal(env.store.getEntity('model.p.z')?.id, 'model.p.z');
  });
});
