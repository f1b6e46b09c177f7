import type { SnowflakeAnswer, SnowflakeResult } from '../../support/snowflakeStandIn';
import { restrictRows } from './pageFilter';

/**
 * A small Snowflake warehouse as its INFORMATION_SCHEMA and ACCESS_HISTORY report it, for the
 * Snowflake stand-in: database ANALYTICS with RAW tables, STAGING and MARTS views over them across
 * schemas, a table loaded by an INSERT (lineage only in ACCESS_HISTORY), a secure view whose
 * definition the role cannot see, and a SCRATCH schema the connector's schema filter excludes.
 */

const T = 'text' as const;
const F = 'fixed' as const;

const TABLES: SnowflakeResult = {
  columns: [{ name: 'TABLE_CATALOG', type: T }, { name: 'TABLE_SCHEMA', type: T }, { name: 'TABLE_NAME', type: T }, { name: 'TABLE_TYPE', type: T }, { name: 'COMMENT', type: T }],
  rows: [
    ['ANALYTICS', 'RAW', 'ORDERS', 'BASE TABLE', 'Orders as loaded from the shop, one row per order.'],
    ['ANALYTICS', 'RAW', 'CUSTOMERS', 'BASE TABLE', null],
    ['ANALYTICS', 'STAGING', 'STG_ORDERS', 'VIEW', 'Cleaned orders without test orders.'],
    ['ANALYTICS', 'MARTS', 'CUSTOMER_REVENUE', 'VIEW', null],
    ['ANALYTICS', 'MARTS', 'DAILY_REVENUE', 'BASE TABLE', 'Revenue per day, loaded nightly.'],
    ['ANALYTICS', 'MARTS', 'VIP_CUSTOMERS', 'VIEW', null],
    ['ANALYTICS', 'SCRATCH', 'TMP_EXPORT', 'BASE TABLE', null],
  ],
};

const col = (schema: string, table: string, name: string, pos: number, type: string, comment: string | null = null, precision: number | null = null, scale: number | null = null, length: number | null = null): unknown[] => ['ANALYTICS', schema, table, name, pos, type, length, precision, scale, comment];

const COLUMNS: SnowflakeResult = {
  columns: [
    { name: 'TABLE_CATALOG', type: T }, { name: 'TABLE_SCHEMA', type: T }, { name: 'TABLE_NAME', type: T }, { name: 'COLUMN_NAME', type: T }, { name: 'ORDINAL_POSITION', type: F },
    { name: 'DATA_TYPE', type: T }, { name: 'CHARACTER_MAXIMUM_LENGTH', type: F }, { name: 'NUMERIC_PRECISION', type: F }, { name: 'NUMERIC_SCALE', type: F }, { name: 'COMMENT', type: T },
  ],
  // Deliberately not in ordinal order: the connector orders by ORDINAL_POSITION.
  rows: [
    col('RAW', 'ORDERS', 'AMOUNT', 3, 'NUMBER', 'Amount in cents.', 12, 0),
    col('RAW', 'ORDERS', 'ID', 1, 'NUMBER', 'Order id.', 38, 0),
    col('RAW', 'ORDERS', 'CUSTOMER_ID', 2, 'NUMBER', null, 38, 0),
    col('RAW', 'ORDERS', 'STATUS', 4, 'TEXT', null, null, null, 20),
    col('RAW', 'ORDERS', 'CREATED_AT', 5, 'TIMESTAMP_NTZ'),
    col('RAW', 'CUSTOMERS', 'ID', 1, 'NUMBER', null, 38, 0),
    col('RAW', 'CUSTOMERS', 'NAME', 2, 'TEXT', 'Full name.', null, null, 16777216),
    col('RAW', 'CUSTOMERS', 'EMAIL', 3, 'TEXT', null, null, null, 320),
    col('STAGING', 'STG_ORDERS', 'ORDER_ID', 1, 'NUMBER', null, 38, 0),
    col('STAGING', 'STG_ORDERS', 'CUSTOMER_ID', 2, 'NUMBER', null, 38, 0),
    col('STAGING', 'STG_ORDERS', 'AMOUNT_USD', 3, 'NUMBER', 'Amount in dollars.', 17, 6),
    col('STAGING', 'STG_ORDERS', 'CREATED_AT', 4, 'TIMESTAMP_NTZ'),
    col('MARTS', 'CUSTOMER_REVENUE', 'CUSTOMER_ID', 1, 'NUMBER', null, 38, 0),
    col('MARTS', 'CUSTOMER_REVENUE', 'NAME', 2, 'TEXT'),
    col('MARTS', 'CUSTOMER_REVENUE', 'REVENUE', 3, 'NUMBER', null, 38, 6),
    col('MARTS', 'DAILY_REVENUE', 'DAY', 1, 'DATE'),
    col('MARTS', 'DAILY_REVENUE', 'REVENUE', 2, 'NUMBER', null, 38, 6),
    col('MARTS', 'VIP_CUSTOMERS', 'CUSTOMER_ID', 1, 'NUMBER', null, 38, 0),
    col('SCRATCH', 'TMP_EXPORT', 'X', 1, 'NUMBER', null, 38, 0),
  ],
};

