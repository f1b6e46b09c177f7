import type { Database } from 'better-sqlite3';
import type { Facts } from '../../core/model/entities';

/**
 * Helpers for the cold-scan path. Inserting 100k+ rows into B-trees keyed by random text is
 * dominated by page splits and cache misses, so the bulk load drops the secondary indexes, inserts
 * rows in primary-key order (appends), and rebuilds the indexes afterwards with one sort each.
 * All of it runs inside the caller's transaction: a failure restores the indexes too.
 */

const FACT_TABLES = ['entities', 'columns', 'model_edges', 'column_edges', 'unresolved', 'diagnostics'];

/** Drops the secondary indexes of the fact tables; returns the DDL to recreate them. */
export function dropFactIndexes(db: Database): string[] {
  const rows = db
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(FACT_TABLES)) as { name: string; sql: string }[];
  for (const row of rows) db.exec(`DROP INDEX "${row.name.replaceAll('"', '""')}"`);
  return rows.map((r) => r.sql);
}

/** Recreates indexes from their DDL. */
export function createIndexes(db: Database, ddl: readonly string[]): void {
  for (const sql of ddl) db.exec(sql);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Indexes of `items` in the primary-key order of their table: tuple order over `parts`, as SQLite
 * compares the key columns. Indexes rather than a sorted copy keyed by concatenated strings: on a
 * cold scan those keys alone were tens of MB of garbage, and callers report errors by original index.
 */
export function keyOrder<T>(items: readonly T[], ...parts: ((item: T) => string)[]): number[] {
  // Items are not validated yet: a malformed one sorts anywhere and fails validation when written.
  const keyOf = (part: (item: T) => string, item: T): string => {
    try {
      const v: unknown = part(item);
      return typeof v === 'string' ? v : '';
    } catch {
      return '';
    }
  };
  const order = items.map((_, i) => i);
  order.sort((x, y) => {
    const a = items[x] as T;
    const b = items[y] as T;
    for (const part of parts) {
      const c = compareStrings(keyOf(part, a), keyOf(part, b));
      if (c !== 0) return c;
    }
    return 0;
  });
  return order;
}
