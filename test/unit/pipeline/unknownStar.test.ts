import assert from 'node:assert/strict';
import path from 'node:path';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import type { Facts } from '../../../core/model/entities';
import { dirFileSource } from '../dbt/helpers';
import { memoryFs } from './memoryFs';

/**
 * Column lineage over upstreams whose columns are unknown (test/fixtures/dbt/unknown_star: sources
 * without `columns:`), through the whole in-process pipeline: the referenced columns of the unknown
 * relations become inferred columns, downstream models get their edges, and what stays unknown is a
 * `star-without-schema` note, never an error diagnostic.
 */

const fixture = path.resolve(__dirname, '../../fixtures/dbt/unknown_star');

/** Column names of an entity in position order. */
const columnsOf = (facts: Facts, id: string): string[] => facts.columns.filter((c) => c.entityId === id).sort((a, b) => a.position - b.position).map((c) => c.name);
/** `from -> to:kind` of the edges into an entity's columns, sorted. */
const edgesInto = (facts: Facts, id: string): string[] => facts.columnEdges.filter((e) => e.to.startsWith(`${id}#`)).map((e) => `${e.from} -> ${e.to}:${e.transform}`).sort();

describe('pipeline: star over an unknown schema (dbt fixture)', () => {
  const { facts } = extractWorkspace(dirFileSource(fixture), { workspaceName: 'ws' });

  it('the staging pattern gets its column edges, with the right kinds, from the undeclared source', () => {
    assert.deepEqual(columnsOf(facts, 'model.jaffle.stg_orders'), ['order_id', 'customer_id', 'status', 'amount']);
    assert.deepEqual(edgesInto(facts, 'model.jaffle.stg_orders'), [
      'source.jaffle.shop.orders#amount_cents -> model.jaffle.stg_orders#amount:transformation',
      'source.jaffle.shop.orders#customer_id -> model.jaffle.stg_orders#customer_id:identity',
      'source.jaffle.shop.orders#id -> model.jaffle.stg_orders#order_id:identity',
      'source.jaffle.shop.orders#status -> model.jaffle.stg_orders#status:identity',
    ]);
  });

  it('the source\'s referenced columns become inferred columns whose provenance says where they were read', () => {
    assert.deepEqual(columnsOf(facts, 'source.jaffle.shop.orders'), ['amount_cents', 'customer_id', 'id', 'status']);
    const id = facts.columns.find((c) => c.id === 'source.jaffle.shop.orders#id');
    assert.equal(id?.origin, 'inferred');
    assert.equal(id?.provenance.extractor, 'sql-referenced');
    assert.ok(id?.provenance.file.startsWith('models/'), id?.provenance.file);
    // Every column edge starts and ends at a column the catalog has.
    const ids = new Set(facts.columns.map((c) => c.id));
    for (const e of facts.columnEdges) assert.ok(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to}`);
  });

  it('a downstream select * expands from the staging model\'s computed columns (transitive)', () => {
    assert.deepEqual(columnsOf(facts, 'model.jaffle.orders'), ['order_id', 'customer_id', 'status', 'amount']);
    assert.ok(edgesInto(facts, 'model.jaffle.orders').includes('model.jaffle.stg_orders#amount -> model.jaffle.orders#amount:identity'));
  });

  it('a pass-through model gets the columns its readers name, with edges up to the source', () => {
    // stg_customers is `select * from source`; customer_orders, mixed and customer_names name its columns.
    assert.deepEqual(columnsOf(facts, 'model.jaffle.stg_customers'), ['email', 'id', 'name']);
    assert.deepEqual(edgesInto(facts, 'model.jaffle.stg_customers'), [
      'source.jaffle.shop.customers#email -> model.jaffle.stg_customers#email:identity',
      'source.jaffle.shop.customers#id -> model.jaffle.stg_customers#id:identity',
      'source.jaffle.shop.customers#name -> model.jaffle.stg_customers#name:identity',
    ]);
    assert.ok(edgesInto(facts, 'model.jaffle.customer_orders').includes('model.jaffle.stg_customers#name -> model.jaffle.customer_orders#customer_name:transformation'));
    assert.ok(edgesInto(facts, 'model.jaffle.customer_orders').includes('model.jaffle.stg_orders#order_id -> model.jaffle.customer_orders#order_count:aggregation'));
  });

  it('a qualified star next to declared columns: named columns resolve through it, declared ones stay', () => {
    assert.deepEqual(columnsOf(facts, 'model.jaffle.order_payments'), ['paid', 'id', 'status']);
    assert.deepEqual(edgesInto(facts, 'model.jaffle.payment_report').filter((e) => e.endsWith(':identity')), [
      'model.jaffle.order_payments#id -> model.jaffle.payment_report#id:identity',
      'model.jaffle.order_payments#paid -> model.jaffle.payment_report#paid:identity',
      'model.jaffle.order_payments#status -> model.jaffle.payment_report#status:identity',
    ]);
    assert.ok(edgesInto(facts, 'model.jaffle.order_payments').includes('source.jaffle.shop.orders#status -> model.jaffle.order_payments#status:identity'));
    assert.deepEqual(columnsOf(facts, 'source.jaffle.shop.payments'), ['id', 'order_id', 'amount'], 'declared columns are untouched');
  });

  it('* EXCLUDE: the excluded name does not pass through; the others do', () => {
    assert.deepEqual(columnsOf(facts, 'model.jaffle.customers_public'), ['id', 'name']);
    assert.ok(edgesInto(facts, 'model.jaffle.customers_public').includes('model.jaffle.stg_customers#name -> model.jaffle.customers_public#name:identity'));
  });

  it('two unknown stars joined: an unambiguous name is attributed, an ambiguous one is unresolved with its candidates', () => {
    const edges = edgesInto(facts, 'model.jaffle.mixed').filter((e) => e.endsWith(':identity'));
    assert.deepEqual(edges, ['model.jaffle.stg_customers#email -> model.jaffle.mixed#email:identity', 'source.jaffle.shop.orders#status -> model.jaffle.mixed#status:identity']);
    const ambiguous = facts.unresolved.find((u) => u.target === 'model.jaffle.mixed#id');
    assert.equal(ambiguous?.reason, 'ambiguous-column');
    assert.equal(ambiguous?.detail, 'Ambiguous: "id" could come from any of c (* over stg_customers), o (* over shop.orders), whose columns are unknown.');
  });

  it('the unknown remainder is a note on the relation, not an error diagnostic', () => {
    const note = facts.unresolved.find((u) => u.target === 'source.jaffle.shop.orders');
    assert.equal(note?.reason, 'star-without-schema');
    assert.equal(note?.detail, 'The columns of source.jaffle.shop.orders are not declared; only the columns referenced downstream are known.');
    const passing = facts.unresolved.find((u) => u.target === 'model.jaffle.stg_customers');
    assert.equal(passing?.reason, 'star-without-schema');
    assert.match(passing?.detail ?? '', /columns of shop\.customers are unknown, so \* passes them through unexpanded/);
    // stg_orders' own star never reaches its output: nothing is reported for it.
    assert.deepEqual(facts.unresolved.filter((u) => u.target.startsWith('model.jaffle.stg_orders')), []);
    assert.deepEqual(facts.diagnostics.filter((d) => d.severity === 'error'), []);
  });
});

describe('pipeline: star over an unknown schema (edge cases)', () => {
  const project = (models: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> => ({
    'dbt_project.yml': "name: p\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n",
    'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: a\n      - name: b\n',
    ...Object.fromEntries(Object.entries(models).map(([name, sql]) => [`models/${name}.sql`, sql])),
    ...extra,
  });

  it('a name read through a model that stars two unknown relations is ambiguous at that model, with both candidates', () => {
    const { facts } = extractWorkspace(memoryFs(project({
      both: "select * from {{ source('raw', 'a') }} join {{ source('raw', 'b') }} using (k)\n",
      reader: "select x from {{ ref('both') }}\n",
    })), { workspaceName: 'ws' });
    const u = facts.unresolved.find((x) => x.target === 'model.p.both#x');
    assert.equal(u?.reason, 'ambiguous-column');
    assert.equal(u?.detail, 'Ambiguous: "x" reaches model.p.both through * over several relations whose columns are unknown: source.p.raw.a, source.p.raw.b.');
    assert.ok(facts.columns.some((c) => c.id === 'model.p.both#x'), 'the read column exists on the model');
    assert.ok(!facts.columns.some((c) => c.id === 'source.p.raw.a#x' || c.id === 'source.p.raw.b#x'), 'but is attributed to neither source');
  });

  it('a model whose SQL does not parse still gets the columns downstream reads, with a note saying why', () => {
    const { facts } = extractWorkspace(memoryFs(project({
      broken: "select from where ((( {{ source('raw', 'a') }}\n",
      reader: "select id, name as n from {{ ref('broken') }}\n",
    })), { workspaceName: 'ws' });
    assert.deepEqual(columnsOf(facts, 'model.p.broken'), ['id', 'name']);
    assert.ok(facts.unresolved.some((u) => u.target === 'model.p.broken' && u.reason === 'star-without-schema' && u.detail === 'The output columns of model.p.broken could not be computed from its SQL; only the columns referenced downstream are known.'));
    assert.ok(edgesInto(facts, 'model.p.reader').includes('model.p.broken#name -> model.p.reader#n:identity'));
  });

  it('a chain of select * models over an undeclared source: a name read at the end reaches the source', () => {
    const { facts } = extractWorkspace(memoryFs(project({
      s1: "select * from {{ source('raw', 'a') }}\n",
      s2: "select * from {{ ref('s1') }}\n",
      s3: "select *, 1 as one from {{ ref('s2') }}\n",
      end: "select upper(code) as code_up, one from {{ ref('s3') }}\n",
    })), { workspaceName: 'ws' });
    assert.deepEqual(edgesInto(facts, 'model.p.end'), ['model.p.s3#code -> model.p.end#code_up:transformation', 'model.p.s3#one -> model.p.end#one:identity']);
    assert.deepEqual(edgesInto(facts, 'model.p.s3'), ['model.p.s2#code -> model.p.s3#code:identity']);
    assert.deepEqual(edgesInto(facts, 'model.p.s2'), ['model.p.s1#code -> model.p.s2#code:identity']);
    assert.deepEqual(edgesInto(facts, 'model.p.s1'), ['source.p.raw.a#code -> model.p.s1#code:identity']);
    assert.deepEqual(columnsOf(facts, 'model.p.s3'), ['one', 'code']);
    assert.deepEqual(columnsOf(facts, 'source.p.raw.a'), ['code']);
  });

  it('plain SQL: a view over a table without DDL, and a table built from the view', () => {
    const { facts } = extractWorkspace(memoryFs({
      'etl/views.sql': 'create view stg_orders as\nwith src as (select * from raw.orders)\nselect id as order_id, amount_cents / 100 as amount from src;\n',
      'etl/pass.sql': 'create view all_orders as select * from raw.orders;\n',
      'etl/report.sql': 'create table report as select o.order_id, a.status from stg_orders o join all_orders a on a.id = o.order_id;\n',
    }), { workspaceName: 'ws' });
    assert.deepEqual(columnsOf(facts, 'table.ws.stg_orders'), ['order_id', 'amount']);
    assert.deepEqual(edgesInto(facts, 'table.ws.stg_orders'), ['table.ws.raw.orders#amount_cents -> table.ws.stg_orders#amount:transformation', 'table.ws.raw.orders#id -> table.ws.stg_orders#order_id:identity']);
    assert.deepEqual(columnsOf(facts, 'table.ws.all_orders'), ['id', 'status']);
    assert.ok(edgesInto(facts, 'table.ws.all_orders').includes('table.ws.raw.orders#status -> table.ws.all_orders#status:identity'));
    assert.deepEqual(columnsOf(facts, 'table.ws.raw.orders'), ['amount_cents', 'id', 'status']);
    assert.ok(facts.unresolved.some((u) => u.target === 'table.ws.raw.orders' && u.reason === 'star-without-schema'));
    assert.ok(edgesInto(facts, 'table.ws.report').includes('table.ws.all_orders#status -> table.ws.report#status:identity'));
  });

  it('plain SQL: INSERT … SELECT * maps by position, so it passes no name through', () => {
    const { facts } = extractWorkspace(memoryFs({
      'etl/load.sql': 'create table target_t (a int, b int);\ninsert into target_t select * from raw.landing;\n',
    }), { workspaceName: 'ws' });
    assert.deepEqual(edgesInto(facts, 'table.ws.target_t'), []);
    assert.deepEqual(columnsOf(facts, 'table.ws.raw.landing'), []);
  });
});
