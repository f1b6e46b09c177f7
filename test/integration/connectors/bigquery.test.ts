import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import '../../setup/sqlEngine';
import { validateInput, warehouseRelationId, type ConnectorPorts } from '../../../core/connectors/connector';
import { connectorDefinition } from '../../../core/connectors/registry';
import { openSqlSession } from '../../../extension/connectors/sqlDrivers';
import { startBigQueryStandIn, type BigQueryStandIn } from '../../support/bigqueryStandIn';
import { ADHOC_SELECT, DROPPED_TARGET, LATER_BACKFILL, NIGHTLY_INSERT, PROJECT, bigqueryProject, type ProjectOptions } from './bigqueryWarehouse';

/**
 * The BigQuery connector through the real `@google-cloud/bigquery` client (unchanged, via the
 * Node driver registry, authenticating with self-signed service-account JWTs) against a stand-in
 * speaking BigQuery's REST API, over a small project: the assertions are on the catalog facts.
 */

const def = connectorDefinition('bigquery');
const EMAIL = 'mallard-catalog@acme-analytics.iam.gserviceaccount.com';
const id = (dataset: string, name: string): string => warehouseRelationId(PROJECT, dataset, name);
const col = (dataset: string, name: string, column: string): string => `${id(dataset, name)}#${column}`;

function keyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}

/** A service-account key file as the Cloud console downloads it. */
function keyFile(privateKey: string): string {
  return JSON.stringify({ type: 'service_account', project_id: PROJECT, private_key_id: 'a1b2c3', private_key: privateKey, client_email: EMAIL, client_id: '1234567890', token_uri: 'https://oauth2.googleapis.com/token' });
}

