/**
 * Summarizes V8 CPU profiles (`.cpuprofile`, as written by `scan.ts --cpu-prof DIR`): self time per
 * source module and per function, split by the bench's phases when their marks are given. Bundled
 * code is mapped back to its source module through esbuild's `// path/to/module.ts` headers, so a
 * profile of `dist/bench/scanChild.js` still says `core/dbt/jinja/evaluator.ts` or `node-sql-parser`.
 * Usage: npx tsx scripts/bench/profileSummary.ts DIR|FILE… [--marks bench-results/scan.json] [--top 25]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { marks: { type: 'string' }, top: { type: 'string', default: '25' } } });
const TOP = Number(values.top);

/** Module start lines of an esbuild bundle: `// core/x.ts` header comments at column 0. */
const bundleIndex = new Map<string, { line: number; module: string }[]>();
function moduleOf(url: string, line: number): string {
  if (url === '') return '(native)';
  let file = url;
  try {
    if (url.startsWith('file:')) file = fileURLToPath(url);
  } catch {
    return url;
  }
  if (!file.endsWith('.js') || !existsSync(file)) return url.replace(/^.*node_modules\//, '');
  let index = bundleIndex.get(file);
  if (!index) {
    index = [];
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const m = /^\/\/ ((?:node_modules|core|extension|scripts|sync|webviews)\/\S+)$/.exec(text);
        if (m?.[1]) index?.push({ line: i, module: m[1] });
      });
    bundleIndex.set(file, index);
  }
  let found = path.basename(file);
  for (const entry of index) {
    if (entry.line > line) break;
    found = entry.module;
  }
  return found.replace(/^node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*$/, '$1');
}

function profilesIn(args: readonly string[]): string[] {
  return args.flatMap((a) => (statSync(a).isDirectory() ? readdirSync(a).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(a, f)) : [a]));
}

const marks: [string, number][] = values.marks ? ((JSON.parse(readFileSync(values.marks, 'utf8')) as { phaseMarksUs?: [string, number][] }).phaseMarksUs ?? []) : [];
function phaseAt(us: number): string {
  let phase = 'before';
  for (const [label, at] of marks) {
    if (at > us) break;
    phase = label;
  }
  return phase;
}

const table = (rows: [string, number][], total: number): string =>
  rows
    .slice(0, TOP)
    .map(([k, ms]) => `  ${(ms / 1000).toFixed(2).padStart(8)} s ${((100 * ms) / Math.max(1, total)).toFixed(1).padStart(5)} %  ${k}`)
    .join('\n');

for (const file of profilesIn(positionals)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const perPhase = new Map<string, { total: number; modules: Map<string, number>; functions: Map<string, number> }>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const phase = phaseAt(t);
    let p = perPhase.get(phase);
    if (!p) perPhase.set(phase, (p = { total: 0, modules: new Map(), functions: new Map() }));
    const { functionName, url, lineNumber } = node.callFrame;
    const mod = moduleOf(url, lineNumber);
    p.total += dt;
    if (functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)') {
      p.modules.set(functionName, (p.modules.get(functionName) ?? 0) + dt);
      return;
    }
    p.modules.set(mod, (p.modules.get(mod) ?? 0) + dt);
    const fn = `${functionName || '(anonymous)'} ${mod}:${lineNumber + 1}`;
    p.functions.set(fn, (p.functions.get(fn) ?? 0) + dt);
  });
  console.log(`\n=== ${path.basename(file)}`);
  for (const [phase, p] of perPhase) {
    const busy = p.total - (p.modules.get('(idle)') ?? 0);
    console.log(`\n--- phase ${phase}: ${(p.total / 1000).toFixed(2)} s sampled, ${(busy / 1000).toFixed(2)} s busy`);
    console.log(table([...p.modules].sort((a, b) => b[1] - a[1]), p.total));
    console.log('  functions (self):');
    console.log(table([...p.functions].sort((a, b) => b[1] - a[1]), p.total));
  }
}
