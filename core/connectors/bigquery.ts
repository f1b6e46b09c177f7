import { z } from 'zod';
import { ConnectorError, type ConnectorDefinition, type ConnectorField, type ConnectorInput, type ConnectorPorts, type ExtractResult, type SqlSession } from './connector';
import { readJobs, regionPath } from './bigqueryHistory';
import { schemaFilter, warehouseFacts, type WarehouseRelation } from './warehouseFacts';
import { text } from './warehouseHistory';
import { relationFilter, runWarehouseSteps, type WarehouseSteps } from './warehouseSteps';
import { testWithSession, withSession } from './warehouseSession';

/**
 * The BigQuery connector: tables, views and columns (types, descriptions) of one project in one
 * location, read from the region-qualified INFORMATION_SCHEMA views (`TABLES`, `TABLE_OPTIONS`,
 * `COLUMNS`, `COLUMN_FIELD_PATHS`, `VIEWS`), views' SQL parsed as BigQuery SQL for table and column
 * lineage, plus lineage from `INFORMATION_SCHEMA.JOBS` read incrementally (`bigqueryHistory.ts`).
 * SQL runs through the host's driver (`@google-cloud/bigquery` in Node).
 */

const nameList = z.union([z.array(z.string()), z.string()]).transform((v) =>
  (Array.isArray(v) ? v : v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== ''),
);

export const BigQueryConfig = z.object({
  projectId: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.:-]*$/, 'a project id is lower-case letters, digits and hyphens (with an optional domain: prefix)'),
  /** Dataset location (`US`, `EU`, `europe-west1`): INFORMATION_SCHEMA is read per region. */
  location: z.string().trim().min(1).default('US'),
  /** Dataset include patterns (`*` wildcards); all datasets when empty. */
  datasets: nameList.optional(),
  /** Days of JOBS read on the first run (BigQuery keeps 180). */
  historyDays: z.coerce.number().int().min(1).max(180).default(30),
  /** Read INFORMATION_SCHEMA.JOBS (needs bigquery.jobs.listAll). */
  jobsHistory: z.boolean().default(true),
  /** The API's root URL when it is not https://bigquery.googleapis.com (Private Service Connect). */
  apiEndpoint: z.url().optional(),
});
export type BigQueryConfig = z.infer<typeof BigQueryConfig>;

/** The fields of a service-account key file Mallard uses. */
export const ServiceAccountKey = z.object({
  type: z.literal('service_account').optional(),
  client_email: z.string().min(1),
  private_key: z.string().includes('PRIVATE KEY', { message: 'private_key is not a PEM private key' }),
  private_key_id: z.string().optional(),
  project_id: z.string().optional(),
});
export type ServiceAccountKey = z.infer<typeof ServiceAccountKey>;

export const BigQuerySecrets = z.object({
  /** The service account's JSON key file, as text (or already parsed: parsing the output again is a no-op). */
  // Optional so settings validate without secrets (an edit keeps the stored key); `keyProblem` says when it is missing.
  serviceAccountJson: z.unknown().transform((value, ctx): ServiceAccountKey | undefined => {
    if (value === undefined || value === '') return undefined;
    let json: unknown = value;
    if (typeof value === 'string') {
      try {
        json = JSON.parse(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not JSON: paste the whole key file' });
        return z.NEVER;
      }
    }
    const key = ServiceAccountKey.safeParse(json);
    if (!key.success) {
      ctx.addIssue({ code: 'custom', message: `is not a service-account key (${key.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})` });
      return z.NEVER;
    }
    return key.data;
  }).optional(),
});
export type BigQuerySecrets = z.infer<typeof BigQuerySecrets>;

const FIELDS: readonly ConnectorField[] = [
  { key: 'projectId', label: 'Project', prompt: 'The Google Cloud project id whose datasets to catalog.', placeholder: 'my-analytics-project', secret: false, optional: false },
  { key: 'location', label: 'Location', prompt: 'The location of the datasets (US, EU or a region such as europe-west1).', placeholder: 'US', secret: false, optional: true },
  { key: 'datasets', label: 'Datasets', prompt: 'Datasets to include, separated by commas, * as a wildcard (all when empty).', placeholder: 'marts, staging_*', secret: false, optional: true },
  { key: 'serviceAccountJson', label: 'Service account key', prompt: 'The JSON key file of a service account with BigQuery Metadata Viewer and Resource Viewer roles.', secret: true, optional: false },
  { key: 'historyDays', label: 'History days', prompt: 'Days of INFORMATION_SCHEMA.JOBS the first run reads for lineage from queries (30 when empty, at most 180).', placeholder: '30', secret: false, optional: true },
  { key: 'jobsHistory', label: 'Read query jobs', prompt: 'Read INFORMATION_SCHEMA.JOBS for lineage from queries (needs bigquery.jobs.listAll).', secret: false, optional: true, choices: ['true', 'false'] },
  { key: 'apiEndpoint', label: 'API endpoint', prompt: 'Only for Private Service Connect: the BigQuery API root URL (https://bigquery.googleapis.com when empty).', secret: false, optional: true },
];

/** The key to authenticate with, or a `bad-config` error saying it is missing. */
export function requireKey(secrets: BigQuerySecrets): ServiceAccountKey {
  if (secrets.serviceAccountJson === undefined) throw new ConnectorError('bad-config', 'The BigQuery connector needs the service account’s JSON key file: paste it.');
  return secrets.serviceAccountJson;
}

const LABEL = 'BigQuery';

/** Unquotes a TABLE_OPTIONS value, which is a BigQuery string literal (`"Orders, one per row"`). */
function optionText(value: string): string {
  if (value.startsWith('"') && value.endsWith('"')) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return value.slice(1, -1);
    }
  }
  return value;
}

