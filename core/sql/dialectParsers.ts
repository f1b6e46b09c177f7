import { Parser as AthenaParser } from 'node-sql-parser/build/athena';
import { Parser as BigQueryParser } from 'node-sql-parser/build/bigquery';
import { Parser as Db2Parser } from 'node-sql-parser/build/db2';
import { Parser as FlinkParser } from 'node-sql-parser/build/flinksql';
import { Parser as HiveParser } from 'node-sql-parser/build/hive';
import { Parser as MariaDbParser } from 'node-sql-parser/build/mariadb';
import { Parser as MySqlParser } from 'node-sql-parser/build/mysql';
import { Parser as NoqlParser } from 'node-sql-parser/build/noql';
import { Parser as PostgresParser } from 'node-sql-parser/build/postgresql';
import { Parser as RedshiftParser } from 'node-sql-parser/build/redshift';
import { Parser as SnowflakeParser } from 'node-sql-parser/build/snowflake';
import { Parser as SqliteParser } from 'node-sql-parser/build/sqlite';
import { Parser as TsqlParser } from 'node-sql-parser/build/transactsql';
import { Parser as TrinoParser } from 'node-sql-parser/build/trino';
import type { Dialect } from '../pipeline/contracts';

/**
 * node-sql-parser grammars, one per dialect. The per-dialect builds are a fraction of the
 * all-dialect bundle; parser instances are created on first use.
 */
type ParserCtor = new () => { astify(sql: string, opt?: { database?: string; parseOptions?: { includeLocations?: boolean } }): unknown };

const CTORS: Record<Dialect, ParserCtor> = {
  athena: AthenaParser,
  bigquery: BigQueryParser,
  db2: Db2Parser,
  flinksql: FlinkParser,
  hive: HiveParser,
  mariadb: MariaDbParser,
  mysql: MySqlParser,
  noql: NoqlParser,
  postgresql: PostgresParser,
  redshift: RedshiftParser,
  snowflake: SnowflakeParser,
  sqlite: SqliteParser,
  transactsql: TsqlParser,
  trino: TrinoParser,
};

/**
 * Grammars tried in order for a dialect. node-sql-parser's grammars have different gaps (its Trino
 * grammar rejects scalar subqueries, its Hive grammar `::` casts), so a statement the dialect's own
 * grammar rejects is retried with close relatives before falling back to a table-level scan.
 */
export const GRAMMAR_CHAIN: Record<Dialect, Dialect[]> = {
  postgresql: ['postgresql', 'redshift', 'snowflake'],
  redshift: ['redshift', 'postgresql', 'snowflake'],
  snowflake: ['snowflake', 'postgresql', 'bigquery'],
  bigquery: ['bigquery', 'snowflake', 'postgresql'],
  mysql: ['mysql', 'mariadb', 'postgresql'],
  mariadb: ['mariadb', 'mysql', 'postgresql'],
  trino: ['trino', 'postgresql', 'snowflake'],
  athena: ['athena', 'trino', 'postgresql'],
  hive: ['hive', 'mysql', 'bigquery', 'postgresql'],
  flinksql: ['flinksql', 'hive', 'postgresql'],
  transactsql: ['transactsql', 'postgresql'],
  sqlite: ['sqlite', 'postgresql'],
  db2: ['db2', 'postgresql'],
  noql: ['noql', 'postgresql'],
};

const instances = new Map<Dialect, InstanceType<ParserCtor>>();

/** Parses one statement with one grammar; throws the parser's error unchanged. */
export function astify(sql: string, grammar: Dialect): unknown {
  let parser = instances.get(grammar);
  if (!parser) {
    parser = new CTORS[grammar]();
    instances.set(grammar, parser);
  }
  return parser.astify(sql, { database: grammar, parseOptions: { includeLocations: true } });
}
