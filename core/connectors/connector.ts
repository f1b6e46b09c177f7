import type { z } from 'zod';
import type { Facts } from '../model/entities';
import { relationId } from '../model/ids';
import type { FileSource } from '../pipeline/contracts';
import type { JsonValue } from '../sync/ops';

/**
 * The one interface every connector implements (GitHub, Postgres, Snowflake, BigQuery, Tableau,
 * Looker, Power BI). A connector is pure `core/` code: it describes its configuration with zod,
 * tests the connection, discovers what the source holds and extracts it to catalog facts. It reaches
 * the source only through the ports its host gives it (`ConnectorPorts`): HTTP, a SQL session
 * opened by the host's driver (the `postgres` package, `snowflake-sdk`, `@google-cloud/bigquery`),
 * or files. So the same connector runs in the extension host, the CLI and the Deno edge functions,
 * and tests point it at real databases or stand-ins speaking the source's wire format.
 *
 * Adding a connector is one file that exports a `ConnectorDefinition` plus one line in
 * `registry.ts`, and its tests.
 */

/** Connector types Mallard ships (the `type` column of `public.connectors` allows these). */
export const CONNECTOR_TYPES = ['github', 'postgres', 'snowflake', 'bigquery', 'tableau', 'looker', 'powerbi'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

/** One input of the "Add Connector" flow, in the order asked. Values are validated by the definition's zod schemas. */
export interface ConnectorField {
  /** Key in the config object (or in the secrets object when `secret`). */
  key: string;
  /** Short title of the step ("Host", "Personal access token"). */
  label: string;
  /** One sentence saying what to enter and where to find it. */
  prompt: string;
  placeholder?: string;
  /** Secrets go to SecretStorage (workspace) or are encrypted at rest (org), and are never shown again. */
  secret: boolean;
  /** An optional field may be left empty. */
  optional: boolean;
  /** Fixed choices (shown as a quick pick). */
  choices?: readonly string[];
  /** Asked only for a connector of this scope (`org`: the cloud needs it, e.g. the repository of a BI connector's files). */
  scope?: 'org';
}

/** A SQL session on a warehouse source, opened by the host with the connector type's driver. */
export interface SqlSession {
  /** Runs one statement with positional parameters (`$1`, `?`, or `@p` by dialect, as the connector writes it); rows as objects keyed by column name. */
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** The part of an HTTP response connectors read (`core/` has no DOM types; Node's and Deno's `Response` fit). */
export interface HttpResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A cancellation flag (`AbortSignal` fits). */
export interface CancelSignal {
  readonly aborted: boolean;
}

/** The part of `fetch` connectors use. */
export type HttpFetch = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }) => Promise<HttpResponse>;

/** What the host provides; a connector uses only what its type needs and fails with `bad-host` when a port is missing. */
export interface ConnectorPorts {
  /** HTTP (GitHub's REST API, BI servers); `fetch` of Node, Deno or a test. */
  fetch?: HttpFetch;
  /** Opens a SQL session for a warehouse connector from its validated config and secrets. */
  openSql?: (config: unknown, secrets: unknown) => Promise<SqlSession>;
  /** Files of a repository the host already has (a local checkout): used instead of downloading. */
  files?: FileSource;
  /** Cancels a long discovery or extraction; connectors check it between steps. */
  signal?: CancelSignal;
  /** Progress for the UI ("42 of 310 tables"). */
  progress?: (message: string, done?: number, total?: number) => void;
}

/** Why a connector call failed; the UI shows `message` and decides by `reason` what to offer. */
export type ConnectorErrorReason =
  | 'bad-config' // the config or secrets do not validate (the zod issues are in the message)
  | 'auth-failed' // the source refused the credentials
  | 'forbidden' // authenticated, but not allowed to read what was asked
  | 'not-found' // repository, database, project or file does not exist
  | 'unreachable' // network error, DNS, TLS, timeout
  | 'rate-limited' // the source asked to slow down; retry later
  | 'source-error' // the source answered with an error or a malformed payload
  | 'bad-host' // the host did not provide a port this connector needs
  | 'cancelled';

