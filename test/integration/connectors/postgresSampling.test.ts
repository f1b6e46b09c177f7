import assert from 'node:assert/strict';
import '../../setup/sqlEngine';
import '../../support/mochaPg';
import type { ConnectorPorts } from '../../../core/connectors/connector';
import { validateInput } from '../../../core/connectors/connector';
import { postgresConnector } from '../../../core/connectors/postgres';
import { SAMPLED_CLASSES_META } from '../../../core/connectors/postgresSampling';
import type { Facts } from '../../../core/model/entities';
import { openSqlSession } from '../../../extension/connectors/sqlDrivers';
import { openSuggestions, refreshRuleSuggestions } from '../../../extension/governance/classificationStore';
import { tempStore } from '../catalog/catalogFixtures';
import { scratchDatabase, type ScratchDatabase } from '../../support/pgScratch';

/**
 * Classification by sampled values (real Postgres): with `sampleRows` a Postgres connector reads a
 * few rows per table, and a column whose name says nothing (`contact`) but whose values are e-mail
 * addresses gets the class with a reason; without it nothing is read. The values never reach the
 * facts. In the catalog the class becomes an open rule suggestion that says why.
 */
describe('Postgres connector: personal data found by sampled values (real Postgres)', function () {
  this.timeout(120_000);
  let db: ScratchDatabase;
  const ports: ConnectorPorts = { openSql: (c, s) => openSqlSession('postgres', c, s) };
  const emails = Array.from({ length: 12 }, (_, i) => `person${i}@example.org`);
  const extract = async (sampleRows: number): Promise<Facts> => {
    const input = validateInput(postgresConnector, { name: 'crm', host: db.server.host, port: String(db.server.port), database: db.name, user: db.server.superuser, sslmode: 'disable', includeSchemas: 'crm', sampleRows: String(sampleRows) }, { password: db.server.superPassword });
    return (await postgresConnector.extract(input, ports)).facts;
  };
  const columnMeta = (facts: Facts, name: string): Record<string, unknown> | undefined => facts.columns.find((c) => c.name === name)?.meta;

  before(async () => {
    db = await scratchDatabase('pgsample');
    await db.sql.unsafe(`
      create schema crm;
      create table crm.people (id int primary key, contact text, note text, photo bytea);
      create view crm.people_view as select id, contact from crm.people;`);
    for (const [i, e] of emails.entries()) await db.sql`insert into crm.people values (${i}, ${e}, ${`note number ${i}`}, ${Buffer.from('x')})`;
  });
  after(async () => {
    await db?.drop();
  });

  it('finds e-mail addresses in a column named "contact" only when sampling is on, and keeps no value', async () => {
    const off = await extract(0);
    assert.deepEqual(columnMeta(off, 'contact'), {});

    const on = await extract(20);
    const classes = columnMeta(on, 'contact')?.[SAMPLED_CLASSES_META] as { key: string; confidence: number; reason: string }[] | undefined;
    assert.ok(classes, JSON.stringify(on.columns.map((c) => [c.entityId, c.name, c.meta])));
    assert.deepEqual(classes.map((c) => c.key), ['pii.email']);
    assert.match(classes[0]!.reason, /12 of 12 sampled values/);
    assert.deepEqual(columnMeta(on, 'note'), {}, 'free text is not personal data');
    const text = JSON.stringify(on);
    for (const e of emails) assert.ok(!text.includes(e), 'no sampled value is kept');

    // In the catalog: an open suggestion that says it came from the values.
    const env = tempStore();
    try {
      env.store.replaceAll(on);
      refreshRuleSuggestions(env.store);
      const contact = openSuggestions(env.store).filter((s) => s.columnId.endsWith('#contact'));
      assert.equal(contact.length, 1, JSON.stringify(contact));
      assert.equal(contact[0]!.key, 'pii.email');
      assert.match(contact[0]!.reason, /sampled values/);
    } finally {
      env.cleanup();
    }
  });
});
