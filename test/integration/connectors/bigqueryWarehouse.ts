import type { BigQueryAnswer, BigQueryField, BigQueryResult } from '../../support/bigqueryStandIn';
import { restrictRows } from './pageFilter';

/**
 * A small BigQuery project (`acme-analytics`, location US) as its region-qualified
 * INFORMATION_SCHEMA reports it, for the BigQuery stand-in: `raw` tables, `staging` and `marts`
 * views over them across datasets, a table loaded by jobs (lineage only in JOBS), a nested
 * RECORD column, and a `sandbox` dataset the connector's dataset filter excludes.
 */

export const PROJECT = 'acme-analytics';
const S = (name: string): BigQueryField => ({ name, type: 'STRING' });
const I = (name: string): BigQueryField => ({ name, type: 'INT64' });
const REGION = '`acme-analytics`.`region-us`.INFORMATION_SCHEMA';

const TABLES: BigQueryResult = {
  fields: [S('table_catalog'), S('table_schema'), S('table_name'), S('table_type')],
  rows: [
    [PROJECT, 'raw', 'orders', 'BASE TABLE'],
    [PROJECT, 'raw', 'customers', 'BASE TABLE'],
    [PROJECT, 'staging', 'stg_orders', 'VIEW'],
    [PROJECT, 'marts', 'customer_revenue', 'VIEW'],
    [PROJECT, 'marts', 'daily_revenue', 'BASE TABLE'],
    [PROJECT, 'sandbox', 'tmp_export', 'BASE TABLE'],
  ],
};

const TABLE_OPTIONS: BigQueryResult = {
  fields: [S('table_schema'), S('table_name'), S('option_value')],
  // option_value is a BigQuery string literal, quotes and escapes included.
  rows: [
    ['raw', 'orders', '"Orders as loaded from the shop, one row per order."'],
    ['marts', 'daily_revenue', '"Revenue per day (\\"nightly\\" load)."'],
  ],
};

const c = (schema: string, table: string, name: string, pos: number, type: string): unknown[] => [schema, table, name, pos, type];
const COLUMNS: BigQueryResult = {
  fields: [S('table_schema'), S('table_name'), S('column_name'), I('ordinal_position'), S('data_type')],
  rows: [
    c('raw', 'orders', 'id', 1, 'INT64'),
    c('raw', 'orders', 'customer_id', 2, 'INT64'),
    c('raw', 'orders', 'amount', 3, 'NUMERIC'),
    c('raw', 'orders', 'status', 4, 'STRING'),
    c('raw', 'orders', 'created_at', 5, 'TIMESTAMP'),
    c('raw', 'orders', 'items', 6, 'ARRAY<STRUCT<sku STRING, qty INT64>>'),
    c('raw', 'customers', 'id', 1, 'INT64'),
    c('raw', 'customers', 'name', 2, 'STRING'),
    c('staging', 'stg_orders', 'order_id', 1, 'INT64'),
    c('staging', 'stg_orders', 'customer_id', 2, 'INT64'),
    c('staging', 'stg_orders', 'amount_usd', 3, 'NUMERIC'),
    c('staging', 'stg_orders', 'created_at', 4, 'TIMESTAMP'),
    c('marts', 'customer_revenue', 'customer_id', 1, 'INT64'),
    c('marts', 'customer_revenue', 'name', 2, 'STRING'),
    c('marts', 'customer_revenue', 'revenue', 3, 'NUMERIC'),
    c('marts', 'daily_revenue', 'day', 1, 'DATE'),
    c('marts', 'daily_revenue', 'revenue', 2, 'NUMERIC'),
    c('sandbox', 'tmp_export', 'x', 1, 'INT64'),
  ],
  // Two pages: the client follows pageToken through jobs.getQueryResults.
  pageSize: 10,
};

const FIELD_PATHS: BigQueryResult = {
  fields: [S('table_schema'), S('table_name'), S('column_name'), S('field_path'), S('description')],
  rows: [
    ['raw', 'orders', 'amount', 'amount', 'Amount in cents.'],
    ['raw', 'orders', 'items', 'items.sku', 'Stock keeping unit.'],
    ['staging', 'stg_orders', 'amount_usd', 'amount_usd', 'Amount in dollars.'],
  ],
};

const VIEWS: BigQueryResult = {
  fields: [S('table_schema'), S('table_name'), S('view_definition')],
  rows: [
    ['staging', 'stg_orders', "SELECT id AS order_id, customer_id, amount / 100 AS amount_usd, created_at\nFROM `acme-analytics.raw.orders`\nWHERE status != 'test'"],
    ['marts', 'customer_revenue', 'SELECT c.id AS customer_id, c.name, SUM(o.amount_usd) AS revenue\nFROM `acme-analytics`.staging.stg_orders AS o\nJOIN raw.customers AS c ON c.id = o.customer_id\nGROUP BY 1, 2'],
  ],
};

