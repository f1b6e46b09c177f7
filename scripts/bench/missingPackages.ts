/**
 * Benchmark: a generated 500-model dbt project whose models call macros of packages that are not
 * installed (`scripts/gen/missingPackages.ts`). Prints the share of models with an error diagnostic
 * (goal: 0, every model is SQL that dbt compiles), the models with column lineage, the diagnostics
 * by code, and the time. Run with `npx tsx scripts/bench/missingPackages.ts [--models N]`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { extractWorkspace } from '../../core/pipeline/extractWorkspace';
import { missingPackagesProject } from '../gen/missingPackages';

const at = process.argv.indexOf('--models');
const models = at > 0 ? Number(process.argv[at + 1]) : 500;
const files = missingPackagesProject(models);
const started = performance.now();
const { facts } = extractWorkspace({ list: () => Object.keys(files), read: (p) => files[p] }, { workspaceName: 'bench' });
const millis = performance.now() - started;
const nodes = facts.entities.filter((e) => e.kind === 'model');
const errorFiles = new Set(facts.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));
const withLineage = new Set(facts.columnEdges.map((e) => e.to.slice(0, e.to.indexOf('#'))));
const byCode: Record<string, number> = {};
for (const d of facts.diagnostics) byCode[`${d.severity}:${d.code}`] = (byCode[`${d.severity}:${d.code}`] ?? 0) + 1;
const result = {
  models: nodes.length,
  modelsWithError: nodes.filter((m) => errorFiles.has(m.path)).length,
  shareWithError: Number((nodes.filter((m) => errorFiles.has(m.path)).length / Math.max(1, nodes.length)).toFixed(4)),
  modelsWithColumnLineage: nodes.filter((m) => withLineage.has(m.id)).length,
  columnEdges: facts.columnEdges.length,
  diagnostics: byCode,
  extractMillis: Math.round(millis),
};
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/missingPackages.json', JSON.stringify(result, null, 2));
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
