import { z } from 'zod';
import type { ConnectorDefinition, ConnectorInput, ConnectorPorts, DiscoveredItem, ExtractResult, SqlSession, TestResult } from './connector';
import { ConnectorError } from './connector';
import { queryColumns, queryConstraints, queryDependencies, queryFingerprint, queryRelations, querySchemas } from './postgresCatalog';
import { postgresFacts } from './postgresFacts';
import { sampleColumnClasses } from './postgresSampling';
import { patternFilter, patternList } from './patterns';

/**
 * The PostgreSQL connector: schemas, tables, views and materialized views (with their definitions
 * parsed for table and column lineage), columns with types, comments as descriptions, and
 * primary/unique/foreign keys as tests (`postgresFacts.ts`), read from `pg_catalog` in five
 * set-based queries through the host's SQL session (`ports.openSql`; in Node the `postgres`
 * package, `extension/connectors/drivers/postgresDriver.ts`).
 *
 * Incremental: a fingerprint of the catalog rows the extraction reads (`queryFingerprint`) is the
 * run's state; when it and the settings are unchanged, `extract` answers `unchanged` after one query.
 */

/** Non-secret settings. Schema patterns are globs (`*`, `?`) on schema names, case-sensitive. */
export const PostgresConfig = z.object({
  /** Project name the entities are shown under; the database name when empty. */
  name: z.string().trim().min(1).optional(),
  host: z.string().trim().min(1),
  port: z.coerce.number().int().min(1).max(65535).default(5432),
  database: z.string().trim().min(1),
  user: z.string().trim().min(1),
  /** libpq's modes that the Node driver supports. */
  sslmode: z.enum(['disable', 'prefer', 'require', 'verify-full']).default('prefer'),
  /** Schemas to read (all non-system schemas when empty). */
  includeSchemas: patternList,
  /** Schemas to skip, applied after `includeSchemas`. */
  excludeSchemas: patternList,
  /**
   * Rows per table read to classify personal data by its values (0: off). The values are classified
   * in memory; only the class, confidence and reason are kept (`postgresSampling.ts`).
   */
  sampleRows: z.coerce.number().int().min(0).max(1000).default(0),
});
export type PostgresConfig = z.infer<typeof PostgresConfig>;

export const PostgresSecrets = z.object({ password: z.string().default('') });
export type PostgresSecrets = z.infer<typeof PostgresSecrets>;

type Input = ConnectorInput<PostgresConfig, PostgresSecrets>;

/** The saved state: the catalog fingerprint and the settings it was taken under. */
const PostgresState = z.object({ fingerprint: z.string(), settings: z.string() });

async function withSession<T>(input: Input, ports: ConnectorPorts, use: (session: SqlSession) => Promise<T>): Promise<T> {
  if (!ports.openSql) throw new ConnectorError('bad-host', 'This host cannot open SQL connections, which the PostgreSQL connector needs.');
  const session = await ports.openSql(input.config, input.secrets);
  try {
    return await use(session);
  } finally {
    await session.close().catch(() => undefined);
  }
}

function checkCancel(ports: ConnectorPorts): void {
  if (ports.signal?.aborted) throw new ConnectorError('cancelled', 'The PostgreSQL extraction was cancelled.');
}

/** The schemas the patterns select, among those the server has (also used by the cloud's paged extraction). */
export async function selectedSchemas(session: SqlSession, config: PostgresConfig): Promise<string[]> {
  const keep = patternFilter(config.includeSchemas, config.excludeSchemas);
  return (await querySchemas(session)).map((s) => s.name).filter(keep);
}

async function test(input: Input, ports: ConnectorPorts): Promise<TestResult> {
  try {
    return await withSession(input, ports, async (session) => {
      const [version] = await session.query('select version() as version, current_user as usr');
      const schemas = await querySchemas(session);
      const keep = patternFilter(input.config.includeSchemas, input.config.excludeSchemas);
      const selected = schemas.filter((s) => keep(s.name));
      const usable = selected.filter((s) => s.usable).length;
      const who = String(version?.usr ?? input.config.user);
      if (selected.length > 0 && usable === 0) {
        return { ok: false, reason: 'forbidden', message: `Connected as ${who}, but ${who} has no USAGE privilege on any of the ${selected.length} selected schemas.` } as const;
      }
      const server = String(version?.version ?? '').split(' on ')[0] ?? '';
      return { ok: true, detail: `${server}; connected as ${who}; ${usable} of ${selected.length} selected schemas readable.` } as const;
    });
  } catch (err) {
    if (err instanceof ConnectorError) return { ok: false, reason: err.reason, message: err.message };
    throw err;
  }
}

