import type { Database } from 'better-sqlite3';
import type { FileRecord } from './catalogTypes';
import { CatalogError } from './catalogError';
import { inTransaction, prepared } from './sqlUtil';

interface FileRow {
  path: string;
  project: string;
  hash: string;
  size: number;
  mtime_ms: number;
  last_author: string | null;
  last_commit_date: string | null;
}

function toRecord(row: FileRow): FileRecord {
  const record: FileRecord = { path: row.path, project: row.project, hash: row.hash, size: row.size, mtimeMs: row.mtime_ms };
  if (row.last_author !== null) record.lastAuthor = row.last_author;
  if (row.last_commit_date !== null) record.lastCommitDate = row.last_commit_date;
  return record;
}

/** Inserts or updates file records in one transaction. */
export function upsertFiles(db: Database, records: readonly FileRecord[]): void {
  const stmt = prepared(
    db,
    `INSERT INTO files (path, project, hash, size, mtime_ms, last_author, last_commit_date) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(path) DO UPDATE SET project = excluded.project, hash = excluded.hash, size = excluded.size,
       mtime_ms = excluded.mtime_ms, last_author = excluded.last_author, last_commit_date = excluded.last_commit_date`,
  );
  inTransaction(db, () => {
    for (const r of records) {
      stmt.run(r.path, r.project, r.hash, r.size, r.mtimeMs, r.lastAuthor ?? null, r.lastCommitDate ?? null);
    }
  });
}

/** The record of one file, or undefined. */
export function getFile(db: Database, path: string): FileRecord | undefined {
  const row = prepared(db, 'SELECT * FROM files WHERE path = ?').get(path) as FileRow | undefined;
  return row === undefined ? undefined : toRecord(row);
}

/** All files (of one project), ordered by path. */
export function listFiles(db: Database, project?: string): FileRecord[] {
  const rows = (
    project === undefined
      ? prepared(db, 'SELECT * FROM files ORDER BY path').all()
      : prepared(db, 'SELECT * FROM files WHERE project = ? ORDER BY path').all(project)
  ) as FileRow[];
  return rows.map(toRecord);
}

/**
 * Cached parse result. The cache holds one entry per (path, cacheKey); it is a hit only when the
 * stored content hash equals `hash`, so an edited file is re-parsed and a stale entry never served.
 */
export function getParseCache(db: Database, path: string, hash: string, cacheKey: string): unknown {
  const row = prepared(db, 'SELECT value FROM parse_cache WHERE path = ? AND cache_key = ? AND hash = ?').get(path, cacheKey, hash) as
    | { value: string }
    | undefined;
  return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
}

/** Stores a parse result, replacing the entry for an older hash of the same file. */
export function putParseCache(db: Database, path: string, hash: string, cacheKey: string, value: unknown): void {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) throw new CatalogError('invalid-input', `Parse cache value for ${path} is not JSON-serializable.`);
  prepared(
    db,
    `INSERT INTO parse_cache (path, cache_key, hash, value) VALUES (?, ?, ?, ?)
     ON CONFLICT(path, cache_key) DO UPDATE SET hash = excluded.hash, value = excluded.value`,
  ).run(path, cacheKey, hash, json);
}

/**
 * Stores the value cached for (path, fromHash, fromKey) also under (path, toHash, toKey), without
 * reading it into memory; with `inputs`, the copy's top-level `inputs` field is set to it (the same
 * key may be its own target). Returns false when there is no such entry.
 */
export function copyParseCache(db: Database, path: string, from: { hash: string; cacheKey: string }, to: { hash: string; cacheKey: string }, inputs?: string): boolean {
  const value = inputs === undefined ? 'value' : "json_set(value, '$.inputs', ?)";
  const info = prepared(
    db,
    `INSERT INTO parse_cache (path, cache_key, hash, value)
       SELECT path, ?, ?, ${value} FROM parse_cache WHERE path = ? AND cache_key = ? AND hash = ?
     ON CONFLICT(path, cache_key) DO UPDATE SET hash = excluded.hash, value = excluded.value`,
  ).run(...[to.cacheKey, to.hash, ...(inputs === undefined ? [] : [inputs]), path, from.cacheKey, from.hash]);
  return info.changes > 0;
}

/** Drops the whole parse cache, or the entries of one cache key. */
export function deleteParseCache(db: Database, cacheKey?: string): void {
  if (cacheKey === undefined) prepared(db, 'DELETE FROM parse_cache').run();
  else prepared(db, 'DELETE FROM parse_cache WHERE cache_key = ?').run(cacheKey);
}