const REF: BigQueryField = { name: 'x', type: 'RECORD', fields: [S('project_id'), S('dataset_id'), S('table_id')] };
const JOB_FIELDS: BigQueryField[] = [S('job_id'), S('creation_time'), S('statement_type'), S('query'), { ...REF, name: 'referenced_tables', mode: 'REPEATED' }, { ...REF, name: 'destination_table' }];
const ref = (dataset: string, table: string, project = PROJECT) => ({ project_id: project, dataset_id: dataset, table_id: table });

/** The nightly INSERT into daily_revenue from the stg_orders view. */
export const NIGHTLY_INSERT: unknown[] = [
  'scheduled_query_6f1c',
  '2026-12-02T02:00:00.000Z',
  'INSERT',
  'INSERT INTO marts.daily_revenue (day, revenue)\nSELECT DATE(created_at) AS day, SUM(amount_usd)\nFROM `acme-analytics.staging.stg_orders`\nGROUP BY 1',
  [ref('staging', 'stg_orders')],
  ref('marts', 'daily_revenue'),
];

/** An ad-hoc SELECT: its destination is an anonymous (cached results) dataset, so no edge. */
export const ADHOC_SELECT: unknown[] = ['bquxjob_1d2e', '2026-12-02T03:00:00.000Z', 'SELECT', 'SELECT * FROM `acme-analytics.raw.orders` LIMIT 10', [ref('raw', 'orders')], ref('_8f3c0d1e2b', 'anon4a5b')];

/** A load into a table that was dropped since: no edge to a relation the catalog no longer has. */
export const DROPPED_TARGET: unknown[] = ['bquxjob_7a8b', '2026-12-02T04:00:00.000Z', 'CREATE_TABLE_AS_SELECT', 'CREATE TABLE marts.old_report AS SELECT * FROM raw.customers', [ref('raw', 'customers')], ref('marts', 'old_report')];

/** A later backfill of daily_revenue from the customer_revenue view (the incremental run reads it). */
export const LATER_BACKFILL: unknown[] = ['bquxjob_9c0d', '2026-12-03T09:30:00.000Z', 'INSERT', 'INSERT INTO `acme-analytics.marts.daily_revenue`\nSELECT CURRENT_DATE() AS day, SUM(revenue) AS revenue FROM marts.customer_revenue', [ref('marts', 'customer_revenue')], ref('marts', 'daily_revenue')];

export interface ProjectOptions {
  jobs?: unknown[][];
  jobsDenied?: boolean;
}

/** The stand-in's answers for the project. */
export function bigqueryProject(options: ProjectOptions = {}): BigQueryAnswer {
  return (sql) => {
    if (sql.includes(`${REGION}.SCHEMATA`)) {
      if (sql.startsWith('SELECT COUNT(*)')) return { fields: [I('datasets')], rows: [[4]] };
      return { fields: [S('catalog_name'), S('schema_name'), S('location')], rows: [[PROJECT, 'raw', 'US'], [PROJECT, 'staging', 'US'], [PROJECT, 'marts', 'US'], [PROJECT, 'sandbox', 'US']] };
    }
    if (sql.includes(`${REGION}.TABLES`)) return TABLES;
    // The cloud's pages restrict these to their relations (`pageFilter.ts`).
    const page = (result: BigQueryResult): BigQueryResult => ({ ...result, rows: restrictRows(sql, 'table_schema', 'table_name', result.rows, 0, 1) });
    if (sql.includes(`${REGION}.TABLE_OPTIONS`)) return page(TABLE_OPTIONS);
    if (sql.includes(`${REGION}.COLUMNS`)) return page(COLUMNS);
    if (sql.includes(`${REGION}.COLUMN_FIELD_PATHS`)) return page(FIELD_PATHS);
    if (sql.includes(`${REGION}.VIEWS`)) return page(VIEWS);
    if (sql.includes(`${REGION}.JOBS`)) {
      if (options.jobsDenied === true) return { error: { code: 403, reason: 'accessDenied', status: 'PERMISSION_DENIED', message: 'Access Denied: Table acme-analytics:region-us.INFORMATION_SCHEMA.JOBS: User does not have permission to query table acme-analytics:region-us.INFORMATION_SCHEMA.JOBS, or perhaps it does not exist.' } };
      // A slow answer: the client polls jobs.getQueryResults until the job is complete.
      return { fields: JOB_FIELDS, rows: options.jobs ?? [], slow: true };
    }
    if (sql.includes('INFORMATION_SCHEMA')) return { error: { code: 404, reason: 'notFound', status: 'NOT_FOUND', message: 'Not found: Dataset was not found in location US' } };
    return { error: { code: 400, reason: 'invalidQuery', status: 'INVALID_ARGUMENT', message: `Syntax error: Unexpected identifier at [1:1]` } };
  };
}
