import assert from 'node:assert/strict';
import * as path from 'node:path';
import { assembleDbtProject, loadDbtProject, renderDbtNode, type DbtNodeResult, type DbtProjectContext } from '../../../core/dbt/api';
import type { Facts } from '../../../core/model/entities';
import { dirFileSource, fixturesDir } from './helpers';

/** Golden tests over the `shop` fixture project (a root project plus the `pkgutil` package). */

const fs = dirFileSource(path.join(fixturesDir, 'shop'));
let ctx: DbtProjectContext;
let results: DbtNodeResult[];
let facts: Facts;

function node(name: string): DbtNodeResult {
  const r = results.find((x) => x.entity.name === name || x.entity.id === name);
  assert.ok(r, `no node ${name}`);
  return r;
}

function deps(name: string): string[] {
  return node(name).dependencies.map((d) => `${d.kind}:${d.target ?? `?${d.written}`}`);
}

function edgesInto(id: string): string[] {
  return facts.modelEdges.filter((e) => e.to === id).map((e) => `${e.kind}:${e.from}`).sort();
}

describe('dbt project extraction (shop fixture)', () => {
  before(() => {
    ctx = loadDbtProject(fs, '');
    results = ctx.nodeFiles.map((f) => renderDbtNode(ctx, f.path, fs.read(f.path) ?? ''));
    facts = assembleDbtProject(ctx, results);
  });

  it('loads the root project and the installed package, and lists the files to render', () => {
    assert.deepEqual(ctx.projects.map((p) => p.name), ['shop', 'pkgutil']);
    assert.equal(ctx.dialect, 'postgresql');
    const kinds = Object.fromEntries(ctx.nodeFiles.map((f) => [f.path, `${f.kind}/${f.project}`]));
    assert.equal(kinds['models/marts/orders.sql'], 'model/shop');
    assert.equal(kinds['snapshots/orders_snapshot.sql'], 'snapshot/shop');
    assert.equal(kinds['analyses/order_counts.sql'], 'analysis/shop');
    assert.equal(kinds['dbt_packages/pkgutil/models/pkg_model.sql'], 'model/pkgutil');
    assert.equal(kinds['macros/helpers.sql'], undefined);
    const projects = ctx.facts.entities.filter((e) => e.kind === 'project').map((e) => [e.id, e.path, e.meta.root]);
    assert.deepEqual(projects, [['project.shop', 'dbt_project.yml', true], ['project.pkgutil', 'dbt_packages/pkgutil/dbt_project.yml', false]]);
  });

  it('the context survives structuredClone and JSON, and rendering the clone gives the same result', () => {
    const clone = structuredClone(ctx);
    const viaJson = JSON.parse(JSON.stringify(ctx)) as DbtProjectContext;
    const text = fs.read('models/marts/orders.sql') ?? '';
    const a = renderDbtNode(ctx, 'models/marts/orders.sql', text);
    assert.deepEqual(renderDbtNode(clone, 'models/marts/orders.sql', text), a);
    assert.deepEqual(renderDbtNode(viaJson, 'models/marts/orders.sql', text), a);
  });

  it('rendering does not mutate the context (macros may mutate var lists)', () => {
    const before = JSON.stringify(ctx);
    for (const f of ctx.nodeFiles) renderDbtNode(ctx, f.path, fs.read(f.path) ?? '');
    assembleDbtProject(ctx, results);
    assert.equal(JSON.stringify(ctx), before);
  });

  it('contextHash is stable and changes when a macro changes', () => {
    assert.equal(loadDbtProject(fs, '').contextHash, ctx.contextHash);
    const changed = { list: fs.list, read: (p: string) => (p === 'macros/helpers.sql' ? `${fs.read(p) ?? ''}\n{# edit #}` : fs.read(p)) };
    assert.notEqual(loadDbtProject(changed, '').contextHash, ctx.contextHash);
    const modelEdit = { list: fs.list, read: (p: string) => (p === 'models/marts/orders.sql' ? `{{ config(alias='fct_orders', schema='analytics') }}\nselect 1` : fs.read(p)) };
    assert.equal(loadDbtProject(modelEdit, '').contextHash, ctx.contextHash, 'model SQL is not part of the context');
    // Only where a model is built is: refs to it render as that relation in every downstream model.
    const aliasEdit = { list: fs.list, read: (p: string) => (p === 'models/marts/orders.sql' ? `{{ config(alias='orders_v9') }}\nselect 1` : fs.read(p)) };
    assert.notEqual(loadDbtProject(aliasEdit, '').contextHash, ctx.contextHash, 'a model alias is part of the context');
    const added = { list: () => [...fs.list(), 'models/new_model.sql'], read: (p: string) => (p === 'models/new_model.sql' ? 'select 1' : fs.read(p)) };
    assert.notEqual(loadDbtProject(added, '').contextHash, ctx.contextHash, 'a new model can change how refs resolve');
  });

  it('records ref/source/depends_on including package refs, loop-generated refs and macro refs', () => {
    assert.deepEqual(deps('orders'), ['depends_on:seed.shop.seed_countries', 'ref:model.shop.stg_orders', 'ref:model.shop.stg_customers', 'ref:model.shop.stg_payments']);
    assert.deepEqual(deps('customer_orders'), ['ref:model.shop.stg_customers']);
    assert.deepEqual(deps('stg_orders'), ['source:source.shop.raw.orders']);
    assert.deepEqual(edgesInto('model.shop.orders'), ['depends_on:seed.shop.seed_countries', 'ref:model.shop.stg_customers', 'ref:model.shop.stg_orders', 'ref:model.shop.stg_payments']);
    const d = node('orders').dependencies.find((x) => x.kind === 'depends_on');
    assert.deepEqual([d?.line, d?.column], [1, 19]);
  });

  it('resolves versioned refs: unversioned → latest_version, v= and version= → that version', () => {
    assert.equal(node('model.shop.dim_customers.v1').entity.version, '1');
    assert.equal(node('model.shop.dim_customers.v2').entity.version, '2');
    assert.deepEqual(deps('report'), ['ref:model.shop.dim_customers.v1', 'ref:model.shop.dim_customers.v2']);
    const v2cols = facts.columns.filter((c) => c.entityId === 'model.shop.dim_customers.v2').map((c) => c.name);
    assert.deepEqual(v2cols.sort(), ['country', 'id', 'name']);
  });

  it('var() precedence: root-scoped > root global > package-scoped > package global > default', () => {
    const pkg = node('pkg_model').rendered.compiledSql;
    assert.match(pkg, /'root-says-red' as color/);
    assert.match(pkg, /'package-default-large' as size/);
    const report = node('report').rendered.compiledSql;
    assert.match(report, /'root-scoped-for-shop', 'fallback', 'env-default'/);
    assert.match(node('stg_orders').rendered.compiledSql, /status = 'completed'/);
    assert.match(node('stg_payments').rendered.compiledSql, /as card_amount,\n.*as coupon_amount\n/);
  });

  it('adapter.dispatch follows the dispatch search order (root override wins) and the target type', () => {
    assert.match(node('orders').rendered.compiledSql, /round\(orders\.amount_cents \/ 100\.0, 2\) \/\* shop override \*\//);
    const snow = loadDbtProject(fs, '', { target: { name: 'prod', type: 'snowflake', schema: 'analytics' } });
    assert.equal(snow.dialect, 'snowflake');
    const r = renderDbtNode(snow, 'models/marts/orders.sql', fs.read('models/marts/orders.sql') ?? '');
    assert.match(r.rendered.compiledSql, /div0\(orders\.amount_cents, 100\) \/\* pkgutil snowflake \*\//);
    assert.equal(r.entity.schema, 'analytics_analytics');
  });

  it('applies configs from dbt_project.yml folders, YAML and config() with dbt precedence', () => {
    const o = node('orders').entity;
    assert.equal(o.materialized, 'table');
    assert.deepEqual(o.tags, ['marts']);
    assert.equal(o.relation, 'fct_orders');
    assert.equal(o.schema, 'public_analytics');
    assert.deepEqual(o.meta, { team: 'finance' });
    const s = node('stg_orders').entity;
    assert.equal(s.materialized, 'view');
    assert.deepEqual(s.tags, ['staging']);
    assert.equal(node('pkg_model').entity.materialized, 'ephemeral');
    assert.equal(node('pkg_model').entity.schema, 'public_pkg');
    assert.equal(node('unknown_macros').entity.materialized, 'incremental');
  });

  it('keeps disabled nodes (config(), YAML, dbt_project.yml) as entities without edges', () => {
    for (const name of ['disabled_by_config', 'disabled_by_yaml', 'old_model']) {
      const e = facts.entities.find((x) => x.name === name);
      assert.equal(e?.disabled, true, name);
      assert.deepEqual(edgesInto(e.id), [], name);
      assert.ok(node(name).dependencies.length > 0, 'rendered dependencies are kept on the node result');
    }
    assert.equal(facts.modelEdges.some((e) => e.from === 'model.shop.disabled_by_config'), false);
  });

  it('a package macro without a stand-in records an info diagnostic, dbt_utils.star uses its stand-in, and config(enabled=<unknown>) stays enabled', () => {
    const r = node('unknown_macros');
    assert.equal(r.entity.disabled, false);
    assert.deepEqual(deps('unknown_macros'), ['ref:model.shop.stg_orders']);
    const info = r.diagnostics.filter((d) => d.code === 'dynamic-jinja');
    assert.deepEqual(info.map((d) => [d.severity, d.line, d.column]), [['info', 1, 19]]);
    assert.match(r.rendered.compiledSql, /^\nselect \* except \(id\)\nfrom public\.stg_orders\n/);
    const why = facts.unresolved.filter((u) => u.target === 'model.shop.unknown_macros').map((u) => [u.reason, u.name, u.provenance.line]);
    assert.deepEqual(why, [['dynamic-jinja', 'dbt_utils.is_enabled', 1]]);
    assert.deepEqual(facts.unresolved.filter((u) => u.target === 'model.shop.bad_ref').map((u) => [u.reason, u.name]), [['unknown-relation', 'does_not_exist']]);
  });

  it('renders placeholders for lineage and keeps every line where it was', () => {
    for (const r of results) {
      const src = fs.read(r.path) ?? '';
      assert.equal(r.rendered.lineageSql.split('\n').length, src.split('\n').length, r.path);
      assert.equal(r.rendered.compiledSql.split('\n').length, src.split('\n').length, r.path);
    }
    const c = node('customer_orders').rendered;
    assert.deepEqual(c.placeholders, { r0: 'model.shop.stg_customers', r1: 'model.shop.customer_orders' });
    assert.equal(c.lineageSql.split('\n')[1], 'select * from mallard__rel.r0');
    assert.equal(c.lineageSql.split('\n')[4], 'select * from mallard__rel.r1');
    assert.equal(node('orders').rendered.lineageSql.split('\n')[4], '  select * from mallard__rel.r1');
  });

  it('snapshots: legacy blocks and YAML-defined snapshots', () => {
    const s = node('orders_snapshot');
    assert.equal(s.entity.id, 'snapshot.shop.orders_snapshot');
    assert.equal(s.entity.kind, 'snapshot');
    assert.equal(s.rendered.compiledSql.split('\n')[2], 'select * from public.stg_orders');
    assert.deepEqual(edgesInto('snapshot.shop.customers_snapshot'), ['ref:model.shop.stg_customers']);
  });

  it('sources with identifier, loader, freshness, owners, column tests and doc() descriptions', () => {
    const src = facts.entities.find((e) => e.id === 'source.shop.raw.orders');
    assert.equal(src?.relation, 'raw_orders_v2');
    assert.equal(src?.schema, 'raw_data');
    assert.equal(src?.meta.loader, 'fivetran');
    assert.ok(src?.meta.freshness);
    assert.equal(src?.description, 'One row per **order**.');
    assert.deepEqual(src?.owners, [{ name: 'data-platform@example.com', email: 'data-platform@example.com', source: 'yaml' }]);
    const id = facts.columns.find((c) => c.id === 'source.shop.raw.orders#id');
    assert.deepEqual(id?.tests.map((t) => t.name), ['unique', 'not_null']);
    assert.equal(id?.type, 'integer');
    const status = facts.columns.find((c) => c.id === 'source.shop.raw.orders#status');
    assert.deepEqual(status?.tests, [{ name: 'accepted_values', args: { values: ['placed', 'completed'] } }]);
    assert.match(node('stg_orders').rendered.compiledSql, /from raw_data\.raw_orders_v2/);
  });

  it('model YAML: descriptions from doc blocks, columns, tests, owners from meta and config.meta', () => {
    const o = facts.entities.find((e) => e.id === 'model.shop.orders');
    assert.equal(o?.description, 'One row per **order**.');
    assert.deepEqual(o?.owners.map((x) => x.name), ['alice@example.com']);
    const cols = facts.columns.filter((c) => c.entityId === 'model.shop.orders');
    assert.deepEqual(cols.map((c) => [c.name, c.type, c.position, c.origin]), [['id', 'bigint', 0, 'declared'], ['amount', undefined, 1, 'declared']]);
    assert.deepEqual(cols[1]?.tags, ['pii']);
    assert.deepEqual(facts.entities.find((e) => e.id === 'model.shop.stg_orders')?.owners, [{ name: 'bob', source: 'yaml' }]);
    assert.ok(facts.entities.some((e) => e.id === 'doc.shop.orders_doc' && e.kind === 'docBlock'));
    const macro = facts.entities.find((e) => e.id === 'macro.pkgutil.postgres__cents_to_dollars');
    assert.deepEqual([macro?.kind, macro?.path, macro?.provenance.line], ['macro', 'dbt_packages/pkgutil/macros/money.sql', 9]);
  });

  it('seeds: CSV header becomes columns, YAML types merge in', () => {
    const cols = facts.columns.filter((c) => c.entityId === 'seed.shop.seed_countries');
    assert.deepEqual(cols.map((c) => [c.name, c.type ?? null, c.origin]), [['code', 'varchar(2)', 'both'], ['name', null, 'declared']]);
    assert.equal(facts.entities.find((e) => e.id === 'seed.shop.seed_countries')?.description, 'ISO countries');
  });

  it('exposures: owner and depends_on edges (versioned and source), disabled targets dropped', () => {
    const x = facts.entities.find((e) => e.id === 'exposure.shop.finance_dashboard');
    assert.deepEqual(x?.owners, [{ name: 'Finance Team', email: 'finance@example.com', source: 'exposure' }]);
    assert.equal(x?.meta.maturity, 'high');
    assert.deepEqual(edgesInto('exposure.shop.finance_dashboard'), ['exposure:model.shop.dim_customers.v2', 'exposure:model.shop.orders', 'exposure:source.shop.raw.customers']);
  });

  it('bad input yields located diagnostics and the rest of the project is still extracted', () => {
    const at = (code: string, file: string): string[] => facts.diagnostics.filter((d) => d.code === code && d.file === file).map((d) => `${d.line}:${d.column}`);
    assert.deepEqual(at('yaml-syntax', 'models/broken/bad.yml').length > 0, true);
    assert.deepEqual(at('jinja-syntax', 'models/broken/unbalanced.sql'), ['3:1']);
    assert.deepEqual(deps('unbalanced'), ['ref:model.shop.stg_orders'], 'literal refs are recovered after a syntax error');
    assert.deepEqual(at('unresolved-ref', 'models/broken/bad_ref.sql'), ['2:9']);
    const runaway = facts.diagnostics.find((d) => d.code === 'jinja-recursion');
    assert.equal(runaway?.file, 'models/broken/runaway.sql');
    assert.deepEqual([runaway?.line, runaway?.column], [1, 11]);
    assert.match(runaway?.message ?? '', /macros\/helpers\.sql:11:/);
    assert.deepEqual(deps('runaway'), ['ref:model.shop.stg_orders']);
    assert.ok(facts.entities.some((e) => e.id === 'model.shop.report'));
  });
});
