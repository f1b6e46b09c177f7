import assert from 'node:assert/strict';
import { loadDbtProject, renderDbtNode, type DbtNodeResult, type DbtRenderOptions } from '../../../core/dbt/api';
import { WorkCancelled } from '../../../core/dbt/jinja/budget';
import { memFileSource } from './helpers';

/**
 * Bounded work in the Jinja renderer: every loop iteration and call counts (empty bodies too), big
 * values are refused before they are built, a wall-clock deadline and a cancellation check are
 * honoured, and each overrun is a located diagnostic while the rest of the file and the project
 * still render. Through the public API, with real projects in memory.
 */

const PROJECT = 'name: p\nconfig-version: 2\n';

function project(extra: Record<string, string> = {}): Record<string, string> {
  return { 'dbt_project.yml': PROJECT, 'models/up.sql': 'select 1 as id', ...extra };
}

function render(sql: string, options?: DbtRenderOptions, extra: Record<string, string> = {}): DbtNodeResult {
  const files = project({ 'models/m.sql': sql, ...extra });
  const ctx = loadDbtProject(memFileSource(files), '');
  return renderDbtNode(ctx, 'models/m.sql', sql, options);
}

// Over budget is a warning: dbt has no step budget, only Mallard stops (see renderNode's OUR_LIMITS).
const located = (r: DbtNodeResult): [string, number, number][] => r.diagnostics.filter((d) => d.severity !== 'info').map((d) => [d.code, d.line, d.column]);