const fileOf = (r: { database: string; schema: string; name: string }): string => `bigquery://${r.database}/${r.schema}/${r.name}`;
const historyFileOf = (config: BigQueryConfig): string => `bigquery://${config.projectId}/region-${config.location.toLowerCase()}/INFORMATION_SCHEMA/JOBS`;
const regionFrom = (config: BigQueryConfig, view: string): string => `FROM ${regionPath(config.projectId, config.location)}.INFORMATION_SCHEMA.${view}`;

/**
 * The BigQuery extraction's steps (`warehouseSteps.ts`) on the region's INFORMATION_SCHEMA: TABLES,
 * then TABLE_OPTIONS, COLUMNS, COLUMN_FIELD_PATHS and VIEWS of every relation (one extraction) or
 * of one page of relations (the cloud's chunks: `(table_schema = … AND table_name IN (…)) OR …`),
 * then JOBS.
 */
export const bigquerySteps: WarehouseSteps<BigQueryConfig> = {
  async list(session, config) {
    const include = schemaFilter(config.datasets);
    const relations: WarehouseRelation[] = [];
    for (const row of await session.query(`SELECT table_catalog, table_schema, table_name, table_type ${regionFrom(config, 'TABLES')}`)) {
      const schema = text(row, 'table_schema');
      const name = text(row, 'table_name');
      if (schema === undefined || name === undefined || !include(schema)) continue;
      const tableType = text(row, 'table_type') ?? 'BASE TABLE';
      relations.push({ database: text(row, 'table_catalog') ?? config.projectId, schema, name, kind: /VIEW/i.test(tableType) ? 'view' : 'table', tableType, columns: [] });
    }
    return relations;
  },
  async details(session, config, relations, page) {
    const from = (view: string): string => regionFrom(config, view);
    const only = page ? relationFilter(relations, 'table_schema', 'table_name') : undefined;
    const where = (...conditions: string[]): string => {
      const all = only === undefined ? conditions : [...conditions, `(${only})`];
      return all.length === 0 ? '' : ` WHERE ${all.join(' AND ')}`;
    };
    const k = (row: Record<string, unknown>): string => `${text(row, 'table_schema') ?? ''}.${text(row, 'table_name') ?? ''}`;
    const byKey = new Map(relations.map((r) => [`${r.schema}.${r.name}`, r]));
    for (const row of await session.query(`SELECT table_schema, table_name, option_value ${from('TABLE_OPTIONS')}${where("option_name = 'description'")}`)) {
      const r = byKey.get(k(row));
      const value = text(row, 'option_value');
      if (r !== undefined && value !== undefined) r.comment = optionText(value);
    }
    for (const row of await session.query(`SELECT table_schema, table_name, column_name, ordinal_position, data_type ${from('COLUMNS')}${where()}`)) {
      const r = byKey.get(k(row));
      const name = text(row, 'column_name');
      if (r === undefined || name === undefined) continue;
      const type = text(row, 'data_type');
      r.columns.push({ name, position: Number(text(row, 'ordinal_position') ?? r.columns.length + 1), ...(type ? { type } : {}) });
    }
    // Descriptions live in COLUMN_FIELD_PATHS; a top-level column's field_path is its name.
    for (const row of await session.query(`SELECT table_schema, table_name, column_name, field_path, description ${from('COLUMN_FIELD_PATHS')}${where('description IS NOT NULL')}`)) {
      const r = byKey.get(k(row));
      const column = r?.columns.find((c) => c.name === text(row, 'field_path'));
      const description = text(row, 'description');
      if (column !== undefined && description !== undefined && description !== '') column.comment = description;
    }
    for (const row of await session.query(`SELECT table_schema, table_name, view_definition ${from('VIEWS')}${where()}`)) {
      const r = byKey.get(k(row));
      const definition = text(row, 'view_definition');
      if (r !== undefined && definition !== undefined) r.definition = definition;
    }
    return [];
  },
  async history(session, config, lineage, relations) {
    if (!config.jobsHistory) return { diagnostics: [], stats: { historyRows: 0, historyQueriesParsed: 0 } };
    const byKey = new Map(relations.map((r) => [`${r.database}.${r.schema}.${r.name}`.toLowerCase(), r]));
    const read = await readJobs(session, lineage, { projectId: config.projectId, location: config.location, days: config.historyDays, file: historyFileOf(config) }, (d, s, n) => byKey.get(`${d}.${s}.${n}`.toLowerCase())?.columns.map((c) => c.name));
    return { diagnostics: read.diagnostics, stats: { historyRows: read.rows, historyQueriesParsed: read.parsed } };
  },
  facts(config, relations, detailDiagnostics, lineage, history) {
    const { facts, stats } = warehouseFacts(relations, { project: config.projectId, pathOf: fileOf, extractor: 'bigquery', dialect: 'bigquery' });
    facts.diagnostics.push(...detailDiagnostics, ...history.diagnostics);
    const added = lineage.addTo(facts, { file: historyFileOf(config), line: 0, column: 0, extractor: 'bigquery-jobs', confidence: 0.8 }, [`table.warehouse.${config.projectId.toLowerCase()}.`]);
    return { facts, state: lineage.toState(), stats: { ...stats, historyRows: history.stats.historyRows ?? 0, historyQueriesParsed: history.stats.historyQueriesParsed ?? 0, historyTableEdges: added.tables, historyColumnEdges: added.columns } };
  },
};

