import type { ConnectorDefinition, ConnectorPorts, ConnectorErrorReason } from '../../core/connectors/connector';
import { ConnectorError, validateInput } from '../../core/connectors/connector';
import type { JsonValue } from '../../core/sync/ops';
import type { CatalogStore } from '../catalog/catalogStore';
import { storedConnectorFacts, writeConnectorFacts } from './connectorFacts';

/**
 * One local run of a workspace connector: validate its settings, extract, and write the facts into
 * the folder's catalog as the connector's own scope (`connectorFacts.ts`). The connector worker
 * (`connectorWorker.ts`) calls this off the extension host's thread; tests call it directly.
 */

/** What a run reports. */
export type RunOutcome =
  | { ok: true; stats: Record<string, number>; state?: JsonValue; entities: number }
  | { ok: false; reason: ConnectorErrorReason | 'internal'; message: string };

/** Runs `def` on `config`/`secrets` (and the previous run's `state`) and stores the facts. Never throws. */
export async function runConnectorInto(
  store: CatalogStore,
  def: ConnectorDefinition,
  connector: { id: string; config: unknown; secrets: unknown; state?: JsonValue },
  ports: ConnectorPorts,
): Promise<RunOutcome> {
  try {
    const input = validateInput(def, connector.config, connector.secrets);
    const result = await def.extract({ ...input, ...(connector.state !== undefined ? { state: connector.state } : {}) }, ports);
    if (ports.signal?.aborted) return { ok: false, reason: 'cancelled', message: 'The run was cancelled; the catalog keeps the previous run.' };
    const state = result.state !== undefined ? { state: result.state } : {};
    // An unchanged source answers no facts: the catalog keeps the previous run's, only the state is new.
    if (result.unchanged === true) {
      const kept = storedConnectorFacts(store, connector.id)?.entities ?? [];
      return { ok: true, stats: { ...result.stats, unchanged: 1 }, ...state, entities: kept.filter((e) => e.kind !== 'project').length };
    }
    const written = writeConnectorFacts(store, connector.id, result.facts);
    return { ok: true, stats: result.stats, ...state, entities: written.entities.filter((e) => e.kind !== 'project').length };
  } catch (err) {
    if (err instanceof ConnectorError) return { ok: false, reason: err.reason, message: err.message };
    return { ok: false, reason: 'internal', message: err instanceof Error ? err.message : String(err) };
  }
}
