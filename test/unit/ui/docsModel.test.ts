import assert from 'node:assert/strict';
import type { Column } from '../../../core/model/entities';
import { parseDbtColumnTypes } from '../../../extension/ui/dbtColumnTypes';
import { relationName, testChip } from '../../../extension/ui/docsChips';
import { buildDocEntity } from '../../../extension/ui/docsModel';
import { column, columnEdge, entity, facts, prov, tempStore } from '../../integration/catalog/catalogFixtures';

/**
 * The docs panel's view model on a real SQLite catalog: a type with its source on every column that
 * has one anywhere (declared, dbt artifacts, inferred through identity lineage), and tests as chips.
 */
describe('docs view model', () => {
  let env: ReturnType<typeof tempStore>;
  afterEach(() => env?.cleanup());

  const yamlColumn = (entityId: string, name: string, position: number, extra: Partial<Column> = {}): Column =>
    column(entityId, name, position, { origin: 'declared', provenance: { ...prov('models/staging/_staging.yml'), line: 7, extractor: 'dbt-yaml' }, ...extra });

  /** raw source → stg_orders (renames id, casts amount) → orders (passes both through, computes one). */
  function lineageStore(): ReturnType<typeof tempStore> {
    env = tempStore();
    env.store.replaceAll(
      facts({
        entities: [entity('source.shop.raw.orders'), entity('model.shop.stg_orders'), entity('model.shop.orders')],
        columns: [
          yamlColumn('source.shop.raw.orders', 'id', 0, { type: 'integer' }),
          column('source.shop.raw.orders', 'amount', 1),
          column('model.shop.stg_orders', 'order_id', 0),
          yamlColumn('model.shop.stg_orders', 'Amount', 1, { type: 'numeric(12,2)' }),
          column('model.shop.orders', 'order_id', 0),
          column('model.shop.orders', 'amount', 1),
          column('model.shop.orders', 'amount_doubled', 2),
          yamlColumn('model.shop.orders', 'status', 3, { type: 'text' }),
        ],
        columnEdges: [
          columnEdge('source.shop.raw.orders#id', 'model.shop.stg_orders#order_id', 'identity'),
          columnEdge('source.shop.raw.orders#amount', 'model.shop.stg_orders#amount', 'transformation'),
          columnEdge('model.shop.stg_orders#order_id', 'model.shop.orders#order_id', 'identity'),
          columnEdge('model.shop.stg_orders#amount', 'model.shop.orders#amount', 'identity'),
          columnEdge('model.shop.stg_orders#amount', 'model.shop.orders#amount_doubled', 'transformation'),
        ],
      }),
    );
    return env;
  }

  function view(dbtTypes?: ReturnType<typeof parseDbtColumnTypes>) {
    const { store } = env;
    const orders = store.getEntity('model.shop.orders');
    assert.ok(orders);
    return buildDocEntity(store, orders, { editable: true, dbtTypes });
  }

  it('shows a declared type as declared, with the file it is declared in', () => {
    lineageStore();
    const status = view().columns.find((c) => c.name === 'status');
    assert.equal(status?.type, 'text');
    assert.deepEqual([status?.typeSource?.origin, status?.typeSource?.label], ['declared', 'declared']);
    assert.match(status?.typeSource?.detail ?? '', /YAML `data_type` \(models\/staging\/_staging\.yml:7\)/);
  });

  it('infers a type through identity edges, naming the upstream column it came from', () => {
    lineageStore();
    const columns = view().columns;
    const amount = columns.find((c) => c.name === 'amount');
    assert.equal(amount?.type, 'numeric(12,2)');
    assert.deepEqual([amount?.typeSource?.origin, amount?.typeSource?.label], ['inferred', 'inferred from stg_orders.Amount']);
    // Two identity hops: orders.order_id ← stg_orders.order_id ← raw.orders.id (declared integer).
    const id = columns.find((c) => c.name === 'order_id');
    assert.equal(id?.type, 'integer');
    assert.equal(id?.typeSource?.label, 'inferred from raw.orders.id');
  });

  it('does not infer a type through a transformation', () => {
    lineageStore();
    const doubled = view().columns.find((c) => c.name === 'amount_doubled');
    assert.equal(doubled?.type, undefined);
    assert.equal(doubled?.typeSource, undefined);
  });

  it('takes types from dbt catalog.json before manifest.json, and both before lineage', () => {
    lineageStore();
    const types = parseDbtColumnTypes({
      manifest: JSON.stringify({ nodes: { 'model.shop.orders': { columns: { amount_doubled: { name: 'amount_doubled', data_type: 'numeric' }, ORDER_ID: { data_type: 'bigint' } } } } }),
      catalog: JSON.stringify({ nodes: { 'model.shop.orders': { columns: { ORDER_ID: { type: 'BIGINT', index: 1 } } } }, sources: {} }),
    });
    const columns = view(types).columns;
    const doubled = columns.find((c) => c.name === 'amount_doubled');
    assert.deepEqual([doubled?.type, doubled?.typeSource?.origin, doubled?.typeSource?.label], ['numeric', 'manifest', 'manifest']);
    const id = columns.find((c) => c.name === 'order_id');
    assert.deepEqual([id?.type, id?.typeSource?.origin], ['BIGINT', 'catalog']);
    // A declared type still wins over the artifacts.
    assert.equal(columns.find((c) => c.name === 'status')?.typeSource?.origin, 'declared');
  });

  it('infers from an upstream column whose type comes from the manifest', () => {
    lineageStore();
    const types = parseDbtColumnTypes({ manifest: JSON.stringify({ nodes: { 'model.shop.stg_orders': { columns: { order_id: { data_type: 'uuid' } } } } }) });
    const id = view(types).columns.find((c) => c.name === 'order_id');
    assert.deepEqual([id?.type, id?.typeSource?.label], ['uuid', 'inferred from stg_orders.order_id']);
    assert.match(id?.typeSource?.detail ?? '', /manifest\.json/);
  });

  it('reads no types from malformed or half-written artifacts', () => {
    assert.equal(parseDbtColumnTypes({ manifest: '{"nodes": {"model.a.b": ', catalog: '[]' }).size, 0);
    assert.equal(parseDbtColumnTypes({ manifest: JSON.stringify({ nodes: { 'model.a.b': { columns: { x: { data_type: null } } } } }) }).size, 0);
  });

  it('shows tests of the entity and its columns as chips', () => {
    env = tempStore();
    env.store.replaceAll(
      facts({
        entities: [entity('model.shop.orders', { tests: [{ name: 'dbt_utils.expression_is_true', args: { expression: 'amount >= 0' } }] })],
        columns: [column('model.shop.orders', 'customer_id', 0, { tests: [{ name: 'not_null', args: {} }, { name: 'relationships', args: { to: "ref('customers')", field: 'customer_id' } }] })],
      }),
    );
    const doc = view();
    assert.deepEqual(doc.columns[0]?.tests.map((t) => `${t.name} ${t.summary}`.trim()), ['not_null', 'relationships → customers.customer_id']);
    assert.deepEqual(doc.tests.map((t) => `${t.name} ${t.summary}`), ['dbt_utils.expression_is_true : expression=amount >= 0']);
  });
});

