import * as assert from 'node:assert/strict';
import { one } from './lineageHelpers';

describe('sql: resolveLineage scopes', () => {
  it('follows a CTE that reads an earlier CTE down to the base table', () => {
    const v = one(`
      with a as (select id, amount * 2 as doubled from raw.orders),
           b as (select id, doubled as d from a)
      select b.id, b.d from b`);
    assert.deepEqual(v.reads, ['raw.orders']);
    assert.deepEqual(v.cols.id, ['raw.orders.id:identity']);
    assert.deepEqual(v.cols.d, ['raw.orders.amount:transformation']);
  });

  it('resolves a recursive CTE from its anchor and recursive branches', () => {
    const v = one(`
      with recursive tree (id, parent_id, depth) as (
        select id, parent_id, 0 from nodes where parent_id is null
        union all
        select n.id, n.parent_id, t.depth + 1 from nodes n join tree t on n.parent_id = t.id)
      select id, depth from tree`);
    assert.deepEqual(v.reads, ['nodes']);
    assert.deepEqual(v.cols.id, ['nodes.id:identity']);
    assert.deepEqual(v.cols.depth, []);
    assert.ok(v.indirect.includes('nodes.parent_id:join'));
  });

  it('resolves nested derived tables with table and column aliases', () => {
    const v = one(`
      select x.total as grand_total, x.k
      from (select k, sum(v) as total from (select key as k, val as v from s.t) inner_q group by k) as x`);
    assert.deepEqual(v.cols.grand_total, ['s.t.val:aggregation']);
    assert.deepEqual(v.cols.k, ['s.t.key:identity']);
    assert.ok(v.indirect.includes('s.t.key:group'));
  });

  it('applies derived-table column aliases AS t(a, b)', () => {
    const v = one('select q.a, q.b from (select x, y + 1 from t) as q(a, b)');
    assert.deepEqual(v.cols.a, ['t.x:identity']);
    assert.deepEqual(v.cols.b, ['t.y:transformation']);
  });

  it('matches UNION / INTERSECT / EXCEPT branches by position and names columns from the first branch', () => {
    const v = one('select a as k, b from t1 union all select c, d from t2 except select e, f from t3');
    assert.deepEqual(v.order, ['k', 'b']);
    assert.deepEqual(v.cols.k, ['t1.a:identity', 't2.c:identity', 't3.e:identity']);
    assert.deepEqual(v.cols.b, ['t1.b:identity', 't2.d:identity', 't3.f:identity']);
  });

  it('expands * and t.* from the schema, in order', () => {
    const schema = { orders: ['id', 'customer_id', 'amount'], customers: ['id', 'name'] };
    const v = one('select c.*, o.amount from orders o join customers c on o.customer_id = c.id', 'postgresql', schema);
    assert.deepEqual(v.order, ['id', 'name', 'amount']);
    assert.deepEqual(v.cols.name, ['customers.name:identity']);
    const all = one('select * from orders', 'postgresql', schema);
    assert.deepEqual(all.order, ['id', 'customer_id', 'amount']);
  });

  it('reports star-without-schema and lists the relation as passing through, without a `*` column', () => {
    const v = one('select a, * from (select * from unknown_t) s');
    assert.deepEqual(v.order, ['a']);
    assert.deepEqual(v.passThrough, ['unknown_t.*:identity']);
    assert.deepEqual(v.unresolved, ['*|*|star-without-schema']);
  });

  it('resolves a column of a derived SELECT * through to the unknown table', () => {
    const v = one('select s.a from (select * from unknown_t) s');
    assert.deepEqual(v.cols.a, ['unknown_t.a:identity']);
  });

  it('honours * EXCEPT (…) and * REPLACE (…) (BigQuery) and * EXCLUDE (Snowflake)', () => {
    const schema = { users: ['id', 'name', 'secret'] };
    const bq = one('select * except (secret) replace (upper(name) as name) from users', 'bigquery', schema);
    assert.deepEqual(bq.order, ['id', 'name']);
    assert.deepEqual(bq.cols.name, ['users.name:transformation']);
    const sf = one('select * exclude (secret, name) from users', 'snowflake', schema);
    assert.deepEqual(sf.order, ['id']);
  });

  it('tags window PARTITION BY / ORDER BY columns as window sources of that column', () => {
    const v = one('select id, sum(amount) over (partition by customer_id order by created_at) as running from orders');
    assert.deepEqual(v.cols.running, ['orders.amount:aggregation', 'orders.created_at:window', 'orders.customer_id:window']);
    assert.deepEqual(v.cols.id, ['orders.id:identity']);
  });

  it('tags aggregates, CASE conditions and value branches', () => {
    const v = one(`select count(distinct user_id) as users,
                          case when status = 'paid' then amount else fee end as value,
                          max(case when kind = 'a' then score end) as best
                   from events`);
    assert.deepEqual(v.cols.users, ['events.user_id:aggregation']);
    assert.deepEqual(v.cols.value, ['events.amount:transformation', 'events.fee:transformation', 'events.status:conditional']);
    assert.deepEqual(v.cols.best, ['events.kind:conditional', 'events.score:aggregation']);
  });

  it('resolves scalar subqueries, including correlated ones', () => {
    const v = one('select c.id, (select max(o.amount) from orders o where o.customer_id = c.id) as top from customers c');
    assert.deepEqual(v.cols.top, ['orders.amount:aggregation']);
    assert.ok(v.indirect.includes('customers.id:filter'));
    assert.ok(v.indirect.includes('orders.customer_id:filter'));
    assert.deepEqual(v.reads, ['customers', 'orders']);
  });

  it('resolves UNNEST / table functions and LATERAL subqueries', () => {
    const v = one('select u.id, tag from users u cross join unnest(u.tags) as t(tag)');
    assert.deepEqual(v.cols.tag, ['users.tags:transformation']);
    const lat = one('select u.id, l.n from users u cross join lateral (select count(*) as n from logins g where g.user_id = u.id) l');
    assert.deepEqual(lat.cols.n, ['logins.*:aggregation']);
    assert.ok(lat.indirect.includes('users.id:filter'));
  });

  it('records JOIN ON as join, WHERE/HAVING/QUALIFY as filter, GROUP BY as group and ORDER BY as sort', () => {
    const v = one(`select a.k, count(*) as n from a join b on a.id = b.a_id
                   where b.active group by a.k having sum(b.v) > 1 order by a.k`);
    assert.deepEqual(v.indirect, ['a.id:join', 'a.k:group', 'a.k:sort', 'b.a_id:join', 'b.active:filter', 'b.v:filter']);
    const q = one('select id from t qualify row_number() over (partition by id order by ts desc) = 1', 'snowflake');
    assert.deepEqual(q.indirect, ['t.id:filter', 't.ts:filter']);
  });

  it('resolves ORDER BY output aliases to their sources', () => {
    const v = one('select amount * 2 as doubled from t order by doubled');
    assert.deepEqual(v.indirect, ['t.amount:sort']);
  });

  it('uses the schema to resolve unqualified columns over several relations', () => {
    const schema = { a: ['id', 'x'], b: ['id', 'y'] };
    const v = one('select x, y from a join b on a.id = b.id', 'postgresql', schema);
    assert.deepEqual(v.cols.x, ['a.x:identity']);
    assert.deepEqual(v.cols.y, ['b.y:identity']);
    assert.deepEqual(v.unresolved, []);
  });

  it('records ambiguous and unknown columns as unresolved instead of guessing or throwing', () => {
    const noSchema = one('select x from a join b on a.id = b.id');
    assert.deepEqual(noSchema.cols.x, []);
    assert.deepEqual(noSchema.unresolved, ['x|x|ambiguous-column']);
    const both = one('select id from a join b on a.k = b.k', 'postgresql', { a: ['id', 'k'], b: ['id', 'k'] });
    assert.deepEqual(both.unresolved, ['id|id|ambiguous-column']);
    const unknown = one('select nope from a', 'postgresql', { a: ['id'] });
    assert.deepEqual(unknown.unresolved, ['nope|nope|unknown-column']);
    const badAlias = one('select z.id from a join b on a.k = b.k');
    assert.deepEqual(badAlias.unresolved, ['id|z.id|unknown-relation']);
  });

  it('reads `col.field` as struct field access when no relation has that name', () => {
    const v = one('select addr.city as city, t.id from t', 'bigquery', { t: ['id', 'addr'] });
    assert.deepEqual(v.cols.city, ['t.addr:transformation']);
    assert.deepEqual(v.unresolved, []);
  });

  it('counts a named window (`OVER w`) as window sources of the columns that use it, like an inline one', () => {
    const v = one('select sum(x) over w as s, x from t window w as (partition by g order by d)', 'bigquery');
    assert.deepEqual(v.cols.s, ['t.d:window', 't.g:window', 't.x:aggregation']);
    assert.deepEqual(v.cols.x, ['t.x:identity']);
    assert.deepEqual(v.indirect, []);
    const chained = one('select sum(x) over (w2 order by d) as s from t window w1 as (partition by g), w2 as w1', 'bigquery');
    assert.deepEqual(chained.cols.s, ['t.d:window', 't.g:window', 't.x:aggregation']);
  });

  it('makes JOIN … USING columns unambiguous and counts them as join keys', () => {
    const v = one('select id, a.v from mallard__rel.r0 a join mallard__rel.r1 b using (id)');
    assert.deepEqual(v.cols.id, ['mallard__rel.r0.id:identity', 'mallard__rel.r1.id:identity']);
    assert.deepEqual(v.indirect, ['mallard__rel.r0.id:join', 'mallard__rel.r1.id:join']);
    assert.deepEqual(v.reads, ['mallard__rel.r0', 'mallard__rel.r1']);
  });

  it('resolves lateral column aliases used by later select items', () => {
    const v = one('select amount as a, a * 2 as b from t', 'postgresql', { t: ['amount'] });
    assert.deepEqual(v.cols.b, ['t.amount:transformation']);
  });

  it('reads the base table a CTE of the same name selects from', () => {
    const v = one('with orders as (select id, amount from orders where amount > 0) select id from orders', 'postgresql', { orders: ['id', 'amount'] });
    assert.deepEqual(v.reads, ['orders']);
    assert.deepEqual(v.cols.id, ['orders.id:identity']);
  });

  it('keeps a CTE named like a base table from being read as that table', () => {
    const v = one('with orders as (select * from mallard__rel.r0) select id from orders', 'postgresql', { 'mallard__rel.r0': ['id'] });
    assert.deepEqual(v.reads, ['mallard__rel.r0']);
    assert.deepEqual(v.cols.id, ['mallard__rel.r0.id:identity']);
  });
});
