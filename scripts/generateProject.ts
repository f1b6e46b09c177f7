/**
 * Generates a deterministic synthetic dbt project.
 * Usage: npx tsx scripts/generateProject.ts --models 5000 --out DIR [--seed N] [--name NAME]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildProjectSpec } from './gen/generate';
import { columnsByModel, renderProjectFiles } from './gen/render';
import type { ProjectSpec } from './gen/spec';

/** Writes rendered files under `out` (replacing the folder). Returns the number of files written. */
export function writeProject(project: ProjectSpec, out: string): number {
  rmSync(out, { recursive: true, force: true });
  const files = renderProjectFiles(project);
  for (const [rel, text] of files) {
    const file = path.join(out, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return files.size;
}

function main(): void {
  const { values } = parseArgs({ options: { models: { type: 'string', default: '5000' }, out: { type: 'string' }, seed: { type: 'string', default: '42' }, name: { type: 'string', default: 'synth' } } });
  if (!values.out) {
    console.error('usage: npx tsx scripts/generateProject.ts --models N --out DIR [--seed N] [--name NAME]');
    process.exit(2);
  }
  const project = buildProjectSpec({ models: Number(values.models), seed: Number(values.seed), name: values.name });
  const count = writeProject(project, values.out);
  const cols = [...columnsByModel(project).values()].reduce((n, c) => n + c.length, 0);
  const styles: Record<string, number> = {};
  for (const m of project.models) styles[m.style] = (styles[m.style] ?? 0) + 1;
  console.log(JSON.stringify({ out: values.out, files: count, models: project.models.length, sources: project.sources.length, columns: cols, styles }));
}

if (require.main === module) main();
