import { z } from 'zod';
import type { Diagnostic } from '../model/entities';
import { ConnectorError, type ConnectorDefinition, type ConnectorField, type ConnectorInput, type ConnectorPorts, type DiscoveredItem, type ExtractResult, type SqlSession } from './connector';
import { readAccessHistory } from './snowflakeHistory';
import { schemaFilter, warehouseFacts, type WarehouseRelation } from './warehouseFacts';
import { text } from './warehouseHistory';
import { relationFilter, runWarehouseSteps, type WarehouseSteps } from './warehouseSteps';
import { checkCancelled, quoteIdent, testWithSession, withSession } from './warehouseSession';

/**
 * The Snowflake connector: tables, views and columns (types, comments) of the configured databases
 * from each database's INFORMATION_SCHEMA, views' definitions parsed as Snowflake SQL for table and
 * column lineage, plus lineage from `SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY` read incrementally
 * (`snowflakeHistory.ts`). SQL runs through the host's driver (`snowflake-sdk` in Node).
 */

/** A list typed as text in the flow ("ANALYTICS, RAW") or given as an array. */
const nameList = z.union([z.array(z.string()), z.string()]).transform((v) =>
  (Array.isArray(v) ? v : v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== ''),
);

export const SnowflakeConfig = z.object({
  /** Account identifier (`orgname-account` or the locator `xy12345.eu-central-1`). */
  account: z.string().trim().min(1),
  user: z.string().trim().min(1),
  warehouse: z.string().trim().min(1).optional(),
  role: z.string().trim().min(1).optional(),
  databases: nameList.refine((l) => l.length > 0, 'name at least one database'),
  /** Schema include patterns (`*` wildcards); all schemas when empty. */
  schemas: nameList.optional(),
  /** Days of ACCESS_HISTORY read on the first run. */
  historyDays: z.coerce.number().int().min(1).max(365).default(30),
  /** Read ACCESS_HISTORY (needs IMPORTED PRIVILEGES on the SNOWFLAKE database). */
  accessHistory: z.boolean().default(true),
  /** The account's URL when it is not `https://<account>.snowflakecomputing.com` (PrivateLink, a proxy). */
  accessUrl: z.url().optional(),
});
export type SnowflakeConfig = z.infer<typeof SnowflakeConfig>;

/**
 * Password or key pair. Both are optional here so that settings validate without secrets (an edit
 * keeps the stored ones); `credentialProblem` says when neither is there at connection time.
 */
export const SnowflakeSecrets = z.object({
  password: z.string().min(1).optional(),
  /** PKCS#8 PEM private key for key-pair authentication. */
  privateKey: z.string().includes('PRIVATE KEY', { message: 'is not a PEM private key' }).optional(),
  privateKeyPassphrase: z.string().min(1).optional(),
});
export type SnowflakeSecrets = z.infer<typeof SnowflakeSecrets>;

const FIELDS: readonly ConnectorField[] = [
  { key: 'account', label: 'Account', prompt: 'Your Snowflake account identifier, as in https://<account>.snowflakecomputing.com.', placeholder: 'myorg-myaccount', secret: false, optional: false },
  { key: 'user', label: 'User', prompt: 'The Snowflake user Mallard logs in as (a service user with read access is best).', secret: false, optional: false },
  { key: 'warehouse', label: 'Warehouse', prompt: 'The virtual warehouse that runs the metadata queries (an XS warehouse is enough).', placeholder: 'COMPUTE_WH', secret: false, optional: true },
  { key: 'role', label: 'Role', prompt: 'The role to use; it must see the databases below (the user’s default role when empty).', secret: false, optional: true },
  { key: 'databases', label: 'Databases', prompt: 'Databases to catalog, separated by commas.', placeholder: 'ANALYTICS, RAW', secret: false, optional: false },
  { key: 'schemas', label: 'Schemas', prompt: 'Schemas to include, separated by commas, * as a wildcard (all when empty).', placeholder: 'MARTS, STAGING_*', secret: false, optional: true },
  { key: 'password', label: 'Password', prompt: 'The user’s password (leave empty to use a key pair instead).', secret: true, optional: true },
  { key: 'privateKey', label: 'Private key', prompt: 'The PEM private key of the user’s key pair (leave empty when using a password).', secret: true, optional: true },
  { key: 'privateKeyPassphrase', label: 'Private key passphrase', prompt: 'The passphrase of an encrypted private key (empty when it is not encrypted).', secret: true, optional: true },
  { key: 'historyDays', label: 'History days', prompt: 'Days of ACCESS_HISTORY the first run reads for lineage from queries (30 when empty).', placeholder: '30', secret: false, optional: true },
  { key: 'accessHistory', label: 'Read access history', prompt: 'Read SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY for lineage from queries (needs IMPORTED PRIVILEGES on SNOWFLAKE).', secret: false, optional: true, choices: ['true', 'false'] },
  { key: 'accessUrl', label: 'Account URL', prompt: 'Only for PrivateLink or a proxy: the account’s URL (https://<account>.snowflakecomputing.com when empty).', secret: false, optional: true },
];

