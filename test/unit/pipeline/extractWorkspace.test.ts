import assert from 'node:assert/strict';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { memoryFs } from './memoryFs';

const project = (models: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> => ({
  'dbt_project.yml': "name: shop\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n",
  'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n        columns:\n          - name: id\n          - name: amount\n',
  ...Object.fromEntries(Object.entries(models).map(([name, sql]) => [`models/${name}.sql`, sql])),
  ...extra,
});

describe('pipeline: workspace extraction (in-process)', () => {
  it('computes output columns in dependency order so SELECT * expands through a chain', () => {
    // Files are listed so the downstream model sorts first: order must come from refs, not names.
    const { facts } = extractWorkspace(memoryFs(project({
      a_top: "select *, 1 as one from {{ ref('m_mid') }}\n",
      m_mid: "select * from {{ ref('z_stg') }}\n",
      z_stg: "select id as order_id, amount * 2 as amount2 from {{ source('raw', 'orders') }}\n",
    })), { workspaceName: 'ws' });
    const cols = (id: string): string[] => facts.columns.filter((c) => c.entityId === id).sort((x, y) => x.position - y.position).map((c) => c.name);
    assert.deepEqual(cols('model.shop.z_stg'), ['order_id', 'amount2']);
    assert.deepEqual(cols('model.shop.m_mid'), ['order_id', 'amount2']);
    assert.deepEqual(cols('model.shop.a_top'), ['order_id', 'amount2', 'one']);
    const edge = facts.columnEdges.find((e) => e.to === 'model.shop.z_stg#amount2');
    assert.equal(edge?.from, 'source.shop.raw.orders#amount');
    assert.equal(edge?.transform, 'transformation');
    assert.ok(facts.columnEdges.some((e) => e.from === 'model.shop.m_mid#order_id' && e.to === 'model.shop.a_top#order_id' && e.transform === 'identity'));
  });

  it('merges YAML-declared columns with inferred ones (origin both, declared-only kept)', () => {
    const { facts } = extractWorkspace(memoryFs(project(
      { stg: "select id, amount from {{ source('raw', 'orders') }}\n" },
      { 'models/schema.yml': 'version: 2\nmodels:\n  - name: stg\n    columns:\n      - name: amount\n        description: Money.\n      - name: legacy_flag\n        description: Gone from SQL.\n' },
    )), { workspaceName: 'ws' });
    const cols = facts.columns.filter((c) => c.entityId === 'model.shop.stg').sort((x, y) => x.position - y.position);
    assert.deepEqual(cols.map((c) => [c.name, c.origin, c.position]), [['id', 'inferred', 0], ['amount', 'both', 1], ['legacy_flag', 'declared', 2]]);
    assert.equal(cols[1]?.description, 'Money.');
  });

  it('reports a dependency cycle with a location and still extracts the models', () => {
    const { facts } = extractWorkspace(memoryFs(project({
      a: "select x from {{ ref('b') }}\n",
      b: "select x from {{ ref('a') }}\n",
    })), { workspaceName: 'ws' });
    const cycle = facts.diagnostics.filter((d) => d.code === 'dependency-cycle');
    assert.equal(cycle.length, 1);
    assert.ok(cycle[0]?.file.startsWith('models/') && (cycle[0]?.line ?? 0) >= 1 && (cycle[0]?.column ?? 0) >= 1);
    assert.match(cycle[0]?.message ?? '', /a → b → a|b → a → b/);
    assert.equal(facts.entities.filter((e) => e.kind === 'model').length, 2);
  });

  it('plain SQL next to a dbt project: DDL tables, view lineage, sql model edges', () => {
    const { facts } = extractWorkspace(memoryFs(project({ stg: "select id from {{ source('raw', 'orders') }}\n" }, {
      'warehouse/ddl.sql': 'create table public.customers (id int, name text);\n',
      'warehouse/views.sql': 'create view v_names as select upper(name) as name_upper from customers;\n',
    })), { workspaceName: 'ws' });
    const view = facts.entities.find((e) => e.name === 'v_names');
    assert.equal(view?.kind, 'view');
    assert.equal(view?.project, 'ws');
    const table = facts.entities.find((e) => e.name === 'customers');
    assert.equal(table?.provenance.extractor, 'sql-ddl');
    assert.ok(facts.modelEdges.some((e) => e.from === table?.id && e.to === view?.id && e.kind === 'sql'));
    assert.ok(facts.columnEdges.some((e) => e.from === `${table?.id}#name` && e.to === `${view?.id}#name_upper`));
    assert.ok(facts.entities.some((e) => e.id === 'model.shop.stg'), 'the dbt model is still extracted');
  });

  it('never throws on hostile input; every diagnostic is located', () => {
    const { facts } = extractWorkspace(memoryFs(project({
      bad_jinja: "select {{ ref('a' }} from\n",
      bad_sql: 'select from where (((\n',
      empty: '',
    }, { '.mallard.json': '{ nope', 'x.sql': '\u0000\u0001 garbage ;;; create' })), { workspaceName: 'ws' });
    assert.ok(facts.diagnostics.length >= 2);
    for (const d of facts.diagnostics) assert.ok(d.file !== '' && d.line >= 1 && d.column >= 1, JSON.stringify(d));
    assert.ok(facts.diagnostics.some((d) => d.file === '.mallard.json'));
  });
});
