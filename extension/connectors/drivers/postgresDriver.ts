import postgres from 'postgres';
import type { SqlSession } from '../../../core/connectors/connector';
import { ConnectorError } from '../../../core/connectors/connector';
import { PostgresConfig, PostgresSecrets } from '../../../core/connectors/postgres';

/**
 * The Node SQL session of the PostgreSQL connector, on the `postgres` package (postgres.js). One
 * connection (`max: 1`), so the session's settings hold for every query; opened eagerly with
 * `select 1`, so a wrong password, a missing database or an unreachable server fails at open with
 * the matching `ConnectorError` reason instead of at the first catalog query.
 */

/** SQLSTATEs and socket codes → the reason the UI acts on. */
function reasonOf(err: unknown): { reason: ConnectorError['reason']; detail: string } {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const detail = typeof e.message === 'string' ? e.message : String(err);
  if (code === '28P01' || code === '28000') return { reason: 'auth-failed', detail };
  if (code === '3D000') return { reason: 'not-found', detail };
  if (code === '42501') return { reason: 'forbidden', detail };
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P03'].includes(code)) {
    return { reason: 'unreachable', detail };
  }
  // TLS failures (self-signed certificate, SSL refused by the server) are reachability problems.
  if (/ssl|tls|certificate/i.test(detail)) return { reason: 'unreachable', detail };
  return { reason: 'source-error', detail };
}

/** Opens a session from the connector's config and secrets (validated again here: the port takes `unknown`). */
export async function openPostgres(config: unknown, secrets: unknown): Promise<SqlSession> {
  const c = PostgresConfig.safeParse(config);
  const s = PostgresSecrets.safeParse(secrets);
  if (!c.success || !s.success) throw new ConnectorError('bad-config', 'The PostgreSQL connection settings are invalid.');
  const { host, port, database, user, sslmode } = c.data;
  const sql = postgres({
    host,
    port,
    database,
    username: user,
    password: s.data.password,
    ssl: sslmode === 'disable' ? false : sslmode,
    max: 1,
    prepare: false,
    connect_timeout: 15,
    idle_timeout: 60,
    onnotice: () => undefined,
    connection: { application_name: 'mallard' },
  });
  const fail = (err: unknown, what: string): never => {
    const { reason, detail } = reasonOf(err);
    const where = `${user}@${host}:${port}/${database}`;
    const messages: Record<string, string> = {
      'auth-failed': `PostgreSQL refused the credentials of ${where}: ${detail}`,
      'not-found': `The database "${database}" does not exist on ${host}:${port}.`,
      unreachable: `Could not reach PostgreSQL at ${host}:${port}: ${detail}`,
      forbidden: `${user} is not allowed to ${what}: ${detail}`,
    };
    throw new ConnectorError(reason, messages[reason] ?? `PostgreSQL failed to ${what}: ${detail}`);
  };
  try {
    await sql.unsafe('select 1');
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    fail(err, `connect to ${database}`);
  }
  return {
    async query(text, params) {
      try {
        // postgres.js binds parameters by inferred type; the connector's parameters are text or numbers.
        return (await sql.unsafe(text, (params ?? []) as (string | number | boolean | null)[])) as unknown as Record<string, unknown>[];
      } catch (err) {
        return fail(err, 'run a catalog query');
      }
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
