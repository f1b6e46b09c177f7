import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Column, Entity } from '../../../core/model/entities';
import { locateColumn, sqlColumnLocation, yamlColumnLocation } from '../../../extension/ui/searchLocation';

/** Search Catalog's landing place for a column, on the sample project's real files. */
describe('search lands on the column', () => {
  const SAMPLE = path.resolve(__dirname, '../../../samples/jaffle_duck');
  const read = async (file: string): Promise<string | undefined> => {
    try {
      return readFileSync(path.join(SAMPLE, file), 'utf8');
    } catch {
      return undefined;
    }
  };
  const text = (file: string): string => readFileSync(path.join(SAMPLE, file), 'utf8');
  const lineOf = (file: string, needle: string): number => text(file).split('\n').findIndex((l) => l.includes(needle)) + 1;

  it('finds a column inside its model entry in the YAML, not a same-named column of another model', () => {
    const yaml = text('models/marts/_marts.yml');
    // customer_id is a column of both orders (line 4) and customers; the entry decides which.
    const ordersEntry = lineOf('models/marts/_marts.yml', '- name: orders');
    const customersEntry = lineOf('models/marts/_marts.yml', '- name: customers');
    const inOrders = yamlColumnLocation(yaml, 'customer_id', ordersEntry);
    const inCustomers = yamlColumnLocation(yaml, 'customer_id', customersEntry);
    assert.ok(inOrders && inCustomers);
    assert.ok(inOrders.line > ordersEntry && inOrders.line < customersEntry, `orders.customer_id at ${inOrders.line}`);
    assert.ok(inCustomers.line > customersEntry);
    assert.equal(yaml.split('\n')[inOrders.line - 1]?.slice(inOrders.column - 1, inOrders.column - 1 + inOrders.length), 'customer_id');
    // A column the entry does not declare is not found in the next entry.
    assert.equal(yamlColumnLocation(yaml, 'email', ordersEntry), undefined);
  });

  it('finds the alias of a computed column, and a passed-through column in the outer select list', () => {
    const sql = text('models/marts/orders.sql');
    const due = sqlColumnLocation(sql, 'balance_due');
    assert.equal(due?.line, lineOf('models/marts/orders.sql', 'as balance_due'));
    // store_id is not aliased: the outer select's `orders.store_id,` line, not a CTE's.
    assert.equal(sqlColumnLocation(sql, 'store_id')?.line, lineOf('models/marts/orders.sql', 'orders.store_id,'));
    const renamed = sqlColumnLocation(text('models/staging/stg_orders.sql'), 'order_id');
    assert.equal(renamed?.line, lineOf('models/staging/stg_orders.sql', 'id as order_id'));
    assert.equal(sqlColumnLocation('select a -- as b\nfrom t', 'b'), undefined, 'a name only in a comment is not found');
  });

  it('opens a declared column in its YAML and an inferred one in the SQL, as the catalog records them', async () => {
    const prov = (file: string, line: number, extractor: string) => ({ file, line, column: 5, extractor, confidence: 1 });
    const orders = { id: 'model.jaffle_duck.orders', path: 'models/marts/orders.sql' } as Entity;
    const col = (name: string, provenance: Column['provenance']): Column => ({ id: `${orders.id}#${name}`, entityId: orders.id, name, description: '', tags: [], tests: [], meta: {}, position: 0, origin: 'both', provenance });
    // The scanner records declared columns at their model's entry line (4) and inferred ones at the statement.
    const declared = await locateColumn(read, orders, col('payment_status', prov('models/marts/_marts.yml', 4, 'dbt-yaml')));
    assert.deepEqual(declared && { file: declared.file, line: declared.location.line }, { file: 'models/marts/_marts.yml', line: lineOf('models/marts/_marts.yml', '- name: payment_status') });
    const inferred = await locateColumn(read, orders, col('item_count', prov('models/marts/orders.sql', 3, 'sql-lineage')));
    assert.deepEqual(inferred && { file: inferred.file, line: inferred.location.line }, { file: 'models/marts/orders.sql', line: lineOf('models/marts/orders.sql', 'items.item_count,') });
    assert.equal(await locateColumn(read, orders, col('nowhere', prov('models/marts/orders.sql', 3, 'sql-lineage'))), undefined);
  });
});
