import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CatalogStore } from '../../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { watchWorkspace } from '../../../extension/scanner/watcher';
import { walkWorkspace } from '../../../extension/scanner/walker';
import { eventually } from '../../support/eventually';
import { makeWorkspace, removeDir, teardown, tempStore } from './helpers';

/**
 * Files that cannot be read the normal way each get their own diagnostic at the file, and cost
 * nothing else (real files on disk, a real catalog): text that is not UTF-8 is read as
 * windows-1252 with a warning at the first bad byte, a UTF-8 byte order mark is dropped, UTF-16
 * with a byte order mark is decoded; binary and oversized files are skipped but a model still
 * defines its node; symbolic links are followed inside the workspace, not outside, and a loop is
 * one diagnostic, not a hang. The diagnostics are facts of the file: fixing the file clears them.
 */

const PROJECT = "name: p\nversion: '1.0'\nconfig-version: 2\n";

/** Diagnostics of one code, as `file:line:column`. */
function located(store: CatalogStore, code: string): string[] {
  return store.diagnostics().filter((d) => d.code === code).map((d) => `${d.file}:${d.line}:${d.column}`).sort();
}

describe('file issues: encodings, binary, size limit, symbolic links (real files)', function () {
  this.timeout(60_000);

  it('reads latin-1 as windows-1252 with a located warning, drops a UTF-8 BOM, decodes UTF-16; a fix clears the warning', async () => {
    const root = makeWorkspace({ 'dbt_project.yml': PROJECT, 'models/.keep.md': '' });
    writeFileSync(path.join(root, 'models/schema.yml'), Buffer.from('version: 2\nmodels:\n  - name: latin\n    description: Caf\xe9 cr\xe8me\n', 'latin1'));
    writeFileSync(path.join(root, 'models/latin.sql'), Buffer.from('select 1 as id -- Caf\xe9\n', 'latin1'));
    writeFileSync(path.join(root, 'models/bom.sql'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('select 1 as bom_id\n')]));
    writeFileSync(path.join(root, 'models/wide.sql'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('select 1 as wide_id -- Café\n', 'utf16le')]));
    const { store, dir } = tempStore();
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 0 });
    try {
      await scanner.scan();
      assert.equal(store.getEntity('model.p.latin')?.description, 'Café crème');
      assert.deepEqual(located(store, 'file-not-utf8'), ['models/latin.sql:1:22', 'models/schema.yml:4:21']);
      assert.match(store.diagnostics('models/schema.yml')[0]?.message ?? '', /not valid UTF-8 \(byte 0xE9\); read as windows-1252/);
      assert.deepEqual(store.columnsOf('model.p.bom').map((c) => c.name), ['bom_id'], 'the BOM is not part of the first name');
      assert.deepEqual(store.columnsOf('model.p.wide').map((c) => c.name), ['wide_id']);
      assert.deepEqual(store.diagnostics('models/bom.sql'), []);
      assert.deepEqual(store.diagnostics('models/wide.sql'), []);

      // Saved as UTF-8: the warning goes (an incremental update replaces the file's facts).
      writeFileSync(path.join(root, 'models/schema.yml'), 'version: 2\nmodels:\n  - name: latin\n    description: Café crème\n');
      await scanner.update(['models/schema.yml']);
      assert.deepEqual(located(store, 'file-not-utf8'), ['models/latin.sql:1:22']);
      assert.equal(store.getEntity('model.p.latin')?.description, 'Café crème');
    } finally {
      await teardown({ scanner, store, dirs: [root, dir] });
    }
  });

  it('skips binary and oversized files with a diagnostic, keeps their model nodes, and reads a big seed up to its header', async () => {
    const seed = `id,name\n${'1,abcdefghij\n'.repeat(200)}`;
    const root = makeWorkspace({
      'dbt_project.yml': PROJECT,
      '.mallard.json': JSON.stringify({ maxFileBytes: 1000 }),
      'models/big.sql': `select 1 as id\n${'-- padding\n'.repeat(150)}`,
      'models/downstream.sql': "select b.id from {{ ref('big') }} b join {{ ref('blob') }} x on true\n",
      'seeds/countries.csv': seed,
    });
    writeFileSync(path.join(root, 'models/blob.sql'), Buffer.from('select 1\n\0\x01\x02', 'latin1'));
    const { store, dir } = tempStore();
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 0 });
    try {
      await scanner.scan();
      assert.deepEqual(located(store, 'file-binary'), ['models/blob.sql:1:1']);
      assert.match(store.diagnostics('models/blob.sql')[0]?.message ?? '', /binary content \(a NUL byte at line 2, column 1\)/);
      assert.deepEqual(located(store, 'file-too-large'), ['models/big.sql:1:1']);
      assert.match(store.diagnostics('models/big.sql')[0]?.message ?? '', /1\.6 KB is over the 1000 bytes limit for one file\. Raise "maxFileBytes" in \.mallard\.json/);
      assert.deepEqual(store.diagnostics('seeds/countries.csv'), [], 'a seed over the limit is read up to its header');
      assert.deepEqual(store.columnsOf('seed.p.countries').map((c) => c.name), ['id', 'name']);
      // The skipped models still exist: refs to them resolve and the edges are there.
      assert.ok(store.getEntity('model.p.big'));
      assert.ok(store.getEntity('model.p.blob'));
      assert.deepEqual(store.diagnostics().filter((d) => d.code === 'unresolved-ref'), []);
      assert.deepEqual(store.modelLineage('model.p.downstream').nodes.map((n) => n.id).sort(), ['model.p.big', 'model.p.blob', 'model.p.downstream']);

      // Raising the limit reads the file: the diagnostic goes and the model gets its columns.
      writeFileSync(path.join(root, '.mallard.json'), JSON.stringify({ maxFileBytes: 100_000 }));
      await scanner.scan();
      assert.deepEqual(located(store, 'file-too-large'), []);
      assert.deepEqual(store.columnsOf('model.p.big').map((c) => c.name), ['id']);
    } finally {
      await teardown({ scanner, store, dirs: [root, dir] });
    }
  });

  it('follows links inside the workspace, not outside, and reports a link loop once, in the walk and the watcher', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'mallard-outside-'));
    writeFileSync(path.join(outside, 'ext_model.sql'), 'select 1 as secret_id\n');
    const root = makeWorkspace({
      'dbt_project.yml': PROJECT,
      'shared/shared_model.sql': 'select 2 as shared_id\n',
      'lib/lib_model.sql': 'select 4 as lib_id\n',
      'models/down.sql': "select * from {{ ref('ext_model') }}\n",
    });
    const link = (target: string, at: string): void => symlinkSync(target, path.join(root, at));
    link('../shared/shared_model.sql', 'models/shared_model.sql');
    link('../lib', 'models/lib');
    link(path.join(outside, 'ext_model.sql'), 'models/ext_model.sql');
    link(outside, 'models/ext_dir');
    link('..', 'models/loop');
    link('self.sql', 'models/self.sql');
    const { store, dir } = tempStore();
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 0 });
    const watcher = watchWorkspace(scanner, {}, { stable: { intervalMs: 20 } });
    try {
      const walked = (await walkWorkspace(root)).map((f) => `${f.path}${f.issue ? ` (${f.issue.code})` : ''}`);
      assert.deepEqual(walked, [
        'dbt_project.yml',
        'lib/lib_model.sql',
        'models/down.sql',
        'models/ext_dir (symlink-outside-workspace)',
        'models/ext_model.sql',
        'models/lib/lib_model.sql',
        'models/loop (symlink-loop)',
        'models/self.sql',
        'models/shared_model.sql',
        'shared/shared_model.sql',
      ]);
      await scanner.scan();
      await watcher.ready; // chokidar must not follow the loop either
      assert.deepEqual(store.columnsOf('model.p.shared_model').map((c) => c.name), ['shared_id'], 'a file link inside the workspace is read');
      assert.deepEqual(store.columnsOf('model.p.lib_model').map((c) => c.name), ['lib_id'], 'a folder link inside the workspace is walked');
      assert.deepEqual(located(store, 'symlink-outside-workspace'), ['models/ext_dir:1:1', 'models/ext_model.sql:1:1']);
      assert.match(store.diagnostics('models/ext_model.sql')[0]?.message ?? '', new RegExp(`not followed: a symbolic link to \`${outside.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/ext_model.sql\`, outside the workspace folder`));
      assert.deepEqual(located(store, 'symlink-loop'), ['models/loop:1:1', 'models/self.sql:1:1']);
      assert.deepEqual(store.columnsOf('model.p.ext_model'), [], 'the outside content is not read');
      assert.ok(store.getEntity('model.p.ext_model'), 'the model the link defines still exists');
      assert.deepEqual(store.diagnostics().filter((d) => d.code === 'unresolved-ref'), []);

      // An edit of a link's target reaches the model defined through the link (chokidar reports the target).
      writeFileSync(path.join(root, 'shared/shared_model.sql'), 'select 2 as shared_id, 3 as more_id\n');
      writeFileSync(path.join(root, 'lib/lib_model.sql'), 'select 4 as lib_id, 5 as more_id\n');
      await eventually('the edit through the file link', () => (store.columnsOf('model.p.shared_model').length === 2 ? true : undefined));
      await eventually('the edit through the folder link', () => (store.columnsOf('model.p.lib_model').length === 2 ? true : undefined));
      await watcher.idle();
      // Removing the loop clears its diagnostic (a removed link re-walks).
      unlinkSync(path.join(root, 'models/loop'));
      await eventually('the loop diagnostic to go', () => (located(store, 'symlink-loop').length === 1 ? true : undefined));
    } finally {
      await teardown({ watcher, scanner, store, dirs: [root, dir, outside] });
    }
  });
});
