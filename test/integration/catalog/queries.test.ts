import assert from 'node:assert/strict';
import { column, columnEdge, diagnostic, entity, facts, modelEdge, tempStore } from './catalogFixtures';

function catalog() {
  return facts({
    entities: [
      entity('model.shop.orders', { description: 'One row per order placed in the shop.', relation: 'fct_orders', schema: 'analytics', database: 'prod' }),
      entity('model.shop.stg_orders', { description: 'Staged orders.' }),
      entity('model.shop.customers', { description: 'Customers and their lifetime value.' }),
      entity('source.shop.raw.orders', { name: 'raw.orders', kind: 'source', description: 'Raw orders table' }),
      entity('model.other.orders', { description: 'Orders of another project' }),
      entity('seed.shop.country_codes', { kind: 'seed', name: 'country_codes', description: 'ISO codes, mentions orders once.' }),
      entity('model.shop.payments', { description: 'Payments' }),
    ],
    columns: [
      column('model.shop.customers', 'customer_id'),
      column('model.shop.customers', 'lifetime_value', 1),
      column('model.shop.payments', 'order_amount'),
      column('model.shop.orders', 'status', 2),
      column('model.shop.orders', 'order_id', 0),
      column('model.shop.orders', 'amount', 1),
    ],
    modelEdges: [modelEdge('model.shop.stg_orders', 'model.shop.orders'), modelEdge('source.shop.raw.orders', 'model.shop.stg_orders')],
    columnEdges: [columnEdge('model.shop.stg_orders#amount', 'model.shop.orders#amount')],
    diagnostics: [diagnostic('models/b.sql', 9, 'second'), diagnostic('models/b.sql', 2, 'first'), { ...diagnostic('models/a.sql', 1), severity: 'warning' }],
  });
}

