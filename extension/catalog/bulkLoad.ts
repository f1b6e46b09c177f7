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

function byKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const keyed = items.map((item) => ({ k: key(item), item }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.item);
}

/** Facts reordered by the primary keys of their tables, so inserts append to the B-trees. */
export function inKeyOrder(facts: Facts): Facts {
  return {
    ...facts,
    entities: byKey(facts.entities, (e) => e.id),
    columns: byKey(facts.columns, (c) => c.id),
    modelEdges: byKey(facts.modelEdges, (m) => `${m.to}\u0000${m.from}\u0000${m.kind}`),
    columnEdges: byKey(facts.columnEdges, (c) => `${c.to}\u0000${c.from}\u0000${c.transform}`),
  };
}
