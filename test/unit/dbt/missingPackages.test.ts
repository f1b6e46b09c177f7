import assert from 'node:assert/strict';
import { sqlArgument } from '../../../core/dbt/unknownSites';
import type { Facts } from '../../../core/model/entities';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { missingPackagesProject } from '../../../scripts/gen/missingPackages';
import { memoryFs } from '../pipeline/memoryFs';

/**
 * Packages that are declared but not installed (no `dbt deps`): their macros must not break the SQL
 * (`, {{ dbt_utils.generate_surrogate_key([...]) }} as id` used to become `, as id`), must keep
 * lineage to their argument columns, and must be reported once per package, not once per call.
 */

const PROJECT = 'name: shop\nversion: "1.0"\nconfig-version: 2\n';
const PACKAGES = 'packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n  - package: fivetran/fivetran_utils\n    version: 0.4.0\n  - package: calogica/dbt_date\n    version: 0.10.0\n';
const SOURCES = 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n        columns:\n          - name: id\n          - name: customer_id\n          - name: created_at\n          - name: amount\n          - name: _fivetran_deleted\n';

function extract(models: Record<string, string>, extra: Record<string, string> = {}): Facts {
  const files: Record<string, string> = { 'dbt_project.yml': PROJECT, 'packages.yml': PACKAGES, 'models/sources.yml': SOURCES, ...extra };
  for (const [name, sql] of Object.entries(models)) files[`models/${name}.sql`] = sql;
  return extractWorkspace(memoryFs(files), { workspaceName: 'ws' }).facts;
}

const DIRECT = new Set(['identity', 'transformation', 'aggregation']);

/** Direct upstream column ids of a model column, sorted. */
function upstream(facts: Facts, model: string, column: string): string[] {
  return facts.columnEdges.filter((e) => e.to === `model.shop.${model}#${column}` && DIRECT.has(e.transform)).map((e) => e.from).sort();
}

