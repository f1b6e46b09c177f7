/**
 * Org extraction benchmark (printed, no assertions): a generated dbt repository of 5,000 models
 * (`scripts/gen/manyFiles.ts`: tiny models in a binary tree of refs, a schema YAML per folder)
 * served by the GitHub stand-in as GitHub serves archives, extracted by the `connectors` and
 * `org-extract` functions in real Deno against embedded Postgres with every migration, in chunked
 * invocations (default chunk sizes: 400 files per parse chunk, 500 rows per write chunk). Prints
 * the total time from "run" to "succeeded", the chunk count, time per phase and the longest chunk
 * (wall time inside the function, an upper bound of its CPU time: it includes database waits),
 * then a second run of the unchanged repository (nothing to write). Writes bench-results/orgExtract.json.
 *
 *   npx tsx scripts/bench/orgExtract.ts [--models 5000] [--files-per-chunk 400] [--rows-per-chunk 500]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConnectorSummary, RunSummary } from '../../core/connectors/orgProtocol';
import { writeManyFiles } from '../gen/manyFiles';
import { startOrgWorld } from '../../test/integration/connectors/orgWorld';
import { startOrgGitHubStandIn } from '../../test/support/orgGitHubStandIn';
import { ids } from '../../test/support/orgFixture';
import { stopServer } from '../../test/support/pgHarness';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const models = arg('models', 5000);
const filesPerChunk = arg('files-per-chunk', 400);
const rowsPerChunk = arg('rows-per-chunk', 500);

function summary(run: RunSummary, ms: number): Record<string, unknown> {
  return {
    status: run.status,
    totalSeconds: Math.round(ms / 100) / 10,
    chunks: run.chunksDone,
    longestChunkMs: run.timings.chunkMsMax,
    longestComputeMs: run.timings.workMsMax,
    chunkMsTotal: run.timings.chunkMsTotal,
    msByPhase: run.timings.byPhase,
    counts: run.counts,
    errors: run.errors.map((e) => `${e.reason}: ${e.message}`),
  };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'mallard-bench-orgx-'));
  const repo = path.join(work, 'repo');
  mkdirSync(repo);
  writeManyFiles(repo, { models, sqlFiles: 0 });
  process.stderr.write(`bench orgExtract: ${models} models generated; starting Postgres, Deno and the GitHub stand-in …\n`);
  const github = await startOrgGitHubStandIn(repo, { token: 'ghp_bench_token_0123456789abcdef' });
  const world = await startOrgWorld({ MALLARD_EXTRACT_FILES_PER_CHUNK: String(filesPerChunk), MALLARD_EXTRACT_ROWS_PER_CHUNK: String(rowsPerChunk) });
  try {
    const saved = await world.call('connectors', 'admin', {
      orgId: ids.orgA, action: 'save', type: 'github', name: 'bench', config: { owner: github.owner, repo: github.repo, apiUrl: github.apiUrl },
      secrets: { token: 'ghp_bench_token_0123456789abcdef' },
    });
    const connector = saved.body.connector as ConnectorSummary;
    const runOnce = async (): Promise<Record<string, unknown>> => {
      const started = performance.now();
      const answer = await world.call('connectors', 'admin', { orgId: ids.orgA, action: 'run', connectorId: connector.id });
      const run = await world.waitForRun(answer.body.runId as string, 1_800_000);
      return summary(run, performance.now() - started);
    };
    process.stderr.write('bench orgExtract: first run …\n');
    const first = await runOnce();
    process.stderr.write('bench orgExtract: second run (unchanged repository) …\n');
    const second = await runOnce();
    const result = { bench: 'orgExtract', repository: { models, filesPerChunk, rowsPerChunk }, firstRun: first, unchangedRun: second };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/orgExtract.json', JSON.stringify(result, null, 2));
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await world.stop();
    await github.stop();
    await stopServer();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
