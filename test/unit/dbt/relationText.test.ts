import assert from 'node:assert/strict';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { substituteRelations } from '../../../core/dbt/relationText';
import { memFileSource } from './helpers';

/** Relations rendered so they never glue onto a neighbouring word (dbt's quoting does the same). */

const S = (n: number): string => `\uE000${n}\uE001`;
const sub = (out: string): string => substituteRelations(out, (n) => `db.rel${n}`);

describe('relation text in rendered SQL', () => {
  it('puts a space between a relation and a word it would glue onto, nowhere else', () => {
    assert.equal(sub(`left join${S(0)}as o on true`), 'left join db.rel0 as o on true');
    assert.equal(sub(`from ${S(0)} o join ${S(1)}.x`), 'from db.rel0 o join db.rel1.x');
    assert.equal(sub(`from ${S(0)}${S(1)}`), 'from db.rel0 db.rel1');
    assert.equal(sub(`(${S(0)}),${S(1)}\n`), '(db.rel0),db.rel1\n');
    // Inside strings, quoted names and comments the text is data, as in dbt's output.
    assert.equal(sub(`select 'x${S(0)}y', "q${S(1)}" -- a${S(2)}b\n/* c${S(3)}d */ from${S(4)}`), `select 'xdb.rel0y', "qdb.rel1" -- adb.rel2b\n/* cdb.rel3d */ from db.rel4`);
    assert.equal(sub(`select 'it''s' from${S(0)}`), "select 'it''s' from db.rel0");
  });

  it('a model written `left join{{ ref(...) }}as` parses, has lineage and no internal names in its SQL', () => {
    const files = {
      'dbt_project.yml': 'name: p\nconfig-version: 2\n',
      'models/orders.sql': 'select 1 as id, 2 as customer_id',
      'models/customers.sql': "select 2 as id, 'ana' as name",
      'models/joined.sql': "select o.id, c.name\nfrom {{ ref('orders') }} o\nleft join{{ ref('customers') }}as c on c.id = o.customer_id\n",
    };
    const { facts } = extractWorkspace(memFileSource(files), { workspaceName: 'ws' });
    const errors = facts.diagnostics.filter((d) => d.file === 'models/joined.sql');
    assert.deepEqual(errors, []);
    const joined = facts.entities.find((e) => e.id === 'model.p.joined');
    assert.equal(joined?.compiledSql, 'select o.id, c.name\nfrom public.orders o\nleft join public.customers as c on c.id = o.customer_id\n');
    const edges = facts.columnEdges.filter((e) => e.to.startsWith('model.p.joined#') && (e.transform === 'identity')).map((e) => `${e.from}->${e.to}`).sort();
    assert.deepEqual(edges, ['model.p.customers#name->model.p.joined#name', 'model.p.orders#id->model.p.joined#id']);
  });
});
