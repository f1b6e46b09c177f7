import * as assert from 'node:assert/strict';
import { parseSql } from '../../../core/sql/parseSql';
import { resolveLineage } from '../../../core/sql/resolveLineage';
import { one } from './lineageHelpers';

/**
 * A star over a relation whose columns are unknown (no schema) still passes through every name
 * read through it: sqlglot and SQLMesh resolve `with s as (select * from t) select s.id from s` to
 * `t.id`. Only what reaches the output unexpanded is reported, and only unambiguous names are
 * attributed.
 */

/** The `unresolved` entries of the single statement of `sql`, without a schema. */
function unresolvedOf(sql: string, dialect: 'postgresql' | 'bigquery' | 'snowflake' = 'postgresql'): { column: string; name: string; reason: string; detail: string }[] {
  const parsed = parseSql(sql, { dialect, file: 'test.sql' });
  assert.deepEqual(parsed.diagnostics, []);
  const stmt = parsed.statements[0];
  assert.ok(stmt);
  return resolveLineage(stmt, () => undefined).unresolved;
}

describe('sql: star over an unknown schema', () => {
  it('resolves dbt\'s staging pattern to the source columns with their transformation kinds', () => {
    const v = one(`
      with source as (select * from shop.orders),
      renamed as (select id as order_id, status, amount_cents / 100 as amount from source)
      select * from renamed`);
    assert.deepEqual(v.order, ['order_id', 'status', 'amount']);
    assert.deepEqual(v.cols.order_id, ['shop.orders.id:identity']);
    assert.deepEqual(v.cols.status, ['shop.orders.status:identity']);
    assert.deepEqual(v.cols.amount, ['shop.orders.amount_cents:transformation']);
    // The star's remainder never reaches the output: the output is complete and nothing is reported.
    assert.deepEqual(v.passThrough, []);
    assert.deepEqual(v.unresolved, []);
  });

  it('follows names through several levels of CTEs and derived tables, qualified or not', () => {
    const v = one(`
      with a as (select * from raw.events),
           b as (select * from a),
           c as (select b.user_id, sum(b.value) as total from b group by b.user_id)
      select x.user_id, x.total, x2.kind
      from c x join (select * from (select * from b) inner_b) x2 on x2.user_id = x.user_id`);
    assert.deepEqual(v.cols.user_id, ['raw.events.user_id:identity']);
    assert.deepEqual(v.cols.total, ['raw.events.value:aggregation']);
    assert.deepEqual(v.cols.kind, ['raw.events.kind:identity']);
    assert.ok(v.indirect.includes('raw.events.user_id:join'));
    assert.ok(v.indirect.includes('raw.events.user_id:group'));
    assert.deepEqual(v.unresolved, []);
  });

  it('resolves names read through an unknown star inside scalar and IN subqueries, correlated or not', () => {
    const v = one(`
      with o as (select * from raw.orders)
      select o.id, (select max(p.amount) from (select * from raw.payments) p where p.order_id = o.id) as max_paid
      from o
      where o.status in (select s.code from (select * from raw.statuses) s)`);
    assert.deepEqual(v.cols.id, ['raw.orders.id:identity']);
    assert.deepEqual(v.cols.max_paid, ['raw.payments.amount:aggregation']);
    assert.ok(v.indirect.includes('raw.statuses.code:filter'));
    assert.ok(v.indirect.includes('raw.orders.status:filter'));
    assert.deepEqual(v.unresolved, []);
  });

  it('in a join with one unknown-star side, a name the known side has is its own, any other the star\'s', () => {
    const schema = { customers: ['id', 'name'] };
    const v = one(`
      with o as (select * from raw.orders)
      select order_id, name, o.id as oid
      from o join customers c on c.id = o.customer_id`, 'postgresql', schema);
    assert.deepEqual(v.cols.order_id, ['raw.orders.order_id:identity']);
    assert.deepEqual(v.cols.name, ['customers.name:identity']);
    assert.deepEqual(v.cols.oid, ['raw.orders.id:identity']);
    assert.deepEqual(v.unresolved, []);
  });

  it('two unknown-star relations: a qualified name is attributed, an unqualified one is ambiguous with its candidates', () => {
    const sql = `
      with a as (select * from raw.customers), b as (select * from raw.orders)
      select a.email, id from a join b on b.customer_id = a.id`;
    const v = one(sql);
    assert.deepEqual(v.cols.email, ['raw.customers.email:identity']);
    assert.deepEqual(v.cols.id, []);
    assert.deepEqual(v.unresolved, ['id|id|ambiguous-column']);
    const [entry] = unresolvedOf(sql);
    assert.equal(entry?.detail, 'Ambiguous: "id" could come from any of a (* over raw.customers), b (* over raw.orders), whose columns are unknown.');
  });

  it('a name read through a derived table that stars two unknown relations is ambiguous', () => {
    const sql = 'with j as (select * from raw.a join raw.b on a.k = b.k) select id, j.k2 from j';
    const v = one(sql);
    assert.deepEqual(v.cols.id, []);
    assert.deepEqual(v.cols.k2, []);
    assert.deepEqual(v.unresolved, ['id|id|ambiguous-column', 'k2|j.k2|ambiguous-column']);
    assert.match(unresolvedOf(sql)[0]?.detail ?? '', /any of raw\.a, raw\.b, whose columns are unknown/);
  });

  it('a qualified star s.* passes its relation through; what reaches the output is reported as pass-through, not as an error', () => {
    const schema = { payments: ['order_id', 'amount'] };
    const v = one('select s.*, p.amount as paid from raw.orders s join payments p on p.order_id = s.id', 'postgresql', schema);
    assert.deepEqual(v.order, ['paid']);
    assert.deepEqual(v.passThrough, ['raw.orders.*:identity']);
    assert.deepEqual(v.unresolved, ['*|*|star-without-schema']);
    const parsed = parseSql('select s.*, p.amount as paid from raw.orders s join payments p on p.order_id = s.id', { dialect: 'postgresql', file: 't.sql' });
    const stmt = parsed.statements[0];
    assert.ok(stmt);
    const r = resolveLineage(stmt, (rel) => (rel.name === 'payments' ? ['order_id', 'amount'] : undefined));
    assert.equal(r.unresolved[0]?.detail, 'The columns of raw.orders are unknown, so * passes them through unexpanded; only the columns named in the query or referenced downstream are known.');
  });

  it('* EXCEPT removes a name from the unknown star, and the pass-through remembers it', () => {
    const v = one('with s as (select * except (secret) from raw.users) select id, secret from s', 'bigquery');
    assert.deepEqual(v.cols.id, ['raw.users.id:identity']);
    assert.deepEqual(v.cols.secret, []);
    assert.deepEqual(v.unresolved, ['secret|secret|unknown-column']);
    const parsed = parseSql('select * except (secret) from (select * exclude (token) from raw.users)', { dialect: 'snowflake', file: 't.sql' });
    const stmt = parsed.statements[0];
    assert.ok(stmt);
    const r = resolveLineage(stmt, () => undefined);
    assert.deepEqual(r.passThrough, [{ relation: { schema: 'raw', name: 'users' }, column: '*', transform: 'identity', except: ['secret', 'token'] }]);
    assert.match(r.unresolved[0]?.detail ?? '', /passes them through unexpanded except secret, token/);
  });

  it('* REPLACE makes the replaced name a transformation even when the star is not expanded', () => {
    const v = one('with s as (select * replace (upper(name) as name) from raw.users) select name, id from s', 'bigquery');
    assert.deepEqual(v.cols.name, ['raw.users.name:transformation']);
    assert.deepEqual(v.cols.id, ['raw.users.id:identity']);
  });

  it('renames through aliases keep the kind; a column list over an unknown star is reported, not guessed', () => {
    const v = one(`
      with s as (select * from raw.t), r as (select a as x, b + 1 as y from s)
      select x as final_x, y from r`);
    assert.deepEqual(v.cols.final_x, ['raw.t.a:identity']);
    assert.deepEqual(v.cols.y, ['raw.t.b:transformation']);
    const listed = one('with s (a, b) as (select * from raw.t) select a from s');
    assert.deepEqual(listed.cols.a, []);
    assert.deepEqual(listed.unresolved, ['*|*|star-without-schema']);
  });

  it('a star over a derived table mixes its known columns with the unknown remainder', () => {
    const v = one('with s as (select *, amount * 2 as double_amount from raw.t) select * from s');
    assert.deepEqual(v.order, ['double_amount']);
    assert.deepEqual(v.cols.double_amount, ['raw.t.amount:transformation']);
    assert.deepEqual(v.passThrough, ['raw.t.*:identity']);
  });
});
