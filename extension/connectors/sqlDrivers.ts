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
  // The SDKs are large (snowflake-sdk pulls in the AWS and Azure clients), so each driver is loaded
  // on first use: from dist/ its own bundle next to this one (scripts/buildTargets.mjs, driverSplit),
  // from sources (tests under tsx) the TypeScript file. `require`, not `import()`: tsx's CommonJS
  // hook maps `.js` to `.ts` only for require.
  snowflake: (config, secrets) => sameRealm(async () => (require('./drivers/snowflakeDriver.js') as typeof import('./drivers/snowflakeDriver.js')).openSnowflake(config, secrets)),
  bigquery: (config, secrets) => sameRealm(async () => (require('./drivers/bigqueryDriver.js') as typeof import('./drivers/bigqueryDriver.js')).openBigQuery(config, secrets)),
};

/**
 * A driver bundled as its own file has its own copy of `ConnectorError`, so its errors fail
 * `instanceof` here: they are rebuilt as this bundle's `ConnectorError` (same reason and message).
 */
function rebuilt(e: unknown): unknown {
  if (e instanceof ConnectorError || typeof e !== 'object' || e === null) return e;
  const { name, reason, message } = e as { name?: unknown; reason?: unknown; message?: unknown };
  return name === 'ConnectorError' && typeof reason === 'string' && typeof message === 'string' ? new ConnectorError(reason as ConnectorError['reason'], message) : e;
}

async function sameRealm(open: () => Promise<SqlSession>): Promise<SqlSession> {
  const session = await open().catch((e: unknown) => Promise.reject(rebuilt(e)));
  return {
    query: (sql, params) => session.query(sql, params).catch((e: unknown) => Promise.reject(rebuilt(e))),
    close: () => session.close(),
  };
}

/** Opens a SQL session for a warehouse connector; `bad-host` when this build has no driver for the type. */
export async function openSqlSession(type: ConnectorType, config: unknown, secrets: unknown): Promise<SqlSession> {
  const open = OPENERS[type];
  if (open === undefined) throw new ConnectorError('bad-host', `This build of Mallard has no SQL driver for ${type} connectors.`);
  return await open(config, secrets);
}