describe('Jinja work budget', () => {
  it('counts the iterations of loops with empty bodies: nested loops stop at the inner loop, later refs still render', () => {
    // A million inner iterations: the old meter counted none of them (a 10,000-step budget was never reached).
    const sql = "select 1\n  {% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}\nfrom {{ ref('up') }}";
    const r = render(sql, { budget: { maxSteps: 10_000 } });
    assert.deepEqual(located(r), [['jinja-budget', 2, 29]], 'at the inner {% for %} of line 2');
    assert.match(r.diagnostics[0]?.message ?? '', /^rendering stopped after 10,000 steps: /);
    assert.deepEqual(r.dependencies.map((d) => d.target), ['model.p.up'], 'the ref after the loop is still seen');
    assert.match(r.rendered.compiledSql, /^select 1\n\s*\nfrom public\.up$/);
  });

  it('the two-line model from the issue ends with a diagnostic under the default budget', () => {
    const sql = '{% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}{% endfor %}\nselect 1 as id';
    const r = render(sql);
    assert.deepEqual(located(r), [['jinja-budget', 1, 30]]);
    assert.match(r.diagnostics[0]?.message ?? '', /^rendering stopped after 2,000,000 steps: this loop, call or recursion does too much work/);
    assert.equal(r.rendered.compiledSql, '\nselect 1 as id', 'the SQL after the loop is kept');
  });

  it('counts macro calls, including calls made by builtins (caller)', () => {
    const macro = '{% macro noop() %}{% endmacro %}{% macro twice() %}{{ caller() }}{{ caller() }}{% endmacro %}';
    const calls = `${macro}{% for i in range(300) %}{% call twice() %}{{ noop() }}{% endcall %}{% endfor %}`;
    assert.deepEqual(located(render(calls, { budget: { maxSteps: 2_000 } })).map((d) => d[0]), ['jinja-budget']);
    assert.deepEqual(located(render(calls)), [], 'well within the default budget');
  });

  it('after a stop, the rest of the file gets a small allowance, then one final diagnostic and no more work', () => {
    const loop = '{% for i in range(1000000) %}{% endfor %}';
    const sql = `${loop}\n{{ ref('up') }}\n${loop}\n${loop}\n${loop}\nselect 2`;
    const r = render(sql, { budget: { maxSteps: 100_000 } });
    assert.deepEqual(located(r), [['jinja-budget', 1, 13], ['jinja-budget', 3, 13]], 'at range(), whose million items are charged; lines 4 and 5 are skipped without a diagnostic each');
    assert.match(r.diagnostics[1]?.message ?? '', /the rest of this file is not rendered/);
    assert.deepEqual(r.dependencies.map((d) => d.target), ['model.p.up']);
    assert.equal(r.rendered.compiledSql.split('\n').at(-1), 'select 2', 'plain text after the stop is kept');
  });

  it('a runaway loop inside a macro file is reported at the call, naming the macro file position', () => {
    const files = { 'macros/spin.sql': '{% macro spin() %}\n  {%- for i in range(100000) %}{% endfor -%}\n{% endmacro %}' };
    const r = render("select 1\n  {{ spin() }}\nfrom {{ ref('up') }}", { budget: { maxSteps: 5_000 } }, files);
    assert.deepEqual(located(r), [['jinja-budget', 2, 6]]);
    assert.match(r.diagnostics[0]?.message ?? '', /\(at macros\/spin\.sql:2:16\)$/);
    assert.deepEqual(r.dependencies.map((d) => d.target), ['model.p.up']);
  });

  it('refuses huge values before building them, each at its construct', () => {
    const cases: [string, number, RegExp][] = [
      ["{{ 'x' * 10**9 }}", 8, /^string of 1,000,000,000 characters is over the limit of 10,000,000$/],
      ["{{ 'x'.ljust(10**9) }}", 4, /^string of 1,000,000,000 characters/],
      ["{% set ns = namespace(s='xy') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", 76, /^string of 16,777,216 characters/],
      ["{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}", 75, /^string of 16,777,216 characters/],
      ['{% set l = [1] %}{% for i in range(40) %}{% do l.extend(l) %}{% endfor %}', 48, /^list of 1,048,576 items is over the limit of 1,000,000$/],
      ['{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}', 75, /^list of 1,048,576 items/],
      ["{{ '{0}{0}{0}'.format('x' * 9000000) }}", 4, /^string of 18,000,009 characters/],
      ["{{ ('x' * 5000000).replace('', 'yy') }}", 9, /^string of 15,000,002 characters/],
      ["{{ ['ab' * 4000000, 'cd' * 4000000] | join('-') }}", 37, /^string of 16,000,001 characters/],
      ["{% set s = 'a' * 9000000 %}{% for c in s %}{% endfor %}", 28, /^list of 9,000,000 items/],
    ];
    for (const [sql, column, message] of cases) {
      const r = render(sql);
      assert.deepEqual(located(r), [['jinja-budget', 1, column]], sql);
      assert.match(r.diagnostics[0]?.message ?? '', message, sql);
    }
  });

  it('bounds recursion that fans out (depth under the limit, 2^60 calls)', () => {
    const r = render('{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}\nselect 1');
    assert.deepEqual(located(r).map((d) => d[0]), ['jinja-budget']);
    assert.match(r.diagnostics[0]?.message ?? '', /^rendering stopped after 2,000,000 steps: /);
    assert.equal(r.rendered.compiledSql, '\nselect 1');
  });

  it('charges bulk work by size: materializing big lists over and over stops early', () => {
    // Each pass copies a million items twice (range, then | list); 1,000 passes but few steps each.
    const r = render('{% for i in range(1000) %}{% set l = range(1000000) | list %}{% endfor %}');
    assert.deepEqual(located(r), [['jinja-budget', 1, 53]], 'at the filter');
  });

  it('stops at the wall-clock deadline (a clock the test controls)', () => {
    let clock = 0;
    // Every check advances the clock by 100 ms: the render is over its 1 s after ten checks.
    const budget = { maxMillis: 1_000, now: () => (clock += 100) };
    const r = render("{% for i in range(100000) %}{{ i }}{% endfor %}\nfrom {{ ref('up') }}", { budget });
    assert.deepEqual(located(r), [['jinja-budget', 1, 1]]);
    assert.match(r.diagnostics[0]?.message ?? '', /^rendering stopped after 1 s: /);
    assert.deepEqual(r.dependencies.map((d) => d.target), ['model.p.up']);
  });

  it('stops when cancelled, with WorkCancelled rather than a diagnostic', () => {
    let asked = 0;
    const budget = { shouldStop: () => ++asked > 3 };
    assert.throws(() => render('{% for i in range(100000) %}{{ i }}{% endfor %}', { budget }), (err: unknown) => WorkCancelled.is(err) && err.reason === 'cancelled');
    assert.equal(asked, 4);
    // A render that finishes before the check is asked again is not affected.
    assert.deepEqual(located(render('select 1', { budget: { shouldStop: () => true } })), []);
  });
});
