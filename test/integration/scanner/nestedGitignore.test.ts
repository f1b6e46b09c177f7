import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { watchWorkspace } from '../../../extension/scanner/watcher';
import { createIgnoreMatcher } from '../../../extension/scanner/ignoreRules';
import { isRelevantPath, walkWorkspace } from '../../../extension/scanner/walker';
import { eventually } from '../../support/eventually';
import { makeWorkspace, removeDir, tempStore, writeFiles, teardown } from './helpers';

/**
 * Nested `.gitignore` files with git's semantics, in the walker and in the watcher's per-path
 * predicate (real files): patterns relative to their folder, anchored patterns, negation across
 * files (the deeper file wins), directory-only patterns, and dbt's `target/` (only the manifest).
 * git's rules govern plain SQL (`warehouse/`, outside the dbt project's folders); what a dbt project
 * reads follows dbt's rules instead (`dbtIgnore.test.ts`).
 */

const FILES: Record<string, string> = {
  '.gitignore': '*.tmp.sql\nscratch/\ntarget/\n',
  'dbt_project.yml': "name: p\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n",
  'models/a.sql': 'select 1 as id\n',
  'warehouse/.gitignore': '/local.sql\ndrafts/\n!keep.tmp.sql\ntemp.sql/\n',
  'warehouse/a.sql': 'select 1 as id\n',
  'warehouse/local.sql': 'select 2 as id\n',
  'warehouse/sub/local.sql': 'select 3 as id\n',
  'warehouse/x.tmp.sql': 'select 4 as id\n',
  'warehouse/keep.tmp.sql': 'select 5 as id\n',
  'warehouse/drafts/d.sql': 'select 6 as id\n',
  'warehouse/scratch/s2.sql': 'select 7 as id\n',
  'warehouse/temp.sql/inner.sql': 'select 8 as id\n',
  'warehouse/sub/temp.sql': 'select 9 as id\n',
  'scratch/s.sql': 'select 10 as id\n',
  'other/.gitignore': '*.sql\n!keep/\n',
  'other/o.sql': 'select 11 as id\n',
  'other/o.yml': 'a: 1\n',
  'other/deeper/.gitignore': '!again.sql\n',
  'other/deeper/again.sql': 'select 12 as id\n',
  'other/deeper/not.sql': 'select 13 as id\n',
  'target/manifest.json': '{"nodes": {}}',
  'target/compiled/p/models/a.sql': 'select 1 as id\n',
  'dbt_packages/pkg/dbt_project.yml': "name: pkg\nversion: '1.0'\nconfig-version: 2\n",
  // A second dbt project whose target/ is not git-ignored: still only its manifest is listed.
  'sub/dbt_project.yml': "name: sub\nversion: '1.0'\nconfig-version: 2\n",
  'sub/target/manifest.json': '{"nodes": {}}',
  'sub/target/run/sub/x.sql': 'select 1\n',
  'sub/target/run_results.json': '{}',
  // Not a dbt project: the root's `target/` pattern (any depth) applies as usual.
  'plain/target/out.sql': 'select 1\n',
};

const WALKED = [
  'dbt_packages/pkg/dbt_project.yml',
  'dbt_project.yml',
  'models/a.sql',
  'other/deeper/again.sql',
  'other/o.yml',
  'sub/dbt_project.yml',
  'sub/target/manifest.json',
  'target/manifest.json',
  'warehouse/a.sql',
  'warehouse/keep.tmp.sql',
  'warehouse/sub/local.sql',
  'warehouse/sub/temp.sql',
];

/** Every file under `dir`, workspace-relative. */
function allFiles(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    return e.isDirectory() ? allFiles(dir, r) : [r];
  });
}

describe('nested .gitignore (walker and watcher, real files)', function () {
  this.timeout(60_000);

  it('the walker applies every .gitignore with git precedence', async () => {
    const root = makeWorkspace(FILES);
    try {
      const walked = (await walkWorkspace(root, { stable: { quietMs: 0, intervalMs: 10 } })).map((f) => f.path);
      assert.deepEqual(walked, WALKED);
    } finally {
      removeDir(root);
    }
  });

  it("the watcher's per-path predicate agrees with the walk on every file", async () => {
    const root = makeWorkspace(FILES);
    try {
      const matcher = createIgnoreMatcher(root);
      const relevant = allFiles(root).filter(isRelevantPath).sort();
      assert.deepEqual(relevant.filter((f) => matcher.accepts(f)), WALKED);
      // A changed .gitignore applies once its cached rules are forgotten (the watcher does this on its event).
      writeFileSync(path.join(root, 'warehouse/.gitignore'), 'drafts/\n');
      assert.equal(matcher.accepts('warehouse/local.sql'), false);
      assert.equal(matcher.forget('warehouse/.gitignore'), true);
      assert.equal(matcher.accepts('warehouse/local.sql'), true);
      assert.equal(matcher.accepts('warehouse/drafts/d.sql'), false);
    } finally {
      removeDir(root);
    }
  });

  it('the watcher skips files a nested .gitignore excludes and applies the rest', async () => {
    const root = makeWorkspace(FILES);
    const { store, dir } = tempStore();
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 0 });
    const watcher = watchWorkspace(scanner, {}, { stable: { intervalMs: 20 } });
    try {
      await scanner.scan();
      await watcher.ready;
      assert.ok(store.getFile('warehouse/a.sql'));
      assert.equal(store.getFile('warehouse/drafts/d.sql'), undefined);
      writeFiles(root, { 'warehouse/drafts/d2.sql': 'select 1 as id\n', 'warehouse/fresh.sql': 'select 1 as id\n', 'warehouse/sub/zz.tmp.sql': 'select 1 as id\n' });
      await eventually('warehouse/fresh.sql', () => store.getFile('warehouse/fresh.sql'));
      await watcher.idle();
      assert.equal(store.getFile('warehouse/drafts/d2.sql'), undefined, 'ignored by warehouse/.gitignore');
      assert.equal(store.getFile('warehouse/sub/zz.tmp.sql'), undefined, 'ignored by the root .gitignore');

      // Editing a nested .gitignore re-applies the rules to files already on disk, both ways.
      writeFileSync(path.join(root, 'warehouse/.gitignore'), 'a.sql\n!keep.tmp.sql\n');
      await eventually('warehouse/a.sql to go', () => (store.getFile('warehouse/a.sql') ? undefined : true));
      await watcher.idle();
      assert.ok(store.getFile('warehouse/local.sql'), 'no longer ignored: added');
      assert.ok(store.getFile('warehouse/drafts/d2.sql'), 'drafts/ no longer ignored: added');
    } finally {
      await teardown({ watcher, scanner, store, dirs: [root, dir] });
    }
  });
});
