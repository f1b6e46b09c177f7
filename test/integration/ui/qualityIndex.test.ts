import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG } from '../../../extension/config';
import type { Logger } from '../../../extension/ui/logger';
import { computeQuality, docQuality } from '../../../extension/ui/qualityIndex';
import { QualityService } from '../../../extension/ui/qualityService';
import { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';
import { makeWorkspace, removeDir } from '../scanner/helpers';

/**
 * Docs quality scores of a real scanned dbt workspace: per model (with freshness from the files'
 * dates), per project, the docs panel's fresh score, and the same index computed in the real
 * quality worker thread, recomputed after an edit.
 */
describe('docs quality scores of a scanned workspace (computeQuality, the quality worker)', function () {
  this.timeout(120_000);
  const silent: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const files = {
    'dbt_project.yml': 'name: shop\nversion: "1.0"\nprofile: shop\n',
    'models/stg_orders.sql': 'select id as order_id, amount from raw.orders',
    'models/orders.sql': "select order_id, amount from {{ ref('stg_orders') }}",
    'models/bare.sql': "select order_id from {{ ref('stg_orders') }}",
    'models/schema.yml': [
      'version: 2', 'models:',
      '  - name: stg_orders', '    description: "Orders as loaded."', '    meta:', '      owner: ana@example.com', '    columns:',
      '      - name: order_id', '        description: "Key."', '        tests: [unique, not_null]', '      - name: amount', '        description: "Total."',
      '  - name: orders', '    description: "Orders."', '    columns:', '      - name: order_id', '        description: "Key."', '',
    ].join('\n'),
  };
  let root: string;
  let catalog: WorkspaceCatalog;
  let service: QualityService | undefined;

  before(async () => {
    root = makeWorkspace(files, 'mallard-quality-');
    // The SQL of orders changed after its docs; stg_orders' docs are newer than its SQL.
    const t = Date.now() / 1000;
    utimesSync(path.join(root, 'models/schema.yml'), t - 3600, t - 3600);
    utimesSync(path.join(root, 'models/orders.sql'), t, t);
    utimesSync(path.join(root, 'models/stg_orders.sql'), t - 7200, t - 7200);
    catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent);
    await catalog.scan();
  });
  after(async () => {
    service?.dispose();
    await catalog?.dispose();
    removeDir(root);
  });

  it('scores each model from its docs, tests, owner and freshness, and summarizes the project', () => {
    const index = computeQuality(catalog.store);
    const score = (id: string): number | undefined => index.byEntity.get(id)?.score.score;
    // stg_orders: description 25, columns 25, tests 25 (order_id tested, amount not: 12.5), owner 15, fresh 10.
    assert.equal(score('model.shop.stg_orders'), 87.5);
    const orders = index.byEntity.get('model.shop.orders')?.score;
    // orders: description 25, columns 1/2 → 12.5, no tests, no owner, SQL newer than the docs → 0.
    assert.equal(orders?.score, 37.5);
    assert.equal(orders?.parts.find((p) => p.part === 'freshness')?.hint, 'the SQL changed after the docs: review them');
    // bare: no properties file, so freshness cannot be measured and is not held against it.
    assert.equal(score('model.shop.bare'), 10);
    const [project] = index.projects;
    assert.equal(project?.project, 'shop');
    assert.equal(project?.score, Math.round(((87.5 + 37.5 + 10) / 3) * 10) / 10);
    assert.deepEqual(project?.coverage.map((c) => `${c.label} ${c.done}/${c.total}`), ['Model descriptions 2/3', 'Column descriptions 3/5', 'Models with tests 1/3', 'Models with an owner 1/3']);
    assert.deepEqual(project?.worst.map((m) => m.name), ['bare', 'orders', 'stg_orders']);
    const entity = catalog.store.getEntity('model.shop.orders');
    assert.ok(entity);
    assert.deepEqual(docQuality(catalog.store, entity), { quality: { score: 37.5, hints: ['add a test (+25)', 'set an owner (+15)', 'describe 1 of 2 columns (+12.5)', 'the SQL changed after the docs: review them (+10)'] } });
  });

  it('the quality worker computes the same index off the main thread, and again after an edit', async () => {
    const updates: string[] = [];
    service = new QualityService((r) => updates.push(r));
    assert.equal(service.index(root, catalog.store.file), undefined, 'nothing before the worker answers');
    const first = await service.refresh(root, catalog.store.file);
    const direct = computeQuality(catalog.store);
    assert.deepEqual([...(first?.byEntity.entries() ?? [])], [...direct.byEntity.entries()]);
    assert.deepEqual(first?.projects, direct.projects);
    assert.deepEqual(updates, [root]);

    await catalog.mutate({ entityId: 'model.shop.bare' }, { description: 'Order ids only.' });
    assert.equal(service.score(root, catalog.store.file, 'model.shop.bare')?.score, 10, 'not stale until told');
    service.invalidate();
    assert.equal(service.score(root, catalog.store.file, 'model.shop.bare')?.score, 10, 'the old score shows while the new one is computed');
    const second = await service.refresh(root, catalog.store.file);
    assert.equal(second?.byEntity.get('model.shop.bare')?.score.score, 35, 'the edited description counts');
    assert.deepEqual(updates, [root, root]);
  });
});
