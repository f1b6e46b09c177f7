import type { Database, Statement } from 'better-sqlite3';
import { CatalogError } from './catalogError';

/**
 * Prepared-statement cache per connection. Preparing costs more than running a small query, and
 * the store runs the same few dozen statements over and over.
 */
const caches = new WeakMap<Database, Map<string, Statement<unknown[], unknown>>>();

/** Returns a cached prepared statement for `sql` on `db`. */
export function prepared(db: Database, sql: string): Statement<unknown[], unknown> {
  let cache = caches.get(db);
  if (cache === undefined) {
    cache = new Map();
    caches.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (stmt === undefined) {
    stmt = db.prepare<unknown[], unknown>(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

/** Runs `fn` in an IMMEDIATE transaction (a savepoint when already inside one). */
export function inTransaction<T>(db: Database, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/** Parses a JSON column written by the store itself. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Reads a single integer from a `SELECT count(*) AS n` style statement. */
export function countOf(db: Database, sql: string, ...params: unknown[]): number {
  const row = prepared(db, sql).get(...params) as { n: number } | undefined;
  return row?.n ?? 0;
}

/** Turns SQLITE_BUSY (the busy timeout ran out) into `CatalogError('busy')`; other errors pass through. */
export function asBusyError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) {
    return new CatalogError('busy', 'The catalog file is locked by another Mallard process; try again.', { cause: err });
  }
  return err;
}

/**
 * Code-unit string order, the same as SQLite's BINARY collation. Much faster than
 * `localeCompare`, which dominated sorting closures of a few thousand nodes.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
