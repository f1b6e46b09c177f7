import { BigQuery } from '@google-cloud/bigquery';
import { JWT } from 'google-auth-library';
import { BigQueryConfig, BigQuerySecrets, requireKey } from '../../../core/connectors/bigquery';
import { ConnectorError, type SqlSession } from '../../../core/connectors/connector';
import { bigqueryError as toConnectorError } from '../../../core/connectors/driverErrors';

/**
 * The Node driver behind the BigQuery connector's `openSql`: the official `@google-cloud/bigquery`
 * client, authenticated as the service account with self-signed JWTs (`useJWTAccessWithScope`,
 * as Google's generated clients do), so no token exchange with oauth2.googleapis.com is needed and
 * the key never leaves the process. Statements run through `jobs.query` with positional `?`
 * parameters in the configured location; rows come back as objects keyed by column name.
 */

const SCOPE = 'https://www.googleapis.com/auth/bigquery';

/** The config and secrets as the connector validated them (idempotent schemas), or `bad-config`. */
function parsed(rawConfig: unknown, rawSecrets: unknown): { config: BigQueryConfig; secrets: BigQuerySecrets } {
  const config = BigQueryConfig.safeParse(rawConfig);
  const secrets = BigQuerySecrets.safeParse(rawSecrets);
  if (config.success && secrets.success) return { config: config.data, secrets: secrets.data };
  const issue = (config.success ? undefined : config.error.issues[0]) ?? (secrets.success ? undefined : secrets.error.issues[0]);
  throw new ConnectorError('bad-config', `The BigQuery settings are invalid: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown problem'}.`);
}

/** Opens a BigQuery session (a client; BigQuery has no connection) for the connector's validated config and secrets. */
export async function openBigQuery(rawConfig: unknown, rawSecrets: unknown): Promise<SqlSession> {
  const { config, secrets } = parsed(rawConfig, rawSecrets);
  const key = requireKey(secrets);
  const jwt = new JWT({ email: key.client_email, key: key.private_key, ...(key.private_key_id ? { keyId: key.private_key_id } : {}), scopes: [SCOPE] });
  // Self-signed JWTs carrying the scope: Google APIs accept them for service accounts.
  jwt.useJWTAccessWithScope = true;
  const client = new BigQuery({
    projectId: config.projectId,
    location: config.location,
    authClient: jwt,
    maxRetries: 2,
    ...(config.apiEndpoint ? { apiEndpoint: config.apiEndpoint } : {}),
  });
  return {
    query: async (sql, params) => {
      try {
        const [rows] = await client.query({ query: sql, location: config.location, ...(params && params.length > 0 ? { params: [...params] } : {}) });
        return rows as Record<string, unknown>[];
      } catch (e) {
        throw toConnectorError(e, `BigQuery query as ${key.client_email} failed`);
      }
    },
    close: () => Promise.resolve(),
  };
}
