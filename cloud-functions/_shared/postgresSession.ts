import postgres from 'postgres';
import { z } from 'zod';
import { ConnectorError } from '../../core/connectors/connector';
import type { SqlSession } from '../../core/connectors/connector';

/**
 * The Deno port behind `ConnectorPorts.openSql` for Postgres sources: a `SqlSession` on npm
 * `postgres` (one connection, `prepare: false`, a statement timeout), opened from the connector's
 * config and secrets. Connection failures become typed `ConnectorError`s whose messages never
 * include the password.
 */

const Config = z.looseObject({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  database: z.string().min(1),
  user: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  ssl: z.union([z.boolean(), z.enum(['disable', 'prefer', 'require'])]).optional(),
  /** The Postgres connector's libpq-style mode. */
  sslmode: z.enum(['disable', 'prefer', 'require', 'verify-full']).optional(),
});
const Secrets = z.looseObject({ password: z.string().optional() });

function reasonOf(err: unknown): ConnectorError {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === '28P01' || code === '28000') return new ConnectorError('auth-failed', `The database refused the credentials (${code}).`);
  if (code === '3D000') return new ConnectorError('not-found', `The database does not exist (${code}).`);
  if (code === '42501') return new ConnectorError('forbidden', `Permission denied (${code}).`);
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|CONNECT_TIMEOUT|EAI_AGAIN|ECONNRESET/.test(`${code} ${message}`)) {
    return new ConnectorError('unreachable', `The database is unreachable (${code || 'network error'}).`);
  }
  return new ConnectorError('source-error', `The database answered with an error${code === '' ? '' : ` (${code})`}: ${message.slice(0, 300)}`);
}

/** Opens a session on the Postgres database the config names. */
export async function openPostgresSession(config: unknown, secrets: unknown): Promise<SqlSession> {
  const c = Config.safeParse(config);
  const s = Secrets.safeParse(secrets ?? {});
  if (!c.success || !s.success) throw new ConnectorError('bad-config', 'The Postgres connector needs host, database and user (and a password secret).');
  const sslMode = c.data.sslmode ?? c.data.ssl;
  const sql = postgres({
    host: c.data.host,
    port: c.data.port ?? 5432,
    database: c.data.database,
    username: c.data.user ?? c.data.username ?? 'postgres',
    ...(s.data.password === undefined ? {} : { password: s.data.password }),
    ssl: sslMode === 'verify-full' ? 'verify-full' : sslMode === true || sslMode === 'require' ? 'require' : sslMode === 'prefer' ? 'prefer' : false,
    max: 1,
    prepare: false,
    connect_timeout: 10,
    idle_timeout: 5,
    onnotice: () => undefined,
    connection: { statement_timeout: 60_000, application_name: 'mallard-connector' },
  });
  try {
    await sql`select 1`;
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    throw reasonOf(err);
  }
  return {
    async query(text: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
      try {
        const rows = await sql.unsafe(text, params as never[]);
        return rows.map((r) => ({ ...r }) as Record<string, unknown>);
      } catch (err) {
        throw reasonOf(err);
      }
    },
    async close(): Promise<void> {
      await sql.end({ timeout: 2 }).catch(() => undefined);
    },
  };
}
