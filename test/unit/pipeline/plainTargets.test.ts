import assert from 'node:assert/strict';
import type { Facts } from '../../../core/model/entities';
import type { Dialect } from '../../../core/pipeline/contracts';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { memoryFs } from './memoryFs';

/**
 * Targets of bare queries in plain SQL (the whole in-process pipeline): which table a file builds
 * when it ends with a query, what the entity says about where the name came from, and the info
 * diagnostics when no rule names it.
 */

const extract = (files: Record<string, string>, dialect: Dialect = 'bigquery'): Facts => extractWorkspace(memoryFs(files), { workspaceName: 'ws', dialect }).facts;
const entity = (facts: Facts, qualified: string) => facts.entities.find((e) => [e.database, e.schema, e.name].filter(Boolean).join('.') === qualified);
const edges = (facts: Facts): string[] => {
  const name = new Map(facts.entities.map((e) => [e.id, [e.database, e.schema, e.name].filter(Boolean).join('.')]));
  return facts.modelEdges.map((e) => `${name.get(e.from)} -> ${name.get(e.to)}`).sort();
};

describe('plain SQL: targets of bare queries', () => {
  it('one table per folder: query.sql builds <project>.<dataset>.<table>, with its provenance and rule', () => {
    const facts = extract({ 'sql/proj/derived/daily_v1/query.sql': 'SELECT client_id, COUNT(*) AS n\nFROM proj.stable.events_v1\nGROUP BY client_id\n' });
    const t = entity(facts, 'proj.derived.daily_v1');
    assert.equal(t?.kind, 'table');
    assert.equal(t?.provenance.extractor, 'sql-target-rule');
    assert.deepEqual([t?.provenance.file, t?.provenance.line, t?.provenance.column], ['sql/proj/derived/daily_v1/query.sql', 1, 1]);
    assert.deepEqual(t?.meta, { targetRule: 'table-folder' });
    assert.deepEqual(edges(facts), ['proj.stable.events_v1 -> proj.derived.daily_v1']);
    assert.ok(facts.columnEdges.some((e) => e.from === `${entity(facts, 'proj.stable.events_v1')?.id}#client_id` && e.to === `${t?.id}#client_id`), 'column lineage flows into the target');
    assert.deepEqual(facts.diagnostics, []);
  });

  it('view.sql builds a view; init.sql and query.sql build the same table; checks.sql builds nothing', () => {
    const facts = extract({
      'sql/p/ds/t/query.sql': 'SELECT a FROM p.raw.src\n',
      'sql/p/ds/t/init.sql': 'SELECT a FROM p.raw.seed\n',
      'sql/p/ds/t/checks.sql': 'SELECT COUNT(*) FROM p.ds.t WHERE a IS NULL\n',
      'sql/p/views/t/view.sql': 'SELECT * FROM ds.t\n',
    });
    assert.equal(entity(facts, 'p.views.t')?.kind, 'view');
    assert.deepEqual(edges(facts), ['p.ds.t -> p.views.t', 'p.raw.seed -> p.ds.t', 'p.raw.src -> p.ds.t']);
    assert.deepEqual(facts.diagnostics, [], 'a rule that names nothing (checks.sql) is no problem');
  });

  it('the last statement decides: a script that declares or defines functions first still builds its table', () => {
    const facts = extract({ 'sql/p/ds/t/query.sql': 'CREATE TEMP FUNCTION f(x INT64) AS (x + 1);\nDECLARE d DATE DEFAULT CURRENT_DATE();\nSELECT f(a) AS b FROM p.raw.src\n' });
    assert.deepEqual(edges(facts), ['p.raw.src -> p.ds.t']);
  });

  it('a script that shows what it built (CREATE … AS; SELECT * FROM it) builds no second table', () => {
    const facts = extract({ 'scripts/rebuild.sql': 'CREATE TABLE ds.out AS SELECT a FROM ds.src;\nSELECT * FROM ds.out;\n' });
    assert.equal(entity(facts, 'rebuild'), undefined);
    assert.deepEqual(edges(facts), ['ds.src -> ds.out']);
  });

  it('file-name (dbt\'s convention): a bare query is named after its file, without a schema', () => {
    const facts = extract({ 'models/orders.sql': 'select id, amount from raw.orders\n', 'models/order_totals.sql': 'select sum(amount) as total from orders\n' }, 'postgresql');
    assert.deepEqual(entity(facts, 'orders')?.meta, { targetRule: 'file-name' });
    // orders.sql reads raw.orders: a written qualifier never matches the unqualified model orders.
    assert.deepEqual(edges(facts), ['orders -> order_totals', 'raw.orders -> orders']);
  });

  it('two files with the same name: neither gets a target, each gets an info diagnostic saying why', () => {
    const facts = extract({ 'daily/summary.sql': 'SELECT COUNT(*) AS n FROM ds.t\n', 'weekly/summary.sql': '\n  SELECT COUNT(*) AS n FROM ds.t\n' });
    assert.equal(entity(facts, 'summary'), undefined);
    const infos = facts.diagnostics.filter((d) => d.code === 'target-ambiguous');
    assert.deepEqual(infos.map((d) => [d.file, d.line, d.column, d.severity]), [['daily/summary.sql', 1, 1, 'info'], ['weekly/summary.sql', 2, 3, 'info']]);
    assert.match(infos[0]?.message ?? '', /weekly\/summary\.sql has the same file name/);
    assert.match(infos[0]?.message ?? '', /\{"glob": "daily\/\*\.sql", "target": "daily\.\{file\}"\}/);
  });

  it('configured rules: templates from globs, false for files that build nothing, no match is an info diagnostic', () => {
    const facts = extract({
      '.mallard.json': JSON.stringify({ targets: [{ glob: 'etl/*/*.sql', target: 'warehouse.{1}.{file}', kind: 'view' }, { glob: 'adhoc/**', target: false }] }),
      'etl/marts/revenue.sql': 'SELECT SUM(x) AS total FROM marts.payments\n',
      'adhoc/look.sql': 'SELECT * FROM marts.payments\n',
      'other/thing.sql': '-- a query\nSELECT 1 AS one\n',
    });
    const view = entity(facts, 'warehouse.marts.revenue');
    assert.equal(view?.kind, 'view');
    assert.equal(view?.meta.targetRule, 'targets[0] (etl/*/*.sql → warehouse.{1}.{file})');
    // The rule's folder is the default schema of the file's own names: marts.payments is warehouse.marts.payments.
    assert.deepEqual(edges(facts), ['warehouse.marts.payments -> warehouse.marts.revenue']);
    const info = facts.diagnostics.filter((d) => d.code === 'no-target');
    assert.deepEqual(info.map((d) => [d.file, d.line, d.column, d.severity]), [['other/thing.sql', 2, 1, 'info']]);
    assert.match(info[0]?.message ?? '', /no rule in "targets" matches other\/thing\.sql/);
  });

  it('"targets": [] turns targets off: bare queries build nothing and say nothing', () => {
    const facts = extract({ '.mallard.json': '{"targets": []}', 'sql/p/ds/t/query.sql': 'SELECT a FROM p.raw.src\n' });
    assert.equal(entity(facts, 'p.ds.t'), undefined);
    assert.deepEqual(facts.diagnostics, []);
  });

  it('a written target is never renamed by a rule', () => {
    const facts = extract({ 'sql/p/ds/t/query.sql': 'CREATE OR REPLACE TABLE `p.other.x` AS SELECT a FROM p.raw.src\n' });
    assert.deepEqual(edges(facts), ['p.raw.src -> p.other.x']);
    assert.equal(entity(facts, 'p.other.x')?.provenance.extractor, 'sql-ddl');
  });
});
