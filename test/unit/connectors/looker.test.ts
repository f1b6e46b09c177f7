import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BiConfig } from '../../../core/connectors/biFiles';
import { lookerConnector } from '../../../core/connectors/looker';
import { parseLookml } from '../../../core/connectors/lookmlParse';
import type { Facts } from '../../../core/model/entities';
import { validateFacts } from '../../../extension/catalog/factValidation';
import '../../setup/sqlEngine';
import { FIXTURES, folderFiles } from './biHelpers';

/**
 * The Looker connector on a LookML project written in LookML's real syntax
 * (test/fixtures/bi/looker: a model, views with a refinement and a derived table, an explore file,
 * a YAML dashboard) and on malformed LookML/YAML (test/fixtures/bi/looker_bad).
 */

async function extract(dir: string, config: Partial<BiConfig> = { database: 'ANALYTICS' }): Promise<Facts> {
  return (await lookerConnector.extract({ config: BiConfig.parse(config), secrets: {} }, { files: folderFiles(join(FIXTURES, dir)) })).facts;
}
const edges = (f: Facts, to: string): string[] => f.columnEdges.filter((e) => e.to === to).map((e) => `${e.from} ${e.transform}`).sort();
const ORDERS = 'dataset.looker.orders';

describe('Looker connector (LookML fixtures)', () => {
  it('makes views datasets with dimensions, time dimension groups per timeframe and measures as columns', async () => {
    const f = await extract('looker');
    assert.deepEqual(
      f.columns.filter((c) => c.entityId === ORDERS).map((c) => c.name),
      ['id', 'customer_id', 'buyer_id', 'status', 'created_raw', 'created_date', 'created_week', 'created_month', 'created_year', 'amount', 'is_large', 'count', 'total_amount', 'average_amount_per_customer'],
    );
    assert.equal(f.columns.find((c) => c.id === `${ORDERS}#status`)?.description, 'Order status (placed, shipped, returned)');
    assert.equal(f.columns.find((c) => c.id === `${ORDERS}#total_amount`)?.meta.lookerFieldType, 'sum');
    // A refinement adds its field to the refined view.
    assert.ok(f.columns.some((c) => c.id === 'dataset.looker.customers#email_domain'));
  });

  it('links sql_table_name to the warehouse table (database from the settings when the name has none) and ${TABLE} columns', async () => {
    const f = await extract('looker');
    assert.ok(f.modelEdges.some((e) => e.from === 'table.warehouse.analytics.marts.orders' && e.to === ORDERS));
    assert.ok(f.modelEdges.some((e) => e.from === 'table.warehouse.analytics.crm.customers' && e.to === 'dataset.looker.customers'));
    assert.deepEqual(edges(f, `${ORDERS}#customer_id`), ['table.warehouse.analytics.marts.orders#customer_id identity']);
    assert.deepEqual(edges(f, `${ORDERS}#created_month`), ['table.warehouse.analytics.marts.orders#created_at identity']);
    // A dimension without sql: reads ${TABLE}.<name>.
    assert.deepEqual(edges(f, `${ORDERS}#buyer_id`), ['table.warehouse.analytics.marts.orders#buyer_id identity']);
    assert.deepEqual(edges(f, 'dataset.looker.customers#name'), ['table.warehouse.analytics.crm.customers#first_name transformation', 'table.warehouse.analytics.crm.customers#last_name transformation']);
  });

  it('a view that extends another inherits its fields against its own table, its own definitions winning', async () => {
    const f = await extract('looker');
    const vip = 'dataset.looker.vip_customers';
    assert.deepEqual(f.columns.filter((c) => c.entityId === vip).map((c) => c.name), ['name', 'tier', 'id', 'count', 'email_domain']);
    assert.deepEqual(f.modelEdges.filter((e) => e.to === vip).map((e) => e.from), ['table.warehouse.analytics.crm.vip_customers']);
    assert.deepEqual(edges(f, `${vip}#name`), ['table.warehouse.analytics.crm.vip_customers#display_name transformation']);
    assert.deepEqual(edges(f, `${vip}#id`), ['table.warehouse.analytics.crm.vip_customers#id identity']);
  });

  it('follows ${field} and ${view.field} references, measures as aggregations', async () => {
    const f = await extract('looker');
    assert.deepEqual(edges(f, `${ORDERS}#total_amount`), [`${ORDERS}#amount aggregation`]);
    assert.deepEqual(edges(f, `${ORDERS}#average_amount_per_customer`), ['dataset.looker.customers#count transformation', `${ORDERS}#total_amount transformation`]);
  });

  it('parses derived table SQL with core/sql, ${view.SQL_TABLE_NAME} as an edge from that view', async () => {
    const f = await extract('looker');
    const ltv = 'dataset.looker.customer_ltv';
    assert.deepEqual(f.modelEdges.filter((e) => e.to === ltv).map((e) => `${e.from} ${e.kind}`).sort(), ['dataset.looker.orders sql', 'table.warehouse.analytics.finance.refunds sql']);
    assert.deepEqual(edges(f, `${ltv}#lifetime_value`), [`${ORDERS}#amount aggregation`]);
    assert.deepEqual(edges(f, `${ltv}#average_ltv`), [`${ltv}#lifetime_value aggregation`]);
  });

  it('makes explores datasets with edges from their base view and joined views (join from: followed)', async () => {
    const f = await extract('looker');
    const ex = 'dataset.looker.ecommerce/orders';
    assert.deepEqual(f.modelEdges.filter((e) => e.to === ex).map((e) => e.from).sort(), ['dataset.looker.customers', ORDERS]);
    // The explore in explores/ belongs to the model that includes that folder.
    assert.ok(f.entities.some((e) => e.id === 'dataset.looker.ecommerce/customer_ltv' && e.path === 'explores/customer_ltv.explore.lkml'));
  });

  it('makes dashboards with edges from explores and tile fields (join aliases resolved); unknown fields are warnings at their place', async () => {
    const f = await extract('looker');
    const db = 'dashboard.looker.sales_overview';
    assert.deepEqual(f.modelEdges.filter((e) => e.to === db).map((e) => e.from), ['dataset.looker.ecommerce/orders']);
    assert.deepEqual(edges(f, `${db}#buyer.name`), ['dataset.looker.customers#name identity']);
    assert.deepEqual(edges(f, `${db}#orders.status`), [`${ORDERS}#status identity`]);
    assert.deepEqual(f.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`), ['dashboards/sales_overview.dashboard.lookml:23:47 bi-unknown-field Field "orders.nonexistent" is not a field of explore "orders".']);
    validateFacts(f);
  });

  it('reports malformed LookML and YAML at line and column and keeps the fields around the error', async () => {
    const f = await extract('looker_bad');
    assert.deepEqual(f.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`), [
      'broken.view.lkml:10:10 lookml-syntax Malformed LookML: expected ":" after "type".',
      'broken.view.lkml:15:5 lookml-syntax Malformed LookML: "sql:" expression is never ended by ";;".',
      'broken.view.lkml:14:27 lookml-syntax Malformed LookML: block "{" is never closed by "}".',
      'broken.view.lkml:1:14 lookml-syntax Malformed LookML: block "{" is never closed by "}".',
      'broken.dashboard.lookml:6:1 yaml-syntax Malformed YAML: Missing closing "quote.',
    ]);
    assert.deepEqual(edges(f, 'dataset.looker.broken#ok_field'), ['table.warehouse.analytics.public.broken#ok identity']);
    assert.deepEqual(edges(f, 'dataset.looker.broken#bad_field'), ['table.warehouse.analytics.public.broken#bad identity']);
  });

  it('without a database setting, a two-part sql_table_name is a warning at its value, not a guessed id', async () => {
    const f = await extract('looker', {});
    const d = f.diagnostics.find((x) => x.file === 'views/customers.view.lkml');
    assert.equal(`${d?.line}:${d?.column} ${d?.code} ${d?.severity}`, '2:19 bi-unqualified-table warning');
    assert.ok(f.modelEdges.some((e) => e.from === 'table.warehouse.analytics.marts.orders'), 'a three-part name needs no setting');
    assert.ok(!f.modelEdges.some((e) => e.to === 'dataset.looker.customers' && e.from.startsWith('table.')));
  });

  it('LookML parser: named/anonymous blocks, lists, strings, expressions, comments', () => {
    const { pairs, errors } = parseLookml('# c\nview: v {\n  label: "A \\"b\\""  # note\n  derived_table: {\n    sql: SELECT 1 # not a comment\n ;;\n  }\n  drill_fields: [a, "b c"]\n}\n');
    assert.deepEqual(errors, []);
    const v = pairs[0];
    assert.equal(v?.name, 'v');
    assert.deepEqual(v?.value.kind === 'block' ? v.value.pairs.map((p) => [p.key, p.value.kind, p.value.kind === 'string' ? p.value.text : p.value.kind === 'list' ? p.value.items.join('|') : '', p.pos.line, p.pos.column]) : [], [
      ['label', 'string', 'A "b"', 3, 3],
      ['derived_table', 'block', '', 4, 3],
      ['drill_fields', 'list', 'a|b c', 8, 3],
    ]);
    const dt = v?.value.kind === 'block' ? v.value.pairs[1] : undefined;
    const sql = dt?.value.kind === 'block' ? dt.value.pairs[0] : undefined;
    assert.equal(sql?.value.kind === 'expr' ? sql.value.text.trim() : '', 'SELECT 1 # not a comment');
    assert.deepEqual(parseLookml('view: x {\n  label: "open\n}\n').errors, [{ line: 2, column: 10, message: 'string is never closed by a double quote on its line' }]);
  });
});
