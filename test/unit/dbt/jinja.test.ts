import assert from 'node:assert/strict';
import { loadDbtProject, renderDbtNode, type DbtNodeResult } from '../../../core/dbt/api';
import { memFileSource } from './helpers';

/** Jinja language features, rendered the way dbt's parse step does, through the public API. */

const PROJECT = `name: p\nconfig-version: 2\nvars:\n  answer: 42\n  nested: {a: [1, 2]}\n`;

function render(sql: string, extra: Record<string, string> = {}): DbtNodeResult {
  const files = { 'dbt_project.yml': PROJECT, 'models/m.sql': sql, 'models/up.sql': 'select 1', 'models/up_two.sql': 'select 2', ...extra };
  const ctx = loadDbtProject(memFileSource(files), '');
  return renderDbtNode(ctx, 'models/m.sql', sql);
}

function out(sql: string, extra: Record<string, string> = {}): string {
  const r = render(sql, extra);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `unexpected errors for ${sql}`);
  return r.rendered.compiledSql;
}

describe('dbt Jinja renderer', () => {
  it('expressions: literals, arithmetic, ~, comparisons, in, conditional expressions', () => {
    assert.equal(out("{{ 1 + 2 * 3 }}|{{ 7 // 2 }}|{{ 7 % 3 }}|{{ 2 ** 3 }}|{{ 'a' ~ 1 ~ none }}"), '7|3|1|8|a1None');
    assert.equal(out("{{ 'x' if 1 > 2 else 'y' }}|{{ 'b' in ['a','b'] }}|{{ 'z' not in 'abc' }}|{{ not true }}"), 'y|True|True|False');
    assert.equal(out("{{ [1, 2][1] }}|{{ {'k': 'v'}['k'] }}|{{ {'k': 'v'}.k }}|{{ 'abc'[1:] }}|{{ [1,2,3][::-1] }}"), "2|v|v|bc|[3, 2, 1]");
  });

  it('whitespace control and comments keep line numbers', () => {
    const r = render('select\n  {%- if true %}\n  a\n  {%- endif %}\nfrom x {# comment\nspanning lines #}\nwhere 1');
    assert.equal(r.rendered.compiledSql.split('\n').length, 7);
    assert.equal(r.rendered.compiledSql.split('\n')[6], 'where 1');
    assert.equal(r.rendered.compiledSql.split('\n')[2], '  a', 'the if body stays on its source line');
    assert.equal(r.rendered.compiledSql.split('\n')[0], 'select');
  });

  it('set, block set, if/elif/else, for with loop vars, else and tuple unpacking', () => {
    assert.equal(out("{% set a, b = 1, 2 %}{{ a + b }}"), '3');
    assert.equal(out('{% set body %}x{{ 1 }}{% endset %}[{{ body | trim }}]'), '[x1]');
    assert.equal(out("{% for v in [1, 2] %}{% if v == 1 %}one{% elif v == 2 %}two{% else %}?{% endif %}{% endfor %}"), 'onetwo');
    assert.equal(out("{% for x in ['a','b','c'] %}{{ loop.index }}{{ x }}{{ ',' if not loop.last }}{% endfor %}"), '1a,2b,3c');
    assert.equal(out("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}"), 'a=1;b=2;');
    assert.equal(out('{% for x in [] %}x{% else %}empty{% endfor %}'), 'empty');
    assert.equal(out("{% for x in [1,2,3,4] if x is even %}{{ x }}{% endfor %}"), '24');
  });

  it('macros: defaults, kwargs, varargs, return(), recursion, call blocks with caller(args)', () => {
    const m = "{% macro f(a, b='B', c=none) %}{{ a }}{{ b }}{{ c is none }}{{ kwargs.get('z', '') }}{{ varargs | length }}{% endmacro %}";
    assert.equal(out(`${m}{{ f(1) }}|{{ f(1, c=3, z='Z') }}|{{ f(1, 2, 3, 4, 5) }}`), '1BTrue0|1BFalseZ0|12False2');
    assert.equal(out("{% macro sq(x) %}{{ return(x * x) }}{% endmacro %}{{ sq(4) + 1 }}"), '17');
    assert.equal(out("{% macro fact(n) %}{{ return(1 if n <= 1 else n * fact(n - 1)) }}{% endmacro %}{{ fact(5) }}"), '120');
    const call = "{% macro wrap(tag) %}<{{ tag }}>{{ caller('x') }}</{{ tag }}>{% endmacro %}{% call(v) wrap('b') %}got {{ v }}{% endcall %}";
    assert.equal(out(call), '<b>got x</b>');
  });

  it('filters', () => {
    assert.equal(out("{{ ' Ab ' | trim | lower }}|{{ 'ab' | upper }}|{{ ['a','b'] | join(', ') }}|{{ none | default('d') }}|{{ undefined_name | default('u') }}"), 'ab|AB|a, b|None|u');
    assert.equal(out("{{ 'a-b' | replace('-', '_') }}|{{ [1,2] | length }}|{{ 'ab' | list }}|{{ {'a': [1]} | tojson }}|{{ [3,1,2] | sort | first }}|{{ [1,1,2] | unique | list | last }}"), 'a_b|2|[\'a\', \'b\']|{"a":[1]}|1|2');
    assert.equal(out("{{ ['A','B'] | map('lower') | join }}|{{ [{'n': 1}, {'n': 2}] | map(attribute='n') | sum }}|{{ [0, 1, 2] | select | list }}|{{ '5' | int + 1 }}"), 'ab|3|[1, 2]|6');
  });

  it('Python methods on strings, lists and dicts; do and namespace()', () => {
    assert.equal(out("{{ 'a,b'.split(',') }}|{{ 'abc'.startswith('ab') }}|{{ 'x{}y{n}'.format(1, n=2) }}|{{ ' s '.strip() }}|{{ 'Ab'.upper() }}"), "['a', 'b']|True|x1y2|s|AB");
    assert.equal(out("{% set l = [] %}{% do l.append(1) %}{% do l.extend([2, 3]) %}{{ l }}|{{ l.pop() }}|{{ l }}"), '[1, 2, 3]|3|[1, 2]');
    assert.equal(out("{% set d = {'a': 1} %}{% do d.update({'b': 2}) %}{{ d.keys() | list }}|{{ d.get('z', 9) }}|{{ d.values() | sum }}"), "['a', 'b']|9|3");
    assert.equal(out('{% set ns = namespace(total=0) %}{% for i in range(4) %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}'), '6');
  });

  it('dbt context: var, env_var, target, this, execute, is_incremental, run_query, builtins, adapter, modules, fromjson', () => {
    assert.equal(out("{{ var('answer') }}|{{ var('nested').a[1] }}|{{ var('nope', 'dflt') }}|{{ env_var('X_UNSET', 'e') }}"), '42|2|dflt|e');
    assert.equal(out('{{ target.name }}|{{ target.type }}|{{ target.schema }}|{{ execute }}|{{ is_incremental() }}|{{ run_query("select 1") is none }}'), 'dev|postgres|public|False|False|True');
    assert.equal(out('{{ this }}|{{ this.identifier }}|{{ adapter.quote("c") }}|{{ adapter.get_relation(database="d", schema="s", identifier="i") is none }}'), 'public.m|m|"c"|True');
    assert.equal(out("{{ modules.re.sub('[0-9]+', '#', 'a1b22') }}|{{ modules.datetime.datetime.now().strftime('%Y') | length > 0 }}|{{ fromjson('{\"a\": 1}').a }}|{{ fromyaml('a: [1, 2]').a[1] }}"), 'a#b#|True|1|2');
    assert.equal(out("{{ builtins.ref('up') }}|{{ graph.nodes.values() | list | length }}|{{ log('hi', info=true) }}"), 'public.up|0|');
  });

  it('records ref forms: ref(name), ref(pkg, name), ref(prefix ~ name) in loops, refs in SQL comments but not Jinja comments', () => {
    const r = render("-- depends_on: {{ ref('up') }}\n{# {{ ref('ignored') }} #}\n{% for n in ['one', 'two'] %}{{ ref('up_' ~ n) }}{% endfor %} {{ ref('p', 'up_pkg') }}", { 'models/up_pkg.sql': 'select 1' });
    assert.deepEqual(r.dependencies.map((d) => [d.kind, d.written, d.target ?? null]), [
      ['depends_on', 'up', 'model.p.up'],
      ['ref', 'up_one', null],
      ['ref', 'up_two', 'model.p.up_two'],
      ['ref', 'p.up_pkg', 'model.p.up_pkg'],
    ]);
    const kw = render("select * from {{ source(source_name='raw', table_name='t') }}", { 'models/s.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: t\n' });
    assert.deepEqual(kw.dependencies.map((d) => d.target), ['source.p.raw.t']);
    const both = render("-- depends_on: {{ ref('up') }}\nselect * from {{ ref('p', 'up') }}");
    assert.deepEqual(both.dependencies.map((d) => [d.kind, d.written, d.line, d.column]), [['ref', 'p.up', 2, 18]], 'a real ref wins over the depends_on hint');
    assert.deepEqual(r.diagnostics.filter((d) => d.code === 'unresolved-ref').map((d) => [d.line, d.column]), [[3, 33]]);
  });

  it('errors become located diagnostics and rendering continues after them', () => {
    const r = render("select 1\n{{ exceptions.raise_compiler_error('boom') }}\nfrom {{ ref('up') }}");
    assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line, d.column]), [['compiler-error', 2, 4]]);
    assert.equal(r.dependencies[0]?.target, 'model.p.up');
    const missing = render("select {{ var('never_defined') }}");
    assert.deepEqual(missing.diagnostics.map((d) => [d.code, d.line, d.column]), [['dbt-var-missing', 1, 11]]);
    const env = render('{{ env_var("NOPE") }}');
    assert.equal(env.diagnostics[0]?.code, 'dbt-env-var');
    const tag = render('select 1\n  {% frobnicate %}');
    assert.deepEqual(tag.diagnostics.map((d) => [d.code, d.line, d.column]), [['jinja-syntax', 2, 6]]);
    const stray = render('select 1 {% endif %}');
    assert.deepEqual(stray.diagnostics.map((d) => [d.code, d.line, d.column]), [['jinja-syntax', 1, 13]]);
  });

  it('step budget stops runaway loops with a diagnostic', () => {
    const r = render("select 1\n{% for i in range(1000000) %}{% for j in range(1000000) %}{{ i }}{% endfor %}{% endfor %}\nfrom {{ ref('up') }}");
    const d = r.diagnostics.find((x) => x.code === 'jinja-budget');
    assert.ok(d, 'expected a budget diagnostic');
    assert.equal(d.line, 2);
    assert.equal(r.dependencies[0]?.target, 'model.p.up');
  });

  it('memory guards: huge repetitions and ranges are diagnostics', () => {
    assert.deepEqual(render("{{ 'x' * 100000000 }}").diagnostics.map((d) => [d.code, d.line, d.column]), [['jinja-budget', 1, 8]]);
    assert.deepEqual(render('{{ range(10 ** 9) | length }}').diagnostics.map((d) => d.code), ['jinja-runtime']);
  });

  it('filter blocks, x.0 indexing, datetime classes', () => {
    assert.equal(out('{% filter upper %}abc{% endfilter %}|{{ [7, 8].1 }}|{{ modules.datetime.date(2020, 1, 1).year > 0 }}|{{ modules.datetime.datetime.now().year > 0 }}'), 'ABC|8|True|True');
  });

  it('raw blocks are not rendered', () => {
    assert.equal(out('{% raw %}{{ not_rendered }}{% endraw %}'), '{{ not_rendered }}');
  });
});

