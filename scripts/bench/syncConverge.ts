/**
 * The randomized sync convergence run over many seeds (issue 13), printed: per seed the ops made,
 * applied and rejected, the faults injected, the time and the invariant results. The same run with
 * fixed seeds is part of `npm test` (test/integration/sync/converge.test.ts). A failing seed is
 * printed with its violations and can be replayed with `--seed`.
 *
 *   npm run bench:sync -- --seeds 20 [--from 1000] [--steps 120] [--fault-rate 0.15]
 *   npm run bench:sync -- --seed 1234
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stopServer } from '../../test/support/pgHarness';
import type { ConvergeReport } from '../../test/support/syncConverge/convergeRun';
import { describeReport, runConvergence } from '../../test/support/syncConverge/convergeRun';
import { startSyncWorld } from '../../test/support/syncWorld';

function arg(name: string): number | undefined {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

async function main(): Promise<void> {
  const one = arg('seed');
  const count = arg('seeds') ?? 5;
  const from = arg('from') ?? Date.now() % 1_000_000;
  const steps = arg('steps') ?? 120;
  const faultRate = arg('fault-rate') ?? 0.15;
  const seeds = one !== undefined ? [one] : Array.from({ length: count }, (_, i) => from + i);
  const world = await startSyncWorld();
  const failed: number[] = [];
  const reports: ConvergeReport[] = [];
  let total = 0;
  try {
    for (const seed of seeds) {
      const report = await runConvergence(world, { seed, steps, faultRate });
      total += report.ms;
      reports.push(report);
      process.stdout.write(`${describeReport(report)}\n`);
      if (report.violations.length > 0) {
        failed.push(seed);
        for (const v of report.violations.slice(0, 20)) process.stdout.write(`  ✗ ${v}\n`);
        process.stdout.write(`  replay: npm run bench:sync -- --seed ${seed} --steps ${steps} --fault-rate ${faultRate}\n`);
      }
    }
  } finally {
    await world.stop();
    await stopServer();
  }
  process.stdout.write(`${seeds.length} seeds, ${seeds.length - failed.length} passed, ${failed.length} failed${failed.length > 0 ? ` (seeds ${failed.join(', ')})` : ''}; ${(total / 1000).toFixed(1)} s in runs\n`);
  await mkdir('bench-results', { recursive: true });
  await writeFile(path.join('bench-results', 'syncConverge.json'), JSON.stringify({ steps, faultRate, seeds: seeds.length, failed, reports }, null, 2));
  process.exitCode = failed.length > 0 ? 1 : 0;
}

void main();
