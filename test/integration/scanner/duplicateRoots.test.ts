import assert from 'node:assert/strict';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { canonicalCatalog, makeWorkspace, teardown, tempStore, writeFiles } from './helpers';

/**
 * A dbt package whose `integration_tests/` project loads it through `- local: ../` is cataloged by
 * its own root, and incremental updates keep one copy of every id. The real Fivetran packages are
 * scanned in `test/corpora/scanner/duplicateRoots.test.ts`.
 */

describe('scanner: packages that are also workspace roots (Fivetran integration_tests)', function () {
  this.timeout(300_000);

  it('incremental updates of a package that is also a root keep one copy of every id', async () => {
    const root = makeWorkspace({
      'dbt_project.yml': 'name: shop\n',
      'models/orders.sql': 'select 1 as id, 2 as amount\n',
      'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    description: v1\n',
      'integration_tests/dbt_project.yml': 'name: shop_it\n',
      'integration_tests/packages.yml': 'packages:\n  - local: ../\n',
      'integration_tests/models/check.sql': "select id from {{ ref('orders') }}\n",
    });
    const a = tempStore();
    const b = tempStore();
    const incremental = new WorkspaceScanner(a.store, { root, workers: 0, git: false });
    const fresh = new WorkspaceScanner(b.store, { root, workers: 0, git: false });
    try {
      await incremental.scan();
      const edits: Record<string, string>[] = [
        { 'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    description: v2\n    columns:\n      - name: id\n      - name: ID\n' },
        { 'models/orders.sql': 'select 1 as id, 3 as total\n' },
        { 'integration_tests/models/check.sql': "select id, total from {{ ref('orders') }}\n" },
        { 'integration_tests/dbt_project.yml': 'name: shop_it\nversion: "2"\n' },
      ];
      for (const edit of edits) {
        writeFiles(root, edit);
        await incremental.update(Object.keys(edit));
        const ids = a.store.listEntities({ limit: 1000 }).items.map((e) => e.id);
        assert.equal(new Set(ids).size, ids.length);
        assert.deepEqual(a.store.diagnostics().filter((d) => d.code === 'duplicate-definition'), []);
        assert.equal(a.store.getEntity('model.shop.orders')?.path, 'models/orders.sql');
      }
      await fresh.scan();
      assert.deepEqual(canonicalCatalog(a.store), canonicalCatalog(b.store), 'incremental result equals a fresh scan');
    } finally {
      await teardown({ scanner: incremental, store: a.store, dirs: [a.dir, root] });
      await teardown({ scanner: fresh, store: b.store, dirs: [b.dir] });
    }
  });
});
