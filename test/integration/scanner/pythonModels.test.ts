import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { watchWorkspace } from '../../../extension/scanner/watcher';
import { createIgnoreMatcher } from '../../../extension/scanner/ignoreRules';
import { walkWorkspace } from '../../../extension/scanner/walker';
import { eventually } from '../../support/eventually';
import { makeWorkspace, removeDir, tempStore, teardown } from './helpers';

/**
 * dbt Python models through the real scanner (real files, SQLite, parse workers, watcher): `.py`
 * files are walked only inside dbt projects (a `.py` outside model paths is no model either), a Python model lands in the catalog with its edges,
 * and edits that add a ref or drop `def model` are applied the way a full scan would apply them.
 */

const FILES: Record<string, string> = {
  'shop/dbt_project.yml': "name: p\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n",
  'shop/models/orders.sql': 'select 1 as id\n',
  'shop/models/customers.sql': 'select 1 as id\n',
  'shop/models/score.py': 'def model(dbt, session):\n    dbt.config(materialized="table")\n    return dbt.ref("orders")\n',
  'shop/scripts/helper.py': 'def model(dbt, session):\n    return dbt.ref("orders")\n',
  'tools/notebook.py': 'print("not dbt")\n',
};

describe('dbt Python models in a scanned workspace (real files)', function () {
  this.timeout(120_000);

  it('the walker and the watcher list .py files only inside dbt projects', async () => {
    const root = makeWorkspace(FILES);
    try {
      const walked = (await walkWorkspace(root, { stable: { quietMs: 0, intervalMs: 10 } })).map((f) => f.path).filter((f) => f.endsWith('.py'));
      assert.deepEqual(walked, ['shop/models/score.py', 'shop/scripts/helper.py']);
      const matcher = createIgnoreMatcher(root);
      assert.deepEqual(Object.keys(FILES).filter((f) => f.endsWith('.py') && matcher.accepts(f)), ['shop/models/score.py', 'shop/scripts/helper.py']);
    } finally {
      removeDir(root);
    }
  });

  it('a scan catalogs the Python model; edits apply as a full scan would', async () => {
    const root = makeWorkspace(FILES);
    const { store, dir } = tempStore();
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 1 });
    const watcher = watchWorkspace(scanner, {}, { stable: { intervalMs: 20 } });
    const upstream = (): string[] => [...store.exportEdges({ columns: false })].filter((e) => e.to === 'model.p.score').map((e) => e.from).sort();
    try {
      await scanner.scan();
      await watcher.ready;
      assert.equal(store.getEntity('model.p.score')?.materialized, 'table');
      assert.equal(store.getEntity('model.p.score')?.meta.language, 'python');
      assert.deepEqual(upstream(), ['model.p.orders']);
      assert.equal(store.getEntity('model.p.helper'), undefined);

      writeFileSync(path.join(root, 'shop/models/score.py'), 'def model(dbt, session):\n    a = dbt.ref("orders")\n    return a.join(dbt.ref("customers"))\n');
      await eventually('the new ref', () => (upstream().length === 2 ? true : undefined));
      await watcher.idle();
      assert.deepEqual(upstream(), ['model.p.customers', 'model.p.orders']);

      // No `def model` any more: dbt would fail on the file, and it is no model of the catalog.
      writeFileSync(path.join(root, 'shop/models/score.py'), 'def helper(x):\n    return x\n');
      await eventually('the model to leave', () => (store.getEntity('model.p.score') === undefined ? true : undefined));
      await watcher.idle();
      const diags = store.diagnostics().filter((d) => d.file === 'shop/models/score.py').map((d) => `${d.line}:${d.column} ${d.code}: ${d.message}`);
      assert.deepEqual(diags, ['1:1 dbt-python-model: dbt allows exactly one model defined per python file, found 0']);
    } finally {
      await teardown({ watcher, scanner, store, dirs: [root, dir] });
    }
  });
});
