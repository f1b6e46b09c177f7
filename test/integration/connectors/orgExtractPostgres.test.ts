import assert from 'node:assert/strict';
import '../../setup/sqlEngine';
import '../../support/mochaPg';
import { validateInput } from '../../../core/connectors/connector';
import { orgCatalogRows } from '../../../core/connectors/orgCatalogRows';
import type { ConnectorSummary } from '../../../core/connectors/orgProtocol';
import { postgresConnector } from '../../../core/connectors/postgres';
import { openSqlSession } from '../../../extension/connectors/sqlDrivers';
import { ids } from '../../support/orgFixture';
import { scratchDatabase } from '../../support/pgScratch';
import type { ScratchDatabase } from '../../support/pgScratch';
import { startOrgWorld, syncedRows } from './orgWorld';
import type { OrgWorld } from './orgWorld';

/**
 * A Postgres connector extracted in the cloud: the `connectors` function tests it and the
 * `org-extract` function runs the Postgres connector in Deno (a `SqlSession` on npm `postgres`)
 * against a real database with tables, a view across schemas and comments; the synced org catalog
 * rows equal the rows of the same connector run in Node with the extension's driver.
 */
describe('org extraction of a Postgres connector (real Deno + Postgres)', function () {
  this.timeout(300_000);
  let world: OrgWorld;
  let source: ScratchDatabase;
  let config: Record<string, unknown>;
  const password = () => source.server.superPassword;

  before(async () => {
    source = await scratchDatabase('orgxpg');
    await source.sql.unsafe(`
      create schema raw; create schema mart;
      create table raw.customers (id int primary key, name text not null, email text unique);
      comment on table raw.customers is 'One row per customer.';
      comment on column raw.customers.email is 'Primary e-mail address.';
      create table raw.orders (id bigint primary key, customer_id int references raw.customers (id), amount numeric(10, 2), status text);
      create view mart.customer_totals as
        select c.id as customer_id, c.name, sum(o.amount) as total from raw.customers c join raw.orders o on o.customer_id = c.id
        where o.status = 'paid' group by c.id, c.name;`);
    config = { name: 'warehouse', host: source.server.host, port: source.server.port, database: source.name, user: source.server.superuser, sslmode: 'disable', includeSchemas: 'raw, mart' };
    world = await startOrgWorld({});
  });
  after(async () => {
    await world?.stop();
    await source?.drop();
  });

  it('tests the connection, runs it in Deno and syncs the same rows a Node run of the connector gives', async () => {
    const saved = await world.call('connectors', 'admin', { orgId: ids.orgA, action: 'save', type: 'postgres', name: 'warehouse', config, secrets: { password: password() } });
    assert.equal(saved.status, 200, saved.text);
    const connector = saved.body.connector as ConnectorSummary;
    const tested = await world.call('connectors', 'admin', { orgId: ids.orgA, action: 'test', connectorId: connector.id });
    assert.equal(tested.body.ok, true, tested.text);
    const bad = await world.call('connectors', 'admin', { orgId: ids.orgA, action: 'test', connectorId: connector.id, secrets: { password: 'wrong-password' } });
    assert.equal(bad.body.reason, 'auth-failed', bad.text);
    const started = await world.call('connectors', 'admin', { orgId: ids.orgA, action: 'run', connectorId: connector.id });
    const run = await world.waitForRun(started.body.runId as string);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    const input = validateInput(postgresConnector, config, { password: password() });
    const local = await postgresConnector.extract(input, { openSql: (c, s) => openSqlSession('postgres', c, s) });
    const want = new Map(orgCatalogRows(local.facts).rows.map((r) => [`${r.kind}:${r.id}`, r.payload]));
    const got = await syncedRows(world.db, ids.orgA);
    assert.ok(want.size >= 10, `${want.size} rows`);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [key, payload] of want) assert.deepEqual(got.get(key), payload, key);
    const view = [...got.values()].find((p) => (p as { name?: string }).name === 'customer_totals') as { upstream?: unknown[] } | undefined;
    assert.ok((view?.upstream?.length ?? 0) >= 2, 'the view carries its lineage from both tables');
  });
});
