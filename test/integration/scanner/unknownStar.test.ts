import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CatalogStore } from '../../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { canonicalCatalog, removeDir, tempStore } from './helpers';

/**
 * The dbt fixture whose sources declare no columns (test/fixtures/dbt/unknown_star), scanned by the
 * real scanner (worker thread, SQLite file): the column edges of dbt's staging pattern land in the
 * catalog, the sources show the columns the SQL reads, and an edit downstream that names another
 * column adds it upstream exactly as a full scan does.
 */

const fixture = path.resolve(__dirname, '../../fixtures/dbt/unknown_star');

describe('scanner: star over an unknown schema (real files, real SQLite)', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const stores: CatalogStore[] = [];
  const scanners: WorkspaceScanner[] = [];
  const open = (root: string, workers: number): { store: CatalogStore; scanner: WorkspaceScanner } => {
    const { store, dir } = tempStore();
    dirs.push(dir);
    stores.push(store);
    const scanner = new WorkspaceScanner(store, { root, workers, git: false, debounceMs: 50, inlineBelow: 0 });
    scanners.push(scanner);
    return { store, scanner };
  };
  const copyFixture = (): string => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'mallard-star-'));
    dirs.push(root);
    cpSync(fixture, root, { recursive: true });
    return root;
  };
  const fullScan = async (root: string): Promise<CatalogStore> => {
    const { store, scanner } = open(root, 0);
    await scanner.scan();
    return store;
  };
  after(async () => {
    for (const s of scanners) await s.dispose();
    for (const s of stores) s.close();
    for (const d of dirs) removeDir(d);
  });
  const names = (store: CatalogStore, id: string): string[] => store.columnsOf(id).map((c) => c.name);

  it('stores the staging pattern\'s column edges and the columns read from the undeclared source', async () => {
    const root = copyFixture();
    const { store, scanner } = open(root, 1);
    const report = await scanner.scan();
    assert.equal(report.wrote, true);
    assert.equal(scanner.workersStarted, 1, 'parsed in a worker thread');
    assert.deepEqual(names(store, 'model.jaffle.stg_orders'), ['order_id', 'customer_id', 'status', 'amount']);
    assert.deepEqual(names(store, 'source.jaffle.shop.orders'), ['amount_cents', 'customer_id', 'id', 'status']);
    assert.equal(store.columnsOf('source.jaffle.shop.orders')[0]?.origin, 'inferred');
    const up = store.columnLineage('model.jaffle.orders#amount', { direction: 'upstream' });
    const amountEdge = up.edges.find((e) => e.from === 'source.jaffle.shop.orders#amount_cents');
    assert.equal(amountEdge?.to, 'model.jaffle.stg_orders#amount');
    assert.equal(amountEdge?.transform, 'transformation');
    assert.ok(up.edges.some((e) => e.from === 'model.jaffle.stg_orders#amount' && e.to === 'model.jaffle.orders#amount' && e.transform === 'identity'));
    // Through two pass-through hops: customer_names.name ← customers_public ← stg_customers ← source.
    const name = store.columnLineage('model.jaffle.customer_names#name', { direction: 'upstream' });
    assert.ok(name.nodes.some((n) => n.id === 'source.jaffle.shop.customers#name'));
    const note = store.unresolved('source.jaffle.shop.orders');
    assert.deepEqual(note.map((u) => [u.reason, u.detail]), [['star-without-schema', 'The columns of source.jaffle.shop.orders are not declared; only the columns referenced downstream are known.']]);
    assert.ok(store.unresolved('model.jaffle.mixed').some((u) => u.target === 'model.jaffle.mixed#id' && u.reason === 'ambiguous-column'));
    assert.deepEqual(store.diagnostics().filter((d) => d.severity === 'error'), []);
    assert.deepEqual(canonicalCatalog(store), canonicalCatalog(await fullScan(root)), 'worker scan equals an in-process scan');
  });

  it('an edit downstream that names a new column adds it up the chain, and removing it removes it, as a full scan does', async () => {
    const root = copyFixture();
    const { store, scanner } = open(root, 0);
    await scanner.scan();
    assert.ok(!names(store, 'source.jaffle.shop.customers').includes('phone'));

    writeFileSync(path.join(root, 'models/marts/customer_names.sql'), "select id as customer_id, name, phone from {{ ref('customers_public') }}\n");
    const added = await scanner.update(['models/marts/customer_names.sql']);
    assert.deepEqual(names(store, 'source.jaffle.shop.customers'), ['email', 'id', 'name', 'phone']);
    assert.ok(names(store, 'model.jaffle.stg_customers').includes('phone'));
    assert.ok(store.columnLineage('model.jaffle.customer_names#phone', { direction: 'upstream' }).nodes.some((n) => n.id === 'source.jaffle.shop.customers#phone'));
    // The unchanged upstream entities were rewritten because what downstream reads of them changed.
    for (const id of ['source.jaffle.shop.customers', 'model.jaffle.stg_customers', 'model.jaffle.customers_public']) assert.ok(added.replacedEntities.includes(id), id);
    assert.deepEqual(canonicalCatalog(store), canonicalCatalog(await fullScan(root)));

    writeFileSync(path.join(root, 'models/marts/customer_names.sql'), "select id as customer_id from {{ ref('customers_public') }}\n");
    await scanner.update(['models/marts/customer_names.sql']);
    assert.ok(!names(store, 'model.jaffle.customers_public').includes('name'), 'no model reads customers_public.name any more');
    assert.ok(names(store, 'source.jaffle.shop.customers').includes('name'), 'customer_orders still reads the source\'s name');
    assert.ok(!names(store, 'source.jaffle.shop.customers').includes('phone'));
    assert.deepEqual(canonicalCatalog(store), canonicalCatalog(await fullScan(root)));

    // Nothing downstream names a column of customers_public any more: it has none again.
    writeFileSync(path.join(root, 'models/marts/customer_names.sql'), "select 1 as one from {{ ref('customers_public') }}\n");
    await scanner.update(['models/marts/customer_names.sql']);
    assert.deepEqual(names(store, 'model.jaffle.customers_public'), []);
    assert.deepEqual(canonicalCatalog(store), canonicalCatalog(await fullScan(root)));
  });
});
