import assert from 'node:assert/strict';
import { discoverWorkspace, owningDbtRoot } from '../../../core/pipeline/discover';
import { topoSort } from '../../../core/pipeline/topo';
import { findProfile } from '../../../core/pipeline/dbtDialect';
import { configuredDialect, parseWorkspaceConfig } from '../../../core/pipeline/workspaceConfig';
import { memoryFs } from './memoryFs';

describe('pipeline: topological order', () => {
  it('orders every node after its upstreams and ignores outside nodes', () => {
    const ups: Record<string, string[]> = { c: ['a', 'b'], b: ['a', 'source.x'], a: [], d: ['c'] };
    const { order, cyclic } = topoSort(['d', 'c', 'b', 'a'], (n) => ups[n] ?? []);
    assert.deepEqual(cyclic, []);
    for (const [n, list] of Object.entries(ups)) for (const u of list) if (u in ups) assert.ok(order.indexOf(u) < order.indexOf(n), `${u} before ${n}`);
  });

  it('reports cycles and the nodes behind them', () => {
    const ups: Record<string, string[]> = { a: ['c'], b: ['a'], c: ['b'], d: ['c'], e: [] };
    const { order, cyclic, cycles } = topoSort(['a', 'b', 'c', 'd', 'e'], (n) => ups[n] ?? []);
    assert.deepEqual(order, ['e']);
    assert.deepEqual([...cyclic].sort(), ['a', 'b', 'c', 'd']);
    assert.equal(cycles.length, 1);
    assert.deepEqual([...(cycles[0] ?? [])].sort(), ['a', 'b', 'c']);
  });
});

describe('pipeline: workspace discovery and dialects', () => {
  it('finds dbt roots, skips installed packages and keeps plain SQL outside projects', () => {
    const layout = discoverWorkspace(['dbt_project.yml', 'models/a.sql', 'dbt_packages/utils/dbt_project.yml', 'dbt_packages/utils/macros/x.sql', 'warehouse/ddl.sql']);
    assert.deepEqual(layout.dbtRoots, ['']);
    assert.deepEqual(layout.sqlFiles, []);
    const nested = discoverWorkspace(['analytics/dbt_project.yml', 'analytics/models/a.sql', 'warehouse/ddl.sql', 'analytics/target/dbt_project.yml']);
    assert.deepEqual(nested.dbtRoots, ['analytics']);
    assert.deepEqual(nested.sqlFiles, ['warehouse/ddl.sql']);
    assert.equal(owningDbtRoot(nested.dbtRoots, 'analytics/models/a.sql'), 'analytics');
    assert.equal(owningDbtRoot(nested.dbtRoots, 'analyticsx/a.sql'), undefined);
  });

  it('picks the longest matching folder, then the default, and lets an override win', () => {
    const { config, diagnostics } = parseWorkspaceConfig(JSON.stringify({ dialect: 'snowflake', folders: { 'bq/': 'bigquery', 'bq/legacy': 'mysql' } }));
    assert.deepEqual(diagnostics, []);
    assert.equal(configuredDialect(config, 'bq/x.sql'), 'bigquery');
    assert.equal(configuredDialect(config, 'bq/legacy/x.sql'), 'mysql');
    assert.equal(configuredDialect(config, 'bqx/x.sql'), 'snowflake');
    assert.equal(configuredDialect(config, 'bq/x.sql', 'trino'), 'trino');
    assert.equal(configuredDialect(parseWorkspaceConfig(undefined).config, 'a.sql'), 'postgresql');
  });

  it('turns an invalid config into a located diagnostic instead of throwing', () => {
    for (const text of ['{', '{"dialect": "cobol"}', '[]']) {
      const { config, diagnostics } = parseWorkspaceConfig(text);
      assert.equal(config.dialect, undefined);
      assert.equal(diagnostics.length, 1);
      assert.equal(diagnostics[0]?.file, '.mallard.json');
      assert.ok((diagnostics[0]?.line ?? 0) >= 1);
    }
  });

  it('reads the dbt profile type and target next to the project', () => {
    const fs = memoryFs({
      'dbt/dbt_project.yml': 'name: p\nprofile: shop\n',
      'dbt/profiles.yml': 'other:\n  target: x\n  outputs:\n    x: {type: postgres}\nshop:\n  target: prod\n  outputs:\n    dev: {type: postgres, schema: dev}\n    prod: {type: bigquery, dataset: analytics, project: acme}\n',
    });
    assert.deepEqual(findProfile(fs, 'dbt')?.target, { name: 'prod', type: 'bigquery', schema: 'analytics', database: 'acme' });
    assert.equal(findProfile(memoryFs({ 'dbt_project.yml': 'name: p\n' }), ''), undefined);
    assert.equal(findProfile(memoryFs({ 'dbt_project.yml': 'name: p\n', 'profiles.yml': ': : [' }), ''), undefined);
  });
});
