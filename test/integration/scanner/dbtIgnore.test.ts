import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createIgnoreMatcher } from '../../../extension/scanner/ignoreRules';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { watchWorkspace } from '../../../extension/scanner/watcher';
import { isRelevantPath, walkWorkspace } from '../../../extension/scanner/walker';
import { eventually } from '../../support/eventually';
import { makeWorkspace, removeDir, teardown, tempStore, writeFiles } from './helpers';

/**
 * dbt's own ignore rules inside dbt projects (real files): dbt never reads `.gitignore`, so a model
 * in a folder the repository's `.gitignore` lists (a Python template's `downloads/`) is cataloged;
 * the project's `.dbtignore` (at the project root only, each package its own) hides files; plain SQL
 * outside the project's folders keeps following `.gitignore`; dbt's `target/` and `logs/` stay out;
 * include/exclude globs apply everywhere. The walk, the watcher's predicate and the watcher agree.
 */

const PROJECT = "name: p\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n";

const FILES: Record<string, string> = {
  '.gitignore': 'downloads/\nscratch/\n*.tmp.sql\nlogs/\ntarget/\n',
  'dbt_project.yml': PROJECT,
  '.dbtignore': 'models/legacy/\n**/*_draft.sql\n',
  'models/downloads/stg_downloads.sql': 'select 1 as download_id\n',
  'models/x.tmp.sql': 'select 1 as id\n',
  'models/orders.sql': "select download_id from {{ ref('stg_downloads') }}\n",
  'models/legacy/old.sql': 'select 1 as id\n',
  'models/orders_draft.sql': 'select 1 as id\n',
  'models/excluded.sql': 'select 1 as id\n',
  // dbt reads only the project root's .dbtignore: this one changes nothing.
  'models/.dbtignore': 'orders.sql\n',
  'macros/downloads/m.sql': '{% macro m() %}1{% endmacro %}\n',
  'scratch/s.sql': 'select 1\n',
  'scripts/downloads/q.sql': 'select 1\n',
  'scripts/run.sql': 'select 1\n',
  'logs/query_log.sql': 'select 1\n',
  'target/manifest.json': '{"nodes": {}}',
  'target/run/p/models/orders.sql': 'select 1\n',
  'dbt_packages/pkg/dbt_project.yml': "name: pkg\nversion: '1.0'\nconfig-version: 2\n",
  'dbt_packages/pkg/.dbtignore': 'models/skip.sql\n',
  'dbt_packages/pkg/models/skip.sql': 'select 1\n',
  'dbt_packages/pkg/models/downloads/keep.sql': 'select 1\n',
  // A dbt project in a sub-folder, with its own .dbtignore.
  'transform/dbt_project.yml': "name: t\nversion: '1.0'\nconfig-version: 2\n",
  'transform/.dbtignore': 'models/tmp/\n',
  'transform/models/downloads/a.sql': 'select 1\n',
  'transform/models/tmp/b.sql': 'select 1\n',
  'transform/logs/c.sql': 'select 1\n',
};

const WALKED = [
  'dbt_packages/pkg/dbt_project.yml',
  'dbt_packages/pkg/models/downloads/keep.sql',
  'dbt_project.yml',
  'macros/downloads/m.sql',
  'models/downloads/stg_downloads.sql',
  'models/orders.sql',
  'models/x.tmp.sql',
  'scripts/run.sql',
  'target/manifest.json',
  'transform/dbt_project.yml',
  'transform/models/downloads/a.sql',
];

const EXCLUDE = ['**/excluded.sql'];

/** Every file under `dir`, workspace-relative. */
function allFiles(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    return e.isDirectory() ? allFiles(dir, r) : [r];
  });
}

