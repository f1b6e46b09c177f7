import assert from 'node:assert/strict';
import { assembleDbtProject, loadDbtProject, renderDbtNode } from '../../../core/dbt/api';
import type { FileSource } from '../../../core/pipeline/contracts';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { memFileSource } from './helpers';

/** dbt Python models in a project: cataloged with their refs, sources and config, lineage-free. */

function extract(fs: FileSource, root = '') {
  const ctx = loadDbtProject(fs, root);
  const results = ctx.nodeFiles.map((f) => renderDbtNode(ctx, f.path, fs.read(f.path) ?? ''));
  return { ctx, results, facts: assembleDbtProject(ctx, results) };
}

const PROJECT: Record<string, string> = {
  'dbt_project.yml': "name: p\nconfig-version: 2\nmodels:\n  p:\n    ml:\n      +materialized: incremental\n      +tags: ['ml']\n",
  'packages.yml': 'packages:\n  - local: libs/lib\n',
  'libs/lib/dbt_project.yml': 'name: lib\nconfig-version: 2\n',
  'libs/lib/models/shared.sql': 'select 1 as id',
  'models/orders.sql': 'select 1 as id, 2 as amount',
  'models/vm_v1.sql': 'select 1 as id',
  'models/vm_v2.sql': 'select 1 as id',
  'models/ml/score.py': [
    'import pandas as pd',
    '',
    'def model(dbt, session):',
    '    dbt.config(materialized="table", packages=["pandas"])',
    '    dbt.config(tags=["scored"])',
    '    # dbt.ref("commented_out")',
    '    orders = dbt.ref("orders").to_pandas()',
    "    shared = dbt.ref('lib', 'shared')",
    '    old = dbt.ref("vm", v=1)',
    '    new = dbt.ref("vm", version=2)',
    '    events = dbt.source("raw", "events")',
    '    return orders',
    '',
  ].join('\n'),
  'models/ml/off.py': 'def model(dbt, session):\n    dbt.config(enabled=False)\n    return dbt.ref("orders")\n',
  'models/ml/yaml_off.py': 'def model(dbt, session):\n    return dbt.ref("orders")\n',
  'models/ml/broken.py': 'def model(dbt, session):\n    df = dbt.ref("orders")\n    x = (1,\n    return df\n',
  'models/helpers.py': 'def add_one(x):\n    return x + 1\n',
  'models/__init__.py': '',
  'models/props.yml': [
    'version: 2',
    'models:',
    '  - name: vm',
    '    latest_version: 2',
    '    versions:',
    '      - v: 1',
    '      - v: 2',
    '  - name: score',
    '    description: Scores orders.',
    '    columns:',
    '      - name: order_id',
    '      - name: score',
    '        data_type: float',
    '  - name: yaml_off',
    '    config:',
    '      enabled: false',
    'sources:',
    '  - name: raw',
    '    tables:',
    '      - name: events',
  ].join('\n'),
  'scripts/model_like.py': 'def model(dbt, session):\n    return dbt.ref("orders")\n',
  'analyses/an.py': 'def model(dbt, session):\n    return dbt.ref("orders")\n',
};

describe('dbt Python models', () => {
  it('are models with their refs (package, versions), sources and config; other .py files are not', () => {
    const { ctx, results, facts } = extract(memFileSource(PROJECT));
    assert.deepEqual(ctx.nodeFiles.filter((f) => f.path.endsWith('.py')).map((f) => f.path).sort(), ['models/ml/broken.py', 'models/ml/off.py', 'models/ml/score.py', 'models/ml/yaml_off.py']);
    const score = results.find((r) => r.path === 'models/ml/score.py');
    assert.equal(score?.entity.id, 'model.p.score');
    assert.equal(score?.entity.kind, 'model');
    assert.equal(score?.entity.materialized, 'table');
    assert.deepEqual(score?.entity.tags, ['ml', 'scored']);
    assert.deepEqual(score?.entity.meta, { language: 'python' });
    assert.deepEqual(score?.dependencies.map((d) => [d.kind, d.written, d.target, d.line, d.column]), [
      ['ref', 'orders', 'model.p.orders', 7, 14],
      ['ref', 'lib.shared', 'model.lib.shared', 8, 14],
      ['ref', 'vm.v1', 'model.p.vm.v1', 9, 11],
      ['ref', 'vm.v2', 'model.p.vm.v2', 10, 11],
      ['source', 'raw.events', 'source.p.raw.events', 11, 14],
    ]);
    const into = (id: string): string[] => facts.modelEdges.filter((e) => e.to === id).map((e) => e.from).sort();
    assert.deepEqual(into('model.p.score'), ['model.lib.shared', 'model.p.orders', 'model.p.vm.v1', 'model.p.vm.v2', 'source.p.raw.events']);
    // YAML columns and description apply to a Python model as to a SQL one.
    assert.equal(facts.entities.find((e) => e.id === 'model.p.score')?.description, 'Scores orders.');
    assert.deepEqual(facts.columns.filter((c) => c.entityId === 'model.p.score').map((c) => [c.name, c.type ?? null]), [['order_id', null], ['score', 'float']]);
    // enabled=False in dbt.config() and `enabled: false` in YAML disable the model: no edges.
    for (const id of ['model.p.off', 'model.p.yaml_off']) {
      assert.equal(facts.entities.find((e) => e.id === id)?.disabled, true, id);
      assert.deepEqual(into(id), [], id);
    }
    assert.equal(facts.entities.some((e) => e.path.startsWith('scripts/') || e.path.startsWith('analyses/') || e.path === 'models/helpers.py' || e.path === 'models/__init__.py'), false);
    assert.equal(facts.diagnostics.some((d) => d.file.startsWith('scripts/') || d.file.startsWith('analyses/')), false);
  });

  it('say where dbt would reject them: a .py without def model, an empty one, a syntax error', () => {
    const { results, facts } = extract(memFileSource(PROJECT));
    const at = (file: string): string[] => facts.diagnostics.filter((d) => d.file === file).map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}`);
    assert.deepEqual(at('models/helpers.py'), ['1:1 error dbt-python-model: dbt allows exactly one model defined per python file, found 0']);
    assert.deepEqual(at('models/__init__.py'), ['1:1 info dbt-python-model: this Python file in a model path holds no code: dbt parses it as an empty Python model (which fails when it runs); it is not cataloged']);
    assert.deepEqual(at('models/ml/broken.py'), ["3:9 error python-syntax: Python syntax error: '(' was never closed"]);
    // The broken model is still cataloged with the ref read before the error.
    assert.deepEqual(results.find((r) => r.path === 'models/ml/broken.py')?.dependencies.map((d) => d.target), ['model.p.orders']);
    assert.deepEqual(at('models/ml/score.py'), []);
  });

  it('a Python model gets no SQL lineage, and the catalog says why', () => {
    const { facts } = extractWorkspace(memFileSource(PROJECT), { workspaceName: 'ws' });
    const why = facts.unresolved.filter((u) => u.target === 'model.p.score').map((u) => [u.reason, u.detail]);
    assert.deepEqual(why, [['unsupported', 'a Python model: its columns are the ones YAML declares; column lineage is not derived from Python code']]);
    assert.deepEqual(facts.columns.filter((c) => c.entityId === 'model.p.score').map((c) => [c.name, c.origin]), [['order_id', 'declared'], ['score', 'declared']]);
    assert.equal(facts.columnEdges.some((e) => e.to.startsWith('model.p.score#')), false);
    assert.equal(facts.diagnostics.some((d) => d.file === 'models/ml/score.py'), false);
  });
});
