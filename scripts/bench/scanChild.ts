/**
 * The measured half of the scanner benchmark (see `scan.ts`, which generates the project, bundles
 * this file with esbuild and runs it in a fresh `node` process): a cold scan, a re-open with nothing
 * changed, the warm-up, ~20 single-model edits applied incrementally (downstream `SELECT *` columns
 * checked), and peak RSS over those; then three description edits in a schema YAML file (every
 * model is rendered again) with their own time and peak RSS. It runs the bundled code the extension ships (no tsx in the process, parse
 * workers load `dist/extension/parseWorker.js`) under the same V8 heap limits the extension gives its
 * scan worker (`SCAN_HEAP_LIMITS`, passed by the parent as V8 flags), so RSS is the product's.
 * Input: `--plan FILE` (JSON written by the parent). Output: one JSON object on stdout.
 * RSS is the whole process's (`process.memoryUsage.rss()`, sampled every 20 ms, and the kernel's
 * maxRSS): worker threads share the process, so their isolates are counted. `--live` also forces a
 * full GC at each phase boundary and records the live heap and RSS after it (`liveAfterGcMb`); that
 * perturbs the peak (garbage is collected earlier than V8 would), so it is off by default.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../extension/scanner/scanner';
import { SCAN_STORE_OPTIONS } from '../../extension/scanner/scanResources';
import type { ScanPhase } from '../../extension/scanner/scanTypes';

/** What the parent tells the child: the generated project and the edits to apply. */
export interface ScanBenchPlan {
  root: string;
  db: string;
  workers?: number;
  live: boolean;
  /** Staging models to edit (workspace-relative path) and the `SELECT *` model that must follow. */
  edits: { path: string; star: string }[];
}

const { values } = parseArgs({ options: { plan: { type: 'string' } } });
if (!values.plan) throw new Error('usage: scanChild.js --plan FILE');
const plan = JSON.parse(readFileSync(values.plan, 'utf8')) as ScanBenchPlan;


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
function rssSampler(live: boolean): { peak: () => number; mark: (label: string) => void; byPhase: Record<string, number>; heapByPhase: Record<string, number>; liveAfterGc: Record<string, { heap: number; rss: number }>; marks: [string, number][]; cpuByPhase: Record<string, number>; stop: () => void } {
  let peak = 0;
  // CPU seconds (user + system, every thread of the process) per phase: unlike wall time, it does
  // not depend on what else the machine runs.
  const cpuByPhase: Record<string, number> = {};
  let cpuAt = process.cpuUsage();
  // Phase changes on the monotonic clock V8's CPU profiles use (microseconds), to split a profile by phase.
  const marks: [string, number][] = [];
  let label = 'start';
  const byPhase: Record<string, number> = {};
  const heapByPhase: Record<string, number> = {};
  const liveAfterGc: Record<string, { heap: number; rss: number }> = {};
  const sample = (): void => {
    const rss = process.memoryUsage.rss();
    peak = Math.max(peak, rss);
    byPhase[label] = Math.max(byPhase[label] ?? 0, mb(rss));
    heapByPhase[label] = Math.max(heapByPhase[label] ?? 0, mb(process.memoryUsage().heapTotal));
  };
  const timer = setInterval(sample, 20);
  const mark = (l: string): void => {
    sample();
    if (l !== label) {
      marks.push([l, Number(process.hrtime.bigint() / 1000n)]);
      const used = process.cpuUsage(cpuAt);
      cpuByPhase[label] = round((cpuByPhase[label] ?? 0) + (used.user + used.system) / 1e6, 2);
      cpuAt = process.cpuUsage();
    }
    // Top-level phases only: progress callbacks mark sub-phases (`cold:parse`) from inside the scan.
    if (live && !l.includes(':')) {
      collect();
      const m = process.memoryUsage();
      liveAfterGc[l] = { heap: mb(m.heapUsed), rss: mb(m.rss) };
    }
    label = l;
  };
  return { peak: () => Math.max(peak, process.resourceUsage().maxRSS * 1024), mark, byPhase, heapByPhase, liveAfterGc, marks, cpuByPhase, stop: () => clearInterval(timer) };
}

