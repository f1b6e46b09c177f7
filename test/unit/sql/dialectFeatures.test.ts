import * as assert from 'node:assert/strict';
import { parseSql } from '../../../core/sql/parseSql';
import { one } from './lineageHelpers';

describe('sql: dialect-specific syntax', () => {
  it('snowflake: semi-structured paths, VARIANT casts and LATERAL FLATTEN', () => {
    const v = one('select f.value:id::string as id, t.raw:a.b::variant v from raw.t t, lateral flatten(input => t.raw:items) f', 'snowflake');
    assert.deepEqual(v.cols.id, ['raw.t.raw:transformation']);
    assert.deepEqual(v.cols.v, ['raw.t.raw:transformation']);
  });

  it('snowflake: TRANSIENT … CLONE copies the source columns; SAMPLE and time travel keep columns', () => {
    const clone = one('create or replace transient table db.s.t clone db.s.u', 'snowflake', { 'db.s.u': ['a', 'b'], u: ['a', 'b'] });
    assert.equal(clone.kind, 'create_table');
    assert.equal(clone.target, 'db.s.t');
    assert.deepEqual(clone.cols, { a: ['db.s.u.a:identity'], b: ['db.s.u.b:identity'] });
    assert.deepEqual(one('select a from t sample (10)', 'snowflake').cols.a, ['t.a:identity']);
    assert.deepEqual(one("select a from t at (timestamp => '2024-01-01'::timestamp_ltz)", 'snowflake').cols.a, ['t.a:identity']);
  });

  it('snowflake: MERGE values go through the same pre-processing (paths, SAFE_CAST)', () => {
    const v = one('merge into t using s on t.k = s.k when matched then update set v = s.payload:a.b::string, w = safe_cast(s.x as int)', 'snowflake');
    assert.deepEqual(v.cols, { v: ['s.payload:transformation'], w: ['s.x:transformation'] });
  });

  it('bigquery: field access on function results, UNNEST values, PIVOT input, SAFE_CAST, GROUP BY ALL', () => {
    assert.deepEqual(one("select json_extract_scalar(payload, '$.a').x as f from t", 'bigquery').cols.f, ['t.payload:transformation']);
    const u = one('select id, tag from `p.d.users`, unnest(tags) as tag', 'bigquery', { users: ['id', 'tags'] });
    assert.deepEqual(u.cols.tag, ['p.d.users.tags:transformation']);
    const g = one('select country, safe_cast(n as int64) as n2, count(*) c from `p.d.t` group by all', 'bigquery');
    assert.deepEqual(g.cols.n2, ['p.d.t.n:transformation']);
  });

  it('trino: scalar and EXISTS subqueries parse through the grammar chain', () => {
    const v = one('select c.id, (select count(*) from hive.s.o o where o.cid = c.id) n from hive.s.c c where exists (select 1 from hive.s.v v where v.id = c.id)', 'trino');
    assert.deepEqual(v.reads, ['hive.s.c', 'hive.s.o', 'hive.s.v']);
    assert.deepEqual(v.cols.n, ['hive.s.o.*:aggregation']);
  });

  it('hive/spark: INSERT OVERWRITE … PARTITION and LEFT SEMI JOIN', () => {
    const v = one("insert overwrite table dw.t partition (dt='1') select a from ods.s left semi join ods.k on s.id = k.id", 'hive');
    assert.equal(v.target, 'dw.t');
    assert.deepEqual(v.reads, ['ods.k', 'ods.s']);
  });

  it('transactsql: bracket identifiers, SELECT … INTO #temp, compound assignment, variables are not columns', () => {
    const v = one('select top 5 [u].[id], @x as x into #recent from [dbo].[users] as [u]', 'transactsql');
    assert.equal(v.kind, 'create_table');
    assert.equal(v.target, '#recent');
    assert.deepEqual(v.cols, { id: ['dbo.users.id:identity'], x: [] });
    assert.deepEqual(v.unresolved, []);
    const u = one("update s set s.[name] += ' x' from dbo.scrap as s join dbo.wo as w on s.id = w.sid", 'transactsql');
    assert.equal(u.target, 'dbo.scrap');
    assert.deepEqual(u.reads, ['dbo.wo']);
  });

  it('redshift: LISTAGG … WITHIN GROUP is an aggregation', () => {
    const v = one("select id, listagg(name, ',') within group (order by name) names from t group by id", 'redshift');
    assert.deepEqual(v.cols.names, ['t.name:aggregation']);
  });

  it('mysql: backquoted names and REPLACE INTO', () => {
    const v = one('replace into `shop`.`totals` (`id`, `n`) select `o`.`id`, count(*) from `shop`.`orders` `o` group by `o`.`id`', 'mysql');
    assert.equal(v.target, 'shop.totals');
    assert.deepEqual(v.cols.id, ['shop.orders.id:identity']);
  });

  it('an unknown dialect name still parses with the PostgreSQL grammars', () => {
    const parsed = parseSql('select a from t', { dialect: 'oracle' as 'postgresql', file: 'f.sql' });
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.statements.length, 1);
  });
});
