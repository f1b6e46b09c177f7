import type { Dialect } from '../pipeline/contracts';

const BY_ADAPTER: Record<string, Dialect> = {
  postgres: 'postgresql', redshift: 'redshift', snowflake: 'snowflake', bigquery: 'bigquery', mysql: 'mysql',
  trino: 'trino', athena: 'athena', spark: 'hive', databricks: 'hive', sqlserver: 'transactsql', fabric: 'transactsql',
  synapse: 'transactsql', duckdb: 'postgresql', sqlite: 'sqlite', mariadb: 'mariadb', materialize: 'postgresql', db2: 'db2',
};

/** SQL dialect (node-sql-parser name) for a dbt adapter type; unknown adapters parse as PostgreSQL. */
export function dialectFor(adapterType: string): Dialect {
  return BY_ADAPTER[adapterType.toLowerCase()] ?? 'postgresql';
}
