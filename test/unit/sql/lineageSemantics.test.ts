import { checkGolden, type GoldenCase } from './goldenHelpers';

/**
 * Golden fixtures for the column-lineage semantics issue 11 found wrong on TPC-DS and sqlglot's
 * qualify fixtures: each case's table and column edges, with output columns in order.
 */
const AB = { a: ['id', 'x'], b: ['id', 'y'] };

const CASES: GoldenCase[] = [
  {
    name: 'comma-joined tables after a parenthesised ON (…) are tables, not columns',
    dialect: 'postgresql',
    sql: 'select a.x, c.z from a join b on (a.id = b.id), c',
    schema: { ...AB, c: ['z'] },
    expect: { reads: ['a', 'b', 'c'], cols: [['x', ['a.x:identity']], ['z', ['c.z:identity']]], indirect: ['a.id:join', 'b.id:join'] },
  },
  { name: 'CAST(x AS DEC(15,4))', dialect: 'postgresql', sql: 'select cast(x as dec(15,4)) as y from t', expect: { reads: ['t'], cols: [['y', ['t.x:transformation']]] } },
  {
    name: 'a parenthesised UNION branch after an unaliased subquery is a branch, not ambiguous',
    dialect: 'postgresql',
    sql: 'select x from (select x from a) union (select x from b)',
    expect: { reads: ['a', 'b'], cols: [['x', ['a.x:identity', 'b.x:identity']]] },
  },
  {
    name: '* REPLACE (expr AS c): c has the lineage of expr, not its own',
    dialect: 'bigquery',
    sql: 'select * replace (a + b as c) from t',
    schema: { t: ['a', 'b', 'c'] },
    expect: { reads: ['t'], cols: [['a', ['t.a:identity']], ['b', ['t.b:identity']], ['c', ['t.a:transformation', 't.b:transformation']]] },
  },
  {
    name: '* REPLACE over an unknown schema: c is known, the rest passes through without it',
    dialect: 'bigquery',
    sql: 'select * replace (upper(name) as c) from t',
    expect: { reads: ['t'], cols: [['c', ['t.name:transformation']]], unresolved: ['*|*|star-without-schema'] },
  },
  {
    name: 'NATURAL JOIN: shared names are keys, once in *',
    dialect: 'postgresql',
    sql: 'select * from a natural join b',
    schema: AB,
    expect: { reads: ['a', 'b'], cols: [['id', ['a.id:identity', 'b.id:identity']], ['x', ['a.x:identity']], ['y', ['b.y:identity']]], indirect: ['a.id:join', 'b.id:join'] },
  },
  {
    name: 'NATURAL JOIN: an unqualified shared name is not ambiguous',
    dialect: 'postgresql',
    sql: 'select id, y from a natural join b',
    schema: AB,
    expect: { reads: ['a', 'b'], cols: [['id', ['a.id:identity', 'b.id:identity']], ['y', ['b.y:identity']]], indirect: ['a.id:join', 'b.id:join'] },
  },
  {
    name: 'SELECT * over a LEFT SEMI JOIN has only the left side',
    dialect: 'hive',
    sql: 'select * from a left semi join b on a.id = b.id',
    schema: AB,
    expect: { reads: ['a', 'b'], cols: [['id', ['a.id:identity']], ['x', ['a.x:identity']]], indirect: ['a.id:join', 'b.id:join'] },
  },
  {
    name: 'SELECT * over a LEFT ANTI JOIN has only the left side',
    dialect: 'hive',
    sql: 'select * from a left anti join b on a.id = b.id',
    schema: AB,
    expect: { reads: ['a', 'b'], cols: [['id', ['a.id:identity']], ['x', ['a.x:identity']]] },
  },
  {
    name: 'PERCENTILE_CONT … WITHIN GROUP (ORDER BY x) aggregates x',
    dialect: 'postgresql',
    sql: 'select k, percentile_cont(0.5) within group (order by x) as median from t group by k',
    expect: { reads: ['t'], cols: [['k', ['t.k:identity']], ['median', ['t.x:aggregation']]] },
  },
  {
    name: 'tbl.struct_col.* expands the struct fields the schema lists',
    dialect: 'bigquery',
    sql: 'select t.s.* from ds.t',
    schema: { 'ds.t': ['id', 's.a', 's.b'] },
    expect: { reads: ['ds.t'], cols: [['a', ['ds.t.s.a:identity']], ['b', ['ds.t.s.b:identity']]] },
  },
  {
    name: 'tbl.struct_col.* with unknown fields is reported, not guessed',
    dialect: 'bigquery',
    sql: 'select t.s.* from ds.t',
    expect: { reads: ['ds.t'], cols: [], unresolved: ['*|t.s.*|star-without-schema'] },
  },
  {
    name: 'UNNEST … WITH OFFSET: the offset derives from no column',
    dialect: 'bigquery',
    sql: 'select x, off from ds.t, unnest(t.arr) as x with offset as off',
    expect: { reads: ['ds.t'], cols: [['x', ['ds.t.arr:transformation']], ['off', []]] },
  },
  {
    name: '(VALUES …) x(a, b) names the values',
    dialect: 'postgresql',
    sql: 'select x.a, x.b from (values (1, (select max(k) from s))) as x(a, b)',
    expect: { reads: ['s'], cols: [['a', []], ['b', ['s.k:aggregation']]] },
  },
  {
    name: 'FROM t AS s(a, b) renames the table columns by position',
    dialect: 'postgresql',
    sql: 'select s.a, s.b from t as s(a, b)',
    schema: { t: ['p', 'q'] },
    expect: { reads: ['t'], cols: [['a', ['t.p:identity']], ['b', ['t.q:identity']]] },
  },
  {
    name: 'UNION BY NAME matches columns by name, not position',
    dialect: 'snowflake',
    sql: 'select a, b from t union all by name select b, a from u',
    expect: { reads: ['t', 'u'], cols: [['a', ['t.a:identity', 'u.a:identity']], ['b', ['t.b:identity', 'u.b:identity']]] },
  },
  {
    name: '* RENAME (a AS b)',
    dialect: 'snowflake',
    sql: 'select * rename (a as b) from t',
    schema: { t: ['a', 'c'] },
    expect: { reads: ['t'], cols: [['b', ['t.a:identity']], ['c', ['t.c:identity']]] },
  },
  {
    name: '* RENAME over an unknown schema',
    dialect: 'snowflake',
    sql: 'select * rename (a as b) from t',
    expect: { reads: ['t'], cols: [['b', ['t.a:identity']]], unresolved: ['*|*|star-without-schema'] },
  },
  {
    name: 'LATERAL VIEW explode(…) tv AS tag',
    dialect: 'hive',
    sql: 'select id, tag from t lateral view explode(tags) tv as tag',
    expect: { reads: ['t'], cols: [['id', ['t.id:identity']], ['tag', ['t.tags:transformation']]] },
  },
  {
    name: 'output columns with the same name stay two columns, in order',
    dialect: 'postgresql',
    sql: 'select a.x, b.x, a.id from a join b on a.id = b.id',
    schema: { a: ['id', 'x'], b: ['id', 'x'] },
    expect: { reads: ['a', 'b'], cols: [['x', ['a.x:identity']], ['x', ['b.x:identity']], ['id', ['a.id:identity']]] },
  },
  {
    name: 'a date part is a unit, not a column (DATEADD(day, …), DATE_DIFF(…, DAY))',
    dialect: 'snowflake',
    sql: 'select dateadd(day, 1, d) as next_day, datediff(month, d, e) as months from t',
    expect: { reads: ['t'], cols: [['next_day', ['t.d:transformation']], ['months', ['t.d:transformation', 't.e:transformation']]] },
  },
];

describe('sql: column-lineage semantics (golden)', () => {
  for (const c of CASES) it(c.name, () => checkGolden(c));
});
