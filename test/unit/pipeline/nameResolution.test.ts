import assert from 'node:assert/strict';
import type { Facts } from '../../../core/model/entities';
import type { Dialect } from '../../../core/pipeline/contracts';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { scanSqlNames } from '../../../core/pipeline/sqlNameScan';
import { parseSql } from '../../../core/sql/parseSql';
import { memoryFs } from './memoryFs';

/**
 * Exact name resolution in plain SQL: a written qualifier is never ignored, an unqualified name
 * takes its file's default schema first, then a unique match, and an ambiguous one is reported at
 * its place with its candidates; identifier case follows each dialect.
 */

const extract = (files: Record<string, string>, dialect: Dialect = 'bigquery'): Facts => extractWorkspace(memoryFs(files), { workspaceName: 'ws', dialect }).facts;
const label = (facts: Facts): Map<string, string> => new Map(facts.entities.map((e) => [e.id, [e.database, e.schema, e.name].filter(Boolean).join('.')]));
const edges = (facts: Facts): string[] => {
  const name = label(facts);
  return facts.modelEdges.map((e) => `${name.get(e.from)} -> ${name.get(e.to)}`).sort();
};

describe('plain SQL: exact name resolution', () => {
  it('p.ds_b.t never resolves to a known p.ds_a.t', () => {
    const facts = extract({
      'sql/p/ds_a/t/query.sql': 'SELECT a FROM p.raw.src\n',
      'sql/p/x/y/query.sql': 'SELECT a FROM `p.ds_b.t`\n',
    });
    assert.deepEqual(edges(facts), ['p.ds_b.t -> p.x.y', 'p.raw.src -> p.ds_a.t']);
  });

  it('a view over a same-named table in another dataset keeps its edge (the table is only read)', () => {
    const facts = extract({ 'views.sql': 'CREATE OR REPLACE VIEW `p.ds_b.t` AS SELECT * FROM `p.ds_a.t`;\n' });
    assert.deepEqual(edges(facts), ['p.ds_a.t -> p.ds_b.t']);
  });

  it('an unqualified name takes its folder\'s dataset (and project) before any other match', () => {
    const facts = extract({
      'sql/p/ds/t/query.sql': 'SELECT a FROM p.raw.one\n',
      'sql/p/other/t/query.sql': 'SELECT a FROM p.raw.two\n',
      'sql/p/ds/x/query.sql': 'SELECT a FROM t JOIN other.t USING (a)\n',
    });
    assert.ok(edges(facts).includes('p.ds.t -> p.ds.x'));
    assert.ok(edges(facts).includes('p.other.t -> p.ds.x'), 'a dataset-qualified name takes the folder\'s project');
    assert.equal(facts.diagnostics.filter((d) => d.code === 'ambiguous-relation').length, 0);
  });

  it('without a default, a unique match of the unqualified name resolves it', () => {
    const facts = extract({ 'ddl.sql': 'create table public.customers (id int, name text);\n', 'views.sql': 'create view v as select name from customers;\n' }, 'postgresql');
    assert.deepEqual(edges(facts), ['public.customers -> v']);
  });

  it('an ambiguous name is a located warning listing the candidates, with no edge and a reason on the target', () => {
    const facts = extract({
      'sql/p/a/t/query.sql': 'SELECT x FROM p.raw.one\n',
      'sql/p/b/t/query.sql': 'SELECT x FROM p.raw.two\n',
      'scripts/report.sql': 'SELECT\n  r.x\nFROM\n  t AS r\n',
    });
    assert.deepEqual(edges(facts).filter((e) => e.endsWith('-> report')), []);
    const warning = facts.diagnostics.find((d) => d.code === 'ambiguous-relation');
    assert.deepEqual([warning?.file, warning?.line, warning?.column, warning?.severity], ['scripts/report.sql', 4, 3, 'warning']);
    assert.match(warning?.message ?? '', /"t" could be 2 relations: p\.a\.t \(sql\/p\/a\/t\/query\.sql:1\), p\.b\.t \(sql\/p\/b\/t\/query\.sql:1\)/);
    const report = facts.entities.find((e) => e.name === 'report');
    const why = facts.unresolved.find((u) => u.target === report?.id && u.name === 't');
    assert.equal(why?.reason, 'unknown-relation');
    assert.match(why?.detail ?? '', /could be p\.a\.t or p\.b\.t/);
    assert.equal(facts.entities.filter((e) => e.name === 't').length, 2, 'no third relation "t" is invented');
  });

  it('a statement reads its own target only when the names are really equal', () => {
    const facts = extract({
      'sql/p/ds/t/query.sql': 'SELECT a FROM t UNION ALL SELECT a FROM p.raw.src\n',
      'load.sql': 'INSERT INTO ds.u SELECT a FROM u;\n',
    });
    assert.deepEqual(edges(facts), ['p.raw.src -> p.ds.t', 'u -> ds.u'], 'p.ds.t reads itself (no edge); ds.u reads another u');
  });

  it('SET search_path, USE and SET @@dataset_id set the default schema of the statements after them', () => {
    const pg = extract({
      'ddl.sql': 'create table a.t (x int);\ncreate table b.t (x int);\n',
      'views.sql': 'set search_path to "$user", b;\ncreate view v as select x from t;\n',
    }, 'postgresql');
    assert.deepEqual(edges(pg), ['b.t -> b.v'], 'the view is created in b too');
    const sf = extract({
      'ddl.sql': 'create table db1.s.t (x int);\ncreate table db2.s.t (x int);\n',
      'views.sql': 'use database db2;\nuse schema s;\ncreate view v as select x from t;\n',
    }, 'snowflake');
    assert.deepEqual(edges(sf), ['db2.s.t -> db2.s.v']);
    const bq = extract({
      'sql/p/a/t/query.sql': 'SELECT x FROM p.raw.one\n',
      'sql/p/b/t/query.sql': 'SELECT x FROM p.raw.two\n',
      'scripts/rollup.sql': "SET @@dataset_id = 'b';\nSELECT x FROM t\n",
    });
    assert.ok(edges(bq).includes('p.b.t -> rollup'));
  });

  it('"defaultSchema" in .mallard.json completes unqualified names', () => {
    const facts = extract({
      '.mallard.json': '{"defaultSchema": "analytics"}',
      'ddl.sql': 'create table analytics.t (x int);\ncreate table staging.t (x int);\n',
      'views.sql': 'create view v as select x from t;\n',
    }, 'postgresql');
    assert.deepEqual(edges(facts), ['analytics.t -> analytics.v']);
    // A rule's folder that names only a dataset takes the configured database.
    const merged = extract({ '.mallard.json': '{"defaultSchema": "proj.public"}', 'ds/t/query.sql': 'SELECT a FROM x\n' });
    assert.deepEqual(edges(merged), ['proj.ds.x -> ds.t']);
  });

  it('case follows the dialect: BigQuery table names are case-sensitive, PostgreSQL and Snowflake fold', () => {
    const bq = extract({ 'ddl.sql': 'CREATE TABLE ds.Orders (x INT64);\nCREATE VIEW ds.v AS SELECT x FROM ds.orders;\n' });
    assert.deepEqual(edges(bq), ['ds.orders -> ds.v']);
    assert.equal(new Set(bq.entities.map((e) => e.id)).size, bq.entities.length, 'distinct ids');
    const pg = extract({ 'ddl.sql': 'create table ds.orders (x int);\ncreate view ds.v as select x from DS.ORDERS;\n' }, 'postgresql');
    assert.deepEqual(edges(pg), ['ds.orders -> ds.v']);
    const sf = extract({ 'ddl.sql': 'create table DS.ORDERS (x int);\ncreate view ds.v as select x from ds.orders;\n' }, 'snowflake');
    assert.deepEqual(edges(sf), ['DS.ORDERS -> ds.v']);
  });
});