const errors = (facts: Facts): string[] => facts.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`);

describe('dbt: macros of packages that are not installed', () => {
  it('renders an unknown macro in expression position as a call over its argument columns', () => {
    const facts = extract({
      stg: "select id, {{ dbt_date.convert_timezone('created_at', 'America/New_York') }} as created_local, {{ dbt_date.date_part('day', 'created_at') }} as d from {{ source('raw', 'orders') }}",
    });
    assert.deepEqual(errors(facts), []);
    assert.deepEqual(upstream(facts, 'stg', 'created_local'), ['source.shop.raw.orders#created_at']);
    // 'day' is a date part, not a column: only created_at feeds d.
    assert.deepEqual(upstream(facts, 'stg', 'd'), ['source.shop.raw.orders#created_at']);
    const entity = facts.entities.find((e) => e.id === 'model.shop.stg');
    assert.match(entity?.compiledSql ?? '', /dbt_date__convert_timezone\(created_at, 'America\/New_York'\) as created_local/);
  });

  it('continues a select list or a condition after a complete expression, and fits relations and queries', () => {
    const facts = extract({
      a: "select id {{ dbt_date.extra_columns('amount') }}\nfrom {{ source('raw', 'orders') }}\nwhere id > 0 {{ dbt_date.extra_filter('customer_id') }}",
      b: "select * from {{ dbt_date.get_base_dates(n_dateparts=3) }}",
      c: "{{ dbt_date.get_date_dimension('2020-01-01', '2021-01-01') }}",
      d: "with spine as (\n  {{ dbt_date.get_base_dates(n_dateparts=3) }}\n)\nselect * from spine",
    });
    assert.deepEqual(errors(facts), []);
    assert.deepEqual(upstream(facts, 'a', 'id'), ['source.shop.raw.orders#id']);
    assert.ok(facts.columnEdges.some((e) => e.to === 'model.shop.a#id' && e.transform === 'filter' && e.from === 'source.shop.raw.orders#customer_id'), 'the continued condition filters');
    assert.ok(facts.columnEdges.some((e) => e.to.startsWith('model.shop.a#') && e.from === 'source.shop.raw.orders#amount'), 'the continued column keeps its lineage');
    for (const m of ['b', 'c', 'd']) assert.ok(facts.entities.some((e) => e.id === `model.shop.${m}`));
  });

  it('renders nothing inside string literals, comments, and before the query', () => {
    const facts = extract({ s: "{{ dbt_date.set_timezone() }}\nselect '{{ dbt_date.today() }}' as t, id -- {{ dbt_date.note() }}\nfrom {{ source('raw', 'orders') }}" });
    assert.deepEqual(errors(facts), []);
    const sql = facts.entities.find((e) => e.id === 'model.shop.s')?.compiledSql ?? '';
    assert.match(sql, /select '' as t, id/);
    assert.doesNotMatch(sql, /set_timezone/);
  });

  it('reports each missing package once, at packages.yml, and no notice per call', () => {
    const facts = extract({ a: "select {{ dbt_date.today() }} as t", b: "select {{ dbt_date.today() }} as t, {{ dbt_date.now() }} as n" });
    const missing = facts.diagnostics.filter((d) => d.code === 'dbt-package-missing');
    assert.deepEqual(missing.map((d) => [d.file, d.line]), [['packages.yml', 2], ['packages.yml', 4], ['packages.yml', 6]]);
    assert.match(missing[0]?.message ?? '', /^`dbt_utils` is not installed — run `dbt deps`/);
    assert.deepEqual(facts.diagnostics.filter((d) => d.code === 'dynamic-jinja'), []);
  });

  it("uses stand-ins for dbt_utils and fivetran_utils: star, surrogate keys, union_data's source, staging columns", () => {
    const facts = extract({
      stg_tmp: "{{ fivetran_utils.union_data(table_identifier='orders', database_variable='x_database', schema_variable='x_schema', default_database=target.database, default_schema='raw', default_variable='orders') }}",
      stg: [
        'with base as (select * from {{ ref("stg_tmp") }}),',
        'fields as (select {{ fivetran_utils.fill_staging_columns(source_columns=adapter.get_columns_in_relation(ref("stg_tmp")), staging_columns=[{"name": "id", "datatype": "int"}, {"name": "amount", "datatype": "int", "alias": "amount_usd"}]) }} {{ fivetran_utils.source_relation() }} from base)',
        "select {{ dbt_utils.star(from=ref('stg_tmp'), relation_alias='b', except=['_fivetran_deleted']) }}, {{ dbt_utils.generate_surrogate_key(['f.id', 'f.source_relation']) }} as order_key",
        'from fields as f join base as b on f.id = b.id',
      ].join('\n'),
    });
    assert.deepEqual(errors(facts), []);
    assert.ok(facts.modelEdges.some((e) => e.from === 'source.shop.raw.orders' && e.to === 'model.shop.stg_tmp'), 'union_data reads its source');
    assert.deepEqual(upstream(facts, 'stg', 'order_key'), ['model.shop.stg_tmp#id']);
    const cols = facts.columns.filter((c) => c.entityId === 'model.shop.stg').map((c) => c.name);
    assert.ok(cols.includes('customer_id') && cols.includes('created_at'), `star expands: ${cols.join(', ')}`);
    assert.ok(!cols.includes('_fivetran_deleted'), 'except drops the column');
    assert.deepEqual(upstream(facts, 'stg', 'id'), ['model.shop.stg_tmp#id']);
  });

  it('an installed package wins over the stand-in', () => {
    const facts = extract(
      { a: "select {{ dbt_utils.generate_surrogate_key(['id']) }} as k from {{ source('raw', 'orders') }}" },
      { 'dbt_packages/dbt_utils/dbt_project.yml': 'name: dbt_utils\nversion: "1.1.1"\n', 'dbt_packages/dbt_utils/macros/k.sql': '{% macro generate_surrogate_key(fields) %}installed_key({{ fields | join(", ") }}){% endmacro %}' },
    );
    assert.match(facts.entities.find((e) => e.id === 'model.shop.a')?.compiledSql ?? '', /installed_key\(id\) as k/);
    assert.ok(!facts.diagnostics.some((d) => d.code === 'dbt-package-missing' && d.message.includes('dbt_utils')));
  });

  it('keeps a string argument as SQL only when it reads as an expression', () => {
    assert.equal(sqlArgument('o.amount'), 'o.amount');
    assert.equal(sqlArgument('day'), "'day'");
    assert.equal(sqlArgument("cast('2020-01-01' as date)"), "cast('2020-01-01' as date)");
    assert.equal(sqlArgument("', '"), "', '");
    assert.equal(sqlArgument('-'), "'-'");
    assert.equal(sqlArgument("it's"), "'it''s'");
    assert.equal(sqlArgument('sum(a'), "'sum(a'");
  });

  it('the generated project of the benchmark has no error and lineage in nearly every model', () => {
    const files = missingPackagesProject(60);
    const { facts } = extractWorkspace(memoryFs(files), { workspaceName: 'bench' });
    assert.deepEqual(errors(facts), []);
    const models = facts.entities.filter((e) => e.kind === 'model');
    const withLineage = new Set(facts.columnEdges.map((e) => e.to.slice(0, e.to.indexOf('#'))));
    // Only the audit_helper models (a whole query from a macro without a stand-in) have no columns.
    const without = models.filter((m) => !withLineage.has(m.id)).map((m) => m.name);
    assert.ok(without.every((n) => files[`models/marts/${n}.sql`]?.includes('audit_helper')), `without lineage: ${without.join(', ')}`);
  });
});
