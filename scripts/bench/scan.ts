/**
 * Scanner benchmark. Generates a 5,000-model dbt project (the generator's memory stays in this
 * process), builds the product bundles plus `scanChild.ts`, and runs the measurement in a fresh
 * `node` process: cold scan, re-open, warm-up, ~20 incremental edits, peak RSS (see `scanChild.ts`).
 * The child gets the V8 heap limits the extension gives its scan worker (`SCAN_HEAP_LIMITS`), so the
 * numbers are those of the code and configuration that ship. Prints a JSON summary and writes
 * bench-results/scan.json.
 * Usage: npx tsx scripts/bench/scan.ts [--models 5000] [--edits 20] [--workers N] [--live] [--no-limits]
 *   [--cpu-prof DIR] (V8 CPU profiles of the measuring process and its parse workers, for Chrome's
 *   profiler or `scripts/bench/profileSummary.ts`) [--keep DIR] (generate into DIR and keep it)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { SCAN_HEAP_LIMITS, v8FlagsOf } from '../../extension/scanner/scanResources';
import { buildProjectSpec } from '../gen/generate';
import { modelPath } from '../gen/render';
import { writeProject } from '../generateProject';
import type { ScanBenchPlan } from './scanChild';

const { values } = parseArgs({ options: { models: { type: 'string', default: '5000' }, edits: { type: 'string', default: '20' }, workers: { type: 'string' }, live: { type: 'boolean', default: false }, 'no-limits': { type: 'boolean', default: false }, 'cpu-prof': { type: 'string' }, keep: { type: 'string' } } });
const MODELS = Number(values.models);
const EDITS = Number(values.edits);
const REPO = path.resolve(__dirname, '../..');

async function main(): Promise<void> {
  const work = values.keep !== undefined ? path.resolve(values.keep) : path.join(os.tmpdir(), `mallard-bench-scan-${process.pid}`);
  for (const f of ['catalog.db', 'catalog.db-wal', 'catalog.db-shm']) rmSync(path.join(work, f), { force: true });
  const root = path.join(work, 'project');
  mkdirSync(work, { recursive: true });
  const spec = buildProjectSpec({ models: MODELS, seed: 7, name: 'bench' });
  const genStart = performance.now();
  const files = writeProject(spec, root);
  const genMs = performance.now() - genStart;
  const starOf = new Map<string, string>();
  for (const m of spec.models) if ((m.style === 'star' || m.style === 'starPlus') && m.refs[0]?.startsWith('stg_')) starOf.set(m.refs[0], m.name);
  const edits = spec.models
    .filter((m) => m.style === 'stage' && starOf.has(m.name))
    .slice(0, EDITS)
    .map((m) => ({ path: modelPath(m), star: starOf.get(m.name) ?? '' }));
  const plan: ScanBenchPlan = { root, db: path.join(work, 'catalog.db'), live: values.live === true, edits, ...(values.workers !== undefined ? { workers: Number(values.workers) } : {}) };
  const planFile = path.join(work, 'plan.json');
  writeFileSync(planFile, JSON.stringify(plan));

  // The product bundles (the parse worker the child's pool loads) and the child itself.
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('esbuild.mjs failed');
  const child = path.join(REPO, 'dist/bench/scanChild.js');
  await esbuild.build({ entryPoints: [path.join(__dirname, 'scanChild.ts')], bundle: true, platform: 'node', target: 'node22', format: 'cjs', external: ['better-sqlite3'], outfile: child, logLevel: 'warning' });
  const profile = values['cpu-prof'] !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values['cpu-prof'])}`] : [];
  const flags = [...(values['no-limits'] ? [] : v8FlagsOf(SCAN_HEAP_LIMITS)), ...profile];
  const run = spawnSync(process.execPath, [...flags, child, '--plan', planFile], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (values.keep === undefined) rmSync(work, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`the measuring process failed (exit ${run.status ?? run.signal})`);
  const measured = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  const result = { bench: 'scan', project: { models: MODELS, files, generateMs: Math.round(genMs) }, heapLimits: values['no-limits'] ? 'V8 defaults' : SCAN_HEAP_LIMITS, ...measured };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/scan.json', JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
