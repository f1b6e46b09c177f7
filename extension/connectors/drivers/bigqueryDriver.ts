import { BigQuery } from '@google-cloud/bigquery';
import { JWT } from 'google-auth-library';
import { BigQueryConfig, BigQuerySecrets, requireKey } from '../../../core/connectors/bigquery';
import { ConnectorError, type ConnectorErrorReason, type SqlSession } from '../../../core/connectors/connector';

/**
 * The Node driver behind the BigQuery connector's `openSql`: the official `@google-cloud/bigquery`
 * client, authenticated as the service account with self-signed JWTs (`useJWTAccessWithScope`,
 * as Google's generated clients do), so no token exchange with oauth2.googleapis.com is needed and
 * the key never leaves the process. Statements run through `jobs.query` with positional `?`
 * parameters in the configured location; rows come back as objects keyed by column name.
 */

const SCOPE = 'https://www.googleapis.com/auth/bigquery';

/** The parts of the client's `ApiError` / gaxios errors that decide the reason. */
interface GoogleErrorLike {
  code?: number | string;
  status?: number;
  message?: string;
  errors?: { reason?: string; message?: string }[];
}

/**
 * The connector reason of a BigQuery API error: HTTP 401 `auth-failed`, 403 `forbidden` (but
 * `rateLimitExceeded`/`quotaExceeded` are `rate-limited`), 404 `not-found`, 429 `rate-limited`,
 * connection failures (`ECONNREFUSED`, `ENOTFOUND`, timeouts) `unreachable`, anything else
 * (`invalidQuery`, 5xx) `source-error`.
 */
export function reasonOf(e: GoogleErrorLike): ConnectorErrorReason {
  const status = typeof e.code === 'number' ? e.code : e.status;
  const reasons = (e.errors ?? []).map((x) => x.reason ?? '');
  if (reasons.some((r) => r === 'rateLimitExceeded' || r === 'quotaExceeded') || status === 429) return 'rate-limited';
  if (status === 401) return 'auth-failed';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (typeof e.code === 'string' && /^(ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH)$/.test(e.code)) return 'unreachable';
  return 'source-error';
}

function toConnectorError(e: unknown, context: string): ConnectorError {
  if (e instanceof ConnectorError) return e;
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as GoogleErrorLike;
  // gaxios puts the socket error's code on `cause` for fetch failures.
  const cause = (e as { cause?: { code?: string } } | null)?.cause;
  const withCause: GoogleErrorLike = err.code === undefined && typeof cause?.code === 'string' ? { ...err, code: cause.code } : err;
  return new ConnectorError(reasonOf(withCause), `${context}: ${err.message ?? 'unknown error'}`);
}

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
