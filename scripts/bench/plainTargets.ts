/**
 * Benchmark: plain SQL targets and name resolution. On the generated bigquery-etl repository
 * (`scripts/gen/bigqueryEtl.ts`, 40 and 400 tables) it prints table-edge precision and recall
 * against the generator's truth; on `../shared/corpora/bigquery-utils` (plain BigQuery SQL, no
 * truth) the files that end with a bare query, the files with a target (written or named by a rule),
 * and the edges. `fixture400WrittenTargets` is the same repository with every target written as
 * `CREATE … AS` (name resolution alone). Before target rules and exact names (commit a8f9ae8):
 * fixture40 precision 1.00 / recall 0.03 (3 of 87 edges: no bare query had a target, views over a
 * same-named table resolved to themselves), fixture400 recall 0.006, fixture400WrittenTargets
 * precision 0.71 / recall 0.71 (bare-name fallback ignoring written datasets); bigquery-utils 26 of
 * 57 files with a target, 29 table edges.
 * Run with `npx tsx scripts/bench/plainTargets.ts`; writes bench-results/plainTargets.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FileSource } from '../../core/pipeline/contracts';
import { extractWorkspace, runFileSteps } from '../../core/pipeline/extractWorkspace';
import { assignTargets, bareQueryIndex } from '../../core/pipeline/plainTargets';
import { DEFAULT_TARGET_RULES } from '../../core/pipeline/targetRules';
import { planWorkspace } from '../../core/pipeline/workspacePlan';
import { dirFileSource } from '../../test/unit/dbt/helpers';
import { generateEtlRepo, scoreTableEdges, withWrittenTargets, type EtlRepo } from '../gen/bigqueryEtl';

const ROOT = path.resolve(__dirname, '../..');
const CORPUS = path.resolve(ROOT, '../shared/corpora/bigquery-utils');

/** Counts per diagnostic code. */
function codes(list: readonly { severity: string; code: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of list) out[`${d.severity}:${d.code}`] = (out[`${d.severity}:${d.code}`] ?? 0) + 1;
  return out;
}

/** Files of a workspace that end with a bare query, and those with a target (written or by rule). */
function targetCounts(fs: FileSource): { sqlFiles: number; bareQueryFiles: number; filesWithTarget: number; ruleTargets: number } {
  const plan = planWorkspace(fs, { workspaceName: 'bench', dialect: 'bigquery' });
  const results = runFileSteps(fs, plan);
  const files = plan.sql.flatMap((f) => {
    const r = results.get(f.path);
    return r ? [{ path: f.path, parsed: r.parsed, ...(r.kind === 'sql' && r.names ? { names: r.names } : {}) }] : [];
  });
  const { byPath } = assignTargets(files, plan.config.targets ?? DEFAULT_TARGET_RULES);
  const ruled = files.filter((f) => byPath.get(f.path)?.target !== undefined);
  const written = files.filter((f) => f.parsed.statements.some((s) => s.target));
  return {
    sqlFiles: files.length,
    bareQueryFiles: files.filter((f) => bareQueryIndex(f.parsed) !== undefined).length,
    filesWithTarget: new Set([...ruled, ...written].map((f) => f.path)).size,
    ruleTargets: ruled.length,
  };
}

function fixture(repo: EtlRepo): Record<string, unknown> {
  const fs: FileSource = { list: () => Object.keys(repo.files).sort(), read: (p) => repo.files[p] };
  const started = performance.now();
  const { facts } = extractWorkspace(fs, { workspaceName: 'etl', dialect: 'bigquery' });
  const millis = performance.now() - started;
  const score = scoreTableEdges(facts, repo.edges);
  return { files: Object.keys(repo.files).length, ...targetCounts(fs), ...score, diagnostics: codes(facts.diagnostics), extractMillis: Math.round(millis) };
}

const result: Record<string, unknown> = {
  fixture40: fixture(generateEtlRepo({ tables: 40 })),
  fixture400: fixture(generateEtlRepo({ tables: 400 })),
  fixture400WrittenTargets: fixture(withWrittenTargets(generateEtlRepo({ tables: 400 }))),
};
const corpus = dirFileSource(CORPUS);
const { facts } = extractWorkspace(corpus, { workspaceName: 'bigquery-utils', dialect: 'bigquery' });
result.bigqueryUtils = {
  ...targetCounts(corpus),
  entities: facts.entities.length,
  tableEdges: facts.modelEdges.length,
  columnEdges: facts.columnEdges.length,
  diagnostics: codes(facts.diagnostics),
};
mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench-results/plainTargets.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
