import assert from 'node:assert/strict';
import { assembleDbtProject, loadDbtProject, renderDbtNode } from '../../../core/dbt/api';
import { addConfigCall, mergeConfig } from '../../../core/dbt/nodeConfig';
import { memFileSource } from './helpers';

/** Every form of `config()` dbt accepts in a SQL model, merged the way dbt merges them. */

function extract(files: Record<string, string>) {
  const fs = memFileSource({ 'dbt_project.yml': 'name: p\nconfig-version: 2\n', ...files });
  const ctx = loadDbtProject(fs, '');
  const results = ctx.nodeFiles.map((f) => renderDbtNode(ctx, f.path, fs.read(f.path) ?? ''));
  return { ctx, results, facts: assembleDbtProject(ctx, results) };
}

describe('dbt config() forms', () => {
  it('keyword, dict, ** and config.set forms all configure and disable the model', () => {
    const { results } = extract({
      'models/kw.sql': "{{ config(materialized='table', enabled=false) }}\nselect 1",
      'models/dict.sql': '{{ config({"materialized": "table", "enabled": false}) }}\nselect 1',
      'models/star.sql': "{{ config(**{'materialized': 'table', 'enabled': false}) }}\nselect 1",
      'models/set.sql': "{% do config.set('materialized', 'table') %}{% do config.set('enabled', false) %}\nselect 1",
      'models/on.sql': "{{ config({'materialized': 'view'}) }}\nselect 1",
    });
    const by = (p: string) => results.find((r) => r.path === `models/${p}.sql`)?.entity;
    for (const name of ['kw', 'dict', 'star', 'set']) {
      assert.equal(by(name)?.disabled, true, name);
      assert.equal(by(name)?.materialized, 'table', name);
    }
    assert.equal(by('on')?.disabled, false);
    assert.equal(by('on')?.materialized, 'view');
  });

  it('several calls merge as dbt does: tags and hooks accumulate, meta merges, other keys: the last call wins', () => {
    const { results } = extract({
      'models/m.sql': [
        "{{ config(materialized='view', tags=['a'], meta={'owner': 'ana', 'tier': 1}, pre_hook='select 1') }}",
        "{{ config({'materialized': 'table', 'tags': 'b', 'meta': {'tier': 2}, 'pre-hook': ['select 2']}) }}",
        'select 1',
      ].join('\n'),
    });
    const e = results[0]?.entity;
    assert.equal(e?.materialized, 'table');
    assert.deepEqual(e?.tags, ['a', 'b']);
    assert.deepEqual(e?.meta, { owner: 'ana', tier: 2 });
  });

  it('project, YAML and file configs layer with dbt precedence; enabled: false works at every layer', () => {
    const { facts } = extract({
      'dbt_project.yml': "name: p\nconfig-version: 2\nmodels:\n  p:\n    +tags: ['proj']\n    +meta: {team: core}\n    old:\n      +enabled: false\n",
      'models/old/legacy.sql': 'select 1',
      'models/yaml_off.sql': 'select 1',
      'models/layered.sql': "{{ config(tags=['file'], meta={'owner': 'ana'}, materialized='table') }}\nselect 1",
      'models/props.yml': 'version: 2\nmodels:\n  - name: yaml_off\n    config:\n      enabled: false\n  - name: layered\n    config:\n      tags: [yaml]\n      materialized: view\n      meta: {team: data}\n',
    });
    const get = (id: string) => facts.entities.find((e) => e.id === id);
    assert.equal(get('model.p.legacy')?.disabled, true);
    assert.equal(get('model.p.yaml_off')?.disabled, true);
    assert.equal(get('model.p.layered')?.materialized, 'table');
    assert.deepEqual(get('model.p.layered')?.tags, ['proj', 'yaml', 'file']);
    assert.deepEqual(get('model.p.layered')?.meta, { team: 'data', owner: 'ana' });
  });

  it('a config() call dbt rejects is a located error; an unknown ** argument is not', () => {
    const { results } = extract({
      'models/both.sql': "select 1\n{{ config({'materialized': 'table'}, enabled=false) }}",
      'models/string.sql': "{{ config('table') }}\nselect 1",
      'models/unknown.sql': '{{ config(**pkg.settings()) }}\nselect 1',
    });
    const diags = (p: string) => results.find((r) => r.path === `models/${p}.sql`)?.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} ${d.code}: ${d.message}`);
    assert.deepEqual(diags('both'), ['2:4 dbt-config-call: invalid inline model config: config() takes either one dict or keyword arguments, not both']);
    assert.deepEqual(diags('string'), ['1:4 dbt-config-call: invalid inline model config: config() takes one dict or keyword arguments, not a string']);
    assert.deepEqual(diags('unknown'), []);
    assert.equal(results.find((r) => r.path === 'models/both.sql')?.entity.disabled, false);
  });

  it('a dict-form alias or schema moves the relation that refs to the model render', () => {
    const { results } = extract({
      'models/up.sql': "{{ config({'alias': 'renamed', 'schema': 'mart'}) }}\nselect 1 as id",
      'models/up2.sql': "{{ config(**{'alias': 'other'}) }}\nselect 1 as id",
      'models/down.sql': "select * from {{ ref('up') }} join {{ ref('up2') }} using (id)",
    });
    assert.equal(results.find((r) => r.path === 'models/down.sql')?.rendered.compiledSql, 'select * from public_mart.renamed join public.other using (id)');
  });
});

describe('dbt config merge behaviour', () => {
  it('layers: tags, hooks and packages append, meta/docs/quoting update, grants replace per privilege or extend with +', () => {
    const out: Record<string, unknown> = {};
    mergeConfig(out, { '+tags': ['a'], '+pre-hook': 'h1', packages: ['numpy'], meta: { a: 1 }, docs: { show: true }, grants: { select: ['r1'], insert: 'w' }, materialized: 'view' });
    mergeConfig(out, { tags: 'b', pre_hook: ['h2'], packages: ['pandas'], meta: { b: 2 }, docs: { node_color: 'red' }, grants: { select: ['r2'], '+insert': ['w2'] }, materialized: 'table' });
    assert.deepEqual(out, { tags: ['a', 'b'], 'pre-hook': ['h1', 'h2'], packages: ['numpy', 'pandas'], meta: { a: 1, b: 2 }, docs: { show: true, node_color: 'red' }, grants: { select: ['r2'], insert: ['w', 'w2'] }, materialized: 'table' });
  });

  it('config() calls: tags and hooks append, meta updates, packages and other keys are replaced', () => {
    const calls: Record<string, unknown> = {};
    addConfigCall(calls, { tags: 'a', post_hook: 'p1', packages: ['numpy'], meta: { a: 1 }, alias: 'x' });
    addConfigCall(calls, { tags: ['b'], 'post-hook': 'p2', packages: ['pandas'], meta: { b: 2 }, alias: 'y' });
    assert.deepEqual(calls, { tags: ['a', 'b'], 'post-hook': ['p1', 'p2'], packages: ['pandas'], meta: { a: 1, b: 2 }, alias: 'y' });
  });
});
