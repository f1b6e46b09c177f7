import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A local stand-in for Snowflake that speaks the REST protocol `snowflake-sdk` uses, so the SDK
 * runs unchanged against it (pointed at it with `accessUrl: http://127.0.0.1:<port>`):
 * - `POST /session/v1/login-request` with a gzipped JSON body `{ data: { ACCOUNT_NAME, LOGIN_NAME,
 *   PASSWORD, … } }` (key-pair login: `AUTHENTICATOR: 'SNOWFLAKE_JWT'` and an RS256 JWT in `TOKEN`,
 *   `390144` when it does not verify); success is `{ success: true, data: { token, masterToken, validityInSeconds,
 *   masterValidityInSeconds, sessionId, parameters } }`, a wrong password `{ success: false, code:
 *   '390100', message: 'Incorrect username or password was specified.' }` (HTTP 200, as Snowflake does).
 * - `POST /queries/v1/query-request?requestId=…` with `Authorization: Snowflake Token="<token>"`
 *   and a gzipped body `{ sqlText, bindings: { "1": { type, value } } }`; results are
 *   `{ success: true, data: { rowtype: [{ name, type, … }], rowset: [[text values]], total,
 *   returned, queryId, queryResultFormat: 'json' } }`; SQL errors `{ success: false, code,
 *   message, data: { sqlState, errorCode, queryId } }`.
 * - `/telemetry/send` and `POST /session?delete=true` answer `{ success: true }`.
 * Result sets are canned by the test (`answer`), keyed on the SQL text it receives.
 */

/** Snowflake's JSON result column types the stand-in uses (rowtype `type`). */
export type SnowflakeColumnType = 'text' | 'fixed' | 'boolean' | 'variant' | 'array' | 'object';

/** One canned result set; values are JSON values, sent as Snowflake's JSON rowset sends them (text). */
export interface SnowflakeResult {
  columns: { name: string; type: SnowflakeColumnType }[];
  rows: unknown[][];
}

/** A canned SQL failure (Snowflake error code, SQLSTATE, message). */
export interface SnowflakeFailure {
  error: { code: string; sqlState: string; message: string };
}

/** What a query (SQL text, positional binds) answers. */
export type SnowflakeAnswer = (sql: string, binds: string[]) => SnowflakeResult | SnowflakeFailure;

export interface SnowflakeStandIn {
  /** `http://127.0.0.1:<port>`: the SDK's `accessUrl`. */
  url: string;
  /** Every statement received, in order. */
  statements: { sql: string; binds: string[] }[];
  /** Logins received (account and user). */
  logins: { account: string; user: string }[];
  close(): Promise<void>;
}

