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
 * A Postgres connector run in the cloud in bounded chunks: with 7 relations per chunk, a database of
 * 3 schemas and 60 relations (tables with keys and comments, views reading tables of other pages and
 * schemas) is read in many `parse` chunks, and the synced rows equal the rows of one single-chunk
 * extraction of the same database in Node. A database changed between the pages is read again.
 */
describe('org extraction of a Postgres connector in pages of relations (real Deno + Postgres)', function () {
  this.timeout(300_000);
  const perChunk = 7;
  let world: OrgWorld;
  let source: ScratchDatabase;
  let config: Record<string, unknown>;
  let connector: ConnectorSummary;
  const password = () => source.server.superPassword;

  const localRows = async () => {
    const input = validateInput(postgresConnector, config, { password: password() });
    const local = await postgresConnector.extract(input, { openSql: (c, s) => openSqlSession('postgres', c, s) });
    return new Map(orgCatalogRows(local.facts).rows.map((r) => [`${r.kind}:${r.id}`, r.payload]));
  };
  const sameAsLocal = async (): Promise<number> => {
    const want = await localRows();
    const got = await syncedRows(world.db, ids.orgA);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [key, payload] of want) assert.deepEqual(got.get(key), payload, key);
    return want.size;
  };

  before(async () => {
    source = await scratchDatabase('orgxpgpages');
    const ddl: string[] = ['create schema raw', 'create schema staging', 'create schema mart'];
    for (let i = 0; i < 20; i++) {
      ddl.push(`create table raw.t${String(i).padStart(2, '0')} (id int primary key, name text not null, parent_id int${i > 0 ? ` references raw.t${String(i - 1).padStart(2, '0')} (id)` : ''}, amount numeric(10, 2))`);
      ddl.push(`comment on table raw.t${String(i).padStart(2, '0')} is 'raw table ${i}'`);
      ddl.push(`create table staging.s${String(i).padStart(2, '0')} (id int, code text unique, note text)`);
    }
    // Views in the last schema read tables of the first pages (another schema, other chunks).
    for (let i = 0; i < 20; i++) {
      const a = `raw.t${String(i).padStart(2, '0')}`;
      const b = `staging.s${String(19 - i).padStart(2, '0')}`;
      ddl.push(`create view mart.v${String(i).padStart(2, '0')} as select t.id, t.name, s.code, t.amount * 2 as doubled from ${a} t join ${b} s on s.id = t.id`);
    }
    await source.sql.unsafe(ddl.join(';\n'));
    config = { name: 'warehouse', host: source.server.host, port: source.server.port, database: source.name, user: source.server.superuser, sslmode: 'disable', includeSchemas: 'raw, staging, mart' };
    world = await startOrgWorld({ MALLARD_EXTRACT_TABLES_PER_CHUNK: String(perChunk) });
    const saved = await world.call('connectors', 'admin', { orgId: ids.orgA, action: 'save', type: 'postgres', name: 'warehouse', config, secrets: { password: password() } });
    assert.equal(saved.status, 200, saved.text);
    connector = saved.body.connector as ConnectorSummary;
  });
  after(async () => {
    await world?.stop();
    await source?.drop();
  });

  it('reads the catalog in pages over many chunks; the rows equal one single-chunk extraction', async () => {
    const started = await world.call('connectors', 'admin', { orgId: ids.orgA, action: 'run', connectorId: connector.id });
    const run = await world.waitForRun(started.body.runId as string);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    const rows = await sameAsLocal();
    assert.ok(rows >= 60 + 60 * 3, `${rows} rows`);
    // fetch + ⌈60 / 7⌉ pages + assemble (+ the write chunks).
    assert.ok(run.chunksDone >= 1 + Math.ceil(60 / perChunk) + 1, `chunks ${run.chunksDone}`);
    assert.equal(run.counts.files, 60);
    assert.ok(run.counts.columnEdges >= 20 * 4, 'view lineage resolved across pages and schemas');
  });

  it('a database changed between pages is read again from the first page', async () => {
    await source.sql.unsafe(`create table raw.zz_added (id int primary key); comment on column raw.t00.name is 'changed since the pages were read'`);
    // A run whose pages were read before the change: its assemble chunk finds another fingerprint.
    const state = { postgres: { schemas: ['mart', 'raw', 'staging'], fingerprint: 'read-before-the-change', pages: 0, after: null, restarts: 0 } };
    const [queued] = await world.db.admin<{ id: string }[]>`
      insert into public.connector_runs (org_id, connector_id, trigger, status, phase, state)
      values (${ids.orgA}, ${connector.id}, 'manual', 'queued', 'assemble', ${world.db.admin.json(state)}) returning id::text`;
    const tick = await world.call('org-extract', 'service', { action: 'tick' });
    assert.equal(tick.status, 200, tick.text);
    const run = await world.waitForRun(queued!.id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    const [row] = await world.db.admin<{ restarts: string | null }[]>`select counts ->> 'restarts' as restarts from public.connector_runs where id = ${queued!.id}`;
    assert.equal(row?.restarts, '1');
    assert.ok(run.chunksDone >= 1 + Math.ceil(61 / perChunk) + 1, `read again in pages: ${run.chunksDone} chunks`);
    await sameAsLocal();
    const got = await syncedRows(world.db, ids.orgA);
    assert.ok([...got.keys()].some((k) => k.endsWith('.raw.zz_added')), 'the table added since is there');
  });
});
