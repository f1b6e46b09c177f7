import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadDbtProject, renderDbtNode, type DbtNodeResult } from '../../../core/dbt/api';
import { dirFileSource, overlayFileSource } from '../../unit/dbt/helpers';
import { corporaDir } from '../corpora';

/** Edge precision/recall of rendered dependencies against a corpus truth file. */
export interface Accuracy {
  precision: number;
  recall: number;
  tp: number;
  fp: number;
  fn: number;
  models: number;
  missingModels: string[];
  errors: string[];
  /** Human-readable differences, for the test output. */
  diffs: string[];
}

function upstreamName(target: string): string {
  // model.<project>.<name>[.vN] | seed.p.n | snapshot.p.n | source.<project>.<src>.<table>
  const parts = target.split('.');
  if (parts[0] === 'source') return `source:${parts.slice(2).join('.')}`;
  if (parts[0] === 'model' && parts.length === 4) return `${parts[2]}.${parts[3]}`;
  return parts.slice(2).join('.');
}

/** Renders every model of the dbt projects of a corpus and compares edges to its truth. */
export function measure(corpus: string, projectRoots: { root: string; key: string }[], overlays: Record<string, string> = {}): Accuracy {
  const dir = path.join(corporaDir(), corpus);
  const truth = JSON.parse(readFileSync(path.join(corporaDir(), `${corpus}.truth.json`), 'utf8')) as Record<string, string[]>;
  const fs = overlayFileSource(dirFileSource(dir), overlays);
  const got = new Map<string, Set<string>>();
  const errors: string[] = [];
  for (const { root, key } of projectRoots) {
    const ctx = loadDbtProject(fs, root);
    for (const f of ctx.nodeFiles) {
      if (f.kind === 'analysis' || f.project !== ctx.projectName) continue;
      const text = fs.read(f.path) ?? '';
      const r: DbtNodeResult = renderDbtNode(ctx, f.path, text);
      const name = r.entity.version !== undefined ? `${r.entity.name}.v${r.entity.version}` : r.entity.name;
      const k = key ? `${key}/${name}` : name;
      got.set(k, new Set(r.dependencies.filter((d) => d.target).map((d) => upstreamName(d.target as string))));
      for (const d of r.diagnostics) if (d.severity === 'error') errors.push(`${d.file}:${d.line}:${d.column} ${d.message}`);
    }
  }
  let tp = 0, fp = 0, fn = 0;
  const missingModels: string[] = [];
  const diffs: string[] = [];
  for (const [model, ups] of Object.entries(truth)) {
    const mine = got.get(model);
    if (!mine) missingModels.push(model);
    const want = new Set(ups);
    for (const u of want) if (mine?.has(u)) tp++; else (fn++, diffs.push(`missing ${model} <- ${u}`));
    for (const u of mine ?? []) if (!want.has(u)) (fp++, diffs.push(`extra ${model} <- ${u}`));
  }
  for (const [model, ups] of got) if (!(model in truth)) (fp += ups.size, diffs.push(`unexpected model ${model}`));
  return { precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn), tp, fp, fn, models: got.size, missingModels, errors, diffs };
}
