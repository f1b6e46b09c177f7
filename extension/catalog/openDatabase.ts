import { randomUUID } from 'node:crypto';
import DatabaseConstructor from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import type { OpenOptions } from './catalogTypes';
import { CatalogError } from './catalogError';
import { migrate, readUserVersion, SCHEMA_VERSION } from './migrations';
import { getMeta, setMeta } from './metaTable';

/** Meta key holding this file's replica id for the sync outbox. */
export const REPLICA_ID_KEY = 'replicaId';

/**
 * Opens the catalog file with the settings the store relies on: WAL (readers never block the
 * writer), `synchronous=NORMAL` (durable at checkpoints, fast commits), foreign keys and a busy
 * timeout for the CLI and the extension sharing one file. Then migrates and ensures a replica id.
 */
export function openCatalogDatabase(file: string, options: OpenOptions): { db: Database; replicaId: string } {
  let db: Database;
  try {
    db = new DatabaseConstructor(file, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
  } catch (err) {
    throw new CatalogError('open-failed', `Cannot open catalog file ${file}: ${String(err)}`, { cause: err });
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = ${-1024 * Math.max(2, Math.trunc(options.cacheSizeMb ?? 32))}`);
    if (options.readonly === true) {
      return { db, replicaId: openReadonly(db, file) };
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // A cold scan writes hundreds of MB through the WAL; without a limit the WAL file keeps that size.
    db.pragma('journal_size_limit = 67108864');
    migrate(db);
    return { db, replicaId: ensureReplicaId(db) };
  } catch (err) {
    db.close();
    if (CatalogError.is(err)) throw err;
    // A file that is not a SQLite database fails on the first pragma that touches it.
    throw new CatalogError('open-failed', `Cannot open catalog file ${file}: ${String(err)}`, { cause: err });
  }
}

/**
 * The file's replica id, created on first open. Read again under the write lock: two processes
 * opening a new file at once must not each keep an id of their own (the later write would win in
 * the file while the other process tags its outbox rows with an id the file no longer has).
 */
function ensureReplicaId(db: Database): string {
  const existing = getMeta(db, REPLICA_ID_KEY);
  if (existing !== undefined) return existing;
  return db
    .transaction(() => {
      const current = getMeta(db, REPLICA_ID_KEY);
      if (current !== undefined) return current;
      const id = randomUUID();
      setMeta(db, REPLICA_ID_KEY, id);
      return id;
    })
    .immediate();
}

function openReadonly(db: Database, file: string): string {
  const version = readUserVersion(db);
  if (version !== SCHEMA_VERSION) {
    throw new CatalogError(
      version > SCHEMA_VERSION ? 'schema-too-new' : 'open-failed',
      `Catalog file ${file} has schema version ${version}; this Mallard reads version ${SCHEMA_VERSION}. Open it once read-write (or rescan) to migrate it.`,
    );
  }
  return getMeta(db, REPLICA_ID_KEY) ?? '';
}
