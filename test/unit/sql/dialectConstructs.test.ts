import * as assert from 'node:assert/strict';
import { parseSql } from '../../../core/sql/parseSql';
import { checkGolden, type GoldenCase } from './goldenHelpers';

/**
 * Golden fixtures, one per construct that real warehouse code uses and node-sql-parser (the parser before) rejected
 * (issue 11): each parses in its dialect without a diagnostic and yields these table and column edges.
 */
const CASES: GoldenCase[] = [
  // BigQuery
  { name: 'multi-line """…""" string', dialect: 'bigquery', sql: 'select """multi\nline "quoted"\n""" as s, a from ds.t', expect: { reads: ['ds.t'], cols: [['s', []], ['a', ['ds.t.a:identity']]] } },
  { name: 'field access on a function result f(x).field', dialect: 'bigquery', sql: "select json_query(payload, '$.a').b as y, f(x).field from ds.t", expect: { reads: ['ds.t'], cols: [['y', ['ds.t.payload:transformation']], ['field', ['ds.t.x:transformation']]] } },
  { name: 'IF(…).* REPLACE over a STRUCT', dialect: 'bigquery', sql: 'select if(a > 0, struct(a as x, b as y), null).* replace (1 as x) from ds.t', expect: { reads: ['ds.t'], cols: [['x', []], ['y', ['ds.t.a:conditional', 'ds.t.b:identity']]] } },
  { name: 'SAFE_CAST(f(x) AS STRING)', dialect: 'bigquery', sql: 'select safe_cast(trim(x) as string) as y from ds.t', expect: { reads: ['ds.t'], cols: [['y', ['ds.t.x:transformation']]] } },
  { name: 'a table alias named `table`', dialect: 'bigquery', sql: 'select table.x from `p.ds.t` as table', expect: { reads: ['p.ds.t'], cols: [['x', ['p.ds.t.x:identity']]] } },
  { name: 'ARRAY_AGG(x ORDER BY y)[OFFSET(0)]', dialect: 'bigquery', sql: 'select k, array_agg(x order by y desc limit 1)[offset(0)] as z from ds.t group by k', expect: { reads: ['ds.t'], cols: [['k', ['ds.t.k:identity']], ['z', ['ds.t.x:aggregation']]], indirect: ['ds.t.k:group'] } },
  { name: 'bitwise & | ^ << >>', dialect: 'bigquery', sql: 'select a & b as c, a | 1 as d, a ^ b as e, a << 2 as f, b >> 1 as g from ds.t', expect: { reads: ['ds.t'], cols: [['c', ['ds.t.a:transformation', 'ds.t.b:transformation']], ['d', ['ds.t.a:transformation']], ['e', ['ds.t.a:transformation', 'ds.t.b:transformation']], ['f', ['ds.t.a:transformation']], ['g', ['ds.t.b:transformation']]] } },
  { name: 'BYTES and BIGNUMERIC casts', dialect: 'bigquery', sql: 'select cast(a as bytes) as b, cast(n as bignumeric) as c, cast(n as bigdecimal) as d from ds.t', expect: { reads: ['ds.t'], cols: [['b', ['ds.t.a:transformation']], ['c', ['ds.t.n:transformation']], ['d', ['ds.t.n:transformation']]] } },
  { name: 'typed empty array ARRAY<STRUCT<…>>[]', dialect: 'bigquery', sql: 'select coalesce(arr, array<struct<x int64, y array<string>>>[]) as d from ds.t', expect: { reads: ['ds.t'], cols: [['d', ['ds.t.arr:transformation']]] } },
  { name: 'a named window OVER w', dialect: 'bigquery', sql: 'select sum(x) over w as s from ds.t window w as (partition by g order by d)', expect: { reads: ['ds.t'], cols: [['s', ['ds.t.d:window', 'ds.t.g:window', 'ds.t.x:aggregation']]] } },
  { name: 'INTERVAL 1 MICROSECOND', dialect: 'bigquery', sql: 'select timestamp_add(ts, interval 1 microsecond) as t2 from ds.t', expect: { reads: ['ds.t'], cols: [['t2', ['ds.t.ts:transformation']]] } },
  { name: 'named arguments =>', dialect: 'bigquery', sql: 'select f(a => x, b => 1) as y from ds.t', expect: { reads: ['ds.t'], cols: [['y', ['ds.t.x:transformation']]] } },
  { name: 'CREATE MATERIALIZED VIEW … OPTIONS(…)', dialect: 'bigquery', sql: 'create materialized view ds.mv options(enable_refresh = true, refresh_interval_minutes = 60) as select a, sum(b) as s from ds.t group by a', expect: { reads: ['ds.t'], target: 'ds.mv', cols: [['a', ['ds.t.a:identity']], ['s', ['ds.t.b:aggregation']]] } },
  { name: '#standardSQL header', dialect: 'bigquery', sql: '#standardSQL\nselect a from ds.t', expect: { reads: ['ds.t'], cols: [['a', ['ds.t.a:identity']]] } },
  { name: 'scripting: DECLARE, then BEGIN … END', dialect: 'bigquery', index: 2, sql: 'declare n int64 default 1;\nbegin\n  create temp table tmp as select a from ds.t;\n  insert into ds.u select a from tmp;\nend;', expect: { reads: ['tmp'], target: 'ds.u', cols: [['a', ['tmp.a:identity']]] } },
  { name: 'scripting: FOR r IN (query) DO … END FOR binds r in the body', dialect: 'bigquery', index: 1, sql: 'for r in (select c from ds.v) do\n  insert into ds.w select r.c as c;\nend for;', expect: { reads: ['ds.v'], target: 'ds.w', cols: [['c', ['ds.v.c:identity']]] } },
  // Snowflake
  { name: 'array literals [] and [a, 1]', dialect: 'snowflake', sql: 'select [1, a] as arr, [] as e from t', expect: { reads: ['t'], cols: [['arr', ['t.a:transformation']], ['e', []]] } },
  { name: '`:` path after a call and a cast', dialect: 'snowflake', sql: 'select parse_json(p):b.c::string as d from t', expect: { reads: ['t'], cols: [['d', ['t.p:transformation']]] } },
  { name: '(a||b)::timestamp', dialect: 'snowflake', sql: 'select (a || b)::timestamp as ts from t', expect: { reads: ['t'], cols: [['ts', ['t.a:transformation', 't.b:transformation']]] } },
  { name: 'QUALIFY inside a CTE', dialect: 'snowflake', sql: 'with c as (select a, b from t qualify row_number() over (partition by a order by b) = 1) select a from c', expect: { reads: ['t'], cols: [['a', ['t.a:identity']]], indirect: ['t.a:filter', 't.b:filter'] } },
  { name: 'ROWS BETWEEN 30 PRECEDING AND 1 PRECEDING inside a call', dialect: 'snowflake', sql: 'select avg(b) over (partition by a order by d rows between 30 preceding and 1 preceding) as m from t', expect: { reads: ['t'], cols: [['m', ['t.a:window', 't.b:aggregation', 't.d:window']]] } },
  { name: 'CONNECT_BY_ROOT', dialect: 'snowflake', sql: 'select connect_by_root name as root, name from emp start with mgr is null connect by prior id = mgr', expect: { reads: ['emp'], cols: [['root', ['emp.name:transformation']], ['name', ['emp.name:identity']]], indirect: ['emp.id:filter', 'emp.mgr:filter'] } },
  { name: '$1 positional columns', dialect: 'snowflake', sql: 'select $1 as a, t.$2 as b from t', schema: { t: ['x', 'y'] }, expect: { reads: ['t'], cols: [['a', ['t.x:identity']], ['b', ['t.y:identity']]] } },
  { name: 'PIVOT', dialect: 'snowflake', sql: "select * from m pivot (sum(amount) for month in ('JAN', 'FEB')) as p", schema: { m: ['empid', 'amount', 'month'] }, expect: { reads: ['m'], cols: [['empid', ['m.empid:identity']], ['JAN', ['m.amount:aggregation', 'm.month:conditional']], ['FEB', ['m.amount:aggregation', 'm.month:conditional']]] } },
  { name: 'UNPIVOT', dialect: 'snowflake', sql: 'select * from m unpivot (sales for month in (jan, feb))', schema: { m: ['empid', 'jan', 'feb'] }, expect: { reads: ['m'], cols: [['empid', ['m.empid:identity']], ['sales', ['m.jan:identity', 'm.feb:identity']], ['month', []]] } },
  { name: 'HASH(* EXCLUDE (…)) and metadata$action', dialect: 'snowflake', sql: "select hash(* exclude (a)) as h, iff(metadata$action = 'DELETE', 'Y', 'N') as f from s", expect: { reads: ['s'], cols: [['h', ['s.*:transformation']], ['f', ['s.metadata$action:conditional']]] } },
  { name: 'TABLE(GENERATOR(rowcount => …))', dialect: 'snowflake', sql: 'select seq4() as n, dateadd(day, seq4(), d.start) as day from table(generator(rowcount => 50 * 365)), d', expect: { reads: ['d'], cols: [['n', []], ['day', ['d.start:transformation']]] } },
  // Redshift
  { name: 'redshift: (a||b)::timestamp, QUALIFY in a CTE, a window frame in a call', dialect: 'redshift', sql: 'with c as (select k, (a || b)::timestamp as ts from t qualify row_number() over (partition by k order by a) = 1) select k, max(ts) over (partition by k order by ts rows between 30 preceding and 1 preceding) as m from c', expect: { reads: ['t'], cols: [['k', ['t.k:identity']], ['m', ['t.a:aggregation', 't.b:aggregation', 't.k:window', 't.a:window', 't.b:window']]], indirect: ['t.a:filter', 't.k:filter'] } },
  { name: 'redshift: PIVOT and PartiQL FROM t, t.items', dialect: 'redshift', sql: "select * from (select id, quarter, amount from s) pivot (sum(amount) for quarter in ('Q1', 'Q2'))", expect: { reads: ['s'], cols: [['id', ['s.id:identity']], ['Q1', ['s.amount:aggregation', 's.quarter:conditional']], ['Q2', ['s.amount:aggregation', 's.quarter:conditional']]] } },
  { name: 'redshift: FROM t, t.items unnests a column', dialect: 'redshift', sql: 'select o.id, i from orders o, o.items i', expect: { reads: ['orders'], cols: [['id', ['orders.id:identity']], ['i', ['orders.items:transformation']]] } },
  // PostgreSQL
  { name: 'postgres: x AT TIME ZONE (dbt_shopify staging)', dialect: 'postgresql', sql: "select cast(cast(created_at as timestamp) as timestamp) at time zone 'UTC' at time zone 'UTC' as created_at from s.t", expect: { reads: ['s.t'], cols: [['created_at', ['s.t.created_at:transformation']]] } },
];

