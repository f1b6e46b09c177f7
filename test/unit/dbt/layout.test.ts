import assert from 'node:assert/strict';
import { assembleDbtProject, loadDbtProject, renderDbtNode } from '../../../core/dbt/api';
import { memFileSource } from './helpers';

/** Project layouts: custom paths, packages-install-path, local packages, Python models, seed configs. */

function extract(files: Record<string, string>, root = '') {
  const fs = memFileSource(files);
  const ctx = loadDbtProject(fs, root);
  const results = ctx.nodeFiles.map((f) => renderDbtNode(ctx, f.path, files[f.path] ?? ''));
  return { ctx, results, facts: assembleDbtProject(ctx, results) };
}

describe('dbt project layouts', () => {
  it('honours custom model/macro/seed paths and packages-install-path, in a sub-folder root', () => {
    const { ctx, facts } = extract({
      'dbt/dbt_project.yml': "name: sub\nconfig-version: 2\nmodel-paths: ['transform']\nmacro-paths: ['jinja']\nseed-paths: ['data']\npackages-install-path: vendor\n",
      'dbt/transform/a.sql': "select {{ hello() }} from {{ ref('b') }} join {{ ref('lib', 'lib_model') }} using (id)",
      'dbt/transform/b.sql': "select * from {{ ref('codes') }}",
      'dbt/jinja/hello.sql': "{% macro hello() %}'hi'{% endmacro %}",
      'dbt/data/codes.csv': 'id,label\n1,a\n',
      'dbt/vendor/lib/dbt_project.yml': 'name: lib\nconfig-version: 2\n',
      'dbt/vendor/lib/models/lib_model.sql': 'select 1 as id',
      'dbt/models/ignored.sql': 'select 1',
      'elsewhere/models/x.sql': 'select 1',
    }, 'dbt');
    assert.deepEqual(ctx.nodeFiles.map((f) => f.path).sort(), ['dbt/transform/a.sql', 'dbt/transform/b.sql', 'dbt/vendor/lib/models/lib_model.sql']);
    const into = (id: string) => facts.modelEdges.filter((e) => e.to === id).map((e) => e.from).sort();
    assert.deepEqual(into('model.sub.a'), ['model.lib.lib_model', 'model.sub.b']);
    assert.deepEqual(into('model.sub.b'), ['seed.sub.codes']);
    assert.match(facts.entities.find((e) => e.id === 'model.sub.a')?.compiledSql ?? '', /^select 'hi' from/);
  });

  it('normalises the root folder argument', () => {
    const files = { 'proj/dbt_project.yml': 'name: proj\nconfig-version: 2\n', 'proj/models/m.sql': 'select 1' };
    for (const root of ['proj', 'proj/', './proj']) {
      const ctx = loadDbtProject(memFileSource(files), root);
      assert.equal(ctx.root, 'proj');
      assert.deepEqual(ctx.nodeFiles.map((f) => f.path), ['proj/models/m.sql']);
    }
  });

  it('resolves local packages from packages.yml', () => {
    const { ctx, facts } = extract({
      'proj/dbt_project.yml': 'name: proj\nconfig-version: 2\n',
      'proj/packages.yml': 'packages:\n  - local: ../shared\n  - package: dbt-labs/dbt_utils\n    version: 1.0.0\n',
      'proj/models/m.sql': "select * from {{ ref('shared_model') }}",
      'shared/dbt_project.yml': 'name: shared\nconfig-version: 2\n',
      'shared/models/shared_model.sql': 'select 1',
    }, 'proj');
    assert.deepEqual(ctx.projects.map((p) => `${p.name}@${p.root}`), ['proj@proj', 'shared@shared']);
    assert.deepEqual(facts.modelEdges.map((e) => `${e.from}->${e.to}`), ['model.shared.shared_model->model.proj.m']);
    const missing = facts.diagnostics.filter((d) => d.code === 'dbt-package-missing').map((d) => [d.file, d.line, d.column, d.severity]);
    assert.deepEqual(missing, [['proj/packages.yml', 3, 5, 'warning']]);
  });

  it('reads Python models: dbt.ref / dbt.source / dbt.config, lines kept', () => {
    const py = "def model(dbt, session):\n    dbt.config(materialized='table')\n    a = dbt.ref('a')\n    v = dbt.ref('vm', v=1)\n    s = dbt.source('raw', 't')\n    return a\n";
    const { results } = extract({
      'dbt_project.yml': 'name: p\nconfig-version: 2\n',
      'models/py_model.py': py,
      'models/a.sql': 'select 1',
      'models/vm_v1.sql': 'select 1',
      'models/props.yml': 'version: 2\nmodels:\n  - name: vm\n    versions:\n      - v: 1\nsources:\n  - name: raw\n    tables:\n      - name: t\n',
    });
    const r = results.find((x) => x.path === 'models/py_model.py');
    assert.equal(r?.entity.materialized, 'table');
    assert.deepEqual(r?.dependencies.map((d) => d.target), ['model.p.a', 'model.p.vm.v1', 'source.p.raw.t']);
    assert.equal(r?.rendered.lineageSql.split('\n').length, py.split('\n').length);
  });

  it('applies seeds: configs from dbt_project.yml (enabled, tags, column_types)', () => {
    const { facts } = extract({
      'dbt_project.yml': "name: p\nconfig-version: 2\nseeds:\n  p:\n    +tags: ['ref_data']\n    lookups:\n      +column_types: {code: 'char(2)'}\n    old:\n      +enabled: false\n",
      'seeds/lookups/countries.csv': 'code,name\n',
      'seeds/old/legacy.csv': 'a\n',
    });
    const countries = facts.entities.find((e) => e.id === 'seed.p.countries');
    assert.deepEqual(countries?.tags, ['ref_data']);
    assert.equal(facts.columns.find((c) => c.id === 'seed.p.countries#code')?.type, 'char(2)');
    assert.equal(facts.entities.find((e) => e.id === 'seed.p.legacy')?.disabled, true);
  });

  it('a missing dbt_project.yml is a located diagnostic, not a crash', () => {
    const { ctx } = extract({ 'models/a.sql': 'select 1' });
    assert.deepEqual(ctx.facts.diagnostics.map((d) => [d.code, d.file, d.line, d.column]), [['dbt-project-missing', 'dbt_project.yml', 1, 1]]);
  });
});