describe('dbt cross-database macros', () => {
  it('render per adapter instead of unknown values', () => {
    const r = render("select cast(x as {{ dbt.type_string() }}), {{ dbt.date_trunc('day', 'ts') }}, {{ dbt.concat(['a', 'b']) }}");
    assert.equal(r.rendered.compiledSql, "select cast(x as text), date_trunc('day', ts), concat(a, b)");
    assert.deepEqual(r.diagnostics, []);
  });
});

describe('unknown values', () => {
  it('propagate through operators, count as true in conditions, and are reported once per spot', () => {
    const r = render("{% for i in [1, 2, 3] %}{% if pkg.count() > 0 %}{{ ref('up') }}{% endif %}{% endfor %}{{ pkg.x() + 1 }}|{{ pkg.y() | default('d') }}");
    assert.equal(r.rendered.compiledSql, 'public.up public.up public.up|d');
    assert.deepEqual(r.dependencies.map((d) => d.target), ['model.p.up']);
    assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.code, d.column]), [['info', 'dynamic-jinja', 31], ['info', 'dynamic-jinja', 90], ['info', 'dynamic-jinja', 108]]);
  });
});

describe('package macros written the way dbt_utils writes them', () => {
  it('relations pass dbt_utils-style `is mapping` checks and star() returns * at parse time', () => {
    const utils = `{% macro _is_relation(obj, macro) %}
    {%- if not (obj is mapping and obj.get('metadata', {}).get('type', '').endswith('Relation')) -%}
        {%- do exceptions.raise_compiler_error("Macro " ~ macro ~ " expected a Relation but received the value: " ~ obj) -%}
    {%- endif -%}
{% endmacro %}
{% macro star(from, relation_alias=False, except=[]) -%}
    {%- do dbt_utils._is_relation(from, 'star') -%}
    {%- if not execute -%}{% do return('*') %}{%- endif -%}
    never
{%- endmacro %}`;
    const r = render("select {{ dbt_utils.star(from=ref('up'), except=['id']) }} from {{ ref('up') }}", {
      'dbt_packages/dbt_utils/dbt_project.yml': 'name: dbt_utils\nconfig-version: 2\n',
      'dbt_packages/dbt_utils/macros/star.sql': utils,
    });
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.rendered.compiledSql, 'select * from public.up');
  });
});
