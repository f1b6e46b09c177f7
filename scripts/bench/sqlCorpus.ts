/**
 * SQL corpus benchmark: per-file parse time (p50/p95/max, also the mean), resolve time and parse
 * coverage over the shared corpora. Run with `npx tsx scripts/bench/sqlCorpus.ts`; writes bench-results/sql-corpus.json.
 * dbt models are rendered with core/dbt exactly as the scanner does (placeholder relations); the
 * "crude strip" row instead drops Jinja with regexes, to show why rendering matters.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDbtProject, renderDbtNode } from '../../core/dbt/api';
import type { Dialect, FileSource } from '../../core/pipeline/contracts';
import { parseSql } from '../../core/sql/parseSql';
import { resolveLineage } from '../../core/sql/resolveLineage';
import { ensureSqlEngine } from '../../extension/sqlEngineHost';

const ROOT = path.resolve(__dirname, '../..');
const CORPORA = path.resolve(ROOT, '../shared/corpora');
if (!fs.existsSync(CORPORA)) throw new Error(`Corpora missing at ${CORPORA}`);

interface Input {
  name: string;
  sql: string;
  dialect: Dialect;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.sql')) out.push(p);
  }
  return out;
}

function stripJinja(sql: string): string {
  return sql
    .replace(/\{#[\s\S]*?#\}/g, '')
    .replace(/\{\{\s*ref\(\s*['"]([\w.]+)['"]\s*\)\s*\}\}/g, 'mallard__rel.$1')
    .replace(/\{\{\s*source\(\s*['"](\w+)['"]\s*,\s*['"](\w+)['"]\s*\)\s*\}\}/g, '$1.$2')
    .replace(/\{\{\s*config\([\s\S]*?\)\s*\}\}/g, '')
    .replace(/\{\{\s*[\w.]*star\([\s\S]*?\)\s*\}\}/g, '*')
    .replace(/\{%[\s\S]*?%\}/g, '')
    .replace(/\{\{[\s\S]*?\}\}/g, 'null');
}

/** Reads a folder as a FileSource (workspace-relative, forward slashes). */
function dirFileSource(root: string): FileSource {
  const files = walkAll(root).map((f) => path.relative(root, f).split(path.sep).join('/'));
  return { list: () => files, read: (p) => (fs.existsSync(path.join(root, p)) ? fs.readFileSync(path.join(root, p), 'utf8') : undefined) };
}

function walkAll(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walkAll(p, out);
    else out.push(p);
  }
  return out;
}

/** dbt models rendered by core/dbt (placeholders for refs/sources), as the scanner hands them to parseSql. */
function renderedDbt(corpus: string, roots: string[], adapter = 'postgres', dialect: Dialect = 'postgresql'): Input[] {
  const source = dirFileSource(path.join(CORPORA, corpus));
  const out: Input[] = [];
  for (const root of roots) {
    const ctx = loadDbtProject(source, root, { target: { name: 'dev', type: adapter, schema: 'public' } });
    for (const f of ctx.nodeFiles) {
      if (f.project !== ctx.projectName) continue;
      const r = renderDbtNode(ctx, f.path, source.read(f.path) ?? '');
      if (r.entity.disabled) continue;
      out.push({ name: `${corpus}/${f.path}`, sql: r.rendered.lineageSql, dialect });
    }
  }
  return out;
}

const SQLLINEAGE_DIALECTS: Record<string, Dialect> = { tsql: 'transactsql', sparksql: 'hive', databricks: 'hive', hive: 'hive', bigquery: 'bigquery', snowflake: 'snowflake', mysql: 'mysql', redshift: 'redshift', athena: 'athena' };