async function discover(input: Input, ports: ConnectorPorts): Promise<DiscoveredItem[]> {
  return await withSession(input, ports, async (session) => {
    const schemas = await selectedSchemas(session, input.config);
    const relations = await queryRelations(session, schemas);
    const items: DiscoveredItem[] = schemas.map((name) => ({ kind: 'schema', name }));
    for (const r of relations) {
      const isView = r.kind === 'v' || r.kind === 'm';
      items.push({ kind: isView ? 'view' : 'table', name: `${r.schema}.${r.name}`, ...(r.kind === 'm' ? { detail: 'materialized view' } : {}) });
    }
    return items;
  });
}

/** Where the facts of `config` come from (no credentials): the project name and the location prefix. */
export function postgresOrigin(config: PostgresConfig): { project: string; database: string; location: string } {
  return { project: config.name ?? config.database, database: config.database, location: `postgres://${config.host}:${config.port}/${config.database}` };
}

async function extract(input: Input, ports: ConnectorPorts): Promise<ExtractResult> {
  const { config } = input;
  const { project, location } = postgresOrigin(config);
  return await withSession(input, ports, async (session) => {
    const schemas = await selectedSchemas(session, config);
    const settings = JSON.stringify([project, location, schemas, config.sampleRows]);
    checkCancel(ports);
    ports.progress?.('Reading the catalog fingerprint');
    const fingerprint = await queryFingerprint(session, schemas);
    const state = { fingerprint, settings };
    const previous = PostgresState.safeParse(input.state);
    if (previous.success && previous.data.fingerprint === fingerprint && previous.data.settings === settings) {
      return { facts: { entities: [], columns: [], modelEdges: [], columnEdges: [], unresolved: [], diagnostics: [] }, state, stats: {}, unchanged: true };
    }
    ports.progress?.('Reading relations', 0, 5);
    const relations = await queryRelations(session, schemas);
    checkCancel(ports);
    ports.progress?.(`Reading the columns of ${relations.length} relations`, 1, 5);
    const columns = await queryColumns(session, schemas);
    checkCancel(ports);
    if (config.sampleRows > 0) ports.progress?.(`Sampling ${config.sampleRows} rows per table to classify personal data`, 1, 5);
    const sampled = Object.fromEntries(await sampleColumnClasses(session, relations, columns, config.sampleRows));
    checkCancel(ports);
    ports.progress?.('Reading constraints', 2, 5);
    const constraints = await queryConstraints(session, schemas);
    checkCancel(ports);
    ports.progress?.('Reading view dependencies', 3, 5);
    const dependencies = await queryDependencies(session, schemas);
    checkCancel(ports);
    ports.progress?.(`Building facts and parsing ${relations.filter((r) => r.definition !== null).length} views`, 4, 5);
    const { facts, stats } = postgresFacts({ relations, columns, constraints, dependencies, sampled }, { project, database: config.database, location });
    ports.progress?.(`${stats.tables} tables, ${stats.views + stats.materializedViews} views, ${stats.columns} columns`, 5, 5);
    return { facts, state, stats: { schemas: schemas.length, ...stats } };
  });
}

/** The PostgreSQL connector definition (registered in `registry.ts`). */
export const postgresConnector: ConnectorDefinition<PostgresConfig, PostgresSecrets> = {
  type: 'postgres',
  label: 'PostgreSQL',
  description: 'Schemas, tables, views (with column lineage), columns, comments and keys from a PostgreSQL database.',
  config: PostgresConfig,
  secrets: PostgresSecrets,
  fields: [
    { key: 'name', label: 'Name', prompt: 'The project name the tables are shown under (the database name when empty).', secret: false, optional: true },
    { key: 'host', label: 'Host', prompt: 'Host name or IP address of the PostgreSQL server.', placeholder: 'db.example.com', secret: false, optional: false },
    { key: 'port', label: 'Port', prompt: 'TCP port of the server.', placeholder: '5432', secret: false, optional: true },
    { key: 'database', label: 'Database', prompt: 'The database to catalog.', placeholder: 'analytics', secret: false, optional: false },
    { key: 'user', label: 'User', prompt: 'A role that may connect; read access to the catalog is enough.', secret: false, optional: false },
    { key: 'password', label: 'Password', prompt: "The role's password.", secret: true, optional: true },
    { key: 'sslmode', label: 'SSL mode', prompt: 'How to use TLS (as libpq sslmode).', secret: false, optional: true, choices: ['disable', 'prefer', 'require', 'verify-full'] },
    { key: 'includeSchemas', label: 'Include schemas', prompt: 'Schema name patterns to read, comma-separated (* and ? wildcards); all schemas when empty.', placeholder: 'analytics, staging_*', secret: false, optional: true },
    { key: 'excludeSchemas', label: 'Exclude schemas', prompt: 'Schema name patterns to skip, comma-separated.', placeholder: 'scratch_*', secret: false, optional: true },
    { key: 'sampleRows', label: 'Sample rows', prompt: 'Rows per table read to find personal data by its values (0 or empty: off). Values are classified in memory and never stored; the role needs SELECT on the tables.', placeholder: '0', secret: false, optional: true },
  ],
  incremental: true,
  test,
  discover,
  extract,
};
