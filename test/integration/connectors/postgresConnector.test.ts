import assert from 'node:assert/strict';
import '../../setup/sqlEngine';
import '../../support/mochaPg';
import type { ConnectorPorts } from '../../../core/connectors/connector';
import { ConnectorError, validateInput, warehouseRelationId } from '../../../core/connectors/connector';
import { postgresConnector } from '../../../core/connectors/postgres';
import type { PostgresConfig, PostgresSecrets } from '../../../core/connectors/postgres';
import { connectorDefinition } from '../../../core/connectors/registry';
import type { Facts } from '../../../core/model/entities';
import { openSqlSession } from '../../../extension/connectors/sqlDrivers';
import { scratchDatabase, type ScratchDatabase } from '../../support/pgScratch';

/**
 * The PostgreSQL connector against a real Postgres (the shared embedded server, a scratch
 * database): tables, views and a materialized view across schemas, comments, keys, a quoted
 * mixed-case name, and the real Node driver (`postgres` package) behind `ports.openSql`.
 */

const DDL = `
  create schema raw;
  create schema analytics;
  create schema scratch;
  create table raw.customers (id int primary key, name text not null, email text unique, created_at timestamptz);
  comment on table raw.customers is 'One row per customer.';
  comment on column raw.customers.email is 'Primary e-mail address.';
  create table raw.orders (id bigint primary key, customer_id int references raw.customers (id), amount numeric(10, 2), status varchar(20), ordered_at date);
  create table raw."Events" ("EventId" int, kind text);
  create table analytics.order_lines (order_id bigint references raw.orders (id), line_no int, sku text, primary key (order_id, line_no));
  create view analytics.customer_orders as
    select c.id as customer_id, c.name, sum(o.amount) as total
    from raw.customers c join raw.orders o on o.customer_id = c.id
    where o.status = 'paid' group by c.id, c.name;
  comment on view analytics.customer_orders is 'Paid totals per customer.';
  create materialized view analytics.big_customers as select customer_id, total from analytics.customer_orders where total > 100;
  create view public.recent_orders as select * from raw.orders where ordered_at > date '2020-01-01';
  create view analytics.event_kinds as select "EventId" as event_id, upper(kind) as kind from raw."Events";
  create table scratch.tmp (x int);
  create table public.fx_rates (currency text primary key, rate numeric);
  -- public is on the session's search path, so pg_get_viewdef prints fx_rates unqualified.
  create view analytics.order_totals_eur as
    select o.id, o.amount * r.rate as amount_eur from raw.orders o cross join public.fx_rates r where r.currency = 'EUR';
`;

