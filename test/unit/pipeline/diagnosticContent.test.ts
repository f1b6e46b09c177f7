import assert from 'node:assert/strict';
import type { Diagnostic } from '../../../core/model/entities';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { memoryFs } from './memoryFs';

/**
 * What the diagnostics of a dbt project say: cycles only where dbt has one, unknown refs and
 * columns with a "did you mean", a broken macro file at itself, and error severity only where dbt
 * would fail or the SQL is invalid.
 */

function extract(files: Record<string, string>): Diagnostic[] {
  const all = { 'dbt_project.yml': "name: shop\nversion: '1.0'\nconfig-version: 2\n", ...files };
  return extractWorkspace(memoryFs(all), { workspaceName: 'ws' }).facts.diagnostics;
}

/** 1-based line and column of the first `needle` in `text`. */
function at(text: string, needle: string): [number, number] {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} not in the text`);
  const before = text.slice(0, i).split('\n');
  return [before.length, (before[before.length - 1]?.length ?? 0) + 1];
}

const STG = 'select 1 as order_id, 2 as amount, 3 as customer_id\n';

describe('pipeline: diagnostic content', () => {
  it('a CTE named like its model, or a model reading {{ this }}, is not a dependency cycle', () => {
    const diags = extract({
      'models/stg_orders.sql': STG,
      // jaffle-shop's orders.sql: a CTE named like the model, over the upstream model.
      'models/orders.sql': "with orders as (\n  select * from {{ ref('stg_orders') }}\n)\nselect * from orders\n",
      // A CTE named like the model itself, and the model reading its own relation.
      'models/customers.sql': "with customers as (select * from {{ ref('orders') }})\nselect * from customers\nwhere order_id > (select coalesce(max(order_id), 0) from {{ this }})\n",
    });
    assert.deepEqual(diags.filter((d) => d.code === 'dependency-cycle'), []);
  });

  it('a real ref cycle is an error located at the ref that closes it', () => {
    const b = "select *\nfrom {{ ref('a') }}\n";
    const diags = extract({ 'models/a.sql': "select * from {{ ref('b') }}\n", 'models/b.sql': b, 'models/c.sql': "select 1 as x from {{ ref('c') }}\n" });
    const cycles = diags.filter((d) => d.code === 'dependency-cycle');
    assert.equal(cycles.length, 2);
    const ab = cycles.find((d) => d.file === 'models/b.sql');
    assert.deepEqual([ab?.line, ab?.column, ab?.severity], [...at(b, "ref('a')"), 'error']);
    assert.match(ab?.message ?? '', /b → a → b/);
    assert.ok(cycles.some((d) => d.file === 'models/c.sql' && /c → c/.test(d.message)), 'a model that refs itself is a cycle');
  });

  it('a ref or source that matches nothing is a warning at the call with the closest name', () => {
    const m = "select *\nfrom {{ ref('stg_order') }} o\njoin {{ source('raw', 'ordrs') }} r on o.order_id = r.id\n";
    const diags = extract({
      'models/stg_orders.sql': STG,
      'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n      - name: payments\n',
      'models/m.sql': m,
    }).filter((d) => d.code === 'unresolved-ref');
    assert.deepEqual(diags.map((d) => [d.line, d.column, d.severity]), [[...at(m, "ref('stg_order')"), 'warning'], [...at(m, 'source('), 'warning']]);
    assert.match(diags[0]?.message ?? '', /`ref\('stg_order'\)` matches no model, seed or snapshot; did you mean `stg_orders`\?/);
    assert.match(diags[1]?.message ?? '', /did you mean `raw\.orders`\?/);
  });

  it('a qualified column its relation does not have is a warning at the column, with did-you-mean', () => {
    const m = "select o.order_id,\n       o.amountt\nfrom {{ ref('stg_orders') }} o\n";
    const diags = extract({ 'models/stg_orders.sql': STG, 'models/m.sql': m }).filter((d) => d.code === 'unknown-column');
    assert.deepEqual(diags.map((d) => [d.file, d.line, d.column, d.severity]), [['models/m.sql', ...at(m, 'o.amountt'), 'warning']]);
    assert.match(diags[0]?.message ?? '', /`o` has no column `amountt`; did you mean `amount`\?/);
  });

  it('stays silent on unknown columns where the schema may be partial or the name unqualified', () => {
    const diags = extract({
      // The source documents one column of many: `r.status` may well exist.
      'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n        columns:\n          - name: id\n',
      'models/stg_orders.sql': STG,
      'models/m.sql': "select r.status, o.order_id from {{ source('raw', 'orders') }} r join {{ ref('stg_orders') }} o on r.id = o.order_id\n",
      'models/n.sql': "select amountt from {{ ref('stg_orders') }}\n",
    });
    assert.deepEqual(diags.filter((d) => d.code === 'unknown-column'), []);
  });

  it('a macro file that does not parse is an error at itself; its callers get a warning pointing there', () => {
    const macro = "{% macro cents(col) %}\n  {{ col }} / 100\n  {% if col %}\n{% endmacro %}\n";
    const diags = extract({
      'macros/cents.sql': macro,
      'models/stg_orders.sql': STG,
      'models/a.sql': "select {{ cents('amount') }} as c from {{ ref('stg_orders') }}\n",
      'models/b.sql': "select\n  {{ cents('amount') }} as c from {{ ref('stg_orders') }}\n",
    });
    const own = diags.filter((d) => d.file === 'macros/cents.sql');
    assert.deepEqual(own.map((d) => [d.line, d.column, d.severity, d.code]), [[...at(macro, 'endmacro'), 'error', 'jinja-syntax']]);
    assert.match(own[0]?.message ?? '', /`cents`/);
    const calls = diags.filter((d) => d.code === 'macro-not-loaded');
    assert.deepEqual(calls.map((d) => [d.file, d.line, d.column, d.severity]), [['models/a.sql', 1, 11, 'warning'], ['models/b.sql', 2, 6, 'warning']]);
    assert.equal(calls[0]?.message, `macro \`cents\` could not be loaded (see macros/cents.sql:${at(macro, 'endmacro').join(':')})`);
  });

  it('errors only where dbt fails or the SQL is invalid; parser gaps and Mallard limits are warnings', () => {
    const diags = extract({
      'models/stg_orders.sql': STG,
      // Valid Snowflake our grammars reject: a warning that lineage is missing, not an error.
      'models/gap.sql': "select order_id from {{ ref('stg_orders') }} match_recognize (partition by order_id)\n",
      // Invalid in every dialect.
      'models/paren.sql': "select (order_id from {{ ref('stg_orders') }}\n",
      // Set where dbt runs, perhaps, but not here.
      'models/env.sql': "select '{{ env_var('MALLARD_TEST_SURELY_UNSET') }}' as x\n",
      // dbt fails to parse these too.
      'models/jinja.sql': "select {{ 1 + 'a' }} as x\n",
      'models/raise.sql': "{{ exceptions.raise_compiler_error('no ' ~ this) }}\nselect 1 as x\n",
    });
    const severity = (file: string, code: string): string[] => diags.filter((d) => d.file === file && d.code === code).map((d) => d.severity);
    assert.deepEqual(severity('models/gap.sql', 'sql-parse'), ['warning']);
    assert.deepEqual(severity('models/paren.sql', 'sql-parse'), ['error']);
    assert.deepEqual(severity('models/env.sql', 'dbt-env-var'), ['warning']);
    assert.deepEqual(severity('models/jinja.sql', 'jinja-runtime'), ['error']);
    assert.deepEqual(severity('models/raise.sql', 'compiler-error'), ['error']);
    const raised = diags.find((d) => d.code === 'compiler-error');
    assert.match(raised?.message ?? '', /no public\.raise/);
    assert.doesNotMatch(raised?.message ?? '', /[\uE000\uE001]/);
  });
});
