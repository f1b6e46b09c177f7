import { z } from 'zod';
import type { ConnectorDefinition, ExtractResult } from '../../core/connectors/connector';
import { ConnectorError, warehouseRelationId } from '../../core/connectors/connector';
import { columnId } from '../../core/model/ids';
import { emptyFacts, type Facts } from '../../core/model/entities';

/**
 * A tiny test-only connector (not registered, never shipped): the flow, the store and the local run
 * are tested against it until real connectors exist. Its "source" is its config: `tables` lists the
 * tables to extract; a host other than `good.example` or a password not ending in `right` is refused.
 */

const config = z.object({
  name: z.string().optional(),
  host: z.string().regex(/^[a-z0-9.-]+$/, 'Use a host name like db.example.com.'),
  port: z.number().int().min(1).max(65535, 'A port is at most 65535.'),
  tables: z.array(z.string().min(1)).min(1, 'Name at least one table.'),
  mode: z.enum(['fast', 'full']).optional(),
});
const secrets = z.object({ password: z.string().min(3, 'The password has at least 3 characters.') });
export type TestConfig = z.infer<typeof config>;

export const testConnector: ConnectorDefinition<TestConfig, z.infer<typeof secrets>> = {
  type: 'postgres',
  label: 'Test Source',
  description: 'A test-only source whose tables are its config.',
  config,
  secrets,
  fields: [
    { key: 'name', label: 'Name', prompt: 'Project name.', secret: false, optional: true },
    { key: 'host', label: 'Host', prompt: 'Host name of the source.', secret: false, optional: false },
    { key: 'port', label: 'Port', prompt: 'TCP port.', placeholder: '5432', secret: false, optional: false },
    { key: 'tables', label: 'Tables', prompt: 'Tables to extract, comma-separated.', secret: false, optional: false },
    { key: 'password', label: 'Password', prompt: 'Password of the user.', secret: true, optional: false },
    { key: 'mode', label: 'Mode', prompt: 'Extraction mode.', secret: false, optional: true, choices: ['fast', 'full'] },
  ],
  incremental: true,
  test: async ({ config: c, secrets: s }) =>
    c.host === 'good.example' && s.password.endsWith('right') ? { ok: true, detail: `Connected to ${c.host}:${c.port}` } : { ok: false, reason: 'auth-failed', message: `password authentication failed for ${c.host}` },
  discover: async ({ config: c }) => c.tables.map((name) => ({ kind: 'table' as const, name })),
  extract: async ({ config: c, secrets: s, state }): Promise<ExtractResult> => {
    if (!s.password.endsWith('right')) throw new ConnectorError('auth-failed', 'password authentication failed');
    const facts: Facts = emptyFacts();
    for (const name of c.tables) {
      const id = warehouseRelationId('db', 'public', name);
      const provenance = { file: `test://${c.host}/db`, line: 0, column: 0, extractor: 'test-connector', confidence: 1 };
      facts.entities.push({ id, kind: 'table', name, project: 'Test Source', path: `test://${c.host}/db/public/${name}`, database: 'db', schema: 'public', description: '', tags: [], meta: {}, owners: [], tests: [], disabled: false, provenance });
      facts.columns.push({ id: columnId(id, 'id'), entityId: id, name: 'id', type: 'integer', description: '', tags: [], tests: [], meta: {}, position: 0, origin: 'declared', provenance });
    }
    const previous = typeof state === 'object' && state !== null && !Array.isArray(state) ? state : {};
    const runs = typeof previous.runs === 'number' ? previous.runs : 0;
    const next = { runs: runs + 1, tables: c.tables.join() };
    // Incremental like the real ones: the same tables as last time is "unchanged", with no facts.
    if (previous.tables === next.tables) return { facts: emptyFacts(), state: next, stats: {}, unchanged: true };
    return { facts, state: next, stats: { tables: c.tables.length } };
  },
};
