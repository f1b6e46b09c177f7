/**
 * dbt extraction benchmark (prints numbers; not a test). Run: `npx tsx test/corpora/dbt/bench.ts` (needs the shared corpora).
 * Measures project loading, per-model rendering and assembly on the corpora and on a synthetic
 * 2,000-model project with macros and loops.
 */
import * as path from 'node:path';
import { assembleDbtProject, loadDbtProject, renderDbtNode } from '../../../core/dbt/api';
import type { FileSource } from '../../../core/pipeline/contracts';
import { parseSql } from '../../../core/sql/parseSql';
import { corporaDir } from '../corpora';
import { dirFileSource, fixturesDir, memFileSource, overlayFileSource } from '../../unit/dbt/helpers';

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

function bench(name: string, fs: FileSource, root: string): void {
  const texts = new Map(fs.list().map((p) => [p, fs.read(p) ?? '']));
  const cached: FileSource = { list: () => [...texts.keys()], read: (p) => texts.get(p) };
  const [ctx, loadMs] = time(() => loadDbtProject(cached, root));
  const files = ctx.nodeFiles;
  const [, coldMs] = time(() => files.map((f) => renderDbtNode(ctx, f.path, texts.get(f.path) ?? '')));
  const runs: number[] = [];
  let results = files.map((f) => renderDbtNode(ctx, f.path, texts.get(f.path) ?? ''));
  for (let i = 0; i < 3; i++) {
    const [r, ms] = time(() => files.map((f) => renderDbtNode(ctx, f.path, texts.get(f.path) ?? '')));
    results = r;
    runs.push(ms);
  }
  const warm = Math.min(...runs);
  const [facts, asmMs] = time(() => assembleDbtProject(ctx, results));
  const per = files.map((f) => time(() => renderDbtNode(ctx, f.path, texts.get(f.path) ?? ''))[1]).sort((a, b) => a - b);
  const p = (q: number): string => (per[Math.min(per.length - 1, Math.floor(q * per.length))] ?? 0).toFixed(2);
  // How much of the rendered lineage SQL the SQL parser accepts (enabled nodes of the root project).
  const own = results.filter((r) => !r.entity.disabled && r.entity.project === ctx.projectName);
  const parsed = own.filter((r) => !parseSql(r.rendered.lineageSql, { dialect: ctx.dialect, file: r.path }).fallback).length;
  console.log(`${name}: lineage SQL parses for ${parsed}/${own.length} enabled root-project nodes`);
  console.log(`${name}: ${files.length} nodes, ${ctx.macroFiles.length} macro files | load ${loadMs.toFixed(1)} ms | render cold ${coldMs.toFixed(1)} ms, warm ${warm.toFixed(1)} ms (${(warm / Math.max(1, files.length)).toFixed(2)} ms/node; p50 ${p(0.5)} p95 ${p(0.95)} max ${p(1)}) | assemble ${asmMs.toFixed(1)} ms | ${facts.entities.length} entities, ${facts.modelEdges.length} edges, ${JSON.stringify(ctx).length} B context`);
}

function synthetic(n: number): FileSource {
  const files: Record<string, string> = {
    'dbt_project.yml': "name: big\nconfig-version: 2\nvars:\n  parts: ['a', 'b', 'c']\nmodels:\n  big:\n    +materialized: view\n",
    'macros/m.sql': "{% macro cols(prefix) %}{% for p in var('parts') %}{{ prefix }}_{{ p }}{{ ',' if not loop.last }}{% endfor %}{% endmacro %}\n{% macro up(i) %}{{ return(ref('m_' ~ i)) }}{% endmacro %}",
  };
  for (let i = 0; i < n; i++) {
    const deps = i === 0 ? "{{ source('raw', 't') }}" : `{{ up(${Math.floor(i / 2)}) }} join {{ ref('m_${i - 1}') }} using (id)`;
    files[`models/g${i % 20}/m_${i}.sql`] = `{{ config(tags=['t${i % 5}']) }}\nselect id, {{ cols('c${i}') }}\nfrom ${deps}\n{% if is_incremental() %}where 1=1{% endif %}\n`;
  }
  files['models/src.yml'] = 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: t\n';
  return memFileSource(files);
}

const corpora = corporaDir();
bench('dbt_hubspot', overlayFileSource(dirFileSource(path.join(corpora, 'dbt_hubspot')), { 'dbt_packages/fivetran_utils': path.join(fixturesDir, 'shims/fivetran_utils') }), '');
bench('dbt-project-evaluator', dirFileSource(path.join(corpora, 'dbt-project-evaluator')), '');
bench('shop fixture', dirFileSource(path.join(fixturesDir, 'shop')), '');
bench('synthetic 2000 models', synthetic(2000), '');
