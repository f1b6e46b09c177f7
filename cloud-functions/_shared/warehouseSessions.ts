import type * as snowflakeSdk from 'snowflake-sdk';
import { BigQueryConfig, BigQuerySecrets, requireKey } from '../../core/connectors/bigquery';
import { ConnectorError } from '../../core/connectors/connector';
import type { SqlSession } from '../../core/connectors/connector';
import { bigqueryError, snowflakeError } from '../../core/connectors/driverErrors';
import { credentialProblem, SnowflakeConfig, SnowflakeSecrets } from '../../core/connectors/snowflake';

/**
 * The Deno session openers of the Snowflake and BigQuery connectors (`ConnectorPorts.openSql` in
 * `org-extract` and in the `connectors` function's Test connection): the official `snowflake-sdk`
 * and `@google-cloud/bigquery`, the same packages and versions the extension's Node drivers use
 * (`extension/connectors/drivers/`), bundled into the function by esbuild (no `npm:` fetch at run
 * time). Both run unchanged on Deno's Node compatibility: measured and decided in
 * cloud-functions/org-extract/README.md. The openers mirror the Node drivers line for line (the
 * layering keeps `cloud-functions/` from importing `extension/`); errors map through the shared
 * `core/connectors/driverErrors.ts`, and no message carries a password or a key.
 */

let snowflakeModule: Promise<typeof snowflakeSdk> | undefined;

/**
 * The SDK, evaluated on first use: esbuild keeps it in the function's one bundle but turns the
 * dynamic import into a lazily run module, so a worker that never opens a Snowflake session (a
 * GitHub run, another function) does not pay for evaluating it. The SDK's logger is silenced once
 * (it would otherwise try to write snowflake.log next to the function).
 */
function loadSnowflake(): Promise<typeof snowflakeSdk> {
  snowflakeModule ??= import('snowflake-sdk').then((sdk) => {
    const quiet = (): void => undefined;
    sdk.configure({ customLogger: { error: quiet, warn: quiet, info: quiet, debug: quiet, trace: quiet } });
    return sdk;
  });
  return snowflakeModule;
}

/** The first zod issue of a config/secrets pair, as a `bad-config` error. */
function badConfig(label: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): ConnectorError {
  const issue = issues[0];
  return new ConnectorError('bad-config', `The ${label} settings are invalid: ${issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'unknown problem'}.`);
}

/** Opens a Snowflake session (password or key-pair login) for the connector's config and secrets. */
export async function openSnowflakeSession(rawConfig: unknown, rawSecrets: unknown): Promise<SqlSession> {
  const c = SnowflakeConfig.safeParse(rawConfig);
  const s = SnowflakeSecrets.safeParse(rawSecrets ?? {});
  if (!c.success || !s.success) throw badConfig('Snowflake', [...(c.success ? [] : c.error.issues), ...(s.success ? [] : s.error.issues)]);
  const config = c.data;
  const secrets = s.data;
  const problem = credentialProblem(secrets);
  if (problem !== undefined) throw new ConnectorError('bad-config', problem);
  const snowflake = await loadSnowflake();
  const auth: Partial<snowflakeSdk.ConnectionOptions> =
    secrets.privateKey !== undefined
      ? { authenticator: 'SNOWFLAKE_JWT', privateKey: secrets.privateKey, ...(secrets.privateKeyPassphrase ? { privateKeyPass: secrets.privateKeyPassphrase } : {}) }
      : { password: secrets.password ?? '' };
  let connection: snowflakeSdk.Connection;
  try {
    connection = snowflake.createConnection({
      account: config.account,
      username: config.user,
      ...auth,
      ...(config.warehouse ? { warehouse: config.warehouse } : {}),
      ...(config.role ? { role: config.role } : {}),
      ...(config.databases[0] ? { database: config.databases[0] } : {}),
      ...(config.accessUrl ? { accessUrl: config.accessUrl } : {}),
    });
  } catch (e) {
    // The SDK validates options synchronously (account name syntax, URL).
    throw new ConnectorError('bad-config', `The Snowflake settings are invalid: ${e instanceof Error ? e.message : String(e)}`);
  }
  await new Promise<void>((resolve, reject) => {
    connection.connect((err) => (err ? reject(snowflakeError(err, `Snowflake login as ${config.user} failed`)) : resolve()));
  });
  return {
    query: (sqlText, params) =>
      new Promise<Record<string, unknown>[]>((resolve, reject) => {
        connection.execute({
          sqlText,
          ...(params && params.length > 0 ? { binds: params as snowflakeSdk.Binds } : {}),
          complete: (err, _stmt, rows) => (err ? reject(snowflakeError(err, 'Snowflake query failed')) : resolve((rows ?? []) as Record<string, unknown>[])),
        });
      }),
    close: () => new Promise<void>((resolve) => connection.destroy(() => resolve())),
  };
}

const BIGQUERY_SCOPE = 'https://www.googleapis.com/auth/bigquery';

/** Opens a BigQuery session (a client authenticated with the service account's self-signed JWTs). */
export async function openBigQuerySession(rawConfig: unknown, rawSecrets: unknown): Promise<SqlSession> {
  const c = BigQueryConfig.safeParse(rawConfig);
  const s = BigQuerySecrets.safeParse(rawSecrets ?? {});
  if (!c.success || !s.success) throw badConfig('BigQuery', [...(c.success ? [] : c.error.issues), ...(s.success ? [] : s.error.issues)]);
  const config = c.data;
  const key = requireKey(s.data);
  // Evaluated on first use, as the Snowflake SDK is (see `loadSnowflake`).
  const [{ BigQuery }, { JWT }] = await Promise.all([import('@google-cloud/bigquery'), import('google-auth-library')]);
  const jwt = new JWT({ email: key.client_email, key: key.private_key, ...(key.private_key_id ? { keyId: key.private_key_id } : {}), scopes: [BIGQUERY_SCOPE] });
  // Self-signed JWTs carrying the scope: no token exchange, the key never leaves the function.
  jwt.useJWTAccessWithScope = true;
  const client = new BigQuery({ projectId: config.projectId, location: config.location, authClient: jwt, maxRetries: 2, ...(config.apiEndpoint ? { apiEndpoint: config.apiEndpoint } : {}) });
  return {
    query: async (sql, params) => {
      try {
        const [rows] = await client.query({ query: sql, location: config.location, ...(params && params.length > 0 ? { params: [...params] } : {}) });
        return rows as Record<string, unknown>[];
      } catch (e) {
        throw bigqueryError(e, `BigQuery query as ${key.client_email} failed`);
      }
    },
    close: () => Promise.resolve(),
  };
}