describe('Postgres connector (real Postgres)', function () {
  this.timeout(120_000);
  let db: ScratchDatabase;
  let config: PostgresConfig;
  let secrets: PostgresSecrets;
  const ports: ConnectorPorts = { openSql: (c, s) => openSqlSession('postgres', c, s) };
  const id = (schema: string, name: string) => warehouseRelationId(db.name, schema, name);
  let facts: Facts;
  let state: unknown;

  before(async () => {
    db = await scratchDatabase('pgconn');
    await db.sql.unsafe(DDL);
    const input = validateInput(postgresConnector, { name: 'shop', host: db.server.host, port: String(db.server.port), database: db.name, user: db.server.superuser, sslmode: 'disable', excludeSchemas: 'scratch, pg_*' }, { password: db.server.superPassword });
    config = input.config;
    secrets = input.secrets;
    const result = await postgresConnector.extract({ config, secrets }, ports);
    facts = result.facts;
    state = result.state;
  });
  after(async () => {
    await db?.drop();
  });

  it('is registered and validates its settings', () => {
    assert.equal(connectorDefinition('postgres'), postgresConnector);
    assert.equal(config.port, db.server.port);
    assert.deepEqual(config.excludeSchemas, ['scratch', 'pg_*']);
    assert.throws(
      () => validateInput(postgresConnector, { host: '', database: 'x', user: 'u', port: 99999 }, {}),
      (err: unknown) => err instanceof ConnectorError && err.reason === 'bad-config' && /config\.host/.test(err.message) && /config\.port/.test(err.message),
    );
  });

  it('extracts tables, views and materialized views across schemas, and honours the schema filter', () => {
    const byId = new Map(facts.entities.map((e) => [e.id, e]));
    assert.deepEqual(
      [...byId.keys()].sort(),
      [id('analytics', 'big_customers'), id('analytics', 'customer_orders'), id('analytics', 'event_kinds'), id('analytics', 'order_lines'), id('analytics', 'order_totals_eur'), id('public', 'fx_rates'), id('public', 'recent_orders'), id('raw', 'customers'), id('raw', 'Events'), id('raw', 'orders')].sort(),
    );
    const customers = byId.get(id('raw', 'customers'));
    assert.equal(customers?.kind, 'table');
    assert.equal(customers?.project, 'shop');
    assert.equal(customers?.schema, 'raw');
    assert.equal(customers?.database, db.name);
    assert.equal(customers?.description, 'One row per customer.');
    const view = byId.get(id('analytics', 'customer_orders'));
    assert.equal(view?.kind, 'view');
    assert.equal(view?.description, 'Paid totals per customer.');
    assert.match(view?.compiledSql ?? '', /sum\(o\.amount\)/);
    const mat = byId.get(id('analytics', 'big_customers'));
    assert.equal(mat?.kind, 'view');
    assert.equal(mat?.materialized, 'materialized_view');
    assert.equal(byId.get(id('raw', 'Events'))?.name, 'Events');
  });

  it('extracts columns with types, positions, nullability and comments', () => {
    const cols = facts.columns.filter((c) => c.entityId === id('raw', 'orders'));
    assert.deepEqual(
      cols.map((c) => [c.name, c.type, c.position]),
      [['id', 'bigint', 0], ['customer_id', 'integer', 1], ['amount', 'numeric(10,2)', 2], ['status', 'character varying(20)', 3], ['ordered_at', 'date', 4]],
    );
    const email = facts.columns.find((c) => c.id === `${id('raw', 'customers')}#email`);
    assert.equal(email?.description, 'Primary e-mail address.');
    const viewCols = facts.columns.filter((c) => c.entityId === id('analytics', 'customer_orders')).map((c) => `${c.name}:${c.type}`);
    assert.deepEqual(viewCols, ['customer_id:integer', 'name:text', 'total:numeric']);
  });

  it('maps keys and NOT NULL to tests and meta', () => {
    const tests = (entity: string, column: string) => facts.columns.find((c) => c.id === `${entity}#${column}`)?.tests.map((t) => `${t.name}${t.args.constraint ? `(${String(t.args.constraint)})` : ''}`);
    assert.deepEqual(tests(id('raw', 'customers'), 'id'), ['unique(customers_pkey)', 'not_null(customers_pkey)']);
    assert.deepEqual(tests(id('raw', 'customers'), 'email'), ['unique(customers_email_key)']);
    assert.deepEqual(tests(id('raw', 'customers'), 'name'), ['not_null']);
    const fk = facts.columns.find((c) => c.id === `${id('raw', 'orders')}#customer_id`)?.tests;
    assert.deepEqual(fk, [{ name: 'relationships', args: { constraint: 'orders_customer_id_fkey', to: id('raw', 'customers'), field: 'id' } }]);
    const lines = facts.entities.find((e) => e.id === id('analytics', 'order_lines'));
    assert.deepEqual(lines?.meta.primary_key, ['order_id', 'line_no']);
    assert.deepEqual(tests(id('analytics', 'order_lines'), 'line_no'), ['not_null']);
  });

  it('gives table lineage from pg_depend, across schemas', () => {
    const edges = facts.modelEdges.map((e) => `${e.from} -> ${e.to}`).sort();
    assert.deepEqual(
      edges,
      [
        `${id('analytics', 'customer_orders')} -> ${id('analytics', 'big_customers')}`,
        `${id('raw', 'customers')} -> ${id('analytics', 'customer_orders')}`,
        `${id('raw', 'Events')} -> ${id('analytics', 'event_kinds')}`,
        `${id('raw', 'orders')} -> ${id('analytics', 'customer_orders')}`,
        `${id('raw', 'orders')} -> ${id('public', 'recent_orders')}`,
        `${id('public', 'fx_rates')} -> ${id('analytics', 'order_totals_eur')}`,
        `${id('raw', 'orders')} -> ${id('analytics', 'order_totals_eur')}`,
      ].sort(),
    );
  });

  it('gives column lineage from the parsed view definitions', () => {
    const direct = (to: string) =>
      facts.columnEdges
        .filter((e) => e.to === to && ['identity', 'transformation', 'aggregation'].includes(e.transform))
        .map((e) => `${e.from}:${e.transform}`)
        .sort();
    const co = id('analytics', 'customer_orders');
    assert.deepEqual(direct(`${co}#customer_id`), [`${id('raw', 'customers')}#id:identity`]);
    assert.deepEqual(direct(`${co}#total`), [`${id('raw', 'orders')}#amount:aggregation`]);
    assert.deepEqual(direct(`${id('analytics', 'big_customers')}#total`), [`${co}#total:identity`]);
    // `select *` expands from the catalog's columns.
    assert.deepEqual(direct(`${id('public', 'recent_orders')}#amount`), [`${id('raw', 'orders')}#amount:identity`]);
    assert.deepEqual(direct(`${id('analytics', 'event_kinds')}#event_id`), [`${id('raw', 'Events')}#eventid:identity`]);
    assert.deepEqual(direct(`${id('analytics', 'event_kinds')}#kind`), [`${id('raw', 'Events')}#kind:transformation`]);
    const eur = facts.entities.find((e) => e.id === id('analytics', 'order_totals_eur'));
    assert.match(eur?.compiledSql ?? '', /CROSS JOIN fx_rates r/, 'the definition names fx_rates unqualified');
    assert.deepEqual(direct(`${id('analytics', 'order_totals_eur')}#amount_eur`), [`${id('public', 'fx_rates')}#rate:transformation`, `${id('raw', 'orders')}#amount:transformation`]);
    const indirect = facts.columnEdges.filter((e) => e.to === `${co}#total` && e.transform === 'filter').map((e) => e.from);
    assert.deepEqual(indirect, [`${id('raw', 'orders')}#status`]);
    assert.deepEqual(facts.unresolved, []);
    assert.deepEqual(facts.diagnostics, []);
  });

  it('answers unchanged while the catalog is unchanged, and extracts again after a change', async () => {
    const again = await postgresConnector.extract({ config, secrets, state: state as never }, ports);
    assert.equal(again.unchanged, true);
    assert.equal(again.facts.entities.length, 0);
    await db.sql.unsafe(`comment on column raw.orders.amount is 'Order total in cents.'`);
    const changed = await postgresConnector.extract({ config, secrets, state: again.state ?? null }, ports);
    assert.notEqual(changed.unchanged, true);
    assert.equal(changed.facts.columns.find((c) => c.id === `${id('raw', 'orders')}#amount`)?.description, 'Order total in cents.');
    // Postgres lets a replaced view only add columns at the end.
    await db.sql.unsafe(`create or replace view public.recent_orders as select o.*, o.amount * 100 as cents from raw.orders o where ordered_at > date '2020-01-01'`);
    const replaced = await postgresConnector.extract({ config, secrets, state: changed.state ?? null }, ports);
    assert.notEqual(replaced.unchanged, true);
    const recent = `${id('public', 'recent_orders')}#cents`;
    assert.equal(replaced.facts.columns.filter((c) => c.entityId === id('public', 'recent_orders')).at(-1)?.id, recent);
    assert.deepEqual(replaced.facts.columnEdges.filter((e) => e.to === recent && e.transform === 'transformation').map((e) => e.from), [`${id('raw', 'orders')}#amount`]);
  });

  it('tests the connection and discovers schemas and relations', async () => {
    const result = await postgresConnector.test({ config, secrets }, ports);
    assert.equal(result.ok, true);
    assert.match(result.ok ? result.detail : '', /^PostgreSQL \d+.*; 3 of 3 selected schemas readable\.$/);
    const items = await postgresConnector.discover({ config, secrets }, ports);
    assert.deepEqual(items.filter((i) => i.kind === 'schema').map((i) => i.name), ['analytics', 'public', 'raw']);
    assert.deepEqual(items.find((i) => i.name === 'analytics.big_customers'), { kind: 'view', name: 'analytics.big_customers', detail: 'materialized view' });
  });

  it('maps a wrong password, a missing database and a closed port to their reasons', async () => {
    const wrong = await postgresConnector.test({ config, secrets: { password: 'not-the-password' } }, ports);
    assert.deepEqual(wrong.ok ? 'ok' : wrong.reason, 'auth-failed');
    const missing = await postgresConnector.test({ config: { ...config, database: `${db.name}_missing` }, secrets }, ports);
    assert.deepEqual(missing.ok ? 'ok' : [missing.reason, missing.message], ['not-found', `The database "${db.name}_missing" does not exist on ${db.server.host}:${db.server.port}.`]);
    const closed = await postgresConnector.test({ config: { ...config, port: 1 }, secrets }, ports);
    assert.equal(closed.ok ? 'ok' : closed.reason, 'unreachable');
    await assert.rejects(postgresConnector.extract({ config, secrets }, {}), (err: unknown) => err instanceof ConnectorError && err.reason === 'bad-host');
  });
});