describe('BigQuery connector (@google-cloud/bigquery against the stand-in)', function () {
  const account = keyPair();
  let standIn: BigQueryStandIn | undefined;
  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
  });

  async function start(options: ProjectOptions = {}, privateKey = account.privateKey): Promise<{ input: ReturnType<typeof validateInput>; ports: ConnectorPorts }> {
    standIn = await startBigQueryStandIn({ projectId: PROJECT, clientEmail: EMAIL, publicKeyPem: account.publicKey, answer: bigqueryProject(options) });
    assert.ok(def, 'the bigquery connector is registered');
    const input = validateInput(def, { projectId: PROJECT, location: 'US', datasets: 'raw, staging, marts', apiEndpoint: standIn.url }, { serviceAccountJson: keyFile(privateKey) });
    return { input, ports: { openSql: (c, s) => openSqlSession('bigquery', c, s) } };
  }

  it('stand-in: test connection authenticates with a self-signed JWT and counts datasets', async () => {
    const { input, ports } = await start();
    assert.deepEqual(await def!.test(input, ports), { ok: true, detail: `Connected to BigQuery project ${PROJECT} as ${EMAIL}: 4 datasets in US.` });
    assert.equal(standIn!.queries[0]?.location, 'US');
  });

  it('stand-in: a key the project does not know is auth-failed', async () => {
    const { input, ports } = await start({}, keyPair().privateKey);
    const result = await def!.test(input, ports);
    assert.equal(result.ok === false && result.reason, 'auth-failed');
    assert.match(result.ok === false ? result.message : '', /Request had invalid authentication credentials/);
    await assert.rejects(def!.extract(input, ports), (e: unknown) => (e as { reason?: string }).reason === 'auth-failed');
  });

  it('stand-in: discover lists the project and its datasets in the location', async () => {
    const { input, ports } = await start();
    const items = await def!.discover(input, ports);
    assert.deepEqual(items.map((i) => `${i.kind}:${i.name}`), [`project:${PROJECT}`, `dataset:${PROJECT}.raw`, `dataset:${PROJECT}.staging`, `dataset:${PROJECT}.marts`, `dataset:${PROJECT}.sandbox`]);
  });

  it('stand-in: extracts tables and views with typed, described columns, filtered by dataset', async () => {
    const { input, ports } = await start();
    const { facts, stats } = await def!.extract(input, ports);
    const entities = new Map(facts.entities.map((e) => [e.id, e]));
    assert.deepEqual([...entities.keys()].sort(), [id('marts', 'customer_revenue'), id('marts', 'daily_revenue'), id('raw', 'customers'), id('raw', 'orders'), id('staging', 'stg_orders')].sort());
    assert.equal(entities.get(id('raw', 'orders'))?.description, 'Orders as loaded from the shop, one row per order.');
    assert.equal(entities.get(id('marts', 'daily_revenue'))?.description, 'Revenue per day ("nightly" load).');
    assert.equal(entities.get(id('staging', 'stg_orders'))?.kind, 'view');
    assert.equal(entities.get(id('raw', 'orders'))?.database, PROJECT);
    assert.equal(entities.get(id('raw', 'orders'))?.schema, 'raw');
    const orderColumns = facts.columns.filter((c) => c.entityId === id('raw', 'orders'));
    assert.deepEqual(orderColumns.map((c) => [c.name, c.type, c.description]), [
      ['id', 'INT64', ''],
      ['customer_id', 'INT64', ''],
      ['amount', 'NUMERIC', 'Amount in cents.'],
      ['status', 'STRING', ''],
      ['created_at', 'TIMESTAMP', ''],
      // The description of the nested field items.sku is not the column's.
      ['items', 'ARRAY<STRUCT<sku STRING, qty INT64>>', ''],
    ]);
    assert.deepEqual(stats, { tables: 3, views: 2, columns: 17, viewsParsed: 2, viewsUnparsed: 0, historyRows: 0, historyQueriesParsed: 0, historyTableEdges: 0, historyColumnEdges: 0 });
    // COLUMNS came in two pages, the second through jobs.getQueryResults with the page token.
    assert.ok(standIn!.pages.some((p) => p.pageToken === '10'));
  });

  it('stand-in: view SQL gives table and column lineage across datasets', async () => {
    const { input, ports } = await start();
    const { facts } = await def!.extract(input, ports);
    assert.deepEqual(facts.modelEdges.map((e) => `${e.from} -> ${e.to}`).sort(), [`${id('raw', 'customers')} -> ${id('marts', 'customer_revenue')}`, `${id('raw', 'orders')} -> ${id('staging', 'stg_orders')}`, `${id('staging', 'stg_orders')} -> ${id('marts', 'customer_revenue')}`].sort());
    const edge = (from: string, to: string) => facts.columnEdges.find((e) => e.from === from && e.to === to)?.transform;
    assert.equal(edge(col('raw', 'orders', 'id'), col('staging', 'stg_orders', 'order_id')), 'identity');
    assert.equal(edge(col('raw', 'orders', 'amount'), col('staging', 'stg_orders', 'amount_usd')), 'transformation');
    assert.equal(edge(col('staging', 'stg_orders', 'amount_usd'), col('marts', 'customer_revenue', 'revenue')), 'aggregation');
    assert.equal(edge(col('raw', 'customers', 'name'), col('marts', 'customer_revenue', 'name')), 'identity');
    assert.deepEqual(facts.unresolved, []);
  });

  it('stand-in: JOBS gives table edges and parsed column edges, then incrementally from the watermark', async () => {
    const { input, ports } = await start({ jobs: [NIGHTLY_INSERT, ADHOC_SELECT, DROPPED_TARGET] });
    const first = await def!.extract(input, ports);
    const jobsQuery = standIn!.queries.find((q) => q.sql.includes('INFORMATION_SCHEMA.JOBS'));
    assert.match(jobsQuery?.sql ?? '', /creation_time > TIMESTAMP_SUB\(CURRENT_TIMESTAMP\(\), INTERVAL \? DAY\)/);
    assert.deepEqual(jobsQuery?.params, ['30']);
    // The JOBS answer was slow: the client polled jobs.getQueryResults.
    assert.ok(standIn!.pages.length >= 2);
    const fromJobs = (f: typeof first.facts) => f.columnEdges.filter((e) => e.provenance.extractor === 'bigquery-jobs').map((e) => `${e.from} -> ${e.to} (${e.transform})`).sort();
    assert.deepEqual(fromJobs(first.facts), [
      `${col('staging', 'stg_orders', 'amount_usd')} -> ${col('marts', 'daily_revenue', 'revenue')} (aggregation)`,
      `${col('staging', 'stg_orders', 'created_at')} -> ${col('marts', 'daily_revenue', 'day')} (transformation)`,
      `${col('staging', 'stg_orders', 'created_at')} -> ${col('marts', 'daily_revenue', 'revenue')} (group)`,
    ]);
    const tableEdges = first.facts.modelEdges.filter((e) => e.provenance.extractor === 'bigquery-jobs').map((e) => `${e.from} -> ${e.to}`);
    assert.deepEqual(tableEdges, [`${id('staging', 'stg_orders')} -> ${id('marts', 'daily_revenue')}`]);
    assert.equal((first.state as { watermark?: string }).watermark, '2026-12-02T04:00:00.000Z');

    await standIn!.close();
    const second = await start({ jobs: [LATER_BACKFILL] });
    const next = await def!.extract({ ...second.input, state: first.state }, second.ports);
    const jobsQuery2 = standIn!.queries.find((q) => q.sql.includes('INFORMATION_SCHEMA.JOBS'));
    // Six hours before the watermark: a job is listed by its creation time and may run that long.
    assert.deepEqual(jobsQuery2?.params, ['2026-12-01T22:00:00.000Z']);
    assert.deepEqual(fromJobs(next.facts), [...fromJobs(first.facts), `${col('marts', 'customer_revenue', 'revenue')} -> ${col('marts', 'daily_revenue', 'revenue')} (aggregation)`].sort());
    assert.equal((next.state as { watermark?: string }).watermark, '2026-12-03T09:30:00.000Z');
  });

  it('stand-in: with the jobs.query fast path off, the client inserts jobs (jobs.insert) and the facts are the same', async () => {
    const { input, ports } = await start({ jobs: [NIGHTLY_INSERT] });
    const fast = await def!.extract(input, ports);
    const before = process.env['FAST_QUERY_PATH'];
    process.env['FAST_QUERY_PATH'] = 'DISABLED';
    try {
      const slow = await def!.extract(input, ports);
      // Every statement of the second run (TABLES … JOBS: six) went through jobs.insert.
      assert.equal(standIn!.inserted.length, 6);
      assert.deepEqual(slow.facts, fast.facts);
      assert.ok(slow.facts.columnEdges.length > 0);
    } finally {
      if (before === undefined) delete process.env['FAST_QUERY_PATH'];
      else process.env['FAST_QUERY_PATH'] = before;
    }
  });

  it('stand-in: a service account without jobs.listAll gets the catalog and a warning', async () => {
    const { input, ports } = await start({ jobsDenied: true });
    const { facts, stats } = await def!.extract(input, ports);
    assert.equal(stats['tables'], 3);
    const warning = facts.diagnostics.find((d) => d.code === 'jobs-history-unavailable');
    assert.equal(warning?.severity, 'warning');
    assert.match(warning?.message ?? '', /^Query-history lineage skipped: INFORMATION_SCHEMA\.JOBS of acme-analytics in US could not be read \(BigQuery query as .* failed: Access Denied: Table acme-analytics:region-us\.INFORMATION_SCHEMA\.JOBS/);
  });

  it('stand-in: a location without the datasets is not-found', async () => {
    const { ports } = await start();
    const input = validateInput(def!, { projectId: PROJECT, location: 'EU', apiEndpoint: standIn!.url }, { serviceAccountJson: keyFile(account.privateKey) });
    await assert.rejects(def!.extract(input, ports), (e: unknown) => (e as { reason?: string }).reason === 'not-found');
  });

  it('rejects a key file that is not a service-account key, naming the problem; no key cannot connect', async () => {
    assert.throws(() => validateInput(def!, { projectId: PROJECT }, { serviceAccountJson: '{"type": "authorized_user"}' }), (e: unknown) => (e as { reason?: string }).reason === 'bad-config' && /secrets\.serviceAccountJson: is not a service-account key/.test((e as Error).message));
    assert.throws(() => validateInput(def!, { projectId: PROJECT }, { serviceAccountJson: 'not json' }), /is not JSON: paste the whole key file/);
    const input = validateInput(def!, { projectId: PROJECT }, {});
    const ports: ConnectorPorts = { openSql: () => Promise.reject(new Error('must not open a session')) };
    assert.deepEqual(await def!.test(input, ports), { ok: false, reason: 'bad-config', message: 'The BigQuery connector needs the service account’s JSON key file: paste it.' });
    await assert.rejects(def!.discover(input, ports), (e: unknown) => (e as { reason?: string }).reason === 'bad-config');
  });
});