async function main(): Promise<void> {
  const { root, db } = plan;
  const rss = rssSampler(plan.live);
  const options = { root, git: false, ...(plan.workers !== undefined ? { workers: plan.workers } : {}) };

  // Cold scan.
  let store = CatalogStore.open(db, SCAN_STORE_OPTIONS);
  let scanner = new WorkspaceScanner(store, options);
  rss.mark('cold');
  // As in the extension's scan worker, the first scan stores the model level early.
  const cold = await scanner.scan({ onProgress: (p) => rss.mark(`cold:${p.phase}`), onModelLevelStored: () => rss.mark('cold:staged') });
  const parse = [...cold.parseMillis].sort((a, b) => a - b);
  const stats = store.stats();
  await scanner.dispose();
  store.close();

  // Re-open with nothing changed.
  rss.mark('reopen');
  const reopenStart = performance.now();
  store = CatalogStore.open(db, SCAN_STORE_OPTIONS);
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
  const editMs: number[] = [];
  const editPhases: Record<string, number>[] = [];
  let propagated = 0;
  let replaced = 0;
  for (const [i, edit] of plan.edits.entries()) {
    const file = path.join(root, edit.path);
    const text = readFileSync(file, 'utf8').replace('\nfrom source', `,\n    source.id as bench_extra_${i}\nfrom source`);
    writeFileSync(file, text);
    const t = performance.now();
    const report = await scanner.update([edit.path]);
    editMs.push(performance.now() - t);
    editPhases.push(report.phases ?? {});
    replaced += report.replacedEntities.length;
    if (store.columnsOf(`model.bench.${edit.star}`).some((c) => c.name === `bench_extra_${i}`)) propagated++;
  }
  // Description edits in a schema YAML file: they change the dbt context of every model (all are
  // rendered again), while their SQL, and so their parse, stays the same.
  // The scenarios end here: their peak is `peakRssMb`; the YAML edits report their own.
  const scenariosPeak = rss.peak();
  rss.mark('yamlEdits');
  const yamlFile = readdirSync(path.join(root, 'models'), { recursive: true }).map(String).find((f) => f.endsWith('__models.yml'));
  const yamlMs: number[] = [];
  const yamlPhases: Record<string, number>[] = [];
  let reusedParses = 0;
  let yamlParsed = 0;
  for (let i = 0; yamlFile && i < 3; i++) {
    const rel = `models/${yamlFile.split(path.sep).join('/')}`;
    const file = path.join(root, rel);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/description: [^\n]*/, `description: "Edited in the bench (${i})."`));
    const t = performance.now();
    const report = await scanner.update([rel]);
    yamlMs.push(performance.now() - t);
    yamlPhases.push(report.phases ?? {});
    reusedParses += report.reusedParses ?? 0;
    yamlParsed += report.parsed;
  }
  rss.mark('done');
  await scanner.dispose();
  store.close();
  rss.stop();
  const edits = [...editMs].sort((a, b) => a - b);
  // Where an edit's time goes: the median per phase, and the phases of the slowest edit.
  const phaseNames = [...new Set(editPhases.flatMap((p) => Object.keys(p)))];
  const editPhaseP50 = Object.fromEntries(phaseNames.map((n) => [n, round(quantile(editPhases.map((p) => p[n] ?? 0).sort((a, b) => a - b), 0.5))]));
  const slowest = editMs.indexOf(Math.max(...editMs));
  const slowestPhases = Object.fromEntries(Object.entries(editPhases[slowest] ?? {}).map(([n, v]) => [n, round(v)]));
  const phases: Partial<Record<ScanPhase, number>> = {};
  for (const [k, v] of Object.entries(cold.phases)) phases[k as ScanPhase] = round(v);
  const result = {
    machine: { cpus: os.availableParallelism(), node: process.version, load1: round(os.loadavg()[0] ?? 0, 2), v8Flags: process.execArgv },
    catalog: { entities: stats.entities, columns: stats.columns, modelEdges: stats.modelEdges, columnEdges: stats.columnEdges, diagnostics: stats.diagnostics },
    coldScan: { ms: round(cold.millis), targetMs: 12000, parsed: cold.parsed, phases, ...(cold.stage ? { stage: cold.stage } : {}) },
    parsePerFile: { p50: round(quantile(parse, 0.5), 2), p95: round(quantile(parse, 0.95), 2), max: round(parse.at(-1) ?? 0, 2) },
    reopen: { ms: round(reopenMs), targetMs: 1500, wrote: reopen.wrote },
    warmup: { ms: round(warmMs) },
    incremental: { edits: edits.length, p50: round(quantile(edits, 0.5)), p95: round(quantile(edits, 0.95)), max: round(edits.at(-1) ?? 0), targetP95Ms: 200, downstreamPropagated: propagated, avgReplacedEntities: round(replaced / Math.max(1, edits.length)), phasesP50: editPhaseP50, slowestPhases },
    yamlDescriptionEdit: { edits: yamlMs.length, medianMs: round(quantile([...yamlMs].sort((a, b) => a - b), 0.5)), maxMs: round(Math.max(...yamlMs)), avgParsed: round(yamlParsed / Math.max(1, yamlMs.length)), avgReusedParses: round(reusedParses / Math.max(1, yamlMs.length)), phasesP50: Object.fromEntries([...new Set(yamlPhases.flatMap((p) => Object.keys(p)))].map((n) => [n, round(quantile(yamlPhases.map((p) => p[n] ?? 0).sort((a, b) => a - b), 0.5))])), peakRssMbInclYamlEdits: mb(rss.peak()) },
    peakRssMb: mb(scenariosPeak),
    peakRssCovers: 'cold scan, re-open, warm-up, model edits',
    targetRssMb: 400,
    cpuSecondsByPhase: rss.cpuByPhase,
    rssByPhaseMb: rss.byPhase,
    mainHeapCommittedByPhaseMb: rss.heapByPhase,
    rssMeasure: 'process RSS (main + worker threads), sampled every 20 ms, max with kernel maxRSS',
    ...(plan.live ? { liveAfterGcMb: rss.liveAfterGc } : {}),
    ...(process.execArgv.includes('--cpu-prof') ? { phaseMarksUs: rss.marks } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