describe('dbt schema naming', () => {
  it("uses the root project's generate_schema_name override, else <target>_<custom>", () => {
    const macro = "{% macro generate_schema_name(custom_schema_name, node) -%}\n{%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}\n{%- endmacro %}";
    const files = {
      'dbt_project.yml': "name: p\nconfig-version: 2\nmodels:\n  p:\n    marts:\n      +schema: marts\n",
      'models/marts/a.sql': 'select 1',
      'models/b.sql': 'select 1',
    };
    const plain = extract(files).facts.entities;
    assert.equal(plain.find((e) => e.id === 'model.p.a')?.schema, 'public_marts');
    const custom = extract({ ...files, 'macros/schema.sql': macro }).facts.entities;
    assert.equal(custom.find((e) => e.id === 'model.p.a')?.schema, 'marts');
    assert.equal(custom.find((e) => e.id === 'model.p.b')?.schema, 'public');
  });
});

describe('dbt node edge cases', () => {
  it('a file added after loading still gets its folder config and project', () => {
    const files = { 'dbt_project.yml': "name: p\nconfig-version: 2\nmodels:\n  p:\n    marts:\n      +materialized: table\n", 'models/x.sql': 'select 1' };
    const ctx = loadDbtProject(memFileSource(files), '');
    const r = renderDbtNode(ctx, 'models/marts/new_one.sql', "select * from {{ ref('x') }}");
    assert.equal(r.entity.id, 'model.p.new_one');
    assert.equal(r.entity.materialized, 'table');
    assert.equal(r.dependencies[0]?.target, 'model.p.x');
  });

  it('warns where an enabled model refs a disabled one', () => {
    const { facts } = extract({
      'dbt_project.yml': 'name: p\nconfig-version: 2\n',
      'models/off.sql': '{{ config(enabled=false) }} select 1',
      'models/on.sql': "select 1\nfrom {{ ref('off') }}",
    });
    assert.deepEqual(facts.diagnostics.filter((d) => d.code === 'ref-to-disabled').map((d) => [d.file, d.line, d.column]), [['models/on.sql', 2, 9]]);
    assert.deepEqual(facts.modelEdges, []);
  });
});

describe('dbt var() precedence layers', () => {
  const pkg = {
    'dbt_packages/lib/dbt_project.yml': "name: lib\nconfig-version: 2\nvars:\n  lib:\n    a: pkg-scoped\n  a: pkg-global\n  b: pkg-global\n",
    'dbt_packages/lib/models/lm.sql': "select '{{ var('a') }}' as a, '{{ var('b') }}' as b, '{{ var('c', 'default') }}' as c",
  };
  const sql = (rootVars: string): string => {
    const files: Record<string, string> = { 'dbt_project.yml': `name: p\nconfig-version: 2\n${rootVars}`, ...pkg };
    const ctx = loadDbtProject(memFileSource(files), '');
    return renderDbtNode(ctx, 'dbt_packages/lib/models/lm.sql', files['dbt_packages/lib/models/lm.sql'] ?? '').rendered.compiledSql;
  };
  it('package-scoped beats package-global; defaults apply last', () => {
    assert.equal(sql(''), "select 'pkg-scoped' as a, 'pkg-global' as b, 'default' as c");
  });
  it('root global beats the package; root scoped-to-package beats root global', () => {
    assert.equal(sql('vars:\n  a: root-global\n  b: root-global\n'), "select 'root-global' as a, 'root-global' as b, 'default' as c");
    assert.equal(sql('vars:\n  a: root-global\n  lib:\n    a: root-scoped\n    c: root-scoped\n'), "select 'root-scoped' as a, 'pkg-global' as b, 'root-scoped' as c");
  });
});

describe('dbt owners', () => {
  it('come from YAML meta, config.meta, or config(meta=…) in the model', () => {
    const { facts } = extract({
      'dbt_project.yml': "name: p\nconfig-version: 2\nmodels:\n  p:\n    team:\n      +meta:\n        owner: team-lead@example.com\n",
      'models/a.sql': "{{ config(meta={'owner': 'carol'}) }} select 1",
      'models/team/b.sql': 'select 1',
    });
    const owners = (id: string) => facts.entities.find((e) => e.id === id)?.owners;
    assert.deepEqual(owners('model.p.a'), [{ name: 'carol', source: 'yaml' }]);
    assert.deepEqual(owners('model.p.b'), [{ name: 'team-lead@example.com', email: 'team-lead@example.com', source: 'yaml' }]);
  });
});
