import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { assembleDbtProject, loadDbtProject, readManifest, renderDbtNode } from '../../../core/dbt/api';
import { corporaDir, dirFileSource, fixturesDir, memFileSource, overlayFileSource } from './helpers';

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

  it("agrees with dbt's own dbt_hubspot manifest (built from integration_tests with hubspot as a local package)", () => {
    const dir = path.join(corporaDir(), 'dbt_hubspot');
    const fs = overlayFileSource(dirFileSource(dir), { 'integration_tests/dbt_packages/fivetran_utils': path.join(fixturesDir, 'shims/fivetran_utils') });
    const parsed = readManifest(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    assert.ok(parsed.ok);
    const ctx = loadDbtProject(fs, 'integration_tests');
    assert.deepEqual(ctx.projects.map((p) => p.name), ['hubspot_integration_tests', 'fivetran_utils', 'hubspot']);
    let tp = 0, fp = 0, fn = 0, compared = 0;
    const diffs: string[] = [];
    for (const f of ctx.nodeFiles) {
      const r = renderDbtNode(ctx, f.path, fs.read(f.path) ?? '');
      const m = parsed.manifest.nodes[r.entity.id];
      if (!m) continue;
      compared++;
      const want = new Set(m.dependsOn.filter((d) => !d.startsWith('macro.')));
      const got = new Set(r.dependencies.flatMap((d) => (d.target ? [d.target] : [])));
      for (const w of want) if (got.has(w)) tp++; else (fn++, diffs.push(`missing ${r.entity.id} <- ${w}`));
      for (const g of got) if (!want.has(g)) (fp++, diffs.push(`extra ${r.entity.id} <- ${g}`));
    }
    const precision = tp / Math.max(1, tp + fp);
    const recall = tp / Math.max(1, tp + fn);
    console.log(`      manifest agreement: ${compared} nodes, precision ${precision.toFixed(3)} recall ${recall.toFixed(3)} (tp ${tp}, fp ${fp}, fn ${fn})`);
    for (const d of diffs.slice(0, 20)) console.log(`        ${d}`);
    assert.ok(compared >= 150, `compared ${compared}`);
    assert.ok(precision >= 0.95 && recall >= 0.95, `precision ${precision} recall ${recall}`);
  });
});