const VIEWS: SnowflakeResult = {
  columns: [{ name: 'TABLE_CATALOG', type: T }, { name: 'TABLE_SCHEMA', type: T }, { name: 'TABLE_NAME', type: T }, { name: 'VIEW_DEFINITION', type: T }],
  rows: [
    // Snowflake keeps the whole CREATE statement as written; unqualified names resolve in the view's database.
    ['ANALYTICS', 'STAGING', 'STG_ORDERS', "create or replace view STG_ORDERS comment='Cleaned orders without test orders.' as\nselect id as order_id, customer_id, amount / 100 as amount_usd, created_at\nfrom raw.orders\nwhere status <> 'test';"],
    ['ANALYTICS', 'MARTS', 'CUSTOMER_REVENUE', 'CREATE VIEW ANALYTICS.MARTS.CUSTOMER_REVENUE AS\nSELECT c.id AS customer_id, c.name, SUM(o.amount_usd) AS revenue\nFROM analytics.staging.stg_orders o\nJOIN raw.customers c ON c.id = o.customer_id\nGROUP BY 1, 2'],
    // A secure view owned by another role: Snowflake hides its definition.
    ['ANALYTICS', 'MARTS', 'VIP_CUSTOMERS', null],
  ],
};

const AH_COLUMNS = [
  { name: 'QUERY_ID', type: T },
  { name: 'QUERY_START_TIME', type: T },
  { name: 'DIRECT_OBJECTS_ACCESSED', type: 'array' as const },
  { name: 'BASE_OBJECTS_ACCESSED', type: 'array' as const },
  { name: 'OBJECTS_MODIFIED', type: 'array' as const },
];

/** The nightly load of DAILY_REVENUE from the STG_ORDERS view (ACCESS_HISTORY's JSON shapes). */
export const NIGHTLY_LOAD: unknown[] = [
  '01b0a1f2-0000-1111-0000-000000000001',
  '2026-12-02T02:00:00.000Z',
  [{ objectDomain: 'View', objectId: 2051, objectName: 'ANALYTICS.STAGING.STG_ORDERS', columns: [{ columnId: 9, columnName: 'CREATED_AT' }, { columnId: 10, columnName: 'AMOUNT_USD' }] }],
  [{ objectDomain: 'Table', objectId: 2049, objectName: 'ANALYTICS.RAW.ORDERS', columns: [{ columnId: 5, columnName: 'CREATED_AT' }, { columnId: 3, columnName: 'AMOUNT' }] }],
  [
    {
      objectDomain: 'Table',
      objectId: 2060,
      objectName: 'ANALYTICS.MARTS.DAILY_REVENUE',
      columns: [
        { columnId: 21, columnName: 'DAY', directSources: [{ columnName: 'CREATED_AT', objectDomain: 'View', objectId: 2051, objectName: 'ANALYTICS.STAGING.STG_ORDERS' }], baseSources: [{ columnName: 'CREATED_AT', objectDomain: 'Table', objectId: 2049, objectName: 'ANALYTICS.RAW.ORDERS' }] },
        { columnId: 22, columnName: 'REVENUE', directSources: [{ columnName: 'AMOUNT_USD', objectDomain: 'View', objectId: 2051, objectName: 'ANALYTICS.STAGING.STG_ORDERS' }], baseSources: [{ columnName: 'AMOUNT', objectDomain: 'Table', objectId: 2049, objectName: 'ANALYTICS.RAW.ORDERS' }] },
      ],
    },
  ],
];

/** An unload to a stage: a modified object that is not a relation, so no edge. */
export const STAGE_UNLOAD: unknown[] = [
  '01b0a1f2-0000-1111-0000-000000000002',
  '2026-12-02T03:00:00.000Z',
  [{ objectDomain: 'Table', objectId: 2060, objectName: 'ANALYTICS.MARTS.DAILY_REVENUE', columns: [{ columnId: 21, columnName: 'DAY' }] }],
  [{ objectDomain: 'Table', objectId: 2060, objectName: 'ANALYTICS.MARTS.DAILY_REVENUE', columns: [{ columnId: 21, columnName: 'DAY' }] }],
  [{ objectDomain: 'Stage', objectId: 7, objectName: 'ANALYTICS.MARTS.EXPORT_STAGE', stageKind: 'Internal Named' }],
];

