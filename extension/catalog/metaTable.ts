import type { Database } from 'better-sqlite3';
import { prepared } from './sqlUtil';

/** Reads a value from the key/value `meta` table. */
export function getMeta(db: Database, key: string): string | undefined {
  const row = prepared(db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

/** Writes a value to the key/value `meta` table. */
export function setMeta(db: Database, key: string, value: string): void {
  prepared(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}