describe('plain SQL: name scan of a file', () => {
  const scan = (sql: string, dialect: Dialect) => scanSqlNames(sql, parseSql(sql, { dialect, file: 'x.sql' }), dialect);

  it('reads the scope changes of each dialect', () => {
    assert.deepEqual(scan('USE analytics;\nSELECT 1;\n', 'mysql').scopes, [{ line: 1, schema: 'analytics' }]);
    assert.deepEqual(scan('USE warehouse;\n', 'transactsql').scopes, [{ line: 1, database: 'warehouse' }]);
    assert.deepEqual(scan('use role admin;\nuse warehouse wh;\nuse schema db.s;\n', 'snowflake').scopes, [{ line: 3, database: 'db', schema: 's' }]);
    assert.deepEqual(scan('USE hive.web;\n', 'trino').scopes, [{ line: 1, database: 'hive', schema: 'web' }]);
    assert.deepEqual(scan("SET search_path = '$user', public;\nSET SCHEMA 'app';\n", 'postgresql').scopes, [{ line: 1, schema: 'public' }, { line: 2, schema: 'app' }]);
    assert.deepEqual(scan("SET @@dataset_project_id = 'p';\nSET @@dataset_id = 'd';\n", 'bigquery').scopes, [{ line: 1, database: 'p' }, { line: 2, schema: 'd' }]);
    assert.deepEqual(scan('SELECT 1; -- USE x\n', 'mysql').scopes, [], 'only at the start of a statement');
  });

  it('finds where each read is written, after its statement starts', () => {
    const sql = 'select * from t;\n\ninsert into out\nselect a\nfrom `p`.ds.t join t using (a);\n';
    const names = scan(sql, 'bigquery');
    assert.deepEqual(names.readAt[0], [{ line: 1, column: 15, text: 't' }]);
    const second = names.readAt[1]?.map((p) => p && [p.line, p.column, p.text]);
    assert.deepEqual(second?.sort(), [[5, 6, '`p`.ds.t'], [5, 20, 't']].sort());
    assert.deepEqual(names.columns, [1, 1]);
  });
});
