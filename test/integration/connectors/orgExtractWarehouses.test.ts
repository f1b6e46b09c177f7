import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import '../../setup/sqlEngine';
import '../../support/mochaPg';
import { validateInput } from '../../../core/connectors/connector';
import { orgCatalogRows } from '../../../core/connectors/orgCatalogRows';
import type { ConnectorSummary, RunSummary } from '../../../core/connectors/orgProtocol';
import { connectorDefinition } from '../../../core/connectors/registry';
import { openSqlSession } from '../../../extension/connectors/sqlDrivers';
import { startBigQueryStandIn, type BigQueryStandIn } from '../../support/bigqueryStandIn';
import { ids } from '../../support/orgFixture';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../../support/snowflakeStandIn';
import { NIGHTLY_INSERT, PROJECT, bigqueryProject } from './bigqueryWarehouse';
import { startOrgWorld, syncedRows, type Answer, type OrgWorld } from './orgWorld';
import { NIGHTLY_LOAD, snowflakeWarehouse } from './snowflakeWarehouse';

/**
 * Snowflake and BigQuery connectors extracted in the cloud: the `connectors` function tests them and
 * `org-extract` runs them in real Deno with the official SDKs bundled into the functions, against
 * the stand-ins speaking Snowflake's login/query protocol and BigQuery's REST API (the same
 * stand-ins the Node drivers are tested against). The synced org catalog rows equal the rows of the
 * same connector run in Node through the extension's drivers; secrets never come back, neither in
 * answers, run errors nor the audit log; broken settings get a clear reason. The runs go in bounded
 * chunks (`warehousePhases.ts`): with 2 relations per chunk, the columns and view definitions are
 * read in several page chunks (each query restricted to its page; the stand-ins answer only the
 * page's rows), the query history in one more, and a run killed between chunks resumes.
 */

/** Relations per `parse` chunk. */
const PER_CHUNK = 2;

const PASSWORD = 'sf-standin-password-0123456789';
const EMAIL = 'mallard-catalog@acme-analytics.iam.gserviceaccount.com';

function keyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

/** The org catalog rows of a local (Node) run of `type`, by `kind:id`. */
async function localRows(type: 'snowflake' | 'bigquery', config: Record<string, unknown>, secrets: Record<string, unknown>): Promise<Map<string, unknown>> {
  const def = connectorDefinition(type)!;
  const local = await def.extract(validateInput(def, config, secrets), { openSql: (c, s) => openSqlSession(type, c, s) });
  return new Map(orgCatalogRows(local.facts).rows.map((r) => [`${r.kind}:${r.id}`, r.payload]));
}

