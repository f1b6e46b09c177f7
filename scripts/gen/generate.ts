import { outputColumns, type ColumnPick, type ModelSpec, type ModelStyle, type ProjectSpec, type SourceSpec } from './spec';

/**
 * Builds the specs of a deterministic synthetic dbt project: sources → staging (1:1 renames/casts)
 * → intermediate (joins, aggregates, CTEs, windows, `SELECT *`, a macro-generated ref loop) → marts.
 * Refs always point at earlier models, so the project is a DAG.
 */

/** Options of `buildProjectSpec`. */
export interface GenerateOptions {
  /** Number of model files (staging + intermediate + marts). */
  models: number;
  /** PRNG seed; the same seed gives the same project. */
  seed?: number;
  /** dbt project name. */
  name?: string;
}

/** Small, fast, seedable PRNG (mulberry32). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
function pick<T>(r: Rand, items: readonly T[]): T {
  const item = items[Math.floor(r() * items.length)];
  if (item === undefined) throw new Error('pick from empty list');
  return item;
}

const NOUNS = ['orders', 'customers', 'payments', 'invoices', 'shipments', 'products', 'accounts', 'sessions', 'events', 'tickets', 'refunds', 'stores', 'leads', 'contracts', 'users'];
const ATTRS = ['balance_amount_cents', 'fee_amount_cents', 'login_count', 'account_status', 'city_name', 'deleted_at', 'price_amount_cents', 'tax_amount_cents', 'item_count', 'order_status', 'customer_name', 'country_code', 'shipped_at', 'paid_at', 'discount_amount_cents', 'quantity_qty', 'region_code', 'channel_name', 'is_test_flag', 'currency_code', 'priority_status', 'weight_qty', 'closed_at', 'owner_name', 'score_count', 'plan_code', 'visit_count', 'device_name', 'rating_qty', 'segment_code'];
const SYSTEMS = ['erp', 'crm', 'shop', 'billing', 'support', 'web', 'ads', 'hr'];
const DOMAINS = ['finance', 'sales', 'marketing', 'ops', 'product', 'support'];

/** Number of output columns a model should have (average ≈ 20). */
const width = (r: Rand): number => int(r, 18, 30);

function buildSources(r: Rand, count: number): SourceSpec[] {
  const out: SourceSpec[] = [];
  for (let i = 0; i < count; i++) {
    const source = `${SYSTEMS[Math.floor(i / 25) % SYSTEMS.length]}_${Math.floor(i / 25)}`;
    const table = `${NOUNS[i % NOUNS.length]}_${i}`;
    const attrs = [...ATTRS].sort(() => r() - 0.5).slice(0, width(r) - 3);
    out.push({ source, table, columns: ['id', 'created_at', 'updated_at', ...attrs] });
  }
  return out;
}

function stagingPick(table: string, column: string): ColumnPick {
  if (column === 'id') return { name: `${table}_id`, from: 0, column, expr: 'id' };
  if (column.endsWith('_cents')) return { name: column.slice(0, -'_cents'.length), from: 0, column, expr: 'cents' };
  if (column.endsWith('_at')) return { name: column, from: 0, column, expr: 'cast' };
  if (column.endsWith('_status')) return { name: column, from: 0, column, expr: 'lower' };
  return { name: column, from: 0, column, expr: 'id' };
}

const isNumeric = (c: string): boolean => /(_amount|_count|_qty)$/.test(c);

/** Picks output columns from several upstreams, keeping output names unique. */
function joinPicks(r: Rand, upstream: string[][], total: number): ColumnPick[] {
  const picks: ColumnPick[] = [];
  const used = new Set<string>();
  const add = (from: number, column: string, expr: ColumnPick['expr']): void => {
    let name = column;
    if (used.has(name)) name = `${column}_${from}`;
    if (used.has(name)) return;
    used.add(name);
    picks.push({ name, from, column, expr });
  };
  upstream.forEach((cols, i) => { if (cols[0] !== undefined) add(i, cols[0], 'id'); });
  for (let guard = 0; picks.length < total && guard < total * 4; guard++) {
    const from = Math.floor(r() * upstream.length);
    const cols = upstream[from] ?? [];
    if (cols.length === 0) continue;
    const column = pick(r, cols);
    add(from, column, r() < 0.15 ? 'coalesce' : 'id');
  }
  return picks;
}

function aggregatePicks(r: Rand, cols: string[]): ColumnPick[] {
  const keys = cols.filter((c) => !isNumeric(c)).slice(0, 2);
  const picks: ColumnPick[] = keys.map((c) => ({ name: c, from: 0, column: c, expr: 'id' as const }));
  for (const c of cols.filter(isNumeric).slice(0, int(r, 4, 10))) picks.push({ name: `total_${c}`, from: 0, column: c, expr: 'sum' });
  for (const c of cols.filter((x) => x.endsWith('_at')).slice(0, 2)) picks.push({ name: `last_${c}`, from: 0, column: c, expr: 'max' });
  picks.push({ name: 'row_count', from: 0, column: keys[0] ?? cols[0] ?? 'id', expr: 'count' });
  return picks;
}

