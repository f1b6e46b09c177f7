import * as snowflake from 'snowflake-sdk';
import { ConnectorError, type SqlSession } from '../../../core/connectors/connector';
import { snowflakeError as toConnectorError } from '../../../core/connectors/driverErrors';
import { credentialProblem, SnowflakeConfig, SnowflakeSecrets } from '../../../core/connectors/snowflake';

/**
 * The Node driver behind the Snowflake connector's `openSql`: the official `snowflake-sdk`
 * (password or key-pair login), one connection per session, statements with `?` binds, rows as
 * objects keyed by column name. Snowflake's errors become `ConnectorError`s by their code
 * (`core/connectors/driverErrors.ts`, shared with the edge functions' opener). The driver's own
 * logging is silenced: Mallard reports through its errors.
 */

let configured = false;

/** Silences the SDK's logger once per process (it would otherwise write snowflake.log files). */
function configureOnce(): void {
  if (configured) return;
  configured = true;
  const quiet = (): void => undefined;
  snowflake.configure({ customLogger: { error: quiet, warn: quiet, info: quiet, debug: quiet, trace: quiet } });
}

/** The config and secrets as the connector validated them (idempotent schemas), or `bad-config`. */
function parsed(rawConfig: unknown, rawSecrets: unknown): { config: SnowflakeConfig; secrets: SnowflakeSecrets } {
  const config = SnowflakeConfig.safeParse(rawConfig);
  const secrets = SnowflakeSecrets.safeParse(rawSecrets);
  if (config.success && secrets.success) return { config: config.data, secrets: secrets.data };
  const issue = (config.success ? undefined : config.error.issues[0]) ?? (secrets.success ? undefined : secrets.error.issues[0]);
  throw new ConnectorError('bad-config', `The Snowflake settings are invalid: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown problem'}.`);
}

/** Opens a Snowflake session for the connector's validated config and secrets. */
export async function openSnowflake(rawConfig: unknown, rawSecrets: unknown): Promise<SqlSession> {
  const { config, secrets } = parsed(rawConfig, rawSecrets);
  const problem = credentialProblem(secrets);
  if (problem !== undefined) throw new ConnectorError('bad-config', problem);
  configureOnce();
  const auth: Partial<snowflake.ConnectionOptions> =
    secrets.privateKey !== undefined
      ? { authenticator: 'SNOWFLAKE_JWT', privateKey: secrets.privateKey, ...(secrets.privateKeyPassphrase ? { privateKeyPass: secrets.privateKeyPassphrase } : {}) }
      : { password: secrets.password ?? '' };
  const options: snowflake.ConnectionOptions = {
    account: config.account,
    username: config.user,
    ...auth,
    ...(config.warehouse ? { warehouse: config.warehouse } : {}),
    ...(config.role ? { role: config.role } : {}),
    ...(config.databases[0] ? { database: config.databases[0] } : {}),
    ...(config.accessUrl ? { accessUrl: config.accessUrl } : {}),
  };
  let connection: snowflake.Connection;
  try {
    connection = snowflake.createConnection(options);
  } catch (e) {
    // The SDK validates options synchronously (account name syntax, URL).
    throw new ConnectorError('bad-config', `The Snowflake settings are invalid: ${e instanceof Error ? e.message : String(e)}`);
  }
  await new Promise<void>((resolve, reject) => {
    connection.connect((err) => (err ? reject(toConnectorError(err, `Snowflake login as ${config.user} failed`)) : resolve()));
  });
  return {
    query: (sqlText, params) =>
      new Promise<Record<string, unknown>[]>((resolve, reject) => {
        connection.execute({
          sqlText,
          ...(params && params.length > 0 ? { binds: params as snowflake.Binds } : {}),
          complete: (err, _stmt, rows) => (err ? reject(toConnectorError(err, 'Snowflake query failed')) : resolve((rows ?? []) as Record<string, unknown>[])),
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        connection.destroy(() => resolve());
      }),
  };
}
