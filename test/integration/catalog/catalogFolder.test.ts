import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CATALOG_GITIGNORE, ensureCatalogFolder } from '../../../extension/catalog/catalogFolder';
import { makeWorkspace, removeDir } from '../scanner/helpers';

/** The catalog folder on a real disk: `.mallard/` gets its own `.gitignore`, never overwritten. */

describe('catalog folder', () => {
  let root = '';
  beforeEach(() => {
    root = makeWorkspace({}, 'mallard-folder-');
  });
  afterEach(() => removeDir(root));

  it('creates .mallard/ with a .gitignore of *', () => {
    ensureCatalogFolder(path.join(root, 'nested/.mallard/catalog.db'));
    assert.equal(readFileSync(path.join(root, 'nested/.mallard/.gitignore'), 'utf8'), CATALOG_GITIGNORE);
    assert.deepEqual(CATALOG_GITIGNORE.split('\n').filter((l) => l !== '' && !l.startsWith('#')), ['*']);
  });

  it('adds the .gitignore to an existing .mallard/ but keeps one the user edited', () => {
    mkdirSync(path.join(root, '.mallard'));
    ensureCatalogFolder(path.join(root, '.mallard/catalog.db'));
    assert.ok(existsSync(path.join(root, '.mallard/.gitignore')));
    writeFileSync(path.join(root, '.mallard/.gitignore'), '# mine\n');
    ensureCatalogFolder(path.join(root, '.mallard/catalog.db'));
    assert.equal(readFileSync(path.join(root, '.mallard/.gitignore'), 'utf8'), '# mine\n');
  });

  it('gives other folders (--db elsewhere) no .gitignore', () => {
    ensureCatalogFolder(path.join(root, 'dbs/x.db'));
    assert.ok(existsSync(path.join(root, 'dbs')));
    assert.equal(existsSync(path.join(root, 'dbs/.gitignore')), false);
  });
});