function chooseStyle(r: Rand, fanIn: number, layer: 'intermediate' | 'marts'): ModelStyle {
  const x = r();
  if (layer === 'intermediate' && x < 0.04) return 'macroLoop';
  if (x < 0.12) return 'star';
  if (x < 0.2) return 'starPlus';
  if (fanIn > 1 && x < 0.75) return 'join';
  if (x < 0.88) return 'aggregate';
  return fanIn > 1 ? 'join' : 'window';
}

function fanIn(r: Rand): number {
  const x = r();
  return x < 0.3 ? 1 : x < 0.6 ? 2 : x < 0.8 ? 3 : x < 0.92 ? 4 : 5;
}

/** Builds a deterministic project spec. */
export function buildProjectSpec(options: GenerateOptions): ProjectSpec {
  const r = createRandom(options.seed ?? 42);
  const n = Math.max(3, options.models);
  const nStage = Math.max(1, Math.round(n * 0.3));
  const nInt = Math.max(1, Math.round(n * 0.5));
  const nMart = Math.max(1, n - nStage - nInt);
  const sources = buildSources(r, nStage);
  const seeds = [
    { name: 'country_codes', columns: ['country_code', 'country_name'], rows: [['DE', 'Germany'], ['FR', 'France'], ['US', 'United States']] },
    { name: 'currency_rates', columns: ['currency_code', 'rate_to_eur'], rows: [['USD', '0.92'], ['GBP', '1.17']] },
  ];
  const models: ModelSpec[] = [];
  const columns = new Map<string, string[]>();
  const colsOf = (m: string): string[] | undefined => columns.get(m);
  const push = (spec: ModelSpec): void => {
    models.push(spec);
    columns.set(spec.name, outputColumns(spec, colsOf));
  };
  sources.forEach((src, i) => {
    const picks = src.columns.map((c) => stagingPick(src.table, c));
    const spec: ModelSpec = { name: `stg_${src.source}__${src.table}`, layer: 'staging', domain: src.source, style: 'stage', refs: [], source: { source: src.source, table: src.table }, picks, documented: r() < 0.5 };
    if (src.columns.includes('country_code') && i % 7 === 0) {
      spec.seed = 'country_codes';
      spec.picks.push({ name: 'country_name', from: 1, column: 'country_name', expr: 'id' });
    }
    push(spec);
  });
  const staging = models.map((m) => m.name);
  const addLayer = (layer: 'intermediate' | 'marts', count: number, prefix: string): void => {
    for (let i = 0; i < count; i++) {
      const pool = models.map((m) => m.name);
      // Prefer recent models so chains get deep, like real projects.
      const recent = (): string => pool[Math.max(0, pool.length - 1 - Math.floor(r() * r() * pool.length))] ?? pool[0] ?? '';
      // Never ask for more distinct upstreams than exist (tiny projects would loop forever).
      const k = Math.min(fanIn(r), pool.length);
      let style = chooseStyle(r, k, layer);
      const refs = new Set<string>();
      if (style === 'macroLoop') {
        while (refs.size < Math.min(k + 1, staging.length)) refs.add(pick(r, staging));
      } else {
        while (refs.size < (style === 'join' ? k : 1)) refs.add(recent());
      }
      const refList = [...refs];
      const upstream = refList.map((m) => columns.get(m) ?? []);
      if (style === 'join' && refList.length < 2) style = 'window';
      const domain = DOMAINS[i % DOMAINS.length] ?? 'core';
      const name = `${prefix}_${domain}__${NOUNS[i % NOUNS.length]}_${i}`;
      let picks: ColumnPick[] = [];
      const first = upstream[0] ?? [];
      if (style === 'join') picks = joinPicks(r, upstream, width(r));
      else if (style === 'aggregate') picks = aggregatePicks(r, first);
      else if (style === 'window') {
        picks = first.slice(0, width(r)).map((c) => ({ name: c, from: 0, column: c, expr: 'id' as const }));
        picks.push({ name: 'row_number_in_group', from: 0, column: first[0] ?? 'id', expr: 'rownum' });
      } else if (style === 'starPlus') {
        const c = first.find((x) => !isNumeric(x)) ?? first[0] ?? 'id';
        picks = [{ name: `${c}_normalized`, from: 0, column: c, expr: 'lower' }];
      } else if (style === 'macroLoop') {
        picks = [{ name: 'entity_id', from: 0, column: 'id', expr: 'id' }, { name: 'created_at', from: 0, column: 'created_at', expr: 'id' }, { name: 'updated_at', from: 0, column: 'updated_at', expr: 'id' }];
      }
      push({ name, layer, domain, style, refs: refList, picks, documented: r() < (layer === 'marts' ? 0.8 : 0.35) });
    }
  };
  addLayer('intermediate', nInt, 'int');
  addLayer('marts', nMart, 'fct');
  return { name: options.name ?? 'synth', sources, seeds, models };
}
