import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDbtProject, renderDbtNode } from '../../../core/dbt/api';
import type { Dialect } from '../../../core/pipeline/contracts';
import { parseSql } from '../../../core/sql/parseSql';
import { dirFileSource } from '../../unit/dbt/helpers';
import { CORPORA, mapDialect, readCorpus, type SqllineageCase } from './corpusHarness';

/**
 * Share of statements that parse (no fallback), per dialect, on the dev corpora: bigquery-utils
 * (BigQuery), the dbt corpora rendered for each adapter they support (as the scanner renders them),
 * sqllineage's cases in their dialects and TPC-H. Issue 11's bar is 97 % in every dialect; the floors
 * per corpus are the figures measured when they were raised (see ARCHITECTURE.md).
 */

interface Input {
  corpus: string;
  dialect: Dialect;
  sql: string;
}

/** dbt adapter → dialect, for the adapters the fivetran packages support. */
const ADAPTERS: Record<string, Dialect> = { postgres: 'postgresql', redshift: 'redshift', snowflake: 'snowflake', bigquery: 'bigquery' };

function renderedModels(corpus: string, roots: string[], adapters: string[]): Input[] {
  const source = dirFileSource(path.join(CORPORA, corpus));
  const out: Input[] = [];
  for (const adapter of adapters) {
    for (const root of roots) {
      const ctx = loadDbtProject(source, root, { target: { name: 'dev', type: adapter, schema: 'public' } });
      for (const f of ctx.nodeFiles) {
        if (f.project !== ctx.projectName) continue;
        const r = renderDbtNode(ctx, f.path, source.read(f.path) ?? '');
        if (!r.entity.disabled) out.push({ corpus, dialect: ADAPTERS[adapter] as Dialect, sql: r.rendered.lineageSql });
      }
    }
  }
  return out;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.sql')) out.push(p);
  }
  return out;
}

/** Statements and parsed statements of a list of inputs, per `corpus:dialect` and per dialect. */
function rates(inputs: Input[]): Map<string, { n: number; ok: number }> {
  const out = new Map<string, { n: number; ok: number }>();
  for (const input of inputs) {
    const parsed = parseSql(input.sql, { dialect: input.dialect, file: 'corpus.sql' });
    for (const key of [`${input.corpus}:${input.dialect}`, `*:${input.dialect}`]) {
      const r = out.get(key) ?? { n: 0, ok: 0 };
      for (const s of parsed.statements) {
        r.n++;
        if (!(s.ir !== null && typeof s.ir === 'object' && 'err' in s.ir)) r.ok++;
      }
      out.set(key, r);
    }
  }
  return out;
}

/** Floors per `corpus:dialect`, at the figures measured (rounded down to 0.1 %). */
const FLOORS: Record<string, number> = {
  'bigquery-utils:bigquery': 0.976,
  'snowflake-dbt-demo:snowflake': 1,
  'dbt_shopify:postgresql': 1,
  'dbt_hubspot:postgresql': 1,
  'dbt_salesforce:postgresql': 1,
  'dbt_github:postgresql': 1,
  'tpch:postgresql': 1,
  // 13 of its 129 models are not SQL: a file holding only `{{ ref('x') }}` lines (DAG fixtures).
  'dbt-project-evaluator:postgresql': 0.899,
  'sqllineage:postgresql': 0.987,
  'sqllineage:hive': 0.988,
  'sqllineage:transactsql': 1,
  'sqllineage:bigquery': 1,
  'sqllineage:snowflake': 1,
  'sqllineage:redshift': 1,
};

describe('sql corpus: statements that parse, per dialect', function () {
  this.timeout(180_000);
  let table: Map<string, { n: number; ok: number }>;

  before(() => {
    const inputs: Input[] = [
      ...renderedModels('snowflake-dbt-demo', [''], ['snowflake']),
      ...['dbt_shopify', 'dbt_hubspot', 'dbt_salesforce', 'dbt_github'].flatMap((c) => renderedModels(c, [''], Object.keys(ADAPTERS))),
      ...renderedModels('dbt-project-evaluator', ['', 'integration_tests', 'integration_tests_2', 'integration_tests_sl'], ['postgres']),
      // Its one file with unfilled `<input_table>` placeholders upstream is not SQL.
      ...walk(path.join(CORPORA, 'bigquery-utils')).filter((f) => !f.endsWith('anti_pattern_recoginition_tool_tables.sql')).map((f) => ({ corpus: 'bigquery-utils', dialect: 'bigquery' as Dialect, sql: fs.readFileSync(f, 'utf8') })),
      ...fs.readdirSync(path.join(CORPORA, 'tpch')).filter((f) => f.endsWith('.sql')).map((f) => ({ corpus: 'tpch', dialect: 'postgresql' as Dialect, sql: readCorpus(`tpch/${f}`) })),
      ...(JSON.parse(readCorpus('sqllineage_cases.json')) as SqllineageCase[]).map((c) => ({ corpus: 'sqllineage', dialect: mapDialect(c.dialect), sql: c.sql })),
    ];
    table = rates(inputs);
    for (const [key, r] of [...table].sort()) console.log(`      ${key.padEnd(40)} ${String(r.ok).padStart(5)}/${String(r.n).padEnd(5)} ${((100 * r.ok) / r.n).toFixed(1)} %`);
  });

  it('parses at least 97 % of the statements in every dialect with 20 or more statements', () => {
    const dialects = [...table].filter(([key, r]) => key.startsWith('*:') && r.n >= 20);
    assert.deepEqual(dialects.map(([k]) => k.slice(2)).sort(), ['bigquery', 'hive', 'postgresql', 'redshift', 'snowflake', 'transactsql']);
    for (const [key, r] of dialects) assert.ok(r.ok / r.n >= 0.97, `${key}: ${r.ok}/${r.n}`);
  });

  it('keeps every corpus at or above its measured floor', () => {
    for (const [key, floor] of Object.entries(FLOORS)) {
      const r = table.get(key);
      assert.ok(r && r.n > 0, `${key} has statements`);
      assert.ok(r.ok / r.n >= floor, `${key}: ${r.ok}/${r.n} below ${floor}`);
    }
    for (const [key, r] of table) if (key.startsWith('dbt_') || key.startsWith('snowflake-dbt-demo')) assert.ok(r.ok / r.n >= 0.98, `${key}: ${r.ok}/${r.n}`);
  });
});