/** Encodes a value as the JSON rowset carries it: text, JSON text for semi-structured, null as null. */
function cell(v: unknown, type: SnowflakeColumnType): string | null {
  if (v === null || v === undefined) return null;
  if (type === 'variant' || type === 'array' || type === 'object') return JSON.stringify(v, null, 2);
  return String(v);
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      // The SDK gzips every request body (Content-Encoding: gzip).
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      try {
        resolve(text === '' ? {} : (JSON.parse(text) as unknown));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

function send(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * True when `token` is the RS256 JWT key-pair login sends (`AUTHENTICATOR: SNOWFLAKE_JWT`): signed
 * by the user's key, `sub` = `ACCOUNT.USER` upper-cased, not expired.
 */
function validKeyPairJwt(token: string, account: string, user: string, publicKeyPem: string): boolean {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) return false;
  if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64url'))) return false;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: string; exp?: number };
  return claims.sub === `${account}.${user}`.toUpperCase() && (claims.exp ?? 0) * 1000 > Date.now();
}

/**
 * Starts the stand-in for one user (password login, and key-pair login when `publicKeyPem` is
 * given); `answer` gives each statement's result.
 */
export async function startSnowflakeStandIn(options: { user: string; password: string; publicKeyPem?: string; answer: SnowflakeAnswer }): Promise<SnowflakeStandIn> {
  const tokens = new Set<string>();
  const statements: SnowflakeStandIn['statements'] = [];
  const logins: SnowflakeStandIn['logins'] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => send(res, { success: false, code: '000603', message: `stand-in failure: ${String(e)}`, data: null }, 500));
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const body = (await readBody(req)) as { data?: Record<string, unknown>; sqlText?: string; bindings?: Record<string, { type: string; value: unknown }> };
    if (url.pathname === '/session/v1/login-request') {
      const data = body.data ?? {};
      logins.push({ account: String(data['ACCOUNT_NAME']), user: String(data['LOGIN_NAME']) });
      if (data['AUTHENTICATOR'] === 'SNOWFLAKE_JWT') {
        const ok = options.publicKeyPem !== undefined && data['LOGIN_NAME'] === options.user && validKeyPairJwt(String(data['TOKEN']), String(data['ACCOUNT_NAME']), options.user, options.publicKeyPem);
        if (!ok) {
          send(res, { data: { nextAction: 'RETRY_LOGIN', authnMethod: 'KEY_PAIR', loginName: data['LOGIN_NAME'] }, code: '390144', message: 'JWT token is invalid.', success: false, headers: null });
          return;
        }
      } else if (data['LOGIN_NAME'] !== options.user || data['PASSWORD'] !== options.password) {
        send(res, { data: { nextAction: 'RETRY_LOGIN', authnMethod: 'USERNAME_PASSWORD', loginName: data['LOGIN_NAME'] }, code: '390100', message: 'Incorrect username or password was specified.', success: false, headers: null });
        return;
      }
      const token = `ver:1-hint:1-ETMsDgAAA${randomUUID()}`;
      tokens.add(token);
      send(res, {
        data: {
          masterToken: `master-${token}`,
          token,
          validityInSeconds: 3600,
          masterValidityInSeconds: 14400,
          displayUserName: options.user,
          serverVersion: '9.38.2',
          firstLogin: false,
          remMeToken: null,
          remMeValidityInSeconds: 0,
          healthCheckInterval: 45,
          newClientForUpgrade: null,
          sessionId: 1234567890,
          parameters: [{ name: 'TIMEZONE', value: 'UTC' }, { name: 'CLIENT_RESULT_CHUNK_SIZE', value: 160 }],
          sessionInfo: { databaseName: url.searchParams.get('databaseName'), schemaName: null, warehouseName: url.searchParams.get('warehouse'), roleName: url.searchParams.get('roleName') ?? 'PUBLIC' },
          idToken: null,
          mfaToken: null,
        },
        code: null,
        message: null,
        success: true,
      });
      return;
    }
    const auth = /^Snowflake Token="(.*)"$/.exec(req.headers.authorization ?? '');
    if (auth === null || !tokens.has(auth[1] ?? '')) {
      send(res, { data: null, code: '390104', message: 'Session token not found in the request data.', success: false, headers: null }, 401);
      return;
    }
    if (url.pathname === '/queries/v1/query-request') {
      const sql = body.sqlText ?? '';
      const binds = Object.keys(body.bindings ?? {})
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => String(body.bindings?.[k]?.value ?? ''));
      statements.push({ sql, binds });
      const queryId = `01b0${randomUUID().replace(/-/g, '').slice(0, 28)}`;
      const answer = options.answer(sql, binds);
      if ('error' in answer) {
        send(res, { data: { internalError: false, errorCode: answer.error.code, age: 0, sqlState: answer.error.sqlState, queryId, line: -1, pos: -1, type: 'COMPILATION' }, code: answer.error.code, message: answer.error.message, success: false, headers: null });
        return;
      }
      const rowtype = answer.columns.map((c) => ({ name: c.name, database: '', schema: '', table: '', type: c.type, nullable: true, length: c.type === 'text' ? 16777216 : null, byteLength: c.type === 'text' ? 16777216 : null, precision: c.type === 'fixed' ? 38 : null, scale: c.type === 'fixed' ? 0 : null, collation: null }));
      const rowset = answer.rows.map((r) => r.map((v, i) => cell(v, answer.columns[i]?.type ?? 'text')));
      send(res, {
        data: { parameters: [], rowtype, rowset, total: rowset.length, returned: rowset.length, queryId, databaseProvider: null, finalDatabaseName: null, finalSchemaName: null, finalWarehouseName: null, finalRoleName: 'PUBLIC', numberOfBinds: binds.length, arrayBindSupported: false, statementTypeId: 4096, version: 1, sendResultTime: Date.now(), queryResultFormat: 'json' },
        code: null,
        message: null,
        success: true,
      });
      return;
    }
    // Telemetry, session deletion and heartbeats: accepted.
    send(res, { data: null, code: null, message: null, success: true });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    statements,
    logins,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
