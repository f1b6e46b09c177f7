/**
 * Many-files benchmark: a workspace of 100,000 small files (90,000 dbt models, 10,000 plain SQL;
 * `scripts/gen/manyFiles.ts`, the integration test's workspace) scanned cold by the bundled code
 * in a fresh process, once with the parse workers (default count, and two) and once on the scan
 * thread alone (`--workers 0`). Prints a JSON summary and writes bench-results/manyFiles.json.
 * Usage: npx tsx scripts/bench/manyFiles.ts [--files 100000]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { defaultWorkerCount } from '../../extension/scanner/poolSetup';
import { writeManyFiles } from '../gen/manyFiles';
import type { ManyFilesBenchPlan } from './manyFilesChild';

const { values } = parseArgs({ options: { files: { type: 'string', default: '100000' } } });
const TOTAL = Number(values.files);
const REPO = path.resolve(__dirname, '../..');

async function main(): Promise<void> {
  const work = path.join(os.tmpdir(), `mallard-bench-many-${process.pid}`);
  const root = path.join(work, 'workspace');
  mkdirSync(root, { recursive: true });
  const models = Math.round(TOTAL * 0.9);
  const genStart = performance.now();
  const layout = writeManyFiles(root, { models, sqlFiles: TOTAL - models });
  const generateSeconds = Math.round((performance.now() - genStart) / 100) / 10;

  const build = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('esbuild.mjs failed');
  const child = path.join(REPO, 'dist/bench/manyFilesChild.js');
  await esbuild.build({ entryPoints: [path.join(__dirname, 'manyFilesChild.ts')], bundle: true, platform: 'node', target: 'node22', format: 'cjs', external: ['better-sqlite3'], outfile: child, logLevel: 'warning' });

  const runs: Record<string, unknown> = {};
  for (const workers of [...new Set([defaultWorkerCount(), 2, 0])]) {
    const plan: ManyFilesBenchPlan = { root, db: path.join(work, `catalog-${workers}.db`), workers };
    const planFile = path.join(work, `plan-${workers}.json`);
    writeFileSync(planFile, JSON.stringify(plan));
    process.stderr.write(`bench manyFiles: scanning ${TOTAL} files with ${workers} parse workers …\n`);
    const run = spawnSync(process.execPath, [child, '--plan', planFile], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 });
    runs[`workers${workers}`] = run.status === 0 ? (JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as unknown) : { failed: `exit ${run.status ?? run.signal}` };
  }
  rmSync(work, { recursive: true, force: true });
  const result = { bench: 'manyFiles', workspace: { files: layout.files, parsed: layout.parsed, models, sqlFiles: TOTAL - models, generateSeconds }, runs };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/manyFiles.json', JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