function corpora(): Record<string, Input[]> {
  const tpch = fs.readdirSync(path.join(CORPORA, 'tpch')).filter((f) => f.endsWith('.sql')).sort()
    .map((f) => ({ name: `tpch/${f}`, sql: fs.readFileSync(path.join(CORPORA, 'tpch', f), 'utf8'), dialect: 'postgresql' as Dialect }));
  const cases = JSON.parse(fs.readFileSync(path.join(CORPORA, 'sqllineage_cases.json'), 'utf8')) as { id: string; sql: string; dialect: string }[];
  const sqllineage = cases.map((c) => ({ name: c.id, sql: c.sql, dialect: SQLLINEAGE_DIALECTS[c.dialect] ?? 'postgresql' }));
  const dbt = (dir: string): Input[] => walk(path.join(CORPORA, dir)).sort()
    .map((f) => ({ name: path.relative(CORPORA, f), sql: stripJinja(fs.readFileSync(f, 'utf8')), dialect: 'snowflake' as Dialect }));
  const bigqueryUtils = walk(path.join(CORPORA, 'bigquery-utils')).sort().filter((f) => !f.endsWith('anti_pattern_recoginition_tool_tables.sql'))
    .map((f) => ({ name: path.relative(CORPORA, f), sql: fs.readFileSync(f, 'utf8'), dialect: 'bigquery' as Dialect }));
  return {
    tpch,
    sqllineage,
    'bigquery-utils (bigquery)': bigqueryUtils,
    'snowflake-dbt-demo (rendered)': renderedDbt('snowflake-dbt-demo', [''], 'snowflake', 'snowflake'),
    'dbt_shopify (rendered, postgres)': renderedDbt('dbt_shopify', ['']),
    'dbt_shopify (rendered, redshift)': renderedDbt('dbt_shopify', [''], 'redshift', 'redshift'),
    'dbt_hubspot (rendered)': renderedDbt('dbt_hubspot', ['']),
    'dbt-project-evaluator (rendered)': renderedDbt('dbt-project-evaluator', ['', 'integration_tests', 'integration_tests_2', 'integration_tests_sl']),
    'dbt_hubspot (crude strip)': dbt('dbt_hubspot'),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const ms = (ns: bigint): number => Number(ns) / 1e6;

// Cold start: reading and compiling the parser's WebAssembly, then the first parse (instantiation).
const installStart = process.hrtime.bigint();
ensureSqlEngine();
const installMs = ms(process.hrtime.bigint() - installStart);
const coldStart = process.hrtime.bigint();
parseSql('select 1', { dialect: 'postgresql', file: 'cold.sql' });
const coldMs = ms(process.hrtime.bigint() - coldStart);

const results: Record<string, unknown> = { engineInstallMs: installMs, coldFirstParseMs: coldMs };
const rows: string[][] = [['corpus', 'files', 'stmts', 'parsed %', '1st parse p50', 'p95', 'max', 'warm p50', 'p95', 'max', 'mean', 'resolve p50', 'p95', 'IR/SQL bytes', 'slowest (warm)']];
const stats = (xs: number[]): { p50: number; p95: number; max: number } => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] ?? 0 };
};
for (const [corpus, inputs] of Object.entries(corpora())) {
  const firstTimes: number[] = [];
  const warmTimes: number[] = [];
  const resolveTimes: number[] = [];
  let statements = 0;
  let clean = 0;
  let irBytes = 0;
  let sqlBytes = 0;
  let slowest = { name: '', ms: 0 };
  // Pass 1 is the first parse of each file in this process (JIT still warming); pass 2 is warm.
  for (const pass of [1, 2]) {
    for (const input of inputs) {
      const t0 = process.hrtime.bigint();
      const parsed = parseSql(input.sql, { dialect: input.dialect, file: input.name });
      const t1 = process.hrtime.bigint();
      if (pass === 1) {
        firstTimes.push(ms(t1 - t0));
        continue;
      }
      for (const st of parsed.statements) resolveLineage(st, () => undefined);
      const t2 = process.hrtime.bigint();
      warmTimes.push(ms(t1 - t0));
      resolveTimes.push(ms(t2 - t1));
      if (ms(t1 - t0) > slowest.ms) slowest = { name: input.name, ms: ms(t1 - t0) };
      statements += parsed.statements.length;
      clean += parsed.statements.filter((s) => !(s.ir && typeof s.ir === 'object' && 'err' in s.ir)).length;
      irBytes += JSON.stringify(parsed.statements.map((s) => s.ir)).length;
      sqlBytes += input.sql.length;
    }
  }
  const summary = {
    files: inputs.length,
    statements,
    parsedStatementsPct: statements ? (100 * clean) / statements : 0,
    firstParseMs: stats(firstTimes),
    warmParseMs: stats(warmTimes),
    warmMeanMs: warmTimes.reduce((a, b) => a + b, 0) / Math.max(1, warmTimes.length),
    resolveMs: stats(resolveTimes),
    irBytesPerSqlByte: sqlBytes ? irBytes / sqlBytes : 0,
    slowest,
  };
  results[corpus] = summary;
  const f = (n: number): string => n.toFixed(2);
  rows.push([corpus, String(summary.files), String(statements), summary.parsedStatementsPct.toFixed(1), f(summary.firstParseMs.p50), f(summary.firstParseMs.p95), f(summary.firstParseMs.max), f(summary.warmParseMs.p50), f(summary.warmParseMs.p95), f(summary.warmParseMs.max), f(summary.warmMeanMs), f(summary.resolveMs.p50), f(summary.resolveMs.p95), summary.irBytesPerSqlByte.toFixed(2), `${slowest.name.slice(-38)}`]);
}

fs.mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench-results/sql-corpus.json'), `${JSON.stringify(results, null, 2)}\n`);
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
console.log(`engine install (read + compile the WebAssembly): ${installMs.toFixed(1)} ms; first parse (instantiate + first statement): ${coldMs.toFixed(1)} ms; times in ms per file`);
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
