import assert from 'node:assert/strict';
import { CatalogRegistry } from '../../../extension/ui/catalogRegistry';
import type { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';

/**
 * The registry only reads `root` and `store.getEntity` of a catalog, so these stand-ins carry just
 * that (a real WorkspaceCatalog starts a scan worker; the composition root and e2e use real ones).
 */
function folderCatalog(root: string, ids: string[]): WorkspaceCatalog {
  const stub = { root, store: { getEntity: (id: string) => (ids.includes(id) ? { id } : undefined) } };
  return stub as unknown as WorkspaceCatalog;
}

describe('CatalogRegistry: the catalogs of a multi-root workspace', function () {
  const order = ['/w/shop', '/w/shop/inner', '/w/other'];
  const shop = folderCatalog('/w/shop', ['model.shop.orders']);
  const inner = folderCatalog('/w/shop/inner', ['model.inner.orders', 'model.shop.orders']);
  const other = folderCatalog('/w/other', ['model.other.items']);

  function registry(): CatalogRegistry {
    const r = new CatalogRegistry();
    // Added out of order (the second folder's check finished first): listed in folder order.
    r.add({ name: 'other', catalog: other }, order);
    r.add({ name: 'shop', catalog: shop }, order);
    r.add({ name: 'inner', catalog: inner }, order);
    return r;
  }

  it('lists catalogs in workspace folder order and names them', function () {
    const r = registry();
    assert.deepEqual(r.list().map((f) => f.name), ['shop', 'inner', 'other']);
    assert.equal(r.size, 3);
    assert.equal(r.nameOf(inner), 'inner');
  });

  it('finds the catalog of a file: the deepest folder that contains it', function () {
    const r = registry();
    assert.equal(r.forPath('/w/shop/models/a.sql'), shop);
    assert.equal(r.forPath('/w/shop/inner/models/a.sql'), inner);
    assert.equal(r.forPath('/w/other/a.sql'), other);
    assert.equal(r.forPath('/elsewhere/a.sql'), undefined);
  });

  it('finds the catalog of an entity, preferring the given one when both hold it', function () {
    const r = registry();
    assert.equal(r.forEntity('model.shop.orders'), shop);
    assert.equal(r.forEntity('model.shop.orders', inner), inner);
    assert.equal(r.forEntity('model.other.items', shop), other);
    assert.equal(r.forEntity('model.none.x'), undefined);
  });

  it('removing a folder returns its catalog once and forgets it', function () {
    const r = registry();
    assert.equal(r.remove('/w/shop/inner'), inner);
    assert.equal(r.remove('/w/shop/inner'), undefined);
    assert.equal(r.has(inner), false);
    assert.equal(r.forPath('/w/shop/inner/models/a.sql'), shop, 'the outer folder owns the file now');
    assert.deepEqual(r.all(), [shop, other]);
  });

  it('adding a folder again replaces its entry instead of listing it twice', function () {
    const r = registry();
    const again = folderCatalog('/w/other', []);
    r.add({ name: 'other', catalog: again }, order);
    assert.equal(r.size, 3);
    assert.equal(r.byRoot('/w/other'), again);
    assert.equal(r.has(other), false);
  });
});
