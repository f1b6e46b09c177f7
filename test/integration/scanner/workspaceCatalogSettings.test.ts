import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, type MallardConfig } from '../../../extension/config';
import type { Logger } from '../../../extension/ui/logger';
import { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';
import { makeWorkspace, removeDir } from './helpers';

/**
 * Settings edited while VS Code runs (and workspace folders added inside an open one) reach the
 * scan worker: `reconfigure` restarts it with the new settings and the next scan applies them.
 * Real worker thread, real catalog file.
 */
describe('workspace catalog settings changes', function () {
  this.timeout(120_000);
  const silent: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const files = {
    'warehouse/orders.sql': 'create table orders as select 1 as order_id, 2 as customer_id;',
    // Time travel (FOR SYSTEM_TIME AS OF) parses in BigQuery, not in PostgreSQL.
    'marts/bq/revenue.sql': 'create table revenue as select order_id as detail from orders for system_time as of current_timestamp();',
    'nested/extra.sql': 'create table extra as select order_id from orders;',
  };

  function names(catalog: WorkspaceCatalog): string[] {
    return catalog.store.listEntities({ limit: 100 }).items.map((e) => e.name).sort();
  }

  function diagnosticPaths(catalog: WorkspaceCatalog): string[] {
    return catalog.store.diagnostics().map((d) => d.file).sort();
  }

  it('an exclude glob and a folder dialect set after the first scan apply to the next one', async () => {
    const root = makeWorkspace(files, 'mallard-settings-');
    const catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent);
    try {
      await catalog.scan();
      assert.deepEqual(names(catalog), ['extra', 'orders', 'revenue']);
      assert.deepEqual(diagnosticPaths(catalog), ['marts/bq/revenue.sql'], 'FOR SYSTEM_TIME AS OF is a PostgreSQL parse error');

      const changed: MallardConfig = { ...DEFAULT_CONFIG, dialectByFolder: { 'marts/bq': 'bigquery' }, exclude: ['nested/**'] };
      assert.equal(await catalog.reconfigure(changed), true);
      await catalog.scan();
      assert.deepEqual(names(catalog), ['orders', 'revenue'], 'the excluded folder left the catalog');
      assert.deepEqual(diagnosticPaths(catalog), [], 'revenue.sql parses as BigQuery');
      const revenue = catalog.store.listEntities({ limit: 100 }).items.find((e) => e.name === 'revenue');
      assert.ok(revenue);
      assert.deepEqual(catalog.store.columnsOf(revenue.id).map((c) => c.name), ['detail']);

      // Settings the scanner does not read, or the same ones again, leave the worker alone.
      assert.equal(await catalog.reconfigure({ ...changed, rescanOnSave: false, maxGraphNodes: 50 }), false);
      assert.equal(await catalog.reconfigure({ ...changed, dialectByFolder: { 'marts/bq': 'bigquery' } }), false);

      // Back to the defaults: the excluded folder returns.
      assert.equal(await catalog.reconfigure({ ...DEFAULT_CONFIG }), true);
      await catalog.scan();
      assert.deepEqual(names(catalog), ['extra', 'orders', 'revenue']);
    } finally {
      await catalog.dispose();
      removeDir(root);
    }
  });

  it('a scan running when the settings change ends as cancelled, and a pending update is not dropped', async () => {
    const root = makeWorkspace(files, 'mallard-settings-');
    const catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent);
    try {
      const running = catalog.scan();
      const outcome = running.then(() => 'done', (err: { cancelled?: boolean }) => (err.cancelled ? 'cancelled' : `failed: ${String(err)}`));
      const update = catalog.update(['warehouse/orders.sql']);
      assert.equal(await catalog.reconfigure({ ...DEFAULT_CONFIG, exclude: ['nested/**'] }), true);
      // The old worker may finish the scan before it reads the cancel; either way it never fails.
      assert.match(await outcome, /^(done|cancelled)$/);
      await update;
      await catalog.scan();
      assert.deepEqual(names(catalog), ['orders', 'revenue']);
    } finally {
      await catalog.dispose();
      removeDir(root);
    }
  });
});
