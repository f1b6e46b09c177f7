import assert from 'node:assert/strict';
import { ConnectorError, type ConnectorPorts, type SqlSession } from '../../../core/connectors/connector';
import { jobsQuery } from '../../../core/connectors/bigqueryHistory';
import { accessHistoryQuery } from '../../../core/connectors/snowflakeHistory';
import { schemaFilter } from '../../../core/connectors/warehouseFacts';
import { HistoryLineage, splitQualifiedName } from '../../../core/connectors/warehouseHistory';
import { withSession } from '../../../core/connectors/warehouseSession';
import { emptyFacts, type Entity } from '../../../core/model/entities';

/** The pure parts of the warehouse connectors: qualified names, history state, filters, sessions. */

const prov = { file: 'snowflake://acme/SNOWFLAKE/ACCOUNT_USAGE/ACCESS_HISTORY', line: 0, column: 0, extractor: 'snowflake-access-history', confidence: 0.8 };
const entity = (id: string): Entity => ({ id, kind: 'table', name: id, project: 'acme', path: id, description: '', tags: [], meta: {}, owners: [], tests: [], disabled: false, provenance: prov });

describe('warehouse connector helpers', () => {
  it('splits ACCESS_HISTORY object names on dots outside double quotes', () => {
    assert.deepEqual(splitQualifiedName('ANALYTICS.RAW.ORDERS'), ['ANALYTICS', 'RAW', 'ORDERS']);
    assert.deepEqual(splitQualifiedName('ANALYTICS."My.Schema"."Say ""hi"""'), ['ANALYTICS', 'My.Schema', 'Say "hi"']);
  });

  it('history state: a state of another shape starts over; a direct column edge wins over an indirect one', () => {
    const fresh = new HistoryLineage({ version: 99, tables: 'nope' });
    assert.equal(fresh.resumed, false);
    assert.equal(fresh.tableEdgeCount, 0);
    const h = new HistoryLineage(undefined);
    h.addColumn('a#x', 'b#y', 'filter');
    h.addColumn('a#x', 'b#y', 'identity');
    h.addColumn('a#x', 'b#y', 'join');
    h.seen('2026-12-02T02:00:00.000Z');
    h.seen('2026-12-01T02:00:00.000Z');
    const again = new HistoryLineage(h.toState());
    assert.equal(again.resumed, true);
    assert.equal(again.watermark, '2026-12-02T02:00:00.000Z');
    assert.deepEqual((again.toState() as { columns: unknown }).columns, [['a#x', 'b#y', 'identity']]);
  });

  it('history edges to a dropped relation of an extracted database are left out; other databases are kept', () => {
    const h = new HistoryLineage(undefined);
    h.addTable('table.warehouse.analytics.raw.orders', 'table.warehouse.analytics.marts.gone');
    h.addTable('table.warehouse.shared.ref.calendar', 'table.warehouse.analytics.marts.daily');
    h.addColumn('table.warehouse.analytics.raw.orders#amount', 'table.warehouse.analytics.marts.daily#revenue', 'transformation');
    const facts = emptyFacts();
    facts.entities.push(entity('table.warehouse.analytics.raw.orders'), entity('table.warehouse.analytics.marts.daily'));
    const added = h.addTo(facts, prov, ['table.warehouse.analytics.']);
    assert.deepEqual(facts.modelEdges.map((e) => `${e.from} -> ${e.to}`), ['table.warehouse.shared.ref.calendar -> table.warehouse.analytics.marts.daily', 'table.warehouse.analytics.raw.orders -> table.warehouse.analytics.marts.daily']);
    assert.deepEqual(added, { tables: 2, columns: 1 });
  });

  it('history queries: latency overlap after a full read, the watermark itself after a truncated one', () => {
    assert.deepEqual(accessHistoryQuery('2026-12-02T03:00:00.000Z', 30).params, ['2026-12-02T00:00:00.000Z']);
    const cut = accessHistoryQuery('2026-12-02T03:00:00.000Z', 30, true);
    assert.deepEqual(cut.params, ['2026-12-02T03:00:00.000Z']);
    assert.match(cut.sql, /QUERY_START_TIME >= TO_TIMESTAMP_LTZ\(\?\)/);
    assert.deepEqual(jobsQuery('p', 'US', '2026-12-02T03:00:00.000Z', 30, true).params, ['2026-12-02T03:00:00.000Z']);
    // An unparsable watermark is used as is instead of failing the run.
    assert.deepEqual(accessHistoryQuery('not a time', 30).params, ['not a time']);
    const h = new HistoryLineage(undefined);
    h.truncated = true;
    assert.equal(new HistoryLineage(h.toState()).truncated, true);
  });

  it('schema filters match whole names case-insensitively with * wildcards, regex characters literal', () => {
    const f = schemaFilter(['MARTS', 'staging_*', 'a.b']);
    assert.deepEqual(['marts', 'MARTS_OLD', 'STAGING_X', 'a.b', 'axb'].map(f), [true, false, true, true, false]);
    assert.equal(schemaFilter([])('anything'), true);
  });

  it('a cancelled run stops before opening a session, and a session is closed after a failure', async () => {
    let closed = 0;
    const session: SqlSession = { query: () => Promise.reject(new Error('boom')), close: () => Promise.resolve(void closed++) };
    const ports: ConnectorPorts = { openSql: () => Promise.resolve(session), signal: { aborted: true } };
    await assert.rejects(withSession('X', ports, {}, {}, (s) => s.query('select 1')), (e: unknown) => e instanceof ConnectorError && e.reason === 'cancelled');
    await assert.rejects(withSession('X', { ...ports, signal: { aborted: false } }, {}, {}, (s) => s.query('select 1')), (e: unknown) => e instanceof ConnectorError && e.reason === 'source-error' && e.message === 'X query failed: boom');
    assert.equal(closed, 1);
    await assert.rejects(withSession('X', {}, {}, {}, () => Promise.resolve(1)), (e: unknown) => e instanceof ConnectorError && e.reason === 'bad-host');
  });
});
