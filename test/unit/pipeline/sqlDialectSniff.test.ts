import assert from 'node:assert/strict';
import { sniffPlainDialect } from '../../../core/pipeline/sqlDialectSniff';
import { planWorkspace } from '../../../core/pipeline/workspacePlan';
import { memFileSource } from '../dbt/helpers';

/**
 * Plain SQL with no dialect configured is read in the dialect it shows, when it clearly shows one
 * (a BigQuery scripts repository read as PostgreSQL warned on nearly every file); otherwise the
 * default stays. Configured dialects always win.
 */

const bigquery = {
  'sql/a/query.sql': 'DECLARE days INT64 DEFAULT 30;\nSELECT x FROM `proj.ds.t`\n',
  'sql/b/query.sql': 'SELECT y FROM `region-us`.INFORMATION_SCHEMA.JOBS\n',
  'sql/c/query.sql': 'SELECT z FROM ds.t2\n',
};

describe('plain SQL dialect guess', () => {
  it('reads a repository of BigQuery scripts as BigQuery and says why', () => {
    const sniffed = sniffPlainDialect(memFileSource(bigquery), Object.keys(bigquery));
    assert.equal(sniffed?.dialect, 'bigquery');
    assert.match(sniffed?.reason ?? '', /backtick-quoted dotted names.* in 2 of 3 plain SQL files/);
    const plan = planWorkspace(memFileSource(bigquery), { workspaceName: 'w' });
    assert.deepEqual(plan.sql.map((f) => f.dialect), ['bigquery', 'bigquery', 'bigquery']);
    assert.equal(plan.sqlDialect?.dialect, 'bigquery');
  });

  it('keeps the default without clear signals: one file, MySQL-style backticks, or a mix', () => {
    const one = { 'a.sql': 'SELECT x FROM `p.d.t`\n', 'b.sql': 'SELECT 1\n', 'c.sql': 'SELECT 2\n' };
    assert.equal(sniffPlainDialect(memFileSource(one), Object.keys(one)), undefined);
    const mysql = { 'a.sql': 'SELECT `id` FROM `users`\n', 'b.sql': 'SELECT `name` FROM `orders`\n' };
    assert.equal(sniffPlainDialect(memFileSource(mysql), Object.keys(mysql)), undefined);
    const mixed = { 'a.sql': 'SELECT x FROM `p.d.t`\n', 'b.sql': 'SELECT x FROM `p.d.u`\n', 'c.sql': 'SELECT 1\nGO\n', 'd.sql': 'SELECT * FROM [dbo].t\n' };
    assert.equal(sniffPlainDialect(memFileSource(mixed), Object.keys(mixed)), undefined);
    const plan = planWorkspace(memFileSource(mysql), { workspaceName: 'w' });
    assert.deepEqual(plan.sql.map((f) => f.dialect), ['postgresql', 'postgresql']);
    assert.equal(plan.sqlDialect, undefined);
  });

  it('never overrides a configured dialect (--dialect, settings, .mallard.json)', () => {
    assert.deepEqual(planWorkspace(memFileSource(bigquery), { workspaceName: 'w', dialect: 'snowflake' }).sql.map((f) => f.dialect), ['snowflake', 'snowflake', 'snowflake']);
    assert.deepEqual(planWorkspace(memFileSource(bigquery), { workspaceName: 'w', defaults: { dialect: 'redshift' } }).sql.map((f) => f.dialect), ['redshift', 'redshift', 'redshift']);
    const withConfig = { ...bigquery, '.mallard.json': '{"dialect": "mysql"}' };
    const plan = planWorkspace(memFileSource(withConfig), { workspaceName: 'w' });
    assert.deepEqual(plan.sql.map((f) => f.dialect), ['mysql', 'mysql', 'mysql']);
    assert.equal(plan.sqlDialect, undefined);
  });
});