/** A typed connector failure; never thrown for a problem inside one extracted file (those are diagnostics in the facts). */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    readonly reason: ConnectorErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** Outcome of "Test connection". */
export type TestResult = { ok: true; detail: string } | { ok: false; reason: ConnectorErrorReason; message: string };

/** Something the source holds, listed by "discover" so a user can pick or filter. */
export interface DiscoveredItem {
  kind: 'repository' | 'branch' | 'database' | 'schema' | 'table' | 'view' | 'project' | 'dataset' | 'dashboard' | 'file';
  /** Qualified name as the source spells it. */
  name: string;
  detail?: string;
}

/** Input of every call: validated config and secrets, and for `extract` the state the last run left. */
export interface ConnectorInput<C, S> {
  config: C;
  secrets: S;
  /** `ExtractResult.state` of the previous successful run; absent on the first run or a full refresh. */
  state?: JsonValue;
}

/** What one extraction produced. */
export interface ExtractResult {
  /** The connector's whole catalog (the host replaces the connector's previous facts with these). */
  facts: Facts;
  /** Saved by the host and handed back on the next run, for incremental extraction (a commit sha, a query-history watermark). */
  state?: JsonValue;
  /** Counts for the run's status line ("310 tables, 4,120 columns, 12 views parsed"). */
  stats: Record<string, number>;
  /**
   * True when the source has not changed since `input.state` (the same commit, the same catalog
   * fingerprint): `facts` is empty and the host keeps the previous run's facts, saving `state`.
   */
  unchanged?: boolean;
}

/** A connector type. `C` is the non-secret config, `S` the secrets. */
export interface ConnectorDefinition<C = unknown, S = unknown> {
  type: ConnectorType;
  /** Display name ("PostgreSQL"). */
  label: string;
  /** One line for the type picker. */
  description: string;
  /** Non-secret configuration (stored in `public.connectors.config` or the workspace). */
  config: z.ZodType<C>;
  /** Secrets (SecretStorage, or encrypted at rest in the cloud). An empty object schema when none. */
  secrets: z.ZodType<S>;
  /** The flow's inputs, config and secrets together, in order. */
  fields: readonly ConnectorField[];
  /** True when `extract` uses `state` to read only what changed. */
  incremental: boolean;
  test(input: ConnectorInput<C, S>, ports: ConnectorPorts): Promise<TestResult>;
  discover(input: ConnectorInput<C, S>, ports: ConnectorPorts): Promise<DiscoveredItem[]>;
  extract(input: ConnectorInput<C, S>, ports: ConnectorPorts): Promise<ExtractResult>;
}

/**
 * The catalog id of a warehouse relation, shared by every warehouse connector (Postgres, Snowflake,
 * BigQuery) and every BI connector that points at one, so a dashboard's lineage meets the table the
 * warehouse connector extracted: `table.warehouse.<database>.<schema>.<name>`, lower-cased.
 * `Entity.project` stays the connector's name for display.
 */
export function warehouseRelationId(database: string, schema: string, name: string): string {
  return relationId('warehouse', `${database}.${schema}.${name}`);
}

/** Checks raw config and secrets against a definition; a `bad-config` ConnectorError naming the first issues otherwise. */
export function validateInput<C, S>(def: ConnectorDefinition<C, S>, config: unknown, secrets: unknown): ConnectorInput<C, S> {
  const c = def.config.safeParse(config);
  const s = def.secrets.safeParse(secrets);
  const issues = [...(c.success ? [] : c.error.issues.map((i) => ({ ...i, where: 'config' }))), ...(s.success ? [] : s.error.issues.map((i) => ({ ...i, where: 'secrets' })))];
  if (!c.success || !s.success) {
    const text = issues
      .slice(0, 3)
      .map((i) => `${i.where}.${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new ConnectorError('bad-config', `The ${def.label} connector's settings are invalid: ${text}.`);
  }
  return { config: c.data, secrets: s.data };
}