describe('dbt ignore rules: .dbtignore, not .gitignore, inside dbt projects (real files)', function () {
  this.timeout(60_000);

  it('the walk lists what dbt reads and what git keeps of plain SQL', async () => {
    const root = makeWorkspace(FILES);
    try {
      const walked = (await walkWorkspace(root, { exclude: EXCLUDE, stable: { quietMs: 0, intervalMs: 10 } })).map((f) => f.path);
      assert.deepEqual(walked, WALKED);
    } finally {
      removeDir(root);
    }
  });

  it("the watcher's predicate agrees with the walk, and follows .dbtignore and dbt_project.yml edits", async () => {
    const root = makeWorkspace(FILES);
    try {
      const matcher = createIgnoreMatcher(root);
      const relevant = allFiles(root).filter(isRelevantPath).filter((f) => !f.endsWith('excluded.sql')).sort();
      assert.deepEqual(relevant.filter((f) => matcher.accepts(f)), WALKED);
      writeFileSync(path.join(root, '.dbtignore'), 'models/downloads/\n');
      assert.equal(matcher.forget('.dbtignore'), true);
      assert.equal(matcher.accepts('models/downloads/stg_downloads.sql'), false);
      assert.equal(matcher.accepts('models/legacy/old.sql'), true);
      // Moving the models elsewhere: `models/` becomes plain SQL, which .gitignore governs again.
      writeFileSync(path.join(root, 'dbt_project.yml'), PROJECT.replace("['models']", "['src']"));
      assert.equal(matcher.forget('dbt_project.yml'), true, 'the folders dbt reads changed');
      assert.equal(matcher.accepts('models/x.tmp.sql'), false);
      assert.equal(matcher.accepts('models/legacy/old.sql'), true);
      writeFileSync(path.join(root, 'dbt_project.yml'), `${PROJECT.replace("['models']", "['src']")}vars: {a: 1}\n`);
      assert.equal(matcher.forget('dbt_project.yml'), false, 'same folders: no re-walk needed');
    } finally {
      removeDir(root);
    }
  });

  it('catalogs a model in a git-ignored folder, and the watcher applies .dbtignore edits', async () => {
    const root = makeWorkspace(FILES);
    const { store, dir } = tempStore();
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 0, exclude: EXCLUDE });
    const watcher = watchWorkspace(scanner, {}, { stable: { intervalMs: 20 } });
    try {
      await scanner.scan();
      await watcher.ready;
      assert.ok(store.getEntity('model.p.stg_downloads'), 'git-ignored downloads/ is read: dbt reads it');
      assert.ok(store.getEntity('model.p.orders'));
      assert.equal(store.getEntity('model.p.old'), undefined, '.dbtignore hides models/legacy/');
      assert.equal(store.getEntity('model.p.excluded'), undefined, 'exclude globs apply inside dbt projects');
      assert.deepEqual(store.diagnostics().filter((d) => d.code === 'unresolved-ref'), []);

      // A new model in the git-ignored folder reaches the catalog through the watcher.
      writeFiles(root, { 'models/downloads/stg_more.sql': 'select 2 as id\n', 'models/sub/excluded.sql': 'select 1\n', 'models/more_draft.sql': 'select 1\n' });
      await eventually('model.p.stg_more', () => store.getEntity('model.p.stg_more'));
      await watcher.idle();
      assert.equal(store.getFile('models/sub/excluded.sql'), undefined, 'the watcher applies exclude globs');
      assert.equal(store.getFile('models/more_draft.sql'), undefined, 'the watcher applies .dbtignore');

      // Editing .dbtignore re-walks and re-plans: the folder goes, the legacy model comes back.
      writeFileSync(path.join(root, '.dbtignore'), 'models/downloads/\n');
      await eventually('stg_downloads to go', () => (store.getEntity('model.p.stg_downloads') ? undefined : true));
      await watcher.idle();
      assert.equal(store.getEntity('model.p.stg_more'), undefined);
      assert.ok(store.getEntity('model.p.old'), 'no longer dbt-ignored');
      const unresolved = store.diagnostics().filter((d) => d.code === 'unresolved-ref' || d.message.includes('stg_downloads'));
      assert.ok(unresolved.some((d) => d.file === 'models/orders.sql'), 'the ref to the now ignored model is reported');
    } finally {
      await teardown({ watcher, scanner, store, dirs: [root, dir] });
    }
  });
});
