import { createPublicKey, randomUUID, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the BigQuery REST API v2 that `@google-cloud/bigquery` runs against
 * unchanged (pointed at it with `apiEndpoint: http://127.0.0.1:<port>`):
 * - `POST /bigquery/v2/projects/{projectId}/queries` (jobs.query) with `{ query, location,
 *   useLegacySql: false, parameterMode: 'POSITIONAL', queryParameters: [{ parameterType: { type },
 *   parameterValue: { value } }] }` → `{ kind: 'bigquery#queryResponse', jobReference, jobComplete,
 *   schema: { fields: [{ name, type, mode, fields }] }, rows: [{ f: [{ v }] }], totalRows, pageToken }`;
 * - `POST /bigquery/v2/projects/{projectId}/jobs` (jobs.insert) with `{ configuration: { query: {
 *   query, queryParameters } }, jobReference: { projectId, jobId, location } }` → the Job resource
 *   (`status.state: 'RUNNING'`), the client's path when jobs.query cannot express a request;
 * - `GET /bigquery/v2/projects/{projectId}/queries/{jobId}` (jobs.getQueryResults) for a job not
 *   complete on the first answer, for an inserted job, and for the following pages (`pageToken`);
 * - every request carries `Authorization: Bearer <JWT>`: a service account's self-signed RS256 JWT
 *   (`iss` = the account's email, `scope` = the BigQuery scope), verified here with the account's
 *   public key; a bad one gets Google's 401 error body (`reason: authError`, `UNAUTHENTICATED`).
 * Rows use BigQuery's `f`/`v` encoding: scalars as strings, RECORD as `{ f: [...] }`, REPEATED as
 * `[{ v }]`. Result sets are canned by the test (`answer`), keyed on the SQL text.
 */

/** A field of a result schema (BigQuery's TableFieldSchema). */
export interface BigQueryField {
  name: string;
  type: 'STRING' | 'INT64' | 'BOOL' | 'RECORD';
  mode?: 'NULLABLE' | 'REPEATED';
  fields?: BigQueryField[];
}

/** A canned result: rows are plain JSON values (objects for RECORD, arrays for REPEATED). */
export interface BigQueryResult {
  fields: BigQueryField[];
  rows: unknown[][];
  /** Answer `jobComplete: false` first, so the client polls jobs.getQueryResults. */
  slow?: boolean;
  /** Rows per page (the rest via pageToken). */
  pageSize?: number;
}

/** A canned API error (HTTP status, Google's `reason` and `status`). */
export interface BigQueryFailure {
  error: { code: number; reason: string; status: string; message: string };
}

export type BigQueryAnswer = (sql: string, params: string[]) => BigQueryResult | BigQueryFailure;

export interface BigQueryStandIn {
  /** The client's `apiEndpoint`. */
  url: string;
  /** Every jobs.query received. */
  queries: { sql: string; params: string[]; location?: string }[];
  /** Ids of the jobs created through jobs.insert. */
  inserted: string[];
  /** Every jobs.getQueryResults received (job id and page token). */
  pages: { jobId: string; pageToken: string | null }[];
  close(): Promise<void>;
}

/** Encodes one value in the f/v form of its field. */
function encode(field: BigQueryField, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field.mode === 'REPEATED') return (value as unknown[]).map((x) => ({ v: encode({ ...field, mode: 'NULLABLE' }, x) }));
  if (field.type === 'RECORD') return { f: (field.fields ?? []).map((sub) => ({ v: encode(sub, (value as Record<string, unknown>)[sub.name]) })) };
  return String(value);
}

const encodeRow = (fields: readonly BigQueryField[], row: readonly unknown[]) => ({ f: fields.map((f, i) => ({ v: encode(f, row[i]) })) });

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

function googleError(res: ServerResponse, e: BigQueryFailure['error']): void {
  send(res, e.code, { error: { code: e.code, message: e.message, errors: [{ message: e.message, domain: 'global', reason: e.reason }], status: e.status } });
}

/** True when `token` is an RS256 JWT signed by `key` for `email` with the BigQuery scope. */
function validJwt(token: string, email: string, key: KeyObject): boolean {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) return false;
  const ok = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
  if (!ok) return false;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: string; scope?: string; exp?: number };
  return claims.iss === email && (claims.scope ?? '').split(' ').includes('https://www.googleapis.com/auth/bigquery') && (claims.exp ?? 0) * 1000 > Date.now();
}

