import assert from 'node:assert/strict';
import { z } from 'zod';
import type { ConnectorDefinition } from '../../../core/connectors/connector';
import { CONNECTOR_TYPES, ConnectorError, validateInput, warehouseRelationId } from '../../../core/connectors/connector';
import { connectorDefinition, connectorDefinitions } from '../../../core/connectors/registry';

/** The connector framework: input validation, the registry, and every registered definition's consistency. */

const probe: ConnectorDefinition<{ host: string; port: number }, { password: string }> = {
  type: 'postgres',
  label: 'Probe',
  description: 'A definition for validation tests.',
  config: z.object({ host: z.string().min(1), port: z.number().int() }),
  secrets: z.object({ password: z.string().min(1) }),
  fields: [],
  incremental: false,
  test: async () => ({ ok: true, detail: '' }),
  discover: async () => [],
  extract: async () => ({ facts: { entities: [], columns: [], modelEdges: [], columnEdges: [], unresolved: [], diagnostics: [] }, stats: {} }),
};

function shapeKeys(schema: unknown): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

describe('connector framework', () => {
  it('validateInput returns the parsed config and secrets', () => {
    assert.deepEqual(validateInput(probe, { host: 'h', port: 5 }, { password: 'p' }), { config: { host: 'h', port: 5 }, secrets: { password: 'p' } });
  });

  it('validateInput names the first three issues of config and secrets in a bad-config error', () => {
    assert.throws(
      () => validateInput(probe, { host: '', port: 'x', extra: 1 }, { password: '' }),
      (err: unknown) => {
        assert.ok(err instanceof ConnectorError);
        assert.equal(err.reason, 'bad-config');
        assert.match(err.message, /^The Probe connector's settings are invalid: config\.host: .+; config\.port: .+; secrets\.password: .+\.$/);
        return true;
      },
    );
    assert.throws(() => validateInput(probe, null, {}), (err: unknown) => err instanceof ConnectorError && /config\.\(root\)/.test(err.message));
  });

  it('the registry finds each registered type once and nothing else', () => {
    const types = connectorDefinitions().map((d) => d.type);
    assert.deepEqual(types, [...new Set(types)]);
    for (const t of ['github', 'postgres']) assert.equal(connectorDefinition(t)?.type, t);
    assert.equal(connectorDefinition('ftp'), undefined);
    for (const t of types) assert.ok((CONNECTOR_TYPES as readonly string[]).includes(t));
  });

  it("every registered definition's fields are its config and secret keys, secrets marked", () => {
    for (const def of connectorDefinitions()) {
      const config = shapeKeys(def.config);
      const secrets = shapeKeys(def.secrets);
      const keys = def.fields.map((f) => f.key);
      assert.deepEqual([...keys].sort(), [...config, ...secrets].sort(), def.type);
      for (const f of def.fields) assert.equal(f.secret, secrets.includes(f.key), `${def.type}.${f.key}`);
      // A field the flow may leave empty must validate when left out.
      const required = def.fields.filter((f) => !f.optional).map((f) => f.key);
      const minimal = Object.fromEntries(required.filter((k) => config.includes(k)).map((k) => [k, 'x']));
      assert.doesNotThrow(() => validateInput(def, minimal, {}), def.type);
    }
  });

  it('warehouse relation ids are lower-cased and shared by every connector', () => {
    assert.equal(warehouseRelationId('Analytics', 'RAW', 'Orders'), 'table.warehouse.analytics.raw.orders');
  });
});
