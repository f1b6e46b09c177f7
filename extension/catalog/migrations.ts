import type { Database } from 'better-sqlite3';
import { CatalogError } from './catalogError';
import { governanceStep } from '../governance/governanceSchema';

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

/**
 * Version 3: the outbox holds ops in the sync contract's shape (`core/sync/ops.ts`): an action, the
 * row's version vector before the change (`base_vector`) and the wire schema version; `row_vectors`
 * keeps each synced row's local version vector. Ops written before hold the local edit shape
 * (`{description, tags, meta: {key: value}}`); they are rewritten as field patches (`meta.<key>`)
 * and given the vectors they would have had: this replica's earlier ops on the same row, in op
 * order, so no two ops of a row share a change number (the server would drop the second as a
 * duplicate). The conversion is spelled out here, not shared with `outbox.ts`, so this released step
 * never changes meaning.
 */
const v3: Migration = {
  version: 3,
  description: 'sync contract outbox (action, base vector, schema version) and row vectors',
  up(db) {
    db.exec(`
      ALTER TABLE outbox ADD COLUMN action TEXT NOT NULL DEFAULT 'patch';
      ALTER TABLE outbox ADD COLUMN base_vector TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE outbox ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 1;
      CREATE TABLE row_vectors (
        target_kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        vector TEXT NOT NULL,
        PRIMARY KEY (target_kind, target_id)
      ) WITHOUT ROWID;
    `);
    const rows = db.prepare('SELECT replica_id, op_number, target_kind, target_id, patch FROM outbox ORDER BY replica_id, op_number').all() as {
      replica_id: string;
      op_number: number;
      target_kind: string;
      target_id: string;
      patch: string;
    }[];
    const update = db.prepare('UPDATE outbox SET patch = ?, base_vector = ? WHERE replica_id = ? AND op_number = ?');
    const vectors = new Map<string, Record<string, number>>();
    for (const row of rows) {
      const key = `${row.target_kind}\u0000${row.target_id}`;
      const vector = vectors.get(key) ?? {};
      const old = JSON.parse(row.patch) as { description?: unknown; tags?: unknown; meta?: Record<string, unknown> };
      const patch: Record<string, unknown> = {};
      if (old.description !== undefined) patch.description = old.description;
      if (Array.isArray(old.tags)) patch.tags = [...new Set(old.tags)].sort();
      for (const [k, v] of Object.entries(old.meta ?? {})) patch[`meta.${k}`] = v ?? null;
      update.run(JSON.stringify(patch), JSON.stringify(vector), row.replica_id, row.op_number);
      vectors.set(key, { ...vector, [row.replica_id]: (vector[row.replica_id] ?? 0) + 1 });
    }
    const insert = db.prepare('INSERT INTO row_vectors (target_kind, target_id, vector) VALUES (?, ?, ?)');
    for (const [key, vector] of vectors) {
      const [kind, id] = key.split('\u0000') as [string, string];
      insert.run(kind, id, JSON.stringify(vector));
    }
  },
};

/**
 * Version 4: the local side of team sync (`sync/replicaTables.ts`, written by
 * `sqliteSyncTables.ts`). `sync_rows` mirrors the server's rows (user-authored metadata of entities
 * and columns, and the read-only org catalog) with their vectors, the view reads show while local
 * ops are pending, the resync generation and the row's checksum digest split in two unsigned 32-bit
 * halves (SQLite sums them without overflow). It is a rowid table: rows of ~1 KB would each spill
 * into overflow pages in a WITHOUT ROWID table (measured: 4.7 KB of file per 1.1 KB row). `sync_unconfirmed` keeps ops the server applied until
 * a pull confirms them; `sync_records` the conflicts and losers; `sync_rejections` refused ops. The
 * outbox gains `resolves` (conflict ids a resolving op settles) and an index by target.
 */
const v4: Migration = {
  version: 4,
  description: 'team sync: pulled rows, unconfirmed ops, conflicts, losers, rejections',
  up(db) {
    db.exec(`
      CREATE TABLE sync_rows (
        rowid INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        team_id TEXT,
        fields TEXT NOT NULL,
        provenance TEXT NOT NULL,
        vector TEXT NOT NULL,
        deleted TEXT,
        view TEXT,
        generation INTEGER NOT NULL DEFAULT 0,
        digest_hi INTEGER NOT NULL,
        digest_lo INTEGER NOT NULL,
        UNIQUE (kind, id)
      );
      CREATE INDEX sync_rows_team ON sync_rows(team_id, generation);

      CREATE TABLE sync_unconfirmed (
        rowid INTEGER PRIMARY KEY,
        replica_id TEXT NOT NULL,
        op_number INTEGER NOT NULL,
        target_kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        op TEXT NOT NULL,
        txid TEXT,
        UNIQUE (replica_id, op_number)
      );
      CREATE INDEX sync_unconfirmed_target ON sync_unconfirmed(target_kind, target_id);

      CREATE TABLE sync_records (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL CHECK (type IN ('conflict', 'loser')),
        target_kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        open INTEGER NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE INDEX sync_records_target ON sync_records(target_kind, target_id);

      CREATE TABLE sync_rejections (
        rowid INTEGER PRIMARY KEY,
        replica_id TEXT NOT NULL,
        op_number INTEGER NOT NULL,
        payload TEXT NOT NULL,
        UNIQUE (replica_id, op_number)
      );

      ALTER TABLE outbox ADD COLUMN resolves TEXT;
      CREATE INDEX outbox_target ON outbox(target_kind, target_id);
    `);
  },
};

/**
 * Version 5: the org catalog in the Catalog tree (`orgCatalogList.ts`) lists pulled `catalogEntity`
 * rows by the payload's project, kind and name; a partial expression index over the live ones keeps
 * that an index range instead of parsing every row's JSON.
 */
const v5: Migration = {
  version: 5,
  description: 'index of org catalog entities by project, kind and name',
  up(db) {
    db.exec(`
      CREATE INDEX sync_rows_org_entity ON sync_rows(
        json_extract(fields, '$.payload.project'), json_extract(fields, '$.payload.kind'), json_extract(fields, '$.payload.name'))
        WHERE kind = 'catalogEntity' AND deleted IS NULL;
    `);
  },
};

/** Version 6: governance state (issue 16), see `extension/governance/governanceSchema.ts`. */
const v6: Migration = { version: 6, ...governanceStep };

/** All schema steps in order. Append new steps; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [v1, v2, v3, v4, v5, v6];

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