/** Why the secrets cannot log in (neither password nor key), or undefined. */
export function credentialProblem(secrets: SnowflakeSecrets): string | undefined {
  return secrets.password === undefined && secrets.privateKey === undefined ? 'The Snowflake connector needs a password or a private key: enter one of them.' : undefined;
}

/** `withSession` after checking that there is a credential to log in with. */
export function snowflakeSession<T>(ports: ConnectorPorts, config: SnowflakeConfig, secrets: SnowflakeSecrets, work: (session: SqlSession) => Promise<T>): Promise<T> {
  const problem = credentialProblem(secrets);
  if (problem !== undefined) return Promise.reject(new ConnectorError('bad-config', problem));
  return withSession(LABEL, ports, config, secrets, work);
}

const session = snowflakeSession;

const LABEL = 'Snowflake';

/** Runs a Snowflake INFORMATION_SCHEMA query on one database, excluding INFORMATION_SCHEMA itself. */
function infoSchema(session: SqlSession, database: string, view: string, columns: string, and = ''): Promise<Record<string, unknown>[]> {
  return session.query(`SELECT ${columns} FROM ${quoteIdent(database)}.INFORMATION_SCHEMA.${view} WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'${and}`);
}

/** Snowflake's type as DDL would write it (`NUMBER(38,2)`, `VARCHAR(100)`, `TIMESTAMP_NTZ(9)`). */
function typeOf(row: Record<string, unknown>): string | undefined {
  const type = text(row, 'DATA_TYPE');
  if (type === undefined) return undefined;
  const precision = text(row, 'NUMERIC_PRECISION');
  const scale = text(row, 'NUMERIC_SCALE');
  const length = text(row, 'CHARACTER_MAXIMUM_LENGTH');
  if (type === 'NUMBER' && precision !== undefined) return `NUMBER(${precision},${scale ?? '0'})`;
  // 16777216 is TEXT's default length: VARCHAR written without one.
  if (type === 'TEXT' && length !== undefined && length !== '16777216') return `VARCHAR(${length})`;
  return type;
}

const fileOf = (config: SnowflakeConfig) => (r: { database: string; schema: string; name: string }): string => `snowflake://${config.account}/${r.database}/${r.schema}/${r.name}`;

/**
 * The Snowflake extraction's steps (`warehouseSteps.ts`): TABLES of each configured database,
 * then COLUMNS and VIEWS of every relation (one extraction) or of one page of relations (the
 * cloud's chunks: `AND ((TABLE_SCHEMA = … AND TABLE_NAME IN (…)) OR …)`), then ACCESS_HISTORY.
 */
export const snowflakeSteps: WarehouseSteps<SnowflakeConfig> = {
  async list(session, config) {
    const include = schemaFilter(config.schemas);
    const relations: WarehouseRelation[] = [];
    for (const database of config.databases) {
      for (const row of await infoSchema(session, database, 'TABLES', 'TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, COMMENT')) {
        const schema = text(row, 'TABLE_SCHEMA');
        const name = text(row, 'TABLE_NAME');
        if (schema === undefined || name === undefined || !include(schema)) continue;
        const tableType = text(row, 'TABLE_TYPE') ?? 'BASE TABLE';
        const comment = text(row, 'COMMENT');
        relations.push({ database: text(row, 'TABLE_CATALOG') ?? database, schema, name, kind: /VIEW/i.test(tableType) ? 'view' : 'table', tableType, ...(comment ? { comment } : {}), columns: [] });
      }
    }
    return relations;
  },
  async details(session, config, relations, page) {
    const diagnostics: Diagnostic[] = [];
    const file = fileOf(config);
    // INFORMATION_SCHEMA is per database: one COLUMNS and one VIEWS query for each database.
    const byDatabase = new Map<string, WarehouseRelation[]>();
    for (const r of relations) byDatabase.set(r.database, [...(byDatabase.get(r.database) ?? []), r]);
    for (const [database, group] of byDatabase) {
      const only = page ? ` AND (${relationFilter(group, 'TABLE_SCHEMA', 'TABLE_NAME')})` : '';
      const k = (row: Record<string, unknown>): string => `${text(row, 'TABLE_SCHEMA') ?? ''}.${text(row, 'TABLE_NAME') ?? ''}`;
      const byKey = new Map(group.map((r) => [`${r.schema}.${r.name}`, r]));
      for (const row of await infoSchema(session, database, 'COLUMNS', 'TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, COMMENT', only)) {
        const r = byKey.get(k(row));
        const name = text(row, 'COLUMN_NAME');
        if (r === undefined || name === undefined) continue;
        const type = typeOf(row);
        const comment = text(row, 'COMMENT');
        r.columns.push({ name, position: Number(text(row, 'ORDINAL_POSITION') ?? r.columns.length + 1), ...(type ? { type } : {}), ...(comment ? { comment } : {}) });
      }
      for (const row of await infoSchema(session, database, 'VIEWS', 'TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION', only)) {
        const r = byKey.get(k(row));
        if (r === undefined) continue;
        const definition = text(row, 'VIEW_DEFINITION');
        if (definition !== undefined && definition.trim() !== '') r.definition = definition;
        else
          // Snowflake shows VIEW_DEFINITION only to the view's owner role: say why lineage is missing.
          diagnostics.push({ file: file(r), line: 0, column: 0, severity: 'warning', code: 'view-definition-hidden', message: `The definition of view ${r.database}.${r.schema}.${r.name} is not visible to role ${config.role ?? '(default)'} (Snowflake shows VIEW_DEFINITION only to the owner role), so it has no lineage from its SQL.`, extractor: 'snowflake-information-schema' });
      }
    }
    return diagnostics;
  },
  async history(session, config, lineage) {
    if (!config.accessHistory) return { diagnostics: [], stats: { historyRows: 0 } };
    const read = await readAccessHistory(session, lineage, config.historyDays, historyFileOf(config));
    return { diagnostics: read.diagnostics, stats: { historyRows: read.rows } };
  },
  facts(config, relations, detailDiagnostics, lineage, history) {
    const { facts, stats } = warehouseFacts(relations, { project: config.account, pathOf: fileOf(config), extractor: 'snowflake', dialect: 'snowflake' });
    facts.diagnostics.push(...detailDiagnostics, ...history.diagnostics);
    const prefixes = [...new Set(relations.map((r) => r.database.toLowerCase()).concat(config.databases.map((d) => d.toLowerCase())))].map((d) => `table.warehouse.${d}.`);
    const added = lineage.addTo(facts, { file: historyFileOf(config), line: 0, column: 0, extractor: 'snowflake-access-history', confidence: 0.8 }, prefixes);
    return { facts, state: lineage.toState(), stats: { ...stats, historyRows: history.stats.historyRows ?? 0, historyTableEdges: added.tables, historyColumnEdges: added.columns } };
  },
};

