import { z } from 'zod';
import { ConnectorError, type ConnectorDefinition, type ConnectorField, type ConnectorInput, type ConnectorPorts, type ExtractResult, type SqlSession } from './connector';
import { readJobs, regionPath } from './bigqueryHistory';
import { schemaFilter, warehouseFacts, type WarehouseRelation } from './warehouseFacts';
import { HistoryLineage, text } from './warehouseHistory';
import { checkCancelled, testWithSession, withSession } from './warehouseSession';

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

/** Reads the project's relations in `location` from the region's INFORMATION_SCHEMA. */
async function readRelations(session: SqlSession, config: BigQueryConfig, ports: ConnectorPorts): Promise<WarehouseRelation[]> {
  const from = (view: string): string => `FROM ${regionPath(config.projectId, config.location)}.INFORMATION_SCHEMA.${view}`;
  const include = schemaFilter(config.datasets);
  const k = (row: Record<string, unknown>): string => `${text(row, 'table_schema') ?? ''}.${text(row, 'table_name') ?? ''}`;
  const byKey = new Map<string, WarehouseRelation>();
  ports.progress?.('Reading INFORMATION_SCHEMA.TABLES');
  for (const row of await session.query(`SELECT table_catalog, table_schema, table_name, table_type ${from('TABLES')}`)) {
    const schema = text(row, 'table_schema');
    const name = text(row, 'table_name');
    if (schema === undefined || name === undefined || !include(schema)) continue;
    const tableType = text(row, 'table_type') ?? 'BASE TABLE';
    byKey.set(k(row), { database: text(row, 'table_catalog') ?? config.projectId, schema, name, kind: /VIEW/i.test(tableType) ? 'view' : 'table', tableType, columns: [] });
  }
  checkCancelled(ports);
  for (const row of await session.query(`SELECT table_schema, table_name, option_value ${from('TABLE_OPTIONS')} WHERE option_name = 'description'`)) {
    const r = byKey.get(k(row));
    const value = text(row, 'option_value');
    if (r !== undefined && value !== undefined) r.comment = optionText(value);
  }
  checkCancelled(ports);
  ports.progress?.('Reading INFORMATION_SCHEMA.COLUMNS');
  for (const row of await session.query(`SELECT table_schema, table_name, column_name, ordinal_position, data_type ${from('COLUMNS')}`)) {
    const r = byKey.get(k(row));
    const name = text(row, 'column_name');
    if (r === undefined || name === undefined) continue;
    const type = text(row, 'data_type');
    r.columns.push({ name, position: Number(text(row, 'ordinal_position') ?? r.columns.length + 1), ...(type ? { type } : {}) });
  }
  checkCancelled(ports);
  // Descriptions live in COLUMN_FIELD_PATHS; a top-level column's field_path is its name.
  for (const row of await session.query(`SELECT table_schema, table_name, column_name, field_path, description ${from('COLUMN_FIELD_PATHS')} WHERE description IS NOT NULL`)) {
    const r = byKey.get(k(row));
    const column = r?.columns.find((c) => c.name === text(row, 'field_path'));
    const description = text(row, 'description');
    if (column !== undefined && description !== undefined && description !== '') column.comment = description;
  }
  checkCancelled(ports);
  for (const row of await session.query(`SELECT table_schema, table_name, view_definition ${from('VIEWS')}`)) {
    const r = byKey.get(k(row));
    const definition = text(row, 'view_definition');
    if (r !== undefined && definition !== undefined) r.definition = definition;
  }
  return [...byKey.values()];
}

/** Reads the relations and the jobs since the last run. */
async function extract(input: ConnectorInput<BigQueryConfig, BigQuerySecrets>, ports: ConnectorPorts): Promise<ExtractResult> {
  const { config } = input;
  const file = (r: { database: string; schema: string; name: string }): string => `bigquery://${r.database}/${r.schema}/${r.name}`;
  requireKey(input.secrets);
  return withSession(LABEL, ports, config, input.secrets, async (session) => {
    const relations = await readRelations(session, config, ports);
    const { facts, stats } = warehouseFacts(relations, { project: config.projectId, pathOf: file, extractor: 'bigquery', dialect: 'bigquery' });
    const lineage = new HistoryLineage(input.state);
    const historyFile = `bigquery://${config.projectId}/region-${config.location.toLowerCase()}/INFORMATION_SCHEMA/JOBS`;
    let jobs = { rows: 0, parsed: 0 };
    if (config.jobsHistory) {
      checkCancelled(ports);
      ports.progress?.('Reading INFORMATION_SCHEMA.JOBS');
      const byKey = new Map(relations.map((r) => [`${r.database}.${r.schema}.${r.name}`.toLowerCase(), r]));
      const read = await readJobs(session, lineage, { projectId: config.projectId, location: config.location, days: config.historyDays, file: historyFile }, (d, s, n) => byKey.get(`${d}.${s}.${n}`.toLowerCase())?.columns.map((c) => c.name));
      jobs = read;
      facts.diagnostics.push(...read.diagnostics);
    }
    const added = lineage.addTo(facts, { file: historyFile, line: 0, column: 0, extractor: 'bigquery-jobs', confidence: 0.8 }, [`table.warehouse.${config.projectId.toLowerCase()}.`]);
    return { facts, state: lineage.toState(), stats: { ...stats, historyRows: jobs.rows, historyQueriesParsed: jobs.parsed, historyTableEdges: added.tables, historyColumnEdges: added.columns } };
  });
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
