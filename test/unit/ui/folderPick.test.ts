import assert from 'node:assert/strict';
import { deepestRoot, nestedFolderExcludes, ownerOf, type EntityOwner } from '../../../extension/ui/folderPick';

describe('folderPick: the workspace folder of a path', function () {
  const roots = ['/w/shop', '/w/shop/nested', '/w/other'];

  it('picks the folder that contains the path', function () {
    assert.equal(deepestRoot(roots, '/w/other/models/a.sql', '/'), '/w/other');
    assert.equal(deepestRoot(roots, '/w/shop/models/a.sql', '/'), '/w/shop');
  });

  it('picks the deepest folder when folders are nested, whatever their order', function () {
    assert.equal(deepestRoot(roots, '/w/shop/nested/models/a.sql', '/'), '/w/shop/nested');
    assert.equal(deepestRoot([...roots].reverse(), '/w/shop/nested/models/a.sql', '/'), '/w/shop/nested');
  });

  it('matches whole path segments only (shop does not own shop2)', function () {
    assert.equal(deepestRoot(roots, '/w/shop2/a.sql', '/'), undefined);
    assert.equal(deepestRoot(roots, '/w/shopping', '/'), undefined);
  });

  it('a folder owns its own path; trailing separators do not matter', function () {
    assert.equal(deepestRoot(roots, '/w/other', '/'), '/w/other');
    assert.equal(deepestRoot(['/w/other/'], '/w/other/a.sql', '/'), '/w/other/');
    assert.equal(deepestRoot(['/'], '/a.sql', '/'), '/');
  });

  it('returns undefined outside every folder or without folders', function () {
    assert.equal(deepestRoot(roots, '/tmp/a.sql', '/'), undefined);
    assert.equal(deepestRoot([], '/w/shop/a.sql', '/'), undefined);
  });

  it('handles Windows separators', function () {
    assert.equal(deepestRoot(['C:\\w\\shop', 'C:\\w\\shop\\inner'], 'C:\\w\\shop\\inner\\a.sql', '\\'), 'C:\\w\\shop\\inner');
    assert.equal(deepestRoot(['C:\\w\\shop'], 'C:\\w\\shop2\\a.sql', '\\'), undefined);
  });
});

describe('folderPick: the catalog that holds an entity', function () {
  const owner = (root: string, ids: string[]): EntityOwner => ({ root, store: { getEntity: (id: string) => (ids.includes(id) ? { id } : undefined) } });
  const a = owner('/a', ['model.p.orders', 'model.p.customers']);
  const b = owner('/b', ['model.p.orders', 'model.q.items']);

  it('prefers the preferred catalog when it holds the entity', function () {
    assert.equal(ownerOf([a, b], 'model.p.orders', b), b);
    assert.equal(ownerOf([a, b], 'model.p.orders', a), a);
  });

  it('falls back to the first catalog that holds it', function () {
    assert.equal(ownerOf([a, b], 'model.q.items', a), b);
    assert.equal(ownerOf([a, b], 'model.p.orders'), a);
    assert.equal(ownerOf([a, b], 'model.p.customers', b), a);
  });

  it('returns undefined when no catalog holds it', function () {
    assert.equal(ownerOf([a, b], 'model.z.none', a), undefined);
    assert.equal(ownerOf([], 'model.p.orders'), undefined);
  });
});

describe('folderPick: excludes for nested workspace folders', function () {
  it('excludes each folder nested inside the root, and nothing else', function () {
    assert.deepEqual(nestedFolderExcludes('/w', ['/w', '/w/a', '/w/b/c', '/w2', '/other'], '/'), ['a/**', 'b/c/**']);
    assert.deepEqual(nestedFolderExcludes('/w/a', ['/w', '/w/a'], '/'), []);
  });

  it('escapes glob characters in folder names and uses forward slashes', function () {
    assert.deepEqual(nestedFolderExcludes('/w', ['/w/shop [old]'], '/'), ['shop \\[old\\]/**']);
    assert.deepEqual(nestedFolderExcludes('C:\\w', ['C:\\w\\x\\y'], '\\'), ['x/y/**']);
  });
});
