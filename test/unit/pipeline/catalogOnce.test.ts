import assert from 'node:assert/strict';
import type { Facts } from '../../../core/model/entities';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { memoryFs } from './memoryFs';

/**
 * Each dbt project of a workspace is cataloged once (issue 10): a package that is itself a root of
 * the workspace (Fivetran's `integration_tests/` with `- local: ../`), a package installed under two
 * roots, and two roots with one name. Ids are unique by construction, without duplicate warnings.
 */

function duplicates(ids: readonly string[]): string[] {
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}

function assertUnique(facts: Facts): void {
  assert.deepEqual(duplicates(facts.entities.map((e) => e.id)), [], 'entity ids');
  assert.deepEqual(duplicates(facts.columns.map((c) => c.id)), [], 'column ids');
}

const PARENT = {
  'dbt_project.yml': 'name: shop\nversion: "1.0"\n',
  'models/orders.sql': "select id, amount from {{ source('raw', 'orders') }}\n",
  'models/schema.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\nmodels:\n  - name: orders\n    columns:\n      - name: id\n      - name: id\n',
  'macros/cents.sql': '{% macro cents(c) %}{{ c }} * 100{% endmacro %}\n',
};

describe('dbt projects cataloged once per workspace', () => {
  it('a package that is another root (integration_tests with local: ../) is cataloged by its own root only', () => {
    const { facts } = extractWorkspace(memoryFs({
      ...PARENT,
      'integration_tests/dbt_project.yml': 'name: shop_integration_tests\nversion: "1.0"\n',
      'integration_tests/packages.yml': 'packages:\n  - local: ../\n',
      'integration_tests/models/check_orders.sql': "select id, {{ cents('amount') }} as cents from {{ ref('orders') }}\n",
      'integration_tests/seeds/orders_data.csv': 'id,amount\n1,2\n',
    }), { workspaceName: 'ws' });
    assertUnique(facts);
    assert.equal(facts.diagnostics.filter((d) => d.code === 'duplicate-definition').length, 0);
    const orders = facts.entities.filter((e) => e.name === 'orders' && e.kind === 'model');
    assert.deepEqual(orders.map((e) => [e.id, e.path]), [['model.shop.orders', 'models/orders.sql']]);
    assert.equal(facts.entities.filter((e) => e.kind === 'project').length, 2);
    // The integration project's own model still sees the parent's model and macro.
    assert.ok(facts.modelEdges.some((m) => m.from === 'model.shop.orders' && m.to === 'model.shop_integration_tests.check_orders'), 'ref into the other root gives an edge');
    assert.ok(!facts.diagnostics.some((d) => d.code === 'unresolved-ref'), 'no "not in the project" warning for the parent model');
    assert.ok(facts.entities.some((e) => e.id === 'seed.shop_integration_tests.orders_data'));
    // The parent's YAML warning is reported once, by the parent's own root.
    assert.equal(facts.diagnostics.filter((d) => d.file === 'models/schema.yml' && d.code === 'dbt-duplicate-property').length, 1);
  });

  it('an integration project without models of its own renders none of the parent models', () => {
    const plan = extractWorkspace(memoryFs({ ...PARENT, 'integration_tests/dbt_project.yml': 'name: it\n', 'integration_tests/packages.yml': 'packages:\n  - local: ../\n' }), { workspaceName: 'ws' }).plan;
    const it = plan.dbt.find((p) => p.root === 'integration_tests');
    assert.deepEqual([...(it?.nodePaths ?? [])], []);
    assert.deepEqual([...(it?.elsewhere ?? [])], ['shop']);
    assert.deepEqual([...(plan.dbt.find((p) => p.root === '')?.nodePaths ?? [])], ['models/orders.sql']);
  });

  it('a package installed under two roots is cataloged by the first root', () => {
    const pkg = (root: string): Record<string, string> => ({
      [`${root}/dbt_packages/stripe/dbt_project.yml`]: 'name: stripe\n',
      [`${root}/dbt_packages/stripe/models/stg_charges.sql`]: 'select 1 as id\n',
    });
    const { facts } = extractWorkspace(memoryFs({
      'a/dbt_project.yml': 'name: a\n', 'a/models/x.sql': "select * from {{ ref('stg_charges') }}\n", ...pkg('a'),
      'b/dbt_project.yml': 'name: b\n', 'b/models/y.sql': "select * from {{ ref('stg_charges') }}\n", ...pkg('b'),
    }), { workspaceName: 'ws' });
    assertUnique(facts);
    assert.deepEqual(facts.entities.filter((e) => e.id === 'model.stripe.stg_charges').map((e) => e.path), ['a/dbt_packages/stripe/models/stg_charges.sql']);
    assert.ok(facts.modelEdges.some((m) => m.from === 'model.stripe.stg_charges' && m.to === 'model.b.y'), 'the second root keeps its edge');
  });

  it('two roots with one project name: the first is cataloged, the second gets one warning at its name', () => {
    const { facts } = extractWorkspace(memoryFs({
      'one/dbt_project.yml': 'version: "1.0"\nname: twin\n', 'one/models/m.sql': 'select 1 as id\n',
      'two/dbt_project.yml': 'version: "1.0"\nname: twin\n', 'two/models/m.sql': 'select 2 as id\n', 'two/models/n.sql': 'select 3 as id\n',
    }), { workspaceName: 'ws' });
    assertUnique(facts);
    assert.deepEqual(facts.entities.filter((e) => e.kind === 'model').map((e) => e.path), ['one/models/m.sql']);
    const warning = facts.diagnostics.filter((d) => d.code === 'dbt-project-name-taken');
    assert.deepEqual(warning.map((d) => `${d.file}:${d.line}`), ['two/dbt_project.yml:2']);
    assert.match(warning[0]?.message ?? '', /dbt project 'twin' is also defined by one\/dbt_project\.yml; .*only that one is cataloged\. Rename one/);
    assert.ok(!facts.entities.some((e) => e.kind === 'table'), "the second root's models do not turn into plain SQL tables");
  });
});