describe('test chips', () => {
  it('relationships names the referenced model or source and field', () => {
    const chip = testChip({ name: 'relationships', args: { to: "ref('customers')", field: 'customer_id' } });
    assert.deepEqual(chip, { name: 'relationships', summary: '→ customers.customer_id', detail: "to: ref('customers')\nfield: customer_id" });
    assert.equal(testChip({ name: 'relationships', args: { to: "source('raw', 'customers')", field: 'id' } }).summary, '→ raw.customers.id');
    assert.equal(relationName("{{ ref('shop', 'dim_customers', v=2) }}"), 'dim_customers');
    assert.equal(relationName('analytics.customers'), 'analytics.customers');
  });

  it('accepted_values lists the values, at most four and a count', () => {
    assert.equal(testChip({ name: 'accepted_values', args: { values: ['placed', 'shipped'] } }).summary, ': placed, shipped');
    assert.equal(testChip({ name: 'accepted_values', args: { values: ['a', 'b', 'c', 'd', 'e', 'f'], quote: false } }).summary, ': a, b, c, d +2');
    // A templated list is shown as written.
    assert.equal(testChip({ name: 'accepted_values', args: { values: "{{ var('payment_methods') }}" } }).summary, ": {{ var('payment_methods') }}");
  });

  it('custom tests show their keyword arguments; config keys stay in the tooltip only', () => {
    const chip = testChip({ name: 'dbt_utils.accepted_range', args: { min_value: 0, max_value: 100, inclusive: true, config: { severity: 'warn', where: 'amount is not null' } } });
    assert.equal(chip.summary, ': min_value=0, max_value=100, inclusive=true');
    assert.equal(chip.severity, 'warn');
    assert.match(chip.detail, /^min_value: 0\nmax_value: 100\ninclusive: true\nconfig: \{"severity":"warn","where":"amount is not null"\}$/);
    assert.deepEqual(testChip({ name: 'unique', args: {} }), { name: 'unique', summary: '', detail: '' });
    assert.equal(testChip({ name: 'not_null', args: { severity: 'warn' } }).summary, '');
  });
});
