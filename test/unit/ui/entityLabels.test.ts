import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { entityDescription, entityLabel, entityTooltip } from '../../../extension/ui/entityLabels';

describe('entityLabels: catalog tree rows', () => {
  let dir: string;
  let store: CatalogStore;

  before(async function () {
    this.timeout(60_000);
    // The real sample project through the real scanner, so "disabled" is what extraction records.
    dir = mkdtempSync(path.join(os.tmpdir(), 'mallard-labels-'));
    store = CatalogStore.open(path.join(dir, 'catalog.db'));
    const scanner = new WorkspaceScanner(store, { root: path.resolve(__dirname, '../../../samples/jaffle_duck'), workers: 0, git: false });
    await scanner.scan();
    await scanner.dispose();
  });

  after(() => {
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('marks the model disabled by config(enabled=false), and only disabled models', () => {
    const legacy = store.getEntity('model.jaffle_duck.legacy_orders');
    assert.ok(legacy, 'legacy_orders is in the catalog although disabled');
    assert.match(entityDescription(legacy), /^disabled\b/);
    assert.match(entityTooltip({ name: 'legacy_orders', kind: 'model', path: legacy.path }, legacy), /\*\*disabled\*\*/);
    const models = store.listEntities({ kind: 'model', limit: 1000 }).items;
    const disabled = models.filter((m) => entityDescription(store.getEntity(m.id)).startsWith('disabled')).map((m) => m.id);
    assert.deepEqual(disabled, ['model.jaffle_duck.legacy_orders']);
  });

  it('puts tags before the first prose line of the description and skips headings', () => {
    assert.equal(entityDescription({ disabled: false, tags: ['pii', 'daily'], description: '# Orders\n\nOne row per order.\nMore.' }), '#pii #daily · One row per order.');
    assert.equal(entityDescription({ disabled: true, tags: [], description: '' }), 'disabled');
    assert.equal(entityDescription(undefined), '');
  });

  it('labels versioned models with their version', () => {
    assert.equal(entityLabel('customers', { version: '2' }), 'customers v2');
    assert.equal(entityLabel('orders', {}), 'orders');
  });
});
