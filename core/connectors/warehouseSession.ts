import { ConnectorError, type ConnectorPorts, type SqlSession, type TestResult } from './connector';

/**
 * The session plumbing the SQL warehouse connectors share: open a session through the host's
 * `openSql` port (`bad-host` without one), always close it, check cancellation between steps, and
 * turn anything the driver threw that is not already a `ConnectorError` into a `source-error`
 * naming the step, so the UI always has a reason to decide by.
 */

/** Runs `work` on a session opened from `config` and `secrets`, closing it afterwards. */
export async function withSession<T>(label: string, ports: ConnectorPorts, config: unknown, secrets: unknown, work: (session: SqlSession) => Promise<T>): Promise<T> {
  if (ports.openSql === undefined) throw new ConnectorError('bad-host', `This host cannot open ${label} sessions (no SQL driver port).`);
  checkCancelled(ports);
  let session: SqlSession;
  try {
    session = await ports.openSql(config, secrets);
  } catch (e) {
    throw asConnectorError(e, `Could not connect to ${label}`);
  }
  try {
    return await work(session);
  } catch (e) {
    throw asConnectorError(e, `${label} query failed`);
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** Throws `cancelled` when the host's signal is set. */
export function checkCancelled(ports: ConnectorPorts): void {
  if (ports.signal?.aborted === true) throw new ConnectorError('cancelled', 'The run was cancelled.');
}

/** A `ConnectorError` as is; anything else as a `source-error` with its message. */
export function asConnectorError(e: unknown, context: string): ConnectorError {
  if (e instanceof ConnectorError) return e;
  // A ConnectorError from another bundle's copy of the class (a driver bundled separately).
  const { name, reason } = (typeof e === 'object' && e !== null ? e : {}) as { name?: unknown; reason?: unknown };
  if (name === 'ConnectorError' && typeof reason === 'string' && e instanceof Error) return new ConnectorError(reason as ConnectorError['reason'], e.message);
  const message = e instanceof Error ? e.message : String(e);
  return new ConnectorError('source-error', `${context}: ${message}`);
}

/** "Test connection" through `probe`: ok with its detail, or the failure's reason and message. */
export async function testWithSession(label: string, ports: ConnectorPorts, config: unknown, secrets: unknown, probe: (session: SqlSession) => Promise<string>): Promise<TestResult> {
  try {
    const detail = await withSession(label, ports, config, secrets, probe);
    return { ok: true, detail };
  } catch (e) {
    const err = asConnectorError(e, label);
    return { ok: false, reason: err.reason, message: err.message };
  }
}

/** Quotes an identifier the ANSI way (Snowflake): `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