/** A later backfill of DAILY_REVENUE.REVENUE from the CUSTOMER_REVENUE view (read by the incremental run). */
export const LATER_SNAPSHOT: unknown[] = [
  '01b0a1f2-0000-1111-0000-000000000003',
  '2026-12-03T09:30:00.000Z',
  [{ objectDomain: 'View', objectId: 2052, objectName: 'ANALYTICS.MARTS.CUSTOMER_REVENUE', columns: [{ columnId: 13, columnName: 'REVENUE' }] }],
  [{ objectDomain: 'Table', objectId: 2049, objectName: 'ANALYTICS.RAW.ORDERS', columns: [{ columnId: 3, columnName: 'AMOUNT' }] }],
  [{ objectDomain: 'Table', objectId: 2061, objectName: 'ANALYTICS.MARTS.DAILY_REVENUE', columns: [{ columnId: 22, columnName: 'REVENUE', directSources: [{ columnName: 'REVENUE', objectDomain: 'View', objectId: 2052, objectName: 'ANALYTICS.MARTS.CUSTOMER_REVENUE' }] }] }],
];

/** Options of the canned warehouse: which ACCESS_HISTORY rows exist, or that the role may not read it. */
export interface WarehouseOptions {
  history?: unknown[][];
  historyDenied?: boolean;
}

/** The stand-in's answers for the warehouse. */
export function snowflakeWarehouse(options: WarehouseOptions = {}): SnowflakeAnswer {
  return (sql) => {
    if (/CURRENT_ACCOUNT\(\)/.test(sql)) return { columns: [{ name: 'ACCOUNT', type: T }, { name: 'ROLE', type: T }, { name: 'WAREHOUSE', type: T }, { name: 'VERSION', type: T }], rows: [['ACME', 'CATALOG_READER', 'COMPUTE_WH', '9.38.2']] };
    if (/^SHOW DATABASES/i.test(sql)) return { columns: [{ name: 'created_on', type: T }, { name: 'name', type: T }, { name: 'comment', type: T }], rows: [['2024-01-01', 'ANALYTICS', 'Curated data'], ['2024-01-01', 'SNOWFLAKE', null]] };
    if (/"ANALYTICS"\.INFORMATION_SCHEMA\.SCHEMATA/.test(sql)) return { columns: [{ name: 'CATALOG_NAME', type: T }, { name: 'SCHEMA_NAME', type: T }, { name: 'COMMENT', type: T }], rows: [['ANALYTICS', 'RAW', null], ['ANALYTICS', 'STAGING', null], ['ANALYTICS', 'MARTS', 'Marts'], ['ANALYTICS', 'SCRATCH', null]] };
    if (/"ANALYTICS"\.INFORMATION_SCHEMA\.TABLES/.test(sql)) return TABLES;
    // The cloud's pages restrict these to their relations (`pageFilter.ts`).
    const page = (result: SnowflakeResult): SnowflakeResult => ({ ...result, rows: restrictRows(sql, 'TABLE_SCHEMA', 'TABLE_NAME', result.rows, 1, 2) });
    if (/"ANALYTICS"\.INFORMATION_SCHEMA\.COLUMNS/.test(sql)) return page(COLUMNS);
    if (/"ANALYTICS"\.INFORMATION_SCHEMA\.VIEWS/.test(sql)) return page(VIEWS);
    if (/SNOWFLAKE\.ACCOUNT_USAGE\.ACCESS_HISTORY/.test(sql)) {
      if (options.historyDenied === true) return { error: { code: '002003', sqlState: '02000', message: "SQL compilation error:\nSchema 'SNOWFLAKE.ACCOUNT_USAGE' does not exist or not authorized." } };
      return { columns: AH_COLUMNS, rows: options.history ?? [] };
    }
    if (/INFORMATION_SCHEMA/.test(sql)) return { error: { code: '002003', sqlState: '02000', message: `SQL compilation error:\nDatabase does not exist or not authorized.` } };
    return { error: { code: '001003', sqlState: '42000', message: `SQL compilation error:\nsyntax error line 1 at position 0 unexpected '${sql.slice(0, 10)}'.` } };
  };
}
