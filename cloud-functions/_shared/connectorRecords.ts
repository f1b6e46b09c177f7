import type { Sql } from 'postgres';
import { ConnectorError, validateInput } from '../../core/connectors/connector';
import type { ConnectorPorts, HttpFetch, TestResult } from '../../core/connectors/connector';
import { connectorDefinition } from '../../core/connectors/registry';
import { SyncError } from '../../core/sync/errors';
import { testGitHub } from './githubSource';
import { openPostgresSession } from './postgresSession';
import { REPOSITORY_FILE_TYPES, repositoryFiles, repositoryProblem } from './repositoryFiles';
import { openBigQuerySession, openSnowflakeSession } from './warehouseSessions';
import { maskSecret, openSecret, sealSecret } from './secretBox';

/**
 * Connector rows as the functions handle them: read with the functions' own login (the only one
 * that can read `secret_ciphertext`; callers check permissions first), secrets as one sealed JSON
 * object per connector (`secretBox`, bound to the organization), their masked form for lists, and
 * "Test connection" through the connector's definition with Deno ports (or a built-in check for
 * GitHub and Postgres while their definitions are not registered).
 */

/** A connector row with its sealed secrets. */
export interface ConnectorRecord {
  id: string;
  org_id: string;
  team_id: string | null;
  type: string;
  name: string;
  config: Record<string, unknown>;
  secret_ciphertext: Uint8Array | null;
  key_version: number;
  status: 'active' | 'paused' | 'error';
  schedule_minutes: number | null;
  created_at: Date;
  updated_at: Date;
}

/** The connector `id` of organization `orgId`, or undefined. */
export async function readConnector(db: Sql, orgId: string, id: string): Promise<ConnectorRecord | undefined> {
  const rows = await db<ConnectorRecord[]>`select id, org_id, team_id, type, name, config, secret_ciphertext, key_version, status,
      schedule_minutes, created_at, updated_at from public.connectors where id = ${id} and org_id = ${orgId}`;
  return rows[0];
}

/** The connector's secrets (an object of strings; `{}` when none are stored). */
export async function openSecrets(record: Pick<ConnectorRecord, 'secret_ciphertext' | 'key_version' | 'org_id'>): Promise<Record<string, string>> {
  if (record.secret_ciphertext === null || record.secret_ciphertext.length === 0) return {};
  const text = await openSecret(new Uint8Array(record.secret_ciphertext), record.key_version, record.org_id);
  const parsed = JSON.parse(text) as unknown;
  const out: Record<string, string> = {};
  if (typeof parsed === 'object' && parsed !== null) for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Seals a secrets object for `orgId`; null when it is empty. */
export async function sealSecrets(secrets: Record<string, string>, orgId: string): Promise<{ ciphertext: Uint8Array; keyVersion: number } | null> {
  if (Object.keys(secrets).length === 0) return null;
  return await sealSecret(JSON.stringify(secrets), orgId);
}

/** Masked secrets for lists; a secret that no longer decrypts shows as `unreadable` under key `(all)`. */
export async function maskedSecrets(record: ConnectorRecord): Promise<Record<string, string>> {
  try {
    const secrets = await openSecrets(record);
    return Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, maskSecret(v)]));
  } catch {
    return { '(all)': 'unreadable: re-enter the secrets' };
  }
}

const denoFetch: HttpFetch = (url, init) => fetch(url, init);

/** The Deno SQL opener of each warehouse connector type. */
const SQL_OPENERS: Record<string, ConnectorPorts['openSql']> = { postgres: openPostgresSession, snowflake: openSnowflakeSession, bigquery: openBigQuerySession };

/** The ports a connector of `type` gets in the functions: Deno's fetch, and a SQL session opener for warehouse types. */
export function denoPorts(type: string, signal?: AbortSignal): ConnectorPorts {
  const openSql = SQL_OPENERS[type];
  return { fetch: denoFetch, ...(openSql === undefined ? {} : { openSql }), ...(signal === undefined ? {} : { signal }) };
}

/**
 * The ports a connector of `type` gets for one call with `config` and `secrets`: `denoPorts`, plus
 * for the BI file connectors the `files` of the repository their config names.
 */
export async function portsFor(type: string, label: string, config: unknown, secrets: unknown): Promise<ConnectorPorts> {
  const ports = denoPorts(type);
  return REPOSITORY_FILE_TYPES.has(type) ? { ...ports, files: (await repositoryFiles(label, config, secrets)).files } : ports;
}

/** Runs "Test connection" for settings of `type`; a `bad-request` when the type is not supported here. */
export async function testConnector(type: string, config: unknown, secrets: unknown): Promise<TestResult> {
  const def = connectorDefinition(type);
  try {
    if (def !== undefined) {
      const input = validateInput(def, config, secrets);
      return await def.test(input, await portsFor(type, def.label, input.config, input.secrets));
    }
    if (type === 'github') return await testGitHub(config, secrets);
    if (type === 'postgres') {
      const session = await openPostgresSession(config, secrets);
      try {
        const [row] = await session.query('select current_database() as db, version() as version');
        return { ok: true, detail: `Connected to ${String(row?.db)} (${String(row?.version).split(' ').slice(0, 2).join(' ')}).` };
      } finally {
        await session.close();
      }
    }
  } catch (err) {
    if (err instanceof ConnectorError) return { ok: false, reason: err.reason, message: err.message };
    throw err;
  }
  throw new SyncError('bad-request', `Connectors of type ${type} cannot be tested by this server yet.`);
}

/** Checks config and secrets against the type's definition when it is registered (and that a BI connector names its repository); `bad-request` naming the issues otherwise. */
export function checkSettings(type: string, config: unknown, secrets: unknown): void {
  const def = connectorDefinition(type);
  if (def === undefined) return;
  try {
    validateInput(def, config, secrets);
  } catch (err) {
    if (err instanceof ConnectorError) throw new SyncError('bad-request', err.message);
    throw err;
  }
  // Every connector saved here runs in the cloud, where a BI connector's files come from its repository.
  const problem = REPOSITORY_FILE_TYPES.has(type) ? repositoryProblem(def.label, config) : undefined;
  if (problem !== undefined) throw new SyncError('bad-request', problem);
}
