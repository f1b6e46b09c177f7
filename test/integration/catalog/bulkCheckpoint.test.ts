import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { BULK_CHECKPOINT_DELAY_MS, CatalogStore } from '../../../extension/catalog/catalogStore';
import { column, entity, facts, tempStore } from './catalogFixtures';

/**
 * A cold scan's write commits without copying its WAL into the database file (the copy waits, see
 * `CatalogStore.bulkTransaction`): real SQLite files, sizes read from disk.
 */

/** Enough rows for several thousand WAL pages (SQLite's automatic checkpoint starts at 1,000). */
function bigFacts(prefix: string): Parameters<CatalogStore['replaceAll']>[0] {
  const entities = Array.from({ length: 400 }, (_, i) => entity(`model.p.${prefix}${i}`, { description: 'x'.repeat(400) }));
  const columns = entities.flatMap((e) => Array.from({ length: 20 }, (_, k) => column(e.id, `c${k}`, k, { description: 'y'.repeat(200) })));
  return facts({ entities, columns });
}

const size = (file: string): number => statSync(file).size;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < BULK_CHECKPOINT_DELAY_MS + 10_000; waited += 100) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`gave up waiting: ${what}`);
}

describe('catalog store: bulk writes checkpoint later', function () {
  this.timeout(30_000);
  let env: ReturnType<typeof tempStore>;
  beforeEach(() => {
    env = tempStore();
  });
  afterEach(() => env.cleanup());

  it('an ordinary write of that size is copied into the database file at its commit (the control)', () => {
    const before = size(env.file);
    env.store.transaction(() => env.store.replaceAll(bigFacts('a')));
    assert.ok(size(env.file) > before + 1_000_000, 'the automatic checkpoint grew the database file');
  });

  it('a bulk write commits into the WAL only, other connections read it at once, and the copy follows on its own', async () => {
    const before = size(env.file);
    env.store.bulkTransaction(() => env.store.replaceAll(bigFacts('b')));
    assert.equal(size(env.file), before, 'nothing copied at the commit');
    assert.ok(size(`${env.file}-wal`) > 1_000_000, 'the rows are in the WAL');
    assert.equal(env.store.db.pragma('wal_autocheckpoint', { simple: true }), 1000, 'the automatic checkpoint is back on');
    const reader = CatalogStore.open(env.file, { readonly: true });
    try {
      assert.equal(reader.stats().columns, 8000, 'committed rows are visible to another connection');
    } finally {
      reader.close();
    }
    assert.equal(size(env.file), before, 'a reader does not copy it either');
    await until(() => size(env.file) > before + 1_000_000, 'the deferred checkpoint');
    assert.equal(env.store.stats().columns, 8000);
  });

  it('a bulk write that fails writes nothing and restores the automatic checkpoint', () => {
    env.store.replaceAll(bigFacts('c'));
    assert.throws(() => env.store.bulkTransaction(() => {
      env.store.replaceAll(facts({ entities: [entity('model.p.only')] }));
      throw new Error('scan cancelled');
    }), /scan cancelled/);
    assert.equal(env.store.stats().entities, 400, 'the previous catalog stays');
    assert.equal(env.store.db.pragma('wal_autocheckpoint', { simple: true }), 1000);
  });
});
