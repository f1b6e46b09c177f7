import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import '../../setup/sqlEngine';
import { validateInput, warehouseRelationId, type ConnectorPorts } from '../../../core/connectors/connector';
import { connectorDefinition } from '../../../core/connectors/registry';
import { openSqlSession } from '../../../extension/connectors/sqlDrivers';
import { startSnowflakeStandIn, type SnowflakeStandIn } from '../../support/snowflakeStandIn';
import { LATER_SNAPSHOT, NIGHTLY_LOAD, STAGE_UNLOAD, snowflakeWarehouse, type WarehouseOptions } from './snowflakeWarehouse';

/**
 * The Snowflake connector through the real `snowflake-sdk` (unchanged, via the Node driver
 * registry) against a stand-in speaking Snowflake's REST protocol, over a small warehouse: the
 * assertions are on the catalog facts the connector produces.
 */

const def = connectorDefinition('snowflake');
const id = (schema: string, name: string): string => warehouseRelationId('ANALYTICS', schema, name);
const col = (schema: string, name: string, column: string): string => `${id(schema, name)}#${column}`;

describe('Snowflake connector (snowflake-sdk against the stand-in)', function () {
  let standIn: SnowflakeStandIn | undefined;
  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
  });

  async function start(options: WarehouseOptions = {}, password = 's3cret'): Promise<{ input: ReturnType<typeof validateInput>; ports: ConnectorPorts }> {
    standIn = await startSnowflakeStandIn({ user: 'MALLARD', password: 's3cret', answer: snowflakeWarehouse(options) });
    assert.ok(def, 'the snowflake connector is registered');
    const input = validateInput(def, { account: 'acme', user: 'MALLARD', warehouse: 'COMPUTE_WH', role: 'CATALOG_READER', databases: 'ANALYTICS', schemas: 'RAW, STAGING, MARTS', accessUrl: standIn.url }, { password });
    return { input, ports: { openSql: (c, s) => openSqlSession('snowflake', c, s) } };
  }

  it('stand-in: test connection logs in with the SDK and reports account, role and warehouse', async () => {
    const { input, ports } = await start();
    const result = await def!.test(input, ports);
    assert.deepEqual(result, { ok: true, detail: 'Connected to Snowflake 9.38.2 as MALLARD (account ACME, role CATALOG_READER, warehouse COMPUTE_WH).' });
    assert.deepEqual(standIn!.logins, [{ account: 'acme', user: 'MALLARD' }]);
  });

  it('stand-in: a wrong password is auth-failed, from test and from extract', async () => {
    const { input, ports } = await start({}, 'wrong');
    const result = await def!.test(input, ports);
    assert.equal(result.ok, false);
    assert.equal(result.ok === false && result.reason, 'auth-failed');
    assert.match(result.ok === false ? result.message : '', /Incorrect username or password was specified/);
    await assert.rejects(def!.extract(input, ports), (e: unknown) => (e as { reason?: string }).reason === 'auth-failed');
    assert.equal(standIn!.statements.length, 0, 'no statement runs without a session');
  });

  it('stand-in: key-pair login signs a JWT with the private key; another key is auth-failed', async () => {
    const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const user = pair();
    standIn = await startSnowflakeStandIn({ user: 'MALLARD', password: 'unused', publicKeyPem: user.publicKey, answer: snowflakeWarehouse() });
    const ports: ConnectorPorts = { openSql: (c, s) => openSqlSession('snowflake', c, s) };
    const config = { account: 'acme', user: 'MALLARD', databases: 'ANALYTICS', accessUrl: standIn.url };
    const ok = await def!.test(validateInput(def!, config, { privateKey: user.privateKey }), ports);
    assert.equal(ok.ok, true);
    const bad = await def!.test(validateInput(def!, config, { privateKey: pair().privateKey }), ports);
    assert.deepEqual(bad.ok === false && [bad.reason, bad.message], ['auth-failed', 'Snowflake login as MALLARD failed: JWT token is invalid. (390144)']);
  });

  it('stand-in: discover lists databases and the configured database’s schemas', async () => {
    const { input, ports } = await start();
    const items = await def!.discover(input, ports);
    assert.deepEqual(items.map((i) => `${i.kind}:${i.name}`), ['database:ANALYTICS', 'database:SNOWFLAKE', 'schema:ANALYTICS.RAW', 'schema:ANALYTICS.STAGING', 'schema:ANALYTICS.MARTS', 'schema:ANALYTICS.SCRATCH']);
  });

  it('stand-in: extracts tables and views with typed, described columns, filtered by schema', async () => {
    const { input, ports } = await start();
    const { facts, stats } = await def!.extract(input, ports);
    const entities = new Map(facts.entities.map((e) => [e.id, e]));
    assert.deepEqual([...entities.keys()].sort(), [id('MARTS', 'CUSTOMER_REVENUE'), id('MARTS', 'DAILY_REVENUE'), id('MARTS', 'VIP_CUSTOMERS'), id('RAW', 'CUSTOMERS'), id('RAW', 'ORDERS'), id('STAGING', 'STG_ORDERS')].sort());
    const orders = entities.get(id('RAW', 'ORDERS'));
    assert.equal(orders?.kind, 'table');
    assert.equal(orders?.description, 'Orders as loaded from the shop, one row per order.');
    assert.equal(orders?.database, 'ANALYTICS');
    assert.equal(orders?.schema, 'RAW');
    assert.equal(orders?.project, 'acme');
    assert.equal(entities.get(id('STAGING', 'STG_ORDERS'))?.kind, 'view');
    const orderColumns = facts.columns.filter((c) => c.entityId === id('RAW', 'ORDERS'));
    assert.deepEqual(orderColumns.map((c) => [c.name, c.type, c.description, c.position]), [
      ['ID', 'NUMBER(38,0)', 'Order id.', 0],
      ['CUSTOMER_ID', 'NUMBER(38,0)', '', 1],
      ['AMOUNT', 'NUMBER(12,0)', 'Amount in cents.', 2],
      ['STATUS', 'VARCHAR(20)', '', 3],
      ['CREATED_AT', 'TIMESTAMP_NTZ', '', 4],
    ]);
    assert.equal(facts.columns.find((c) => c.id === col('RAW', 'CUSTOMERS', 'name'))?.type, 'TEXT');
    assert.deepEqual(stats, { tables: 3, views: 3, columns: 18, viewsParsed: 2, viewsUnparsed: 0, historyRows: 0, historyTableEdges: 0, historyColumnEdges: 0 });
  });

  it('stand-in: view definitions give table and column lineage across schemas', async () => {
    const { input, ports } = await start();
    const { facts } = await def!.extract(input, ports);
    const model = facts.modelEdges.map((e) => `${e.from} -> ${e.to}`).sort();
    assert.deepEqual(model, [`${id('RAW', 'CUSTOMERS')} -> ${id('MARTS', 'CUSTOMER_REVENUE')}`, `${id('RAW', 'ORDERS')} -> ${id('STAGING', 'STG_ORDERS')}`, `${id('STAGING', 'STG_ORDERS')} -> ${id('MARTS', 'CUSTOMER_REVENUE')}`].sort());
    const edge = (from: string, to: string) => facts.columnEdges.find((e) => e.from === from && e.to === to)?.transform;
    assert.equal(edge(col('RAW', 'ORDERS', 'id'), col('STAGING', 'STG_ORDERS', 'order_id')), 'identity');
    assert.equal(edge(col('RAW', 'ORDERS', 'amount'), col('STAGING', 'STG_ORDERS', 'amount_usd')), 'transformation');
    assert.equal(edge(col('RAW', 'ORDERS', 'status'), col('STAGING', 'STG_ORDERS', 'order_id')), 'filter');
    assert.equal(edge(col('STAGING', 'STG_ORDERS', 'amount_usd'), col('MARTS', 'CUSTOMER_REVENUE', 'revenue')), 'aggregation');
    assert.equal(edge(col('RAW', 'CUSTOMERS', 'name'), col('MARTS', 'CUSTOMER_REVENUE', 'name')), 'identity');
    assert.equal(edge(col('STAGING', 'STG_ORDERS', 'customer_id'), col('MARTS', 'CUSTOMER_REVENUE', 'revenue')), 'join');
    assert.deepEqual(facts.unresolved, []);
    const hidden = facts.diagnostics.filter((d) => d.code === 'view-definition-hidden');
    assert.deepEqual(hidden.map((d) => [d.severity, d.file, d.message]), [['warning', 'snowflake://acme/ANALYTICS/MARTS/VIP_CUSTOMERS', 'The definition of view ANALYTICS.MARTS.VIP_CUSTOMERS is not visible to role CATALOG_READER (Snowflake shows VIEW_DEFINITION only to the owner role), so it has no lineage from its SQL.']]);
  });

  it('stand-in: ACCESS_HISTORY gives table and column edges, then incrementally from the watermark', async () => {
    const { input, ports } = await start({ history: [NIGHTLY_LOAD, STAGE_UNLOAD] });
    const first = await def!.extract(input, ports);
    const ah = standIn!.statements.find((s) => s.sql.includes('ACCESS_HISTORY'));
    assert.match(ah?.sql ?? '', /QUERY_START_TIME > DATEADD\(day, -\?, CURRENT_TIMESTAMP\(\)\)/);
    assert.deepEqual(ah?.binds, ['30']);
    const history = (f: typeof first.facts) => f.columnEdges.filter((e) => e.provenance.extractor === 'snowflake-access-history').map((e) => `${e.from} -> ${e.to}`).sort();
    assert.deepEqual(history(first.facts), [`${col('STAGING', 'STG_ORDERS', 'amount_usd')} -> ${col('MARTS', 'DAILY_REVENUE', 'revenue')}`, `${col('STAGING', 'STG_ORDERS', 'created_at')} -> ${col('MARTS', 'DAILY_REVENUE', 'day')}`]);
    assert.ok(first.facts.modelEdges.some((e) => e.from === id('STAGING', 'STG_ORDERS') && e.to === id('MARTS', 'DAILY_REVENUE') && e.provenance.extractor === 'snowflake-access-history'));
    // The stage unload names no relation it modified: no edge from it.
    assert.ok(!first.facts.modelEdges.some((e) => e.to.includes('export_stage')));
    assert.equal((first.state as { watermark?: string }).watermark, '2026-12-02T03:00:00.000Z');

    await standIn!.close();
    const second = await start({ history: [LATER_SNAPSHOT] });
    const next = await def!.extract({ ...second.input, state: first.state }, second.ports);
    const ah2 = standIn!.statements.find((s) => s.sql.includes('ACCESS_HISTORY'));
    // Three hours before the watermark: ACCOUNT_USAGE lags up to 3 hours.
    assert.match(ah2?.sql ?? '', /QUERY_START_TIME > TO_TIMESTAMP_LTZ\(\?\)/);
    assert.deepEqual(ah2?.binds, ['2026-12-02T00:00:00.000Z']);
    assert.deepEqual(history(next.facts), [...history(first.facts), `${col('MARTS', 'CUSTOMER_REVENUE', 'revenue')} -> ${col('MARTS', 'DAILY_REVENUE', 'revenue')}`].sort());
    assert.equal((next.state as { watermark?: string }).watermark, '2026-12-03T09:30:00.000Z');
    assert.equal(next.stats['historyRows'], 1);
  });

  it('stand-in: a role that may not read ACCESS_HISTORY gets the catalog and a warning saying what to grant', async () => {
    const { input, ports } = await start({ historyDenied: true });
    const { facts, stats } = await def!.extract(input, ports);
    assert.equal(stats['tables'], 3);
    const warning = facts.diagnostics.find((d) => d.code === 'access-history-unavailable');
    assert.equal(warning?.severity, 'warning');
    assert.match(warning?.message ?? '', /^Query-history lineage skipped: SNOWFLAKE\.ACCOUNT_USAGE\.ACCESS_HISTORY could not be read \(Snowflake query failed: SQL compilation error:\nSchema 'SNOWFLAKE\.ACCOUNT_USAGE' does not exist or not authorized\. \(002003\)\)\. Grant the role IMPORTED PRIVILEGES/);
  });

  it('stand-in: a database the role cannot see is not-found', async () => {
    const { ports } = await start();
    const input = validateInput(def!, { account: 'acme', user: 'MALLARD', databases: ['MISSING'], accessUrl: standIn!.url }, { password: 's3cret' });
    await assert.rejects(def!.extract(input, ports), (e: unknown) => (e as { reason?: string }).reason === 'not-found' && /does not exist or not authorized/.test((e as Error).message));
  });

  it('settings without a password or key validate (an edit keeps stored secrets) but cannot connect, saying why', async () => {
    const input = validateInput(def!, { account: 'acme', user: 'U', databases: 'A' }, {});
    const ports: ConnectorPorts = { openSql: () => Promise.reject(new Error('must not open a session')) };
    assert.deepEqual(await def!.test(input, ports), { ok: false, reason: 'bad-config', message: 'The Snowflake connector needs a password or a private key: enter one of them.' });
    await assert.rejects(def!.extract(input, ports), (e: unknown) => (e as { reason?: string }).reason === 'bad-config');
    assert.throws(() => validateInput(def!, { account: 'acme', user: 'U', databases: ' , ' }, { password: 'x' }), /config\.databases: name at least one database/);
  });
});