describe('org extraction of Snowflake and BigQuery connectors (real Deno + Postgres, stand-ins)', function () {
  this.timeout(300_000);
  let world: OrgWorld;
  let snowflake: SnowflakeStandIn;
  let bigquery: BigQueryStandIn;
  const account = keyPair();
  const snowflakeUser = keyPair();
  const keyFile = JSON.stringify({ type: 'service_account', project_id: PROJECT, private_key_id: 'a1b2c3', private_key: account.privateKey, client_email: EMAIL });
  const answers: Answer[] = [];
  const call = async (body: Record<string, unknown>): Promise<Answer> => {
    const answer = await world.call('connectors', 'admin', { orgId: ids.orgA, ...body });
    answers.push(answer);
    return answer;
  };

  before(async () => {
    snowflake = await startSnowflakeStandIn({ user: 'MALLARD', password: PASSWORD, publicKeyPem: snowflakeUser.publicKey, answer: snowflakeWarehouse({ history: [NIGHTLY_LOAD] }) });
    bigquery = await startBigQueryStandIn({ projectId: PROJECT, clientEmail: EMAIL, publicKeyPem: account.publicKey, answer: bigqueryProject({ jobs: [NIGHTLY_INSERT] }) });
    world = await startOrgWorld({ MALLARD_EXTRACT_TABLES_PER_CHUNK: String(PER_CHUNK) });
  });
  after(async () => {
    await world?.stop();
    await snowflake?.close();
    await bigquery?.close();
  });

  async function runToEnd(connectorId: string): Promise<RunSummary> {
    const started = await call({ action: 'run', connectorId });
    assert.equal(started.status, 200, started.text);
    const run = await world.waitForRun(started.body.runId as string);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    return run;
  }

  /** fetch + one chunk per page of relations + the history + assemble (+ the write chunks). */
  async function assertPaged(run: RunSummary, relations: number): Promise<void> {
    // The run's own counts (the `runs` answer has only the common ones).
    const [row] = await world.db.admin<{ counts: Record<string, number> }[]>`select counts from public.connector_runs where id = ${run.id}`;
    const counts = row?.counts ?? {};
    assert.equal(counts.relations, relations);
    assert.equal(counts.pages, Math.ceil(relations / PER_CHUNK));
    assert.ok(run.chunksDone >= 1 + Math.ceil(relations / PER_CHUNK) + 1 + 1 + 1, `chunks ${run.chunksDone}`);
    assert.ok((counts.historyColumnEdges ?? 0) > 0, `lineage from the query history read in its own chunk: ${JSON.stringify(counts)}`);
  }

  /** The synced rows of one warehouse (ids `table.warehouse.<database>.…`) equal `want`. */
  async function assertSameRows(database: string, want: Map<string, unknown>): Promise<void> {
    const synced = await syncedRows(world.db, ids.orgA);
    const got = new Map([...synced].filter(([key]) => key.includes(`:table.warehouse.${database.toLowerCase()}.`)));
    assert.ok(want.size >= 10, `${want.size} rows`);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [key, payload] of want) assert.deepEqual(got.get(key), payload, key);
  }

  it('stand-in: a Snowflake connector is tested and run in Deno with snowflake-sdk and syncs the rows a Node run gives', async () => {
    const config = { account: 'acme', user: 'MALLARD', warehouse: 'COMPUTE_WH', role: 'CATALOG_READER', databases: 'ANALYTICS', schemas: 'RAW, STAGING, MARTS', accessUrl: snowflake.url };
    const saved = await call({ action: 'save', type: 'snowflake', name: 'acme', config, secrets: { password: PASSWORD } });
    assert.equal(saved.status, 200, saved.text);
    const connector = saved.body.connector as ConnectorSummary;
    const tested = await call({ action: 'test', connectorId: connector.id });
    assert.deepEqual(tested.body, { ok: true, detail: 'Connected to Snowflake 9.38.2 as MALLARD (account ACME, role CATALOG_READER, warehouse COMPUTE_WH).' }, tested.text);
    const wrong = await call({ action: 'test', connectorId: connector.id, secrets: { password: 'not-the-password' } });
    assert.deepEqual([wrong.body.ok, wrong.body.reason, wrong.body.message], [false, 'auth-failed', 'Snowflake login as MALLARD failed: Incorrect username or password was specified. (390100)']);
    // Key-pair login: the SDK signs its JWT with the private key inside Deno.
    const keyPairTest = await call({ action: 'test', type: 'snowflake', config, secrets: { privateKey: snowflakeUser.privateKey } });
    assert.equal(keyPairTest.body.ok, true, keyPairTest.text);
    const before = snowflake.statements.length;
    await assertPaged(await runToEnd(connector.id), 6);
    const columnQueries = snowflake.statements.slice(before).filter((s) => s.sql.includes('INFORMATION_SCHEMA.COLUMNS'));
    assert.equal(columnQueries.length, 3);
    assert.ok(columnQueries.every((q) => q.sql.includes(' AND TABLE_NAME IN (')), 'each page reads only its relations');
    await assertSameRows('ANALYTICS', await localRows('snowflake', config, { password: PASSWORD }));
  });

  it('stand-in: a BigQuery connector is tested and run in Deno with @google-cloud/bigquery and syncs the rows a Node run gives', async () => {
    const config = { projectId: PROJECT, location: 'US', datasets: 'raw, staging, marts', apiEndpoint: bigquery.url };
    const saved = await call({ action: 'save', type: 'bigquery', name: 'bq', config, secrets: { serviceAccountJson: keyFile } });
    assert.equal(saved.status, 200, saved.text);
    const connector = saved.body.connector as ConnectorSummary;
    const tested = await call({ action: 'test', connectorId: connector.id });
    assert.deepEqual(tested.body, { ok: true, detail: `Connected to BigQuery project ${PROJECT} as ${EMAIL}: 4 datasets in US.` }, tested.text);
    const otherKey = JSON.stringify({ type: 'service_account', private_key: keyPair().privateKey, client_email: EMAIL });
    const wrong = await call({ action: 'test', connectorId: connector.id, secrets: { serviceAccountJson: otherKey } });
    assert.deepEqual([wrong.body.ok, wrong.body.reason], [false, 'auth-failed'], wrong.text);
    const before = bigquery.queries.length;
    await assertPaged(await runToEnd(connector.id), 5);
    const columnQueries = bigquery.queries.slice(before).filter((q) => q.sql.includes('INFORMATION_SCHEMA.COLUMNS '));
    assert.equal(columnQueries.length, 3);
    assert.ok(columnQueries.every((q) => q.sql.includes(' AND table_name IN (')), 'each page reads only its relations');
    assert.ok(bigquery.queries.length > 0 && bigquery.queries.every((q) => q.location === 'US'));
    await assertSameRows(PROJECT, await localRows('bigquery', config, { serviceAccountJson: keyFile }));
  });

  it('stand-in: a Snowflake run killed between page chunks resumes from its state after the lease runs out', async () => {
    const config = { account: 'acme', user: 'MALLARD', warehouse: 'COMPUTE_WH', role: 'CATALOG_READER', databases: 'ANALYTICS', schemas: 'RAW, STAGING, MARTS', accessUrl: snowflake.url };
    const list = await call({ action: 'list' });
    const connector = (list.body.connectors as ConnectorSummary[]).find((c) => c.name === 'acme')!;
    const runId = await world.killRunAfter(() => call({ action: 'run', connectorId: connector.id }), 2);
    const [stalled] = await world.db.admin<{ status: string; phase: string; chunks_done: number }[]>`select status, phase, chunks_done from public.connector_runs where id = ${runId}`;
    assert.deepEqual([stalled?.status, stalled?.phase], ['running', 'parse'], 'killed while reading pages');
    const run = await world.resumeByTick(runId);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    assert.ok(run.chunksDone > (stalled?.chunks_done ?? 0));
    await assertPaged(run, 6);
    await assertSameRows('ANALYTICS', await localRows('snowflake', config, { password: PASSWORD }));
  });

  it('broken settings get a clear reason: unsaved settings without databases, a run without credentials fails with bad-config', async () => {
    const noDatabases = await call({ action: 'test', type: 'snowflake', config: { account: 'acme', user: 'MALLARD', accessUrl: snowflake.url }, secrets: { password: PASSWORD } });
    assert.deepEqual(noDatabases.body, { ok: false, reason: 'bad-config', message: "The Snowflake connector's settings are invalid: config.databases: Invalid input." });
    // Saved without a password or key (settings validate; the credential is checked at connection time).
    const saved = await call({ action: 'save', type: 'snowflake', name: 'nocreds', config: { account: 'acme', user: 'MALLARD', databases: 'ANALYTICS', accessUrl: snowflake.url } });
    assert.equal(saved.status, 200, saved.text);
    const id = (saved.body.connector as ConnectorSummary).id;
    const started = await call({ action: 'run', connectorId: id });
    const run = await world.waitForRun(started.body.runId as string);
    assert.equal(run.status, 'failed');
    assert.deepEqual(run.errors.map((e) => [e.reason, e.message]), [['bad-config', 'The Snowflake connector needs a password or a private key: enter one of them.']]);
  });

  it('never returns or records a secret: answers, run errors and the audit log', async () => {
    const runs = await call({ action: 'runs' });
    const secrets = [PASSWORD, account.privateKey.split('\n')[1] ?? 'unused', snowflakeUser.privateKey.split('\n')[1] ?? 'unused', 'not-the-password'];
    for (const answer of answers) for (const s of secrets) assert.ok(!answer.text.includes(s), `an answer holds a secret: ${answer.text.slice(0, 200)}`);
    assert.ok((runs.body.runs as unknown[]).length >= 3);
    for (const s of secrets) {
      const [audit] = await world.db.admin<{ n: number }[]>`select (select count(*) from public.audit_log where concat(before, after) like ${`%${s}%`})::int
        + (select count(*) from mallard_audit.log l where row_to_json(l)::text like ${`%${s}%`})::int
        + (select count(*) from public.connector_runs r where r.errors::text like ${`%${s}%`})::int as n`;
      assert.equal(audit?.n, 0);
    }
  });
});
