import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { corporaDir } from '../../unit/dbt/helpers';
import { canonicalCatalog, makeWorkspace, teardown, tempStore, writeFiles } from './helpers';

/**
 * Real dbt packages whose `integration_tests/` project loads the package through `- local: ../`
 * used to give an empty catalog (UNIQUE constraint failed: entities.id). Each now scans to a full
 * catalog: every enabled model of the corpus truth is there once, and no id needed a
 * first-wins warning (the ids are unique by construction).
 */

const CORPORA = ['dbt_github', 'dbt_salesforce', 'dbt_hubspot', 'dbt_shopify'];

interface Details {
  [key: string]: { disabled_by_default?: boolean; resource_type?: string };
}

describe('scanner: packages that are also workspace roots (Fivetran integration_tests)', function () {
  this.timeout(300_000);

  for (const corpus of CORPORA) {
    it(`${corpus} scans to a full catalog`, async () => {
      const { store, dir } = tempStore();
      const scanner = new WorkspaceScanner(store, { root: path.join(corporaDir(), corpus), git: false, workers: 0 });
      try {
        const report = await scanner.scan();
        assert.equal(report.wrote, true);
        const details = JSON.parse(readFileSync(path.join(corporaDir(), `${corpus}.truth.details.json`), 'utf8')) as Details;
        const enabled = Object.entries(details).filter(([, d]) => (d.resource_type ?? 'model') === 'model' && d.disabled_by_default !== true).map(([name]) => name).sort();
        const models = store.listEntities({ kind: 'model', limit: 10_000 }).items.map((e) => store.getEntity(e.id)).filter((e) => e !== undefined && !e.disabled);
        assert.deepEqual(models.map((e) => e?.name).sort(), enabled);
        assert.deepEqual(store.diagnostics().filter((d) => d.code === 'duplicate-definition').map((d) => `${d.file}:${d.line} ${d.message}`), []);
        // The package is cataloged by its own root: its models live in its own folder, not under integration_tests/.
        assert.ok(models.every((e) => !e?.path.startsWith('integration_tests/')));
      } finally {
        await teardown({ scanner, store, dirs: [dir] });
      }
    });
  }

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
