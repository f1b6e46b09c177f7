import type { ConnectorType, SqlSession } from '../../core/connectors/connector';
import { ConnectorError } from '../../core/connectors/connector';
import { openPostgres } from './drivers/postgresDriver';

/**
 * The Node SQL drivers behind `ConnectorPorts.openSql` in the extension host and the CLI: one
 * opener per warehouse connector type (the `postgres` package, `snowflake-sdk`,
 * `@google-cloud/bigquery`), each in its own file under `drivers/`. Add one line to `OPENERS` per
 * driver. The edge functions have their own openers (Deno, `npm:` imports).
 */

type Opener = (config: unknown, secrets: unknown) => Promise<SqlSession>;

const OPENERS: Partial<Record<ConnectorType, Opener>> = {
  // One line per driver.
  postgres: openPostgres,
};

/** Opens a SQL session for a warehouse connector; `bad-host` when this build has no driver for the type. */
export async function openSqlSession(type: ConnectorType, config: unknown, secrets: unknown): Promise<SqlSession> {
  const open = OPENERS[type];
  if (open === undefined) throw new ConnectorError('bad-host', `This build of Mallard has no SQL driver for ${type} connectors.`);
  return await open(config, secrets);
}