const historyFileOf = (config: SnowflakeConfig): string => `snowflake://${config.account}/SNOWFLAKE/ACCOUNT_USAGE/ACCESS_HISTORY`;

/** Reads the configured databases and the access history since the last run. */
async function extract(input: ConnectorInput<SnowflakeConfig, SnowflakeSecrets>, ports: ConnectorPorts): Promise<ExtractResult> {
  return session(ports, input.config, input.secrets, (session) => runWarehouseSteps(snowflakeSteps, session, input.config, input.state, ports));
}

/** The Snowflake connector definition. */
export const snowflakeConnector: ConnectorDefinition<SnowflakeConfig, SnowflakeSecrets> = {
  type: 'snowflake',
  label: LABEL,
  description: 'Tables, views, columns and comments from INFORMATION_SCHEMA, lineage from view SQL and ACCESS_HISTORY.',
  config: SnowflakeConfig,
  secrets: SnowflakeSecrets,
  fields: FIELDS,
  incremental: true,
  test: ({ config, secrets }, ports) => {
    const problem = credentialProblem(secrets);
    if (problem !== undefined) return Promise.resolve({ ok: false, reason: 'bad-config', message: problem });
    return testWithSession(LABEL, ports, config, secrets, async (session) => {
      const [row] = await session.query('SELECT CURRENT_ACCOUNT() AS ACCOUNT, CURRENT_ROLE() AS ROLE, CURRENT_WAREHOUSE() AS WAREHOUSE, CURRENT_VERSION() AS VERSION');
      const r = row ?? {};
      const version = text(r, 'VERSION');
      return `Connected to Snowflake${version ? ` ${version}` : ''} as ${config.user} (account ${text(r, 'ACCOUNT') ?? config.account}, role ${text(r, 'ROLE') ?? '?'}, warehouse ${text(r, 'WAREHOUSE') ?? 'none'}).`;
    });
  },
  discover: ({ config, secrets }, ports) =>
    session(ports, config, secrets, async (session) => {
      const items: DiscoveredItem[] = [];
      for (const row of await session.query('SHOW DATABASES')) {
        const name = text(row, 'name');
        if (name !== undefined) items.push({ kind: 'database', name, ...(text(row, 'comment') ? { detail: text(row, 'comment') } : {}) });
      }
      for (const database of config.databases) {
        checkCancelled(ports);
        const rows = await session.query(`SELECT CATALOG_NAME, SCHEMA_NAME, COMMENT FROM ${quoteIdent(database)}.INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME <> 'INFORMATION_SCHEMA'`);
        for (const row of rows) {
          const schema = text(row, 'SCHEMA_NAME');
          if (schema !== undefined) items.push({ kind: 'schema', name: `${text(row, 'CATALOG_NAME') ?? database}.${schema}`, ...(text(row, 'COMMENT') ? { detail: text(row, 'COMMENT') } : {}) });
        }
      }
      return items;
    }),
  extract,
};