/** Reads the relations and the jobs since the last run. */
async function extract(input: ConnectorInput<BigQueryConfig, BigQuerySecrets>, ports: ConnectorPorts): Promise<ExtractResult> {
  requireKey(input.secrets);
  return withSession(LABEL, ports, input.config, input.secrets, (session) => runWarehouseSteps(bigquerySteps, session, input.config, input.state, ports));
}

/** The BigQuery connector definition. */
export const bigqueryConnector: ConnectorDefinition<BigQueryConfig, BigQuerySecrets> = {
  type: 'bigquery',
  label: LABEL,
  description: 'Tables, views, columns and descriptions from INFORMATION_SCHEMA, lineage from view SQL and query jobs.',
  config: BigQueryConfig,
  secrets: BigQuerySecrets,
  fields: FIELDS,
  incremental: true,
  test: ({ config, secrets }, ports) => {
    if (secrets.serviceAccountJson === undefined) return Promise.resolve({ ok: false, reason: 'bad-config', message: 'The BigQuery connector needs the service account’s JSON key file: paste it.' });
    const email = secrets.serviceAccountJson.client_email;
    return testWithSession(LABEL, ports, config, secrets, async (session) => {
      const [row] = await session.query(`SELECT COUNT(*) AS datasets FROM ${regionPath(config.projectId, config.location)}.INFORMATION_SCHEMA.SCHEMATA`);
      return `Connected to BigQuery project ${config.projectId} as ${email}: ${text(row ?? {}, 'datasets') ?? '0'} datasets in ${config.location}.`;
    });
  },
  discover: async ({ config, secrets }, ports) => {
    requireKey(secrets);
    return withSession(LABEL, ports, config, secrets, async (session) => {
      const rows = await session.query(`SELECT catalog_name, schema_name, location FROM ${regionPath(config.projectId, config.location)}.INFORMATION_SCHEMA.SCHEMATA`);
      return [
        { kind: 'project' as const, name: config.projectId },
        ...rows.flatMap((row) => {
          const name = text(row, 'schema_name');
          return name === undefined ? [] : [{ kind: 'dataset' as const, name: `${text(row, 'catalog_name') ?? config.projectId}.${name}`, detail: text(row, 'location') ?? config.location }];
        }),
      ];
    });
  },
  extract,
};
