import assert from 'node:assert/strict';
import { assembleDbtProject, loadDbtProject, readManifest, renderDbtNode } from '../../../core/dbt/api';
import { memFileSource } from './helpers';

const MINI = JSON.stringify({
  metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', project_name: 'p' },
  nodes: {
    'model.p.a': { resource_type: 'model', name: 'a', package_name: 'p', original_file_path: 'models/a.sql', depends_on: { nodes: ['source.p.raw.t'], macros: [] }, compiled_code: 'select * from raw.t', config: { enabled: true } },
    'model.p.b': { resource_type: 'model', name: 'b', package_name: 'p', depends_on: { nodes: ['model.p.a', 'macro.p.m'] }, config: { enabled: true } },
  },
  sources: { 'source.p.raw.t': {} },
  exposures: {},
  disabled: { 'model.p.c': [{ resource_type: 'model', name: 'c', package_name: 'p', depends_on: { nodes: ['model.p.a'] } }] },
});

describe('dbt manifest', () => {
  it('reads nodes, dependencies, compiled code and disabled nodes', () => {
    const r = readManifest(MINI);
    assert.ok(r.ok);
    assert.equal(r.manifest.projectName, 'p');
    assert.deepEqual(r.manifest.nodes['model.p.b']?.dependsOn, ['model.p.a', 'macro.p.m']);
    assert.equal(r.manifest.nodes['model.p.a']?.compiledCode, 'select * from raw.t');
    assert.equal(r.manifest.nodes['model.p.c']?.enabled, false);
    assert.deepEqual(r.manifest.sources, ['source.p.raw.t']);
  });

  it('a truncated or malformed manifest yields a located diagnostic instead of throwing', () => {
    for (const text of [MINI.slice(0, 200), '', '{"nodes": ', '[1, 2]', 'null', '{"metadata": {}}', MINI.replace('"nodes"', '"nodez"')]) {
      const r = readManifest(text);
      assert.equal(r.ok, false, text.slice(0, 40));
      assert.ok(r.diagnostics.length > 0);
      for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.column >= 1 && d.file === 'target/manifest.json');
    }
    const cut = readManifest('{\n  "nodes": {\n    "model.p.a": {"name": ');
    assert.ok(!cut.ok);
    assert.equal(cut.diagnostics[0]?.line, 3);
  });

  it('assembly prefers manifest dependencies and compiled code (extractor manifest, confidence 1)', () => {
    const files = {
      'dbt_project.yml': 'name: p\nconfig-version: 2\n',
      'models/a.sql': "select * from {{ source('raw', 't') }}",
      'models/b.sql': "select * from {{ ref('zzz_not_in_manifest') }}",
      'models/src.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: t\n',
    };
    const fs = memFileSource(files);
    const ctx = loadDbtProject(fs, '');
    const results = ctx.nodeFiles.map((f) => renderDbtNode(ctx, f.path, files[f.path as keyof typeof files] ?? ''));
    const r = readManifest(MINI);
    assert.ok(r.ok);
    const facts = assembleDbtProject(ctx, results, r.manifest);
    const edges = facts.modelEdges.map((e) => `${e.from}->${e.to}:${e.kind}:${e.provenance.confidence}`).sort();
    assert.deepEqual(edges, ['model.p.a->model.p.b:manifest:1', 'source.p.raw.t->model.p.a:manifest:1']);
    assert.equal(facts.entities.find((e) => e.id === 'model.p.a')?.compiledSql, 'select * from raw.t');
  });

  it("the manifest's enabled state wins over rendering (dbt parsed with the real vars)", () => {
    const files = { 'dbt_project.yml': 'name: p\nconfig-version: 2\n', 'models/a.sql': 'select 1', 'models/c.sql': "select * from {{ ref('a') }}" };
    const fs = memFileSource(files);
    const ctx = loadDbtProject(fs, '');
    const results = ctx.nodeFiles.map((f) => renderDbtNode(ctx, f.path, files[f.path as keyof typeof files] ?? ''));
    const r = readManifest(MINI);
    assert.ok(r.ok);
    const facts = assembleDbtProject(ctx, results, r.manifest);
    assert.equal(facts.entities.find((e) => e.id === 'model.p.c')?.disabled, true);
    assert.deepEqual(facts.modelEdges.filter((e) => e.to === 'model.p.c'), []);
  });
});
