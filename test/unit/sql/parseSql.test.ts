import * as assert from 'node:assert/strict';
import { parseSql } from '../../../core/sql/parseSql';
import { lineage, one } from './lineageHelpers';

describe('sql: parseSql statements', () => {
  it('splits a multi-statement file and gives each statement its starting line', () => {
    const sql = "create table a (id int);\n-- a comment; with a semicolon\ninsert into a values (1);\n\nselect ';' as s from a;";
    const parsed = parseSql(sql, { dialect: 'postgresql', file: 'f.sql' });
    assert.deepEqual(parsed.statements.map((s) => [s.kind, s.line]), [['create_table', 1], ['insert', 3], ['select', 5]]);
    assert.equal(parsed.fallback, false);
  });

  it('keeps CREATE TABLE declared columns with their types', () => {
    const parsed = parseSql('create table s.t (id int, name varchar(20), price decimal(10,2))', { dialect: 'postgresql', file: 'f.sql' });
    const st = parsed.statements[0];
    assert.equal(st?.kind, 'create_table');
    assert.deepEqual(st?.target, { schema: 's', name: 't' });
    assert.deepEqual(st?.declaredColumns, [{ name: 'id', type: 'INT' }, { name: 'name', type: 'VARCHAR(20)' }, { name: 'price', type: 'DECIMAL(10,2)' }]);
  });

  it('handles CTAS and CREATE VIEW with a column list', () => {
    const ctas = one('create table mart.t as select o.id, o.amount * 2 as a2 from raw.orders o');
    assert.equal(ctas.kind, 'create_table');
    assert.equal(ctas.target, 'mart.t');
    assert.deepEqual(ctas.cols.a2, ['raw.orders.amount:transformation']);
    const v = one('create view v (x, y) as select a, b + 1 from t');
    assert.equal(v.kind, 'create_view');
    assert.deepEqual(v.order, ['x', 'y']);
    assert.deepEqual(v.cols.y, ['t.b:transformation']);
  });

  it('handles MATERIALIZED/UNLOGGED/TEMP DDL, views over UNION with a column list, INSERT … WITH and Spark INSERT OVERWRITE', () => {
    const mv = one('create materialized view mv as select a, count(*) n from t group by a');
    assert.deepEqual([mv.kind, mv.target, mv.cols.a], ['create_view', 'mv', ['t.a:identity']]);
    const v = one('create view v (x) as select a from a union all select b from b');
    assert.deepEqual(v.cols, { x: ['a.a:identity', 'b.b:identity'] });
    assert.equal(one('create unlogged table u as select 1 as a').kind, 'create_table');
    assert.deepEqual(one('insert into t with x as (select a from s) select a from x').reads, ['s']);
    const ow = one('insert overwrite t select a from s', 'hive');
    assert.deepEqual([ow.kind, ow.target], ['insert', 't']);
  });

  it('maps INSERT … VALUES by position and keeps subqueries in VALUES as reads', () => {
    const v = one('insert into t (a, b) values (1, (select max(x) from s)), (2, 3)');
    assert.deepEqual(v.reads, ['s']);
    assert.deepEqual(v.cols, { a: [], b: ['s.x:aggregation'] });
  });

  it('maps INSERT … SELECT with a column list by position', () => {
    const v = one('insert into tgt (c1, c2) select a, sum(b) from src group by a');
    assert.equal(v.kind, 'insert');
    assert.equal(v.target, 'tgt');
    assert.deepEqual(v.cols, { c1: ['src.a:identity'], c2: ['src.b:aggregation'] });
  });

  it('maps INSERT … SELECT without a column list through the target schema when known', () => {
    const withSchema = one('insert into tgt select a, b from src', 'postgresql', { tgt: ['c1', 'c2'] });
    assert.deepEqual(withSchema.order, ['c1', 'c2']);
    assert.deepEqual(withSchema.cols.c2, ['src.b:identity']);
    const without = one('insert into tgt select a, b from src');
    assert.deepEqual(without.order, ['a', 'b']);
  });

  it('handles MERGE: SET and INSERT columns from the source, ON as join', () => {
    const v = one(`merge into dw.customers t using (select id, name, email from staging.customers) s on t.id = s.id
      when matched then update set name = s.name, t.email = lower(s.email)
      when not matched then insert (id, name, email) values (s.id, s.name, s.email)`);
    assert.equal(v.kind, 'merge');
    assert.equal(v.target, 'dw.customers');
    assert.deepEqual(v.reads, ['staging.customers']);
    assert.deepEqual(v.cols.email, ['staging.customers.email:identity', 'staging.customers.email:transformation']);
    assert.deepEqual(v.cols.id, ['staging.customers.id:identity']);
    assert.ok(v.indirect.includes('dw.customers.id:join'));
  });

  it('handles UPDATE … FROM and DELETE … USING', () => {
    const u = one('update dw.t set total = s.amount * 2 from staging.s where dw.t.id = s.id');
    assert.equal(u.kind, 'update');
    assert.equal(u.target, 'dw.t');
    assert.deepEqual(u.reads, ['staging.s']);
    assert.deepEqual(u.cols.total, ['staging.s.amount:transformation']);
    const d = one('delete from t using s where t.id = s.id');
    assert.equal(d.kind, 'delete');
    assert.equal(d.target, 't');
    assert.deepEqual(d.reads, ['s']);
    assert.deepEqual(d.indirect, ['s.id:filter', 't.id:filter']);
  });

  it('puts a WITH clause in front of INSERT / UPDATE into the statement', () => {
    const v = one('with w as (select a from src) insert into tgt select a from w');
    assert.deepEqual(v.reads, ['src']);
    assert.deepEqual(v.cols.a, ['src.a:identity']);
  });

  it('excludes CTE names from reads and keeps schema-qualified names', () => {
    const parsed = parseSql('with orders as (select * from mallard__rel.r0) select * from orders join db.s.customers c on true', { dialect: 'postgresql', file: 'm.sql' });
    assert.deepEqual(parsed.statements[0]?.reads, [{ schema: 'mallard__rel', name: 'r0' }, { database: 'db', schema: 's', name: 'customers' }]);
  });

  it('names unaliased expressions as written and `col::type` after the column', () => {
    const v = one('select (a + b), coalesce(x, 0) * 2, c::int, d from t');
    assert.deepEqual(v.order, ['(a + b)', 'coalesce(x, 0) * 2', 'c', 'd']);
  });

  it('analyses the statements inside a procedure body and a T-SQL batch without semicolons', () => {
    const proc = lineage(`CREATE PROCEDURE dbo.load @since DATE AS
BEGIN
  SET NOCOUNT ON;
  IF @since IS NULL SET @since = '2020-01-01';
  INSERT INTO dbo.target (id, total) SELECT s.id, s.amount FROM dbo.src s WHERE s.day >= @since;
END`, 'transactsql');
    assert.deepEqual(proc.parsed.diagnostics, []);
    const insert = proc.views.find((v) => v.kind === 'insert');
    assert.equal(insert?.target, 'dbo.target');
    assert.deepEqual(insert?.cols.total, ['dbo.src.amount:identity']);
    assert.equal(proc.parsed.statements.find((s) => s.kind === 'insert')?.line, 5);
    const batch = lineage('insert into t1 select * from foo\ninsert into t2 select * from bar', 'transactsql');
    assert.deepEqual(batch.views.map((v) => [v.target, v.reads]), [['t1', ['foo']], ['t2', ['bar']]]);
  });

  it('skips commands without lineage that a grammar rejects, without a diagnostic', () => {
    const parsed = parseSql('ADD JAR /tmp/udf.jar;\nCREATE TEMPORARY FUNCTION f AS "x.Y";\ncache table c select * from t', { dialect: 'hive', file: 'f.sql' });
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.statements.map((s) => [s.kind, s.reads.length]), [['other', 0], ['other', 0], ['other', 0]]);
  });

  it('yields a JSON-serializable IR that survives a round trip', () => {
    const parsed = parseSql('with a as (select x from t) select (select max(x) from a) m, * from a', { dialect: 'postgresql', file: 'f.sql' });
    assert.deepEqual(JSON.parse(JSON.stringify(parsed)), parsed);
  });
});

