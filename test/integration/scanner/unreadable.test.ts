import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { makeWorkspace, removeDir } from './helpers';

/**
 * A file the scanning user may not read (real permissions, as a non-root user: root reads a
 * chmod-000 file, so when the tests run as root the built CLI is spawned as `nobody`). The file
 * gets "cannot read: permission denied" at line 1, column 1; the model it defines still exists, so
 * refs to it are edges, not "not in the project" warnings; once readable, a rescan clears it.
 */

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli/mallard.js');
/** `nobody` on Linux. */
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** Runs the CLI as a non-root user. */
function mallard(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000, ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Lets every user read (and walk) a folder tree. */
function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) openUp(p);
    else chmodSync(p, 0o644);
  }
}

describe('unreadable files (as a non-root user, built CLI)', function () {
  this.timeout(180_000);

  before(() => {
    const build = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: repo, encoding: 'utf8' });
    assert.equal(build.status, 0, `esbuild failed: ${build.stderr}`);
  });

  it('reports "cannot read: permission denied" at the file and keeps the model node; a rescan after chmod clears it', () => {
    const root = makeWorkspace({
      'dbt_project.yml': "name: p\nversion: '1.0'\nconfig-version: 2\n",
      'models/secret.sql': 'select 1 as id\n',
      'models/uses_secret.sql': "select id from {{ ref('secret') }}\n",
      'warehouse/locked.sql': 'create table locked (id int);\n',
    }, 'mallard-unreadable-');
    const dbDir = mkdtempSync(path.join(os.tmpdir(), 'mallard-unreadable-db-'));
    const db = path.join(dbDir, 'catalog.db');
    try {
      openUp(root);
      if (asRoot) chownSync(dbDir, NOBODY, NOBODY);
      chmodSync(path.join(root, 'models/secret.sql'), 0o000);
      chmodSync(path.join(root, 'warehouse/locked.sql'), 0o000);
      assert.equal(statSync(path.join(root, 'models/secret.sql')).mode & 0o777, 0);

      const scan = mallard(['scan', root, '--db', db, '--no-git', '--quiet'], root);
      assert.equal(scan.code, 0, scan.stderr);
      const diagnostics = mallard(['diagnostics', '--db', db], root);
      assert.equal(diagnostics.code, 0, diagnostics.stderr);
      assert.match(diagnostics.stdout, /models\/secret\.sql:1:1\s+warning\s+file-unreadable\s+cannot read: permission denied/);
      assert.match(diagnostics.stdout, /warehouse\/locked\.sql:1:1\s+warning\s+file-unreadable\s+cannot read: permission denied/);
      assert.doesNotMatch(diagnostics.stdout, /unresolved-ref|not in the project/);

      const store = CatalogStore.open(db);
      try {
        assert.ok(store.getEntity('model.p.secret'), 'the model exists; only its SQL is unknown');
        assert.deepEqual(store.modelLineage('model.p.uses_secret').nodes.map((n) => n.id).sort(), ['model.p.secret', 'model.p.uses_secret']);
      } finally {
        store.close();
      }

      chmodSync(path.join(root, 'models/secret.sql'), 0o644);
      const rescan = mallard(['scan', root, '--db', db, '--no-git', '--quiet'], root);
      assert.equal(rescan.code, 0, rescan.stderr);
      const after = CatalogStore.open(db);
      try {
        assert.deepEqual(after.diagnostics('models/secret.sql'), []);
        assert.deepEqual(after.columnsOf('model.p.secret').map((c) => c.name), ['id']);
        assert.equal(after.diagnostics('warehouse/locked.sql')[0]?.code, 'file-unreadable', 'the other file is still unreadable');
      } finally {
        after.close();
      }
    } finally {
      removeDir(root);
      removeDir(dbDir);
    }
  });
});