/** Starts the stand-in for one project and service account (its email and public key PEM). */
export async function startBigQueryStandIn(options: { projectId: string; clientEmail: string; publicKeyPem: string; answer: BigQueryAnswer }): Promise<BigQueryStandIn> {
  const key = createPublicKey(options.publicKeyPem);
  const queries: BigQueryStandIn['queries'] = [];
  const pages: BigQueryStandIn['pages'] = [];
  const inserted: string[] = [];
  // Jobs the client may still ask about: their result and whether the first poll was answered.
  const jobs = new Map<string, { result: BigQueryResult; polled: boolean }>();
  const base = `/bigquery/v2/projects/${options.projectId}`;

  const page = (jobId: string, location: string | undefined, result: BigQueryResult, start: number): Record<string, unknown> => {
    const size = result.pageSize ?? result.rows.length;
    const rows = result.rows.slice(start, start + size).map((r) => encodeRow(result.fields, r));
    const next = start + size < result.rows.length ? String(start + size) : undefined;
    return {
      kind: 'bigquery#getQueryResultsResponse',
      etag: randomUUID(),
      schema: { fields: result.fields.map((f) => ({ mode: 'NULLABLE', ...f })) },
      jobReference: { projectId: options.projectId, jobId, location: location ?? 'US' },
      totalRows: String(result.rows.length),
      ...(rows.length > 0 ? { rows } : {}),
      ...(next !== undefined ? { pageToken: next } : {}),
      totalBytesProcessed: '0',
      jobComplete: true,
      cacheHit: false,
    };
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  function handle(req: IncomingMessage, res: ServerResponse, text: string): void {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer === undefined || !validJwt(bearer, options.clientEmail, key)) {
      googleError(res, { code: 401, reason: 'authError', status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.' });
      return;
    }
    if (req.method === 'POST' && url.pathname === `${base}/queries`) {
      const body = JSON.parse(text) as { query: string; location?: string; queryParameters?: { parameterValue: { value: unknown } }[] };
      // The client sends a parameter's value as the JSON value it was given (a number stays a number).
      const params = (body.queryParameters ?? []).map((p) => String(p.parameterValue.value));
      queries.push({ sql: body.query, params, ...(body.location ? { location: body.location } : {}) });
      const answer = options.answer(body.query, params);
      if ('error' in answer) {
        googleError(res, answer.error);
        return;
      }
      const jobId = `job_${randomUUID().replace(/-/g, '_')}`;
      jobs.set(jobId, { result: answer, polled: false });
      if (answer.slow === true) {
        send(res, 200, { kind: 'bigquery#queryResponse', jobReference: { projectId: options.projectId, jobId, location: body.location ?? 'US' }, jobComplete: false });
        return;
      }
      send(res, 200, { ...page(jobId, body.location, answer, 0), kind: 'bigquery#queryResponse' });
      return;
    }
    if (req.method === 'POST' && url.pathname === `${base}/jobs`) {
      // jobs.insert: the client's path when jobs.query cannot express the request.
      const body = JSON.parse(text) as { configuration: { query: { query: string; queryParameters?: { parameterValue: { value: unknown } }[] } }; jobReference: { projectId: string; jobId: string; location?: string } };
      const params = (body.configuration.query.queryParameters ?? []).map((p) => String(p.parameterValue.value));
      const location = body.jobReference.location ?? 'US';
      queries.push({ sql: body.configuration.query.query, params, location });
      const answer = options.answer(body.configuration.query.query, params);
      if ('error' in answer) {
        googleError(res, answer.error);
        return;
      }
      const jobReference = { projectId: options.projectId, jobId: body.jobReference.jobId, location };
      jobs.set(jobReference.jobId, { result: answer, polled: false });
      inserted.push(jobReference.jobId);
      send(res, 200, { kind: 'bigquery#job', id: `${options.projectId}:${location}.${jobReference.jobId}`, jobReference, configuration: { ...body.configuration, jobType: 'QUERY' }, status: { state: 'RUNNING' }, statistics: { creationTime: String(Date.now()) }, user_email: options.clientEmail });
      return;
    }
    const results = new RegExp(`^${base}/queries/([^/]+)$`).exec(url.pathname);
    if (req.method === 'GET' && results !== null) {
      const jobId = decodeURIComponent(results[1] ?? '');
      const job = jobs.get(jobId);
      pages.push({ jobId, pageToken: url.searchParams.get('pageToken') });
      if (job === undefined) {
        googleError(res, { code: 404, reason: 'notFound', status: 'NOT_FOUND', message: `Not found: Job ${options.projectId}:${jobId}` });
        return;
      }
      const location = url.searchParams.get('location') ?? undefined;
      if (job.result.slow === true && !job.polled) {
        // One more "still running" answer before the result, as a long query gets.
        job.polled = true;
        send(res, 200, { kind: 'bigquery#getQueryResultsResponse', jobReference: { projectId: options.projectId, jobId, location: location ?? 'US' }, jobComplete: false });
        return;
      }
      send(res, 200, page(jobId, location, job.result, Number(url.searchParams.get('pageToken') ?? '0')));
      return;
    }
    googleError(res, { code: 404, reason: 'notFound', status: 'NOT_FOUND', message: `Not found: ${req.method ?? ''} ${url.pathname}` });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queries,
    pages,
    inserted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
