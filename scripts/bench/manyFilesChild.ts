/**
 * The measured half of the many-files benchmark (see `manyFiles.ts`, which generates the workspace,
 * bundles this file and runs it in a fresh `node` process per configuration): one cold scan with
 * the given worker count, its phases, and the process's peak RSS (worker threads included).
 * Input: `--plan FILE` (JSON written by the parent). Output: one JSON object on stdout.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../extension/scanner/scanner';
import { SCAN_STORE_OPTIONS } from '../../extension/scanner/scanResources';

/** What the parent tells the child. */
export interface ManyFilesBenchPlan {
  root: string;
  db: string;
  /** Parse workers (0: everything on the scan thread). */
  workers: number;
}

const { values } = parseArgs({ options: { plan: { type: 'string' } } });
if (!values.plan) throw new Error('usage: manyFilesChild.js --plan FILE');
const plan = JSON.parse(readFileSync(values.plan, 'utf8')) as ManyFilesBenchPlan;
const round = (n: number): number => Math.round(n);

async function main(): Promise<void> {
  const store = CatalogStore.open(plan.db, SCAN_STORE_OPTIONS);
  const scanner = new WorkspaceScanner(store, { root: plan.root, git: false, workers: plan.workers });
  const started = performance.now();
  const report = await scanner.scan();
  const seconds = (performance.now() - started) / 1000;
  const stats = store.stats();
  const result = {
    workers: plan.workers,
    seconds: Math.round(seconds * 10) / 10,
    phasesMs: Object.fromEntries(Object.entries(report.phases).map(([k, v]) => [k, round(v)])),
    files: report.files,
    parsed: report.parsed,
    entities: stats.entities,
    columnEdges: stats.columnEdges,
    workersStarted: scanner.workersStarted,
    inlineBatches: scanner.inlineBatches,
    peakRssMb: round(process.resourceUsage().maxRSS / 1024),
  };
  await scanner.dispose();
  store.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
