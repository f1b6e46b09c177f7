import type { Database } from 'better-sqlite3';
import { CatalogError } from './catalogError';

/** One schema step; `up` runs inside a transaction that also bumps `PRAGMA user_version`. */
export interface Migration {
  /** The `user_version` the file has after this step. Steps are numbered 1, 2, 3… */
  version: number;
  description: string;
  up(db: Database): void;
}

/**
 * Version 1. Design notes:
 * - Every fact row finds its owner through an index so a rescan deletes "everything owned by X"
 *   cheaply: entities own themselves, columns/model edges/column edges/unresolved refs are owned by
 *   their downstream (defining) entity, diagnostics by their file. Column edges need no owner
 *   column: the owner is the prefix of `to_col` (`<entityId>#…`), a range of the primary key.
 * - Edges have no foreign keys: a ref may point at an entity that is not (yet) in the catalog.
 * - `payload` keeps the full validated JSON of an entity or column so reads parse one string.
 * - `user_edits` is the overlay of user changes; it has no foreign key so it survives the entity
 *   being deleted and re-inserted by a rescan.
 * - `search_fts` is keyed by `entities.rowid` and rebuilt wholesale after a bulk load.
 */
const v1: Migration = {
  version: 1,
  description: 'catalog tables, files, parse cache, user edits, outbox, full-text search',
  up(db) {
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      CREATE TABLE entities (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        project TEXT NOT NULL,
        path TEXT NOT NULL,
        relation TEXT,
        payload TEXT NOT NULL
      );
      CREATE INDEX entities_name ON entities(name COLLATE NOCASE);
      CREATE INDEX entities_relation ON entities(relation COLLATE NOCASE) WHERE relation IS NOT NULL;
      CREATE INDEX entities_project_name ON entities(project, name, id);
      CREATE INDEX entities_kind ON entities(kind, project, name, id);
      CREATE INDEX entities_path ON entities(path);

      CREATE TABLE columns (
        id TEXT PRIMARY KEY,
        entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        payload TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX columns_entity ON columns(entity_id, position);

      CREATE TABLE model_edges (
        from_id TEXT NOT NULL,
        to_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        provenance TEXT NOT NULL,
        PRIMARY KEY (to_id, from_id, kind)
      ) WITHOUT ROWID;
      CREATE INDEX model_edges_from ON model_edges(from_id, to_id);

      CREATE TABLE column_edges (
        from_col TEXT NOT NULL,
        to_col TEXT NOT NULL,
        transform TEXT NOT NULL,
        provenance TEXT NOT NULL,
        PRIMARY KEY (to_col, from_col, transform)
      ) WITHOUT ROWID;
      CREATE INDEX column_edges_from ON column_edges(from_col, to_col);

      CREATE TABLE unresolved (
        rowid INTEGER PRIMARY KEY,
        owner TEXT NOT NULL,
        target TEXT NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE INDEX unresolved_owner ON unresolved(owner);
      CREATE INDEX unresolved_target ON unresolved(target);

      CREATE TABLE diagnostics (
        rowid INTEGER PRIMARY KEY,
        file TEXT NOT NULL,
        line INTEGER NOT NULL,
        col INTEGER NOT NULL,
        severity TEXT NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE INDEX diagnostics_file ON diagnostics(file, line, col);

      CREATE TABLE files (
        path TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        hash TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        last_author TEXT,
        last_commit_date TEXT
      ) WITHOUT ROWID;
      CREATE INDEX files_project ON files(project);

      CREATE TABLE parse_cache (
        path TEXT NOT NULL,
        cache_key TEXT NOT NULL,
        hash TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (path, cache_key)
      ) WITHOUT ROWID;

      CREATE TABLE user_edits (
        target_id TEXT PRIMARY KEY,
        target_kind TEXT NOT NULL CHECK (target_kind IN ('entity', 'column')),
        description TEXT,
        tags TEXT,
        meta TEXT,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE outbox (
        replica_id TEXT NOT NULL,
        op_number INTEGER NOT NULL,
        target_kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        patch TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (replica_id, op_number)
      ) WITHOUT ROWID;

      CREATE VIRTUAL TABLE search_fts USING fts5(
        name, description, columns, kind UNINDEXED, project UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
      );
    `);
  },
};

/**
 * Version 2: per-column term statistics of the search index, so fuzzy lookup can pick the rarest
 * words of a mistyped name as candidates instead of scanning every name.
 */
const v2: Migration = {
  version: 2,
  description: 'search vocabulary (fts5vocab) for fuzzy lookup',
  up(db) {
    db.exec(`CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'col')`);
  },
};

/** All schema steps in order. Append new steps; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [v1, v2];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the file to `SCHEMA_VERSION`, one transaction per step so a failing step leaves the file at
 * the previous good version. A file newer than this code is refused before anything is written.
 *
 * Two processes may open a new file at the same moment (the CLI and the VS Code scan worker). Each
 * step therefore reads the version again under the write lock (`BEGIN IMMEDIATE`) and is skipped when
 * another connection applied it meanwhile; the version read before taking the lock only decides
 * whether any step is needed at all.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const target = migrations.length;
  const checkNotNewer = (current: number): void => {
    if (current > target) throw schemaTooNew(current, target);
  };
  const before = readUserVersion(db);
  checkNotNewer(before);
  if (before === target) return target;
  for (const step of migrations) {
    const run = db.transaction(() => {
      const current = readUserVersion(db);
      checkNotNewer(current);
      if (current >= step.version) return;
      step.up(db);
      db.pragma(`user_version = ${step.version}`);
    });
    try {
      run.immediate();
    } catch (err) {
      if (CatalogError.is(err)) throw err;
      throw new CatalogError('migration-failed', `Catalog migration to version ${step.version} (${step.description}) failed: ${String(err)}`, { cause: err });
    }
  }
  return target;
}

/** The error for a file written by a newer Mallard; the message says what to do (see `catalogProblem.ts`). */
function schemaTooNew(current: number, known: number): CatalogError {
  return new CatalogError(
    'schema-too-new',
    `The catalog file has schema version ${current}, but this Mallard knows only up to ${known}: it was written by a newer Mallard. Update Mallard to read it.`,
  );
}

/** Reads `PRAGMA user_version`. */
export function readUserVersion(db: Database): number {
  const value = db.pragma('user_version', { simple: true });
  return typeof value === 'number' ? value : 0;
}
