/**
 * Benchmark of the docs quality scores (`npx tsx scripts/bench/quality.ts [--entities N]`): a
 * catalog of 5,000 models and sources (20 columns each, the store bench's generator) written to a
 * real SQLite file, then `computeQuality` (every entity scored, every project summarized) cold and
 * warm, and one tree row's lookup once computed. Prints the figures and writes
 * bench-results/quality.json. Timings live here, never in tests.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { computeQuality, QualityCache } from '../../extension/ui/qualityIndex';
import { synthesize } from './store';

function main(): void {
  const arg = process.argv.indexOf('--entities');
  const entities = arg > 0 ? Number(process.argv[arg + 1]) : 5000;
  const dir = mkdtempSync(path.join(tmpdir(), 'mallard-bench-quality-'));
  try {
    const store = CatalogStore.open(path.join(dir, 'catalog.db'));
    store.replaceAll(synthesize(entities, 20, 7));
    const runs: number[] = [];
    let scored = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const index = computeQuality(store);
      runs.push(performance.now() - t);
      scored = index.byEntity.size;
    }
    const cache = new QualityCache(store);
    cache.get();
    const ids = [...cache.get().byEntity.keys()];
    const t = performance.now();
    for (const id of ids) cache.score(id);
    const lookupUs = ((performance.now() - t) * 1000) / ids.length;
    const sorted = [...runs].sort((a, b) => a - b);
    const results = {
      entities,
      scored,
      computeColdMs: Math.round(runs[0] ?? 0),
      computeMedianMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
      lookupPerRowUs: Math.round(lookupUs * 100) / 100,
      loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
    };
    console.log(`quality: ${scored} entities scored; compute cold ${results.computeColdMs} ms, median of 5 ${results.computeMedianMs} ms; lookup ${results.lookupPerRowUs} µs per tree row (load ${results.loadAverage.join(' ')})`);
    store.close();
    const out = path.resolve(__dirname, '../../bench-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'quality.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify(results));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
