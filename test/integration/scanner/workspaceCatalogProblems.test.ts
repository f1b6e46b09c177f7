import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import DatabaseConstructor from 'better-sqlite3';
import { CatalogError } from '../../../extension/catalog/catalogError';
import { corruptMessage, explainWorkerError, schemaTooNewMessage } from '../../../extension/catalog/catalogProblem';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { SCHEMA_VERSION } from '../../../extension/catalog/migrations';
import { DEFAULT_CONFIG } from '../../../extension/config';
import type { Logger } from '../../../extension/ui/logger';
import { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';
import { makeWorkspace, removeDir } from './helpers';

/**
 * What VS Code shows ("Mallard could not open the catalog: <message>") for a newer or damaged
 * `.mallard/catalog.db` is the message the CLI prints: which file, why, what to do. The file is
 * left as it is.
 */
describe('workspace catalog: a newer or damaged catalog file', () => {
  const silent: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

  it('a catalog from a newer Mallard is refused with the shared message and left untouched', () => {
    const root = makeWorkspace({ 'a.sql': 'select 1;\n' }, 'mallard-newer-');
    try {
      const file = path.join(root, '.mallard', 'catalog.db');
      mkdirSync(path.dirname(file), { recursive: true });
      CatalogStore.open(file).close();
      const db = new DatabaseConstructor(file);
      db.pragma(`user_version = ${SCHEMA_VERSION + 2}`);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      const before = readFileSync(file);
      assert.throws(() => new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent), (err: unknown) =>
        CatalogError.is(err, 'schema-too-new') && err.message === schemaTooNewMessage(file, SCHEMA_VERSION + 2, SCHEMA_VERSION));
      assert.deepEqual(readFileSync(file), before);
    } finally {
      removeDir(root);
    }
  });

  it('a damaged catalog is refused with the shared message and left untouched', () => {
    const root = makeWorkspace({ 'a.sql': 'select 1;\n' }, 'mallard-damaged-');
    try {
      const file = path.join(root, '.mallard', 'catalog.db');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, 'not sqlite at all');
      assert.throws(() => new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent), (err: unknown) =>
        CatalogError.is(err, 'corrupt') && err.message === corruptMessage(file, 'file is not a database'));
      assert.equal(readFileSync(file, 'utf8'), 'not sqlite at all');
    } finally {
      removeDir(root);
    }
  });

  it("damage the scan worker runs into gets the same advice; other worker errors pass through", () => {
    assert.equal(explainWorkerError('/w/.mallard/catalog.db', 'database disk image is malformed'), corruptMessage('/w/.mallard/catalog.db', 'database disk image is malformed'));
    assert.equal(explainWorkerError('/w/.mallard/catalog.db', 'The scan was cancelled'), 'The scan was cancelled');
  });
});
