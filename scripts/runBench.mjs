// `npm run bench`: runs every benchmark script that exists (each a separate tsx process, so one
// crashing or leaking does not affect the others), collects their JSON, prints one table and writes
// bench-results/summary.json. Benchmarks print numbers; nothing here asserts on timings.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const BENCHES = [
  { name: 'scan', script: 'scripts/bench/scan.ts', result: 'bench-results/scan.json' },
  { name: 'manyFiles', script: 'scripts/bench/manyFiles.ts', result: 'bench-results/manyFiles.json' },
  { name: 'store', script: 'scripts/bench/store.ts', result: 'bench-results/store.json' },
  { name: 'sqlCorpus', script: 'scripts/bench/sqlCorpus.ts', result: 'bench-results/sqlCorpus.json' },
  { name: 'rls', script: 'scripts/bench/rls.ts', result: 'bench-results/rls.json' },
  { name: 'sync', script: 'scripts/bench/sync.ts', result: 'bench-results/sync.json' },
  { name: 'missingPackages', script: 'scripts/bench/missingPackages.ts', result: 'bench-results/missingPackages.json' },
  { name: 'plainTargets', script: 'scripts/bench/plainTargets.ts', result: 'bench-results/plainTargets.json' },
  { name: 'syncApply', script: 'scripts/bench/syncApply.ts', result: 'bench-results/syncApply.json' },
  { name: 'syncLatency', script: 'scripts/bench/syncLatency.ts', result: 'bench-results/syncLatency.json' },
  { name: 'connectors', script: 'scripts/bench/connectors.ts', result: 'bench-results/connectors.json' },
  { name: 'orgExtract', script: 'scripts/bench/orgExtract.ts', result: 'bench-results/orgExtract.json' },
  { name: 'quality', script: 'scripts/bench/quality.ts', result: 'bench-results/quality.json' },
];

const tsx = path.resolve('node_modules/.bin/tsx');
const only = process.argv.slice(2);
mkdirSync('bench-results', { recursive: true });

/** Parses the last JSON object a script printed (stdout may hold progress lines before it). */
function lastJson(text) {
  const start = text.lastIndexOf('\n{');
  for (const from of [start + 1, text.indexOf('{')]) {
    if (from < 0) continue;
    try {
      return JSON.parse(text.slice(from));
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

/** Flattens nested numbers into `a.b.c = n` rows for the table. */
function flatten(value, prefix, rows) {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
    rows.push([prefix, String(value)]);
  } else if (Array.isArray(value)) {
    if (value.length <= 8 && value.every((v) => typeof v !== 'object')) rows.push([prefix, value.join(', ')]);
    else rows.push([prefix, `[${value.length} items]`]);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, rows);
  }
}

const summary = { startedAt: new Date().toISOString(), results: {} };
for (const bench of BENCHES) {
  if (only.length > 0 && !only.includes(bench.name)) continue;
  if (!existsSync(bench.script)) {
    summary.results[bench.name] = { status: 'absent' };
    continue;
  }
  process.stderr.write(`bench: running ${bench.script} …\n`);
  const started = Date.now();
  const run = spawnSync(tsx, [bench.script], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  const seconds = (Date.now() - started) / 1000;
  let data = lastJson(run.stdout ?? '');
  if (data === undefined && existsSync(bench.result)) {
    try {
      data = JSON.parse(readFileSync(bench.result, 'utf8'));
    } catch {
      data = undefined;
    }
  }
  summary.results[bench.name] = { status: run.status === 0 ? 'ok' : `failed (exit ${run.status})`, seconds, data };
}
summary.finishedAt = new Date().toISOString();
writeFileSync('bench-results/summary.json', JSON.stringify(summary, null, 2));

const rows = [];
for (const [name, r] of Object.entries(summary.results)) {
  rows.push([`${name}`, r.status + (r.seconds !== undefined ? ` in ${r.seconds.toFixed(1)} s` : '')]);
  if (r.data) {
    const flat = [];
    flatten(r.data, '', flat);
    for (const [k, v] of flat) rows.push([`  ${k}`, v]);
  }
}
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`${'metric'.padEnd(width)}  value`);
console.log(`${'-'.repeat(width)}  -----`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
console.log('\nwritten: bench-results/summary.json');
