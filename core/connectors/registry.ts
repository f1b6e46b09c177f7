import type { ConnectorDefinition, ConnectorType } from './connector';
import { githubConnector } from './github';
import { postgresConnector } from './postgres';

/**
 * The registry of connector types. Each connector file exports its definition; add one line to
 * `DEFINITIONS` per connector. The extension's "Add Connector" flow, the Connectors tree and the
 * `org-extract` edge function all look types up here, so a registered connector is everywhere at once.
 */

// Widened once here: each definition is typed by its own config, the registry by the interface.
type AnyDefinition = ConnectorDefinition<unknown, unknown>;

const DEFINITIONS: readonly AnyDefinition[] = [
  // One line per connector.
  githubConnector as AnyDefinition,
  postgresConnector as AnyDefinition,
];

/** All registered connector definitions, in the order the type picker shows them. */
export function connectorDefinitions(): readonly AnyDefinition[] {
  return DEFINITIONS;
}

/** The definition of `type`, or undefined when this build has no such connector. */
export function connectorDefinition(type: string): AnyDefinition | undefined {
  return DEFINITIONS.find((d) => d.type === (type as ConnectorType));
}
