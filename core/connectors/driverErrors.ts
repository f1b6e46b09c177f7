import { ConnectorError, type ConnectorErrorReason } from './connector';

/**
 * How the official warehouse SDKs' errors become `ConnectorError`s. Pure functions over the shape
 * of an error object, shared by the Node drivers (`extension/connectors/drivers/`) and the Deno
 * session openers of the edge functions (`cloud-functions/_shared/warehouseSessions.ts`), which run
 * the same SDKs, so a wrong password or a missing table reads the same in the editor and the cloud.
 */

/** Snowflake error shapes the SDK produces (`OperationFailedError`, `NetworkError`, `RequestFailedError`). */
interface SnowflakeErrorLike {
  name?: string;
  code?: string | number;
  sqlState?: string;
  message?: string;
  response?: { statusCode?: number };
}

/**
 * The connector reason of a Snowflake error: the 3901xx login codes (wrong password, invalid JWT,
 * locked user) are `auth-failed`, 002003 ("does not exist or not authorized") `not-found`,
 * 003001 and SQLSTATE 42501 (insufficient privileges) `forbidden`, the SDK's network and HTTP
 * failures `unreachable` (429 `rate-limited`), anything else `source-error`.
 */
export function snowflakeReason(e: SnowflakeErrorLike): ConnectorErrorReason {
  const code = String(e.code ?? '');
  if (/^3901\d\d$/.test(code) || e.sqlState === '28000' || e.sqlState === '08004') return 'auth-failed';
  if (code === '002003' || code === '2003' || e.sqlState === '02000') return 'not-found';
  if (code === '003001' || code === '3001' || e.sqlState === '42501') return 'forbidden';
  if (e.response?.statusCode === 429) return 'rate-limited';
  if (e.name === 'NetworkError' || e.name === 'RequestFailedError' || code === '401001' || code === '401002') return 'unreachable';
  return 'source-error';
}

/** A Snowflake SDK error as a `ConnectorError` (its code in the message). */
export function snowflakeError(e: unknown, context: string): ConnectorError {
  if (e instanceof ConnectorError) return e;
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as SnowflakeErrorLike;
  const code = err.code === undefined ? '' : ` (${String(err.code)})`;
  return new ConnectorError(snowflakeReason(err), `${context}: ${err.message ?? 'unknown error'}${code}`);
}

/** The parts of the BigQuery client's `ApiError` / gaxios errors that decide the reason. */
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
export function bigqueryReason(e: GoogleErrorLike): ConnectorErrorReason {
  const status = typeof e.code === 'number' ? e.code : e.status;
  const reasons = (e.errors ?? []).map((x) => x.reason ?? '');
  if (reasons.some((r) => r === 'rateLimitExceeded' || r === 'quotaExceeded') || status === 429) return 'rate-limited';
  if (status === 401) return 'auth-failed';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (typeof e.code === 'string' && /^(ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH)$/.test(e.code)) return 'unreachable';
  return 'source-error';
}

/** A BigQuery client error as a `ConnectorError`. */
export function bigqueryError(e: unknown, context: string): ConnectorError {
  if (e instanceof ConnectorError) return e;
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as GoogleErrorLike;
  // gaxios puts the socket error's code on `cause` for fetch failures.
  const cause = (e as { cause?: { code?: string } } | null)?.cause;
  const withCause: GoogleErrorLike = err.code === undefined && typeof cause?.code === 'string' ? { ...err, code: cause.code } : err;
  return new ConnectorError(bigqueryReason(withCause), `${context}: ${err.message ?? 'unknown error'}`);
}