describe('sql: parse failures', () => {
  it('reports the exact 1-based line and column of a syntax error and keeps the other statements', () => {
    const sql = 'select a from t1;\n\nselect b\n  from t2 where = 1;\ninsert into t3 select c from t4;';
    const { parsed, views } = lineage(sql);
    assert.equal(parsed.diagnostics.length, 1);
    const d = parsed.diagnostics[0];
    assert.equal(d?.file, 'test.sql');
    assert.equal(d?.code, 'sql-parse');
    assert.equal(d?.line, 4);
    assert.equal(d?.column, 17);
    assert.match(d?.message ?? '', /"="/);
    assert.equal(parsed.fallback, true);
    assert.deepEqual(views.map((v) => v.kind), ['select', 'select', 'insert']);
    assert.deepEqual(views[2]?.cols.c, ['t4.c:identity']);
    assert.deepEqual(views[1]?.unresolved.map((u) => u.split('|')[2]), ['parse-error']);
  });

  it('quotes the token written at the error position with what the parser expected, and calls a rejection a warning', () => {
    const sql = 'select a,\n  b from t where = 1';
    const [d] = parseSql(sql, { dialect: 'bigquery', file: 'f.sql' }).diagnostics;
    assert.equal(d?.message, 'Could not parse near "="; expected an expression; no column lineage for this statement');
    assert.deepEqual([d?.line, d?.column], [2, 18]);
    // Our parser rejects valid SQL too: no proof of invalid SQL.
    assert.equal(d?.severity, 'warning');
    assert.equal(parseSql('select (a from t', { dialect: 'bigquery', file: 'f.sql' }).diagnostics[0]?.severity, 'error');
    const end = parseSql('select cast(x as variant) from', { dialect: 'bigquery', file: 'f.sql' }).diagnostics[0];
    assert.equal(end?.message, 'Could not parse: the statement ends unexpectedly (expected identifier); no column lineage for this statement');
    assert.deepEqual([end?.line, end?.column], [1, 31]);
  });

  it('computes columns on the first line relative to the statement start', () => {
    const parsed = parseSql('select 1; select a from t where = 1', { dialect: 'postgresql', file: 'f.sql' });
    const d = parsed.diagnostics[0];
    assert.deepEqual([d?.line, d?.column], [1, 33]);
  });

  it('reports the error inside a parenthesised subquery, not where the parser retried it as a join', () => {
    // sqlparser-rs itself reports the comma after `day` (line 2), where its join retry failed.
    const sql = 'select x from (\n  select day, b\n  from t\n  where and b > 1\n)';
    const [d] = parseSql(sql, { dialect: 'bigquery', file: 'f.sql' }).diagnostics;
    assert.deepEqual([d?.line, d?.column], [4, 13]);
    assert.match(d?.message ?? '', /^Could not parse near "b"; expected end of statement/);
  });

  it('reports unbalanced parentheses at the parenthesis, without running the grammars', () => {
    const parsed = parseSql('select a from t;\nselect ((((((((((((((x from t;\nselect b) from u', { dialect: 'postgresql', file: 'f.sql' });
    assert.deepEqual(parsed.diagnostics.map((d) => [d.line, d.column, d.message]), [
      [2, 8, 'Syntax error: "(" is never closed'],
      [3, 9, 'Syntax error: ")" without a matching "("'],
    ]);
    assert.deepEqual(parsed.statements.map((s) => s.reads.map((r) => r.name)), [['t'], ['t'], ['u']]);
  });

  it('prefers a positioned error when the dialect grammar fails without a position (Trino)', () => {
    const parsed = parseSql('select (select max(x) from u), a from t where', { dialect: 'trino', file: 'f.sql' });
    assert.deepEqual([parsed.diagnostics[0]?.line, parsed.diagnostics[0]?.column], [1, 46]);
  });

  it('falls back to a table-level scan for statements no grammar accepts', () => {
    const sql = 'insert into mart.daily select {{ bad jinja }} from raw.events e join raw.users u on e.uid = u.id';
    const parsed = parseSql(sql, { dialect: 'postgresql', file: 'f.sql' });
    assert.equal(parsed.fallback, true);
    assert.equal(parsed.diagnostics.length, 1);
    const st = parsed.statements[0];
    assert.equal(st?.kind, 'insert');
    assert.deepEqual(st?.target, { schema: 'mart', name: 'daily' });
    assert.deepEqual(st?.reads, [{ schema: 'raw', name: 'events' }, { schema: 'raw', name: 'users' }]);
  });

  it('counts dbt placeholder relations as reads even in text that is not SQL', () => {
    const parsed = parseSql('mallard__rel.r0\nmallard__rel.r1', { dialect: 'postgresql', file: 'm.sql' });
    assert.equal(parsed.fallback, true);
    assert.deepEqual(parsed.statements[0]?.reads, [{ schema: 'mallard__rel', name: 'r0' }, { schema: 'mallard__rel', name: 'r1' }]);
  });

  it('scans CTE names out of fallback reads', () => {
    const parsed = parseSql('with x as (select 1 from a where {{ y }}) select * from x join b on true', { dialect: 'postgresql', file: 'f.sql' });
    assert.equal(parsed.fallback, true);
    assert.deepEqual(parsed.statements[0]?.reads.map((r) => r.name), ['a', 'b']);
  });

  it('reports an unterminated string or comment without throwing', () => {
    for (const sql of ["select 'abc from t", 'select a /* never closed', 'select "x from t', '((((']) {
      const parsed = parseSql(sql, { dialect: 'postgresql', file: 'f.sql' });
      for (const d of parsed.diagnostics) assert.ok(d.line >= 1 && d.column >= 1);
    }
  });

  it('repairs lists left empty by introspecting macros without moving positions', () => {
    const v = one('with m as (select\n    \n  from base), s as (select , a, b, from m) select s.*,\n       as id from s');
    assert.deepEqual(v.reads, ['base']);
    assert.deepEqual(v.order, ['a', 'b', 'id']);
    assert.deepEqual(v.cols.a, ['base.a:identity']);
    const parsed = parseSql('select a,\n from t where = 1', { dialect: 'postgresql', file: 'f.sql' });
    assert.deepEqual([parsed.diagnostics[0]?.line, parsed.diagnostics[0]?.column], [2, 15]);
  });

  it('returns no statements for an empty or comment-only file', () => {
    assert.deepEqual(parseSql('  -- nothing\n/* here */ ;;', { dialect: 'postgresql', file: 'f.sql' }).statements, []);
  });
});
