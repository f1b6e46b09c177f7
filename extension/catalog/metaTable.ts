import type { Database } from 'better-sqlite3';
import { prepared } from './sqlUtil';

/** Meta key: the dialect the scanner guessed for plain SQL and why (JSON, or null when none was guessed). */
export const PLAIN_SQL_DIALECT_KEY = 'scanner.plainSqlDialect';

/** Reads a value from the key/value `meta` table. */
export function getMeta(db: Database, key: string): string | undefined {
  const row = prepared(db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

/** Writes a value to the key/value `meta` table. */
export function setMeta(db: Database, key: string, value: string): void {
  prepared(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}
