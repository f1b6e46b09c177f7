/**
 * Client-apply benchmark of team sync (`npx tsx scripts/bench/syncApply.ts [--rows 100000] [--page 5000]`).
 * An empty SQLite replica pulls N org-catalog entity rows (~1 KB each) page by page through the real
 * engine (`pullAll`, `ReplicaStore` over the SQLite adapter); the pages come as JSON text from a
 * transport that only decodes and validates them (the contract's schemas), so what is measured is
 * the client's share of an initial pull: decode + validate + apply with cursor, one transaction per
 * page. Target for the whole initial pull of 100k rows: ≤ 15 s including the server's pages
 * (the server's share is measured by `scripts/bench/sync.ts`, which can call `applyPulledPages`).
 * Prints a table and writes bench-results/syncApply.json. No assertions.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SYNC_SCHEMA_VERSION } from '../../core/sync/limits';
import type { PullRequest, PullResponse } from '../../core/sync/pullMessages';
import { PullResponse as PullResponseSchema } from '../../core/sync/pullMessages';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import type { SyncTransport } from '../../sync/ports';
import { pullAll } from '../../sync/syncCycle';

const ORG = '11111111-1111-4111-8111-111111111111';
const WRITER = 'eeeeeeee-0000-4000-8000-000000000001';

/** What applying pulled pages cost on the client. */
export interface ApplyResult {
  rows: number;
  pages: number;
  seconds: number;
  /** CPU time of the process meanwhile (the machine is shared: wall time varies with load). */
  cpuSeconds: number;
  rowsPerSecond: number;
  /** Of `seconds`: decoding and validating page JSON. */
  decodeSeconds: number;
  /** Of `seconds`: SQLite transactions (rows, views, cursor). */
  applySeconds: number;
  dbMegabytes: number;
}

/**
 * Applies `pages` (JSON text as the server sends it, in stream order) to a new SQLite replica at
 * `dbFile` through the engine's pull loop, as an initial pull does, and measures it. The server
 * benchmark passes the pages it fetched; pages must chain (`hasMore` true on all but the last).
 */
export async function applyPulledPages(pages: readonly string[], dbFile: string): Promise<ApplyResult> {
  const store = CatalogStore.open(dbFile);
  const sync = store.syncStore();
  let decodeMs = 0;
  let applyMs = 0;
  let next = 0;
  let rows = 0;
  const transport: SyncTransport = {
    push: () => Promise.reject(new Error('no push in this benchmark')),
    pull: async (_request: PullRequest) => {
      const t = performance.now();
      const page = PullResponseSchema.parse(JSON.parse(pages[next++] ?? 'null'));
      decodeMs += performance.now() - t;
      rows += page.rows.length + page.tombstones.length;
      return page;
    },
  };
  const apply = sync.applyPage.bind(sync);
  sync.applyPage = (page: PullResponse, stream: 'main' | 'resync', confirm: boolean): void => {
    const t = performance.now();
    apply(page, stream, confirm);
    applyMs += performance.now() - t;
  };
  sync.bindOrg(ORG);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await pullAll({ orgId: ORG, store: sync, transport, credentials: { url: 'bench://', apiKey: '', accessToken: '' }, pushBatch: 1000, pageSize: 5000, progress: () => undefined });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  store.close();
  const dbMegabytes = statSync(dbFile).size / 1e6;
  return { rows, pages: next, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rowsPerSecond: rows / seconds, decodeSeconds: decodeMs / 1000, applySeconds: applyMs / 1000, dbMegabytes };
}

/** A realistic org-catalog entity row (~1 KB of JSON): a model with its columns. */
function row(n: number): PullResponse['rows'][number] {
  const columns = Array.from({ length: 8 }, (_, c) => ({ name: `column_${c}`, dataType: c % 2 ? 'varchar' : 'bigint', description: `Column ${c} of model ${n}.` }));
  const payload = {
    id: `model.bench.model_${n}`, kind: 'model', name: `model_${n}`, project: 'bench', path: `models/marts/model_${n}.sql`,
    description: `Model ${n}: one row per order line, joined to customers and payments.`, materialized: 'table', columns,
  };
  return { target: { kind: 'catalogEntity', id: payload.id }, teamId: null, fields: { payload }, provenance: { payload: { [WRITER]: 1 } }, vector: { [WRITER]: 1 } };
}

/** Pages of `total` rows, `size` per page, as JSON text. */
export function syntheticPages(total: number, size: number): string[] {
  const out: string[] = [];
  for (let from = 0; from < total; from += size) {
    const count = Math.min(size, total - from);
    const page: PullResponse = {
      schemaVersion: SYNC_SCHEMA_VERSION,
      cursor: { epoch: '1', xid: String(1000 + from + count), seq: '1' },
      rows: Array.from({ length: count }, (_, k) => row(from + k)),
      tombstones: [],
      scopes: { added: from === 0 ? [{ orgId: ORG, teamId: null }] : [], removed: [] },
      records: { conflicts: [], losers: [], rejections: [] },
      horizon: '100000000',
      hasMore: from + count < total,
      checksums: [],
    };
    out.push(JSON.stringify(page));
  }
  return out;
}

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

async function main(): Promise<void> {
  const total = arg('rows', 100_000);
  const size = arg('page', 5_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'mallard-bench-sync-'));
  try {
    const pages = syntheticPages(total, size);
    const bytes = pages.reduce((n, p) => n + p.length, 0);
    const result = await applyPulledPages(pages, path.join(dir, 'replica.db'));
    const round = (v: number): number => Math.round(v * 100) / 100;
    const out = { rows: result.rows, pages: result.pages, megabytes: round(bytes / 1e6), seconds: round(result.seconds), cpuSeconds: round(result.cpuSeconds), rowsPerSecond: Math.round(result.rowsPerSecond), decodeSeconds: round(result.decodeSeconds), applySeconds: round(result.applySeconds), dbMegabytes: round(result.dbMegabytes) };
    process.stderr.write(`client apply of ${out.rows} rows in ${out.pages} pages (${out.megabytes} MB JSON): ${out.seconds} s (cpu ${out.cpuSeconds} s), ${out.rowsPerSecond} rows/s (decode ${out.decodeSeconds} s, apply ${out.applySeconds} s); replica ${out.dbMegabytes} MB\n`);
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/syncApply.json', `${JSON.stringify(out, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
