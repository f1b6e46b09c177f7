import assert from 'node:assert/strict';
import { assembleDbtProject, loadDbtProject, renderDbtNode } from '../../../core/dbt/api';
import { memFileSource } from './helpers';

/**
 * Columns of versioned models, after dbt's docs (reference/resource-properties/versions) and
 * dbt-core's `get_columns_for_version`: a version inherits the top-level columns filtered by its
 * include/exclude element (default include all), its own columns override in place or are added.
 */

function extract(yaml: string, files: Record<string, string> = {}) {
  const fs = memFileSource({
    'dbt_project.yml': 'name: p\nconfig-version: 2\n',
    'models/customers_v1.sql': 'select 1 as id',
    'models/customers_v2.sql': 'select 1 as id',
    'models/customers_v3.sql': 'select 1 as id',
    'models/customers_v4.sql': 'select 1 as id',
    'models/schema.yml': yaml,
    ...files,
  });
  const ctx = loadDbtProject(fs, '');
  const results = ctx.nodeFiles.map((f) => renderDbtNode(ctx, f.path, fs.read(f.path) ?? ''));
  return { ctx, facts: assembleDbtProject(ctx, results) };
}

// The example of dbt's documentation, with a v5 using an include list.
const DOCS_EXAMPLE = `version: 2
models:
  - name: customers
    description: Customers.
    tests: [model_level_test]
    columns:
      - name: customer_id
        description: Unique identifier for this table
        data_type: text
        tests: [unique]
      - name: customer_country
        data_type: text
        description: "Country where the customer currently lives"
      - name: first_purchase_date
        data_type: date
    versions:
      - v: 4
      - v: 3
        description: The third cut.
        columns:
          - include: "*"
          - name: customer_country
            data_type: text
            description: "Country where the customer first lived at time of first purchase"
      - v: 2
        tests: []
        columns:
          - include: all
            exclude:
              - customer_country
      - v: 1
        columns:
          - include: []
          - name: id
            data_type: int
      - v: 5
        columns:
          - include: [first_purchase_date, customer_id]
          - name: extra
`;

describe('dbt model versions: columns', () => {
  it("follow include/exclude and overrides as in dbt's documentation", () => {
    const { ctx, facts } = extract(DOCS_EXAMPLE, { 'models/customers_v5.sql': 'select 1 as id' });
    const cols = (v: number): string[] => facts.columns.filter((c) => c.entityId === `model.p.customers.v${v}`).sort((a, b) => a.position - b.position).map((c) => `${c.name}:${c.type ?? ''}`);
    assert.deepEqual(cols(4), ['customer_id:text', 'customer_country:text', 'first_purchase_date:date']);
    assert.deepEqual(cols(3), ['customer_id:text', 'customer_country:text', 'first_purchase_date:date']);
    assert.equal(facts.columns.find((c) => c.id === 'model.p.customers.v3#customer_country')?.description, 'Country where the customer first lived at time of first purchase');
    assert.equal(facts.columns.find((c) => c.id === 'model.p.customers.v4#customer_country')?.description, 'Country where the customer currently lives');
    assert.deepEqual(cols(2), ['customer_id:text', 'first_purchase_date:date']);
    assert.deepEqual(cols(1), ['id:int']);
    // An include list keeps the top-level order, and the version's own columns follow.
    assert.deepEqual(cols(5), ['customer_id:text', 'first_purchase_date:date', 'extra:']);
    // Column tests come along with the columns.
    assert.deepEqual(facts.columns.find((c) => c.id === 'model.p.customers.v2#customer_id')?.tests.map((t) => t.name), ['unique']);
    assert.deepEqual(ctx.facts.diagnostics.filter((d) => d.code === 'dbt-model-versions'), []);
  });

  it("a version's description and tests replace the model's; latest_version is the highest without one", () => {
    const { facts } = extract(DOCS_EXAMPLE, { 'models/customers_v5.sql': 'select 1 as id', 'models/users.sql': "select * from {{ ref('customers') }}" });
    const e = (v: number) => facts.entities.find((x) => x.id === `model.p.customers.v${v}`);
    assert.equal(e(3)?.description, 'The third cut.');
    assert.equal(e(4)?.description, 'Customers.');
    assert.deepEqual(e(2)?.tests, []);
    assert.deepEqual(e(4)?.tests.map((t) => t.name), ['model_level_test']);
    assert.deepEqual(facts.modelEdges.filter((x) => x.to === 'model.p.users').map((x) => x.from), ['model.p.customers.v5']);
  });

  it('the latest version may be defined in a file named like the model', () => {
    const { facts } = extract('version: 2\nmodels:\n  - name: orders\n    latest_version: 2\n    versions:\n      - v: 1\n      - v: 2\n', {
      'models/orders_v1.sql': 'select 1 as id',
      'models/orders.sql': 'select 2 as id',
      'models/down.sql': "select * from {{ ref('orders') }} join {{ ref('orders', v=1) }} using (id)",
    });
    const ids = facts.entities.filter((x) => x.name === 'orders').map((x) => `${x.id}@${x.path}`).sort();
    assert.deepEqual(ids, ['model.p.orders.v1@models/orders_v1.sql', 'model.p.orders.v2@models/orders.sql']);
    assert.deepEqual(facts.modelEdges.filter((x) => x.to === 'model.p.down').map((x) => x.from).sort(), ['model.p.orders.v1', 'model.p.orders.v2']);
  });

  it('what dbt rejects is reported where it is written, and the rest is still read', () => {
    const { ctx, facts } = extract(`version: 2
models:
  - name: customers
    latest_version: 9
    columns:
      - name: a
      - name: b
    versions:
      - v: 1
        columns:
          - include: some
      - v: 2
        columns:
          - include: [a]
            exclude: [b]
      - v: 3
        columns:
          - include: all
          - include: [a]
      - v: 3
      - v: 4
        columns:
          - include: all
            exclude: [c]
`);
    const diags = ctx.facts.diagnostics.filter((d) => d.code === 'dbt-model-versions').map((d) => `${d.line}:${d.column} ${d.severity}: ${d.message}`);
    assert.deepEqual(diags, [
      "11:13 error: include must be one of ('all', '*') or a list of strings; dbt rejects include: some (read as include: all)",
      "15:13 error: exclude can only be specified if include is one of ('all', '*') (both are applied)",
      '19:13 error: version 3 of model \'customers\' can have at most one include/exclude element (the first one is used)',
      "20:9 error: Found duplicate version: '3' in versions list of model 'customers' (the first one is used)",
      "23:13 warning: version 4 of model 'customers' names column 'c' in include/exclude, but the model's top-level columns have no such column",
      "4:5 error: latest_version: 9 is not one of model 'customers' versions: [1, 2, 3, 4]",
    ]);
    const cols = (v: number): string[] => facts.columns.filter((c) => c.entityId === `model.p.customers.v${v}`).map((c) => c.name);
    assert.deepEqual([cols(1), cols(2), cols(3), cols(4)], [['a', 'b'], ['a'], ['a', 'b'], ['a', 'b']]);
  });
});
