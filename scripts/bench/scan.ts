/**
 * Scanner benchmark: generates a 5,000-model dbt project, then measures a cold scan, a re-open with
 * nothing changed, ~20 single-model edits applied incrementally (with downstream `SELECT *` columns
 * checked), and peak RSS. Prints a JSON summary and writes bench-results/scan.json.
 * Usage: npx tsx scripts/bench/scan.ts [--models 5000] [--edits 20] [--workers N] [--live]
 * RSS is the whole process's (`process.memoryUsage.rss()`, sampled every 20 ms, and the kernel's
 * maxRSS): worker threads share the process, so their isolates are counted. `--live` also forces a
 * full GC at each phase boundary and records the live heap and RSS after it (`liveAfterGcMb`); that
 * perturbs the peak (garbage is collected earlier than V8 would), so it is off by default.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../extension/scanner/scanner';
import type { ScanPhase } from '../../extension/scanner/scanTypes';
import { buildProjectSpec } from '../gen/generate';
import { modelPath } from '../gen/render';
import { writeProject } from '../generateProject';

const { values } = parseArgs({ options: { models: { type: 'string', default: '5000' }, edits: { type: 'string', default: '20' }, workers: { type: 'string' }, live: { type: 'boolean', default: false } } });
const MODELS = Number(values.models);
const EDITS = Number(values.edits);

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}
const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (bytes: number): number => round(bytes / 1024 / 1024);

/** A full GC (for `--live`): exposes `gc` to a throwaway context, as `--expose-gc` would. */
function collect(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Samples RSS (main thread and worker threads share the process) every 20 ms. */
function rssSampler(live: boolean): { peak: () => number; mark: (label: string) => void; byPhase: Record<string, number>; liveAfterGc: Record<string, { heap: number; rss: number }>; stop: () => void } {
  let peak = 0;
  let label = 'start';
  const byPhase: Record<string, number> = {};
  const liveAfterGc: Record<string, { heap: number; rss: number }> = {};
  const sample = (): void => {
    const rss = process.memoryUsage.rss();
    peak = Math.max(peak, rss);
    byPhase[label] = Math.max(byPhase[label] ?? 0, mb(rss));
  };
  const timer = setInterval(sample, 20);
  const mark = (l: string): void => {
    sample();
    // Top-level phases only: progress callbacks mark sub-phases (`cold:parse`) from inside the scan.
    if (live && !l.includes(':')) {
      collect();
      const m = process.memoryUsage();
      liveAfterGc[l] = { heap: mb(m.heapUsed), rss: mb(m.rss) };
    }
    label = l;
  };
  return { peak: () => Math.max(peak, process.resourceUsage().maxRSS * 1024), mark, byPhase, liveAfterGc, stop: () => clearInterval(timer) };
}

async function main(): Promise<void> {
  const work = path.join(os.tmpdir(), `mallard-bench-scan-${process.pid}`);
  const root = path.join(work, 'project');
  const db = path.join(work, 'catalog.db');
  mkdirSync(work, { recursive: true });
  const spec = buildProjectSpec({ models: MODELS, seed: 7, name: 'bench' });
  const genStart = performance.now();
  const files = writeProject(spec, root);
  const genMs = performance.now() - genStart;
  const rss = rssSampler(values.live === true);
  const workers = values.workers !== undefined ? Number(values.workers) : undefined;
  const options = { root, git: false, ...(workers !== undefined ? { workers } : {}) };

  // Cold scan.
  let store = CatalogStore.open(db);
  let scanner = new WorkspaceScanner(store, options);
  rss.mark('cold');
  const cold = await scanner.scan({ onProgress: (p) => rss.mark(`cold:${p.phase}`) });
  const parse = [...cold.parseMillis].sort((a, b) => a - b);
  const stats = store.stats();
  await scanner.dispose();
  store.close();

  // Re-open with nothing changed.
  rss.mark('reopen');
  const reopenStart = performance.now();
  store = CatalogStore.open(db);
  scanner = new WorkspaceScanner(store, options);
  const reopen = await scanner.scan();
  const reopenMs = performance.now() - reopenStart;

  // Warm the in-memory state the watcher needs (done in the background after a re-open).
  rss.mark('warmup');
  const warmStart = performance.now();
  await scanner.ensureState();
  const warmMs = performance.now() - warmStart;

  // Edits: add a column to staging models that feed a `SELECT *` model, check it propagates.
  rss.mark('edits');
  const starOf = new Map<string, string>();
  for (const m of spec.models) if ((m.style === 'star' || m.style === 'starPlus') && m.refs[0]?.startsWith('stg_')) starOf.set(m.refs[0], m.name);
  const targets = spec.models.filter((m) => m.style === 'stage' && starOf.has(m.name)).slice(0, EDITS);
  const editMs: number[] = [];
  let propagated = 0;
  let replaced = 0;
  for (const [i, m] of targets.entries()) {
    const file = path.join(root, modelPath(m));
    const text = readFileSync(file, 'utf8').replace('\nfrom source', `,\n    source.id as bench_extra_${i}\nfrom source`);
    writeFileSync(file, text);
    const t = performance.now();
    const report = await scanner.update([modelPath(m)]);
    editMs.push(performance.now() - t);
    replaced += report.replacedEntities.length;
    const star = starOf.get(m.name) ?? '';
    if (store.columnsOf(`model.bench.${star}`).some((c) => c.name === `bench_extra_${i}`)) propagated++;
  }
  rss.mark('done');
  await scanner.dispose();
  store.close();
  rss.stop();
  const edits = [...editMs].sort((a, b) => a - b);
  const phases: Partial<Record<ScanPhase, number>> = {};
  for (const [k, v] of Object.entries(cold.phases)) phases[k as ScanPhase] = round(v);
  const result = {
    bench: 'scan',
    machine: { cpus: os.availableParallelism(), node: process.version, load1: round(os.loadavg()[0] ?? 0, 2) },
    project: { models: MODELS, files, generateMs: round(genMs), entities: stats.entities, columns: stats.columns, modelEdges: stats.modelEdges, columnEdges: stats.columnEdges, diagnostics: stats.diagnostics },
    coldScan: { ms: round(cold.millis), targetMs: 30000, parsed: cold.parsed, phases },
    parsePerFile: { p50: round(quantile(parse, 0.5), 2), p95: round(quantile(parse, 0.95), 2), max: round(parse.at(-1) ?? 0, 2) },
    reopen: { ms: round(reopenMs), targetMs: 1500, wrote: reopen.wrote },
    warmup: { ms: round(warmMs) },
    incremental: { edits: edits.length, p50: round(quantile(edits, 0.5)), p95: round(quantile(edits, 0.95)), max: round(edits.at(-1) ?? 0), targetP95Ms: 200, downstreamPropagated: propagated, avgReplacedEntities: round(replaced / Math.max(1, edits.length)) },
    peakRssMb: mb(rss.peak()),
    targetRssMb: 400,
    rssByPhaseMb: rss.byPhase,
    rssMeasure: 'process RSS (main + worker threads), sampled every 20 ms, max with kernel maxRSS',
    ...(values.live ? { liveAfterGcMb: rss.liveAfterGc } : {}),
  };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/scan.json', JSON.stringify(result, null, 2));
  rmSync(work, { recursive: true, force: true });
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