describe('sql: warehouse constructs parse with their lineage (golden)', () => {
  for (const c of CASES) it(`${c.dialect}: ${c.name}`, () => checkGolden(c));
});

describe('sql: parse failures point at the text as written', () => {
  it('after a multi-line """…""" string, at the real line and token', () => {
    const sql = 'select """a\nb\nc""" as s,\n  x + , y from ds.t';
    const [d] = parseSql(sql, { dialect: 'bigquery', file: 'f.sql' }).diagnostics;
    assert.deepEqual([d?.line, d?.column], [4, 7]);
    assert.equal(d?.message, 'Could not parse near ","; expected an expression; no column lineage for this statement');
  });

  it('after a pre-processed typed array, at the column of the written token', () => {
    const sql = 'select array<struct<a int64>>[] as e, x y z from ds.t';
    const [d] = parseSql(sql, { dialect: 'bigquery', file: 'f.sql' }).diagnostics;
    assert.deepEqual([d?.line, d?.column], [1, 43]);
    assert.match(d?.message ?? '', /^Could not parse near "z"/);
  });
});

describe('sql: the fallback scan reads only relations in relation positions', () => {
  /** Reads of a statement that does not parse (a trailing `where =` makes sure of it). */
  function fallbackReads(sql: string, dialect: 'bigquery' | 'postgresql' | 'redshift' = 'bigquery'): string[] {
    const parsed = parseSql(`${sql} where = 1`, { dialect, file: 'f.sql' });
    assert.equal(parsed.fallback, true);
    return parsed.statements[0]?.reads.map((r) => [r.database, r.schema, r.name].filter(Boolean).join('.')) ?? [];
  }

  it('not a table function (EXTERNAL_QUERY, UNNEST, generate_series)', () => {
    assert.deepEqual(fallbackReads("select * from external_query('conn', 'select * from pg.t')"), []);
    assert.deepEqual(fallbackReads('select * from ds.t, unnest(t.arr) x, generate_series(1, 3) g'), ['ds.t']);
  });

  it('not FROM inside a call (EXTRACT, SUBSTRING, TRIM)', () => {
    assert.deepEqual(fallbackReads("select extract(dayofweek from d), substring(s from 2), trim(both 'x' from c) from ds.t"), ['ds.t']);
  });

  it('not IS [NOT] DISTINCT FROM', () => {
    assert.deepEqual(fallbackReads('select a is distinct from lag(a) over (order by d), b is not distinct from c from ds.t'), ['ds.t']);
  });

  it('not the implicit UNNEST `FROM t, t.keywords` (BigQuery, Redshift)', () => {
    assert.deepEqual(fallbackReads('select k from ds.t, t.keywords as k'), ['ds.t']);
    assert.deepEqual(fallbackReads('select k from ds.t as x, x.keywords k join ds.u using (id)'), ['ds.t', 'ds.u']);
    assert.deepEqual(fallbackReads('select i from orders o, o.items i', 'redshift'), ['orders']);
  });

  it('still subqueries, joins and parenthesised joins', () => {
    assert.deepEqual(fallbackReads('select * from (a join b on a.id = b.id) join (select x from c) y on true', 'postgresql'), ['a', 'b', 'c']);
  });
});
