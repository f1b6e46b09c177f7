import assert from 'node:assert/strict';
import { groupEntities, levelAt, NO_TAG, parseGroupBy, type Groupable, type GroupLevel } from '../../../extension/ui/treeGrouping';

/** The Catalog tree's grouping under a kind row: folders (nested, merged when alone), tags, materializations. */
describe('catalog tree grouping', () => {
  const model = (path: string, tags: string[] = [], materialized?: string): Groupable => {
    const name = path.slice(path.lastIndexOf('/') + 1).replace(/\.sql$/, '');
    return { id: `model.p.${name}`, name, path, tags, ...(materialized ? { materialized } : {}) };
  };
  const models = [
    model('transform/shop/models/staging/stg_orders.sql', ['daily'], 'view'),
    model('transform/shop/models/staging/stg_customers.sql', [], 'view'),
    model('transform/shop/models/marts/finance/revenue.sql', ['finance', 'daily'], 'table'),
    model('transform/shop/models/marts/finance/costs.sql', ['finance'], 'incremental'),
    model('transform/shop/models/marts/orders.sql', [], 'table'),
    model('transform/shop/models/intermediate/deep/deeper/int_x.sql'),
  ];
  /** The tree as nested labels, e.g. `staging(2)[stg_orders,stg_customers]`. */
  const shape = (level: GroupLevel<Groupable>): string[] => [
    ...level.groups.map((g) => `${g.label}(${g.count})[${shape(g.level).join(',')}]`),
    ...level.entities.map((e) => e.name),
  ];

  it('groups by the folders below the folder every model shares, nested and sorted', () => {
    const top = groupEntities(models, 'folder');
    assert.deepEqual(shape(top), ['intermediate/deep/deeper(1)[int_x]', 'marts(3)[finance(2)[revenue,costs],orders]', 'staging(2)[stg_orders,stg_customers]']);
    // Keys are the full folder paths; following them reaches the nested level.
    assert.deepEqual(top.groups.map((g) => g.key), ['transform/shop/models/intermediate/deep/deeper', 'transform/shop/models/marts', 'transform/shop/models/staging']);
    assert.deepEqual(levelAt(top, ['transform/shop/models/marts', 'transform/shop/models/marts/finance'])?.entities.map((e) => e.name), ['revenue', 'costs']);
    assert.equal(levelAt(top, ['nope']), undefined);
  });

  it('adds no folder rows when every entity is in one folder', () => {
    const flat = groupEntities([model('models/a.sql'), model('models/b.sql')], 'folder');
    assert.deepEqual(shape(flat), ['a', 'b']);
  });

  it('groups by tag, an entity under each of its tags, untagged last', () => {
    assert.deepEqual(shape(groupEntities(models, 'tag')), ['daily(2)[stg_orders,revenue]', 'finance(2)[revenue,costs]', `${NO_TAG}(3)[stg_customers,orders,int_x]`]);
  });

  it('groups by materialization; a kind without any stays flat', () => {
    assert.deepEqual(shape(groupEntities(models, 'materialization')), ['incremental(1)[costs]', 'table(2)[revenue,orders]', 'view(2)[stg_orders,stg_customers]', '(not set)(1)[int_x]']);
    const sources = [model('models/sources.yml'), model('models/other.yml')];
    assert.deepEqual(shape(groupEntities(sources, 'materialization')), ['sources.yml', 'other.yml']);
  });

  it('none keeps one flat list; unknown setting values mean folder', () => {
    assert.deepEqual(shape(groupEntities(models, 'none')), models.map((m) => m.name));
    assert.equal(parseGroupBy('tag'), 'tag');
    assert.equal(parseGroupBy('bogus'), 'folder');
    assert.equal(parseGroupBy(undefined), 'folder');
  });
});