describe('catalog store: queries, search, stats and export', () => {
  let env: ReturnType<typeof tempStore>;
  beforeEach(() => {
    env = tempStore();
    env.store.replaceAll(catalog());
  });
  afterEach(() => env.cleanup());

  it('findEntity resolves ids, names, relations and qualified names', () => {
    const { store } = env;
    const found = (q: string): string | undefined => {
      const r = store.findEntity(q);
      return r.status === 'found' ? r.entity.id : undefined;
    };
    assert.equal(found('model.shop.customers'), 'model.shop.customers');
    assert.equal(found('CUSTOMERS'), 'model.shop.customers');
    assert.equal(found('fct_orders'), 'model.shop.orders');
    assert.equal(found('shop.orders'), 'model.shop.orders');
    assert.equal(found('other.orders'), 'model.other.orders');
    assert.equal(found('analytics.fct_orders'), 'model.shop.orders');
    assert.equal(found('prod.analytics.fct_orders'), 'model.shop.orders');
    assert.equal(found('raw.orders'), 'source.shop.raw.orders');
    const ambiguous = store.findEntity('orders');
    assert.equal(ambiguous.status, 'ambiguous');
    assert.deepEqual(ambiguous.status === 'ambiguous' ? ambiguous.candidates.map((c) => c.id) : [], ['model.other.orders', 'model.shop.orders']);
    const typo = store.findEntity('custmers');
    assert.equal(typo.status, 'not-found');
    assert.equal(typo.status === 'not-found' ? typo.suggestions[0]?.id : undefined, 'model.shop.customers');
    const multiWordTypo = store.findEntity('stg_ordrs');
    assert.equal(multiWordTypo.status === 'not-found' ? multiWordTypo.suggestions[0]?.id : undefined, 'model.shop.stg_orders');
    const far = store.findEntity('zzzzzzzz');
    assert.deepEqual(far.status === 'not-found' ? far.suggestions : undefined, []);
    assert.deepEqual(store.findEntity('   '), { status: 'not-found', suggestions: [] });
  });

  it('listEntities filters by kind and project and pages in a stable order', () => {
    const { store } = env;
    const all = store.listEntities({ limit: 3 });
    assert.equal(all.total, 7);
    assert.deepEqual(all.items.map((e) => e.id), ['model.other.orders', 'seed.shop.country_codes', 'model.shop.customers']);
    const page2 = store.listEntities({ limit: 3, offset: 3 });
    assert.deepEqual(page2.items.map((e) => e.name), ['orders', 'payments', 'raw.orders']);
    assert.deepEqual(store.listEntities({ kind: ['source', 'seed'] }).items.map((e) => e.kind), ['seed', 'source']);
    assert.equal(store.listEntities({ project: 'shop', kind: 'model' }).total, 4);
    assert.deepEqual(store.listEntities({ name: 'ORDERS' }).items.map((e) => e.id), ['model.other.orders', 'model.shop.orders']);
    assert.deepEqual(store.listEntities({ nameContains: 'Order', project: 'shop' }).items.map((e) => e.id), ['model.shop.orders', 'source.shop.raw.orders', 'model.shop.stg_orders']);
    assert.equal(store.listEntities({ nameContains: '%' }).total, 0, 'user text is not a LIKE pattern');
    assert.deepEqual(store.listEntities({ path: 'models/customers.sql' }).items.map((e) => e.id), ['model.shop.customers']);
    assert.deepEqual(store.listProjects(), [
      { project: 'other', entities: 1 },
      { project: 'shop', entities: 6 },
    ]);
  });

  it('columnsOf returns columns in position order', () => {
    assert.deepEqual(env.store.columnsOf('model.shop.orders').map((c) => c.name), ['order_id', 'amount', 'status']);
    assert.deepEqual(env.store.columnsOf('model.shop.nope'), []);
  });

  it('search: prefixes, column names, descriptions, kinds, filters and bm25 order', () => {
    const { store } = env;
    const ids = (q: string, o = {}): string[] => store.search(q, o).map((h) => h.id);
    const orders = ids('orders');
    assert.deepEqual(orders.slice(0, 2).sort(), ['model.other.orders', 'model.shop.orders'], 'exact names first');
    assert.ok(orders.indexOf('model.shop.stg_orders') < orders.indexOf('seed.shop.country_codes'), 'name hit outranks a description hit');
    assert.deepEqual(ids('lifet'), ['model.shop.customers'], 'prefix of a column name');
    assert.deepEqual(ids('stg_ord'), ['model.shop.stg_orders'], 'prefix across the underscore');
    assert.deepEqual(ids('placed'), ['model.shop.orders'], 'description word');
    assert.equal(ids('order_amount')[0], 'model.shop.payments', 'both words in one column name rank first');
    assert.deepEqual(ids('orders', { kind: 'source' }), ['source.shop.raw.orders']);
    assert.deepEqual(ids('orders', { project: 'other' }), ['model.other.orders']);
    assert.equal(ids('orders', { limit: 2 }).length, 2);
    assert.equal(store.search('orders').find((h) => h.id === 'seed.shop.country_codes')?.kind, 'seed');
    for (const hostile of ['"', 'AND OR NOT', '*', 'orders)(', 'NEAR(a b)', '']) assert.doesNotThrow(() => store.search(hostile));
    assert.deepEqual(ids('***'), []);
  });

  it('diagnostics per file and overall, ordered by position', () => {
    assert.deepEqual(env.store.diagnostics('models/b.sql').map((d) => d.message), ['first', 'second']);
    assert.deepEqual(env.store.diagnostics().map((d) => `${d.file}:${d.line}`), ['models/a.sql:1', 'models/b.sql:2', 'models/b.sql:9']);
  });

  it('stats count every table', () => {
    env.store.upsertFiles([{ path: 'models/a.sql', project: 'shop', hash: 'h', size: 3, mtimeMs: 4 }]);
    const s = env.store.stats();
    assert.deepEqual(s.entitiesByKind, { model: 5, source: 1, seed: 1 });
    assert.equal(s.entities, 7);
    assert.equal(s.columns, 6);
    assert.equal(s.modelEdges, 2);
    assert.equal(s.columnEdges, 1);
    assert.equal(s.files, 1);
    assert.equal(s.diagnostics, 3);
    assert.deepEqual(s.diagnosticsBySeverity, { error: 2, warning: 1 });
    // The views' cheap summary agrees with the full count.
    assert.deepEqual(env.store.summary(), { entities: 7, entitiesByKind: { model: 5, source: 1, seed: 1 }, diagnostics: 3, diagnosticsBySeverity: { error: 2, warning: 1 }, dialects: [] });
  });

  it('export streams entities and edges in the CLI shape', () => {
    const it = env.store.exportEntities();
    const first = it.next();
    assert.deepEqual(first.value, { id: 'model.other.orders', kind: 'model', name: 'orders', project: 'other', path: 'models/orders.sql' });
    assert.equal([...it].length, 6);
    assert.deepEqual([...env.store.exportEdges()], [
      { from: 'model.shop.stg_orders', to: 'model.shop.orders', level: 'model' },
      { from: 'source.shop.raw.orders', to: 'model.shop.stg_orders', level: 'model' },
      { from: 'model.shop.stg_orders#amount', to: 'model.shop.orders#amount', level: 'column', transform: 'identity' },
    ]);
  });

  it('files and the parse cache: hit only for the same hash and key', () => {
    const { store } = env;
    store.upsertFiles([{ path: 'models/a.sql', project: 'shop', hash: 'h1', size: 3, mtimeMs: 4, lastAuthor: 'ann' }]);
    store.upsertFiles([{ path: 'models/a.sql', project: 'shop', hash: 'h2', size: 5, mtimeMs: 6 }]);
    assert.deepEqual(store.getFile('models/a.sql'), { path: 'models/a.sql', project: 'shop', hash: 'h2', size: 5, mtimeMs: 6 });
    store.putParseCache('models/a.sql', 'h1', 'ir1', { statements: ['old'] });
    store.putParseCache('models/a.sql', 'h2', 'ir1', { statements: ['new'] });
    assert.deepEqual(store.getParseCache('models/a.sql', 'h2', 'ir1'), { statements: ['new'] });
    assert.equal(store.getParseCache('models/a.sql', 'h1', 'ir1'), undefined, 'old hash is replaced, not served');
    assert.equal(store.getParseCache('models/a.sql', 'h2', 'ir2'), undefined);
    store.clearParseCache('ir1');
    assert.equal(store.getParseCache('models/a.sql', 'h2', 'ir1'), undefined);
    assert.throws(() => store.putParseCache('models/a.sql', 'h2', 'ir1', undefined));
  });
});
