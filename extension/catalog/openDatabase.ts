import { randomUUID } from 'node:crypto';
import DatabaseConstructor from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import type { OpenOptions } from './catalogTypes';
import { CatalogError } from './catalogError';
import { corruptMessage, isCorruption, schemaTooNewMessage, schemaTooOldMessage } from './catalogProblem';
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
  // SQLite answers SQLITE_BUSY without calling the busy handler where waiting could deadlock (the
  // switch to WAL, a read transaction upgrading to write while another process migrates a fresh
  // file). Those races end within milliseconds, so the whole open is retried until the busy timeout.
  const deadline = Date.now() + Math.max(0, options.busyTimeoutMs ?? 5000);
  for (let attempt = 1; ; attempt++) {
    try {
      return openOnce(file, options);
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(200, 10 * attempt));
    }
  }
}

/** True for an open that failed on SQLITE_BUSY (another process holds the lock for a moment). */
function isBusy(err: unknown): boolean {
  const cause = err instanceof CatalogError ? (err as Error & { cause?: unknown }).cause : err;
  return typeof cause === 'object' && cause !== null && String((cause as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY');
}

function openOnce(file: string, options: OpenOptions): { db: Database; replicaId: string } {
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
    // Refused before anything is written, with the file's name (the migration re-checks under the lock).
    const version = readUserVersion(db);
    if (version > SCHEMA_VERSION) throw new CatalogError('schema-too-new', schemaTooNewMessage(file, version, SCHEMA_VERSION));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // A cold scan writes hundreds of MB through the WAL; without a limit the WAL file keeps that size.
    db.pragma('journal_size_limit = 67108864');
    migrate(db);
    return { db, replicaId: ensureReplicaId(db) };
  } catch (err) {
    db.close();
    if (CatalogError.is(err, 'schema-too-new')) throw new CatalogError('schema-too-new', schemaTooNewMessage(file, readVersionOf(file), SCHEMA_VERSION), { cause: err });
    if (CatalogError.is(err)) throw err;
    // A file that is not a SQLite database fails on the first pragma that touches it.
    if (isCorruption(err)) throw new CatalogError('corrupt', corruptMessage(file, (err as Error).message), { cause: err });
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
  if (version > SCHEMA_VERSION) throw new CatalogError('schema-too-new', schemaTooNewMessage(file, version, SCHEMA_VERSION));
  if (version < SCHEMA_VERSION) throw new CatalogError('schema-too-old', schemaTooOldMessage(file, version, SCHEMA_VERSION));
  return getMeta(db, REPLICA_ID_KEY) ?? '';
}

/** The schema version of a file, read on a connection of its own (for a message), or -1. */
function readVersionOf(file: string): number {
  try {
    const db = new DatabaseConstructor(file, { readonly: true, fileMustExist: true });
    try {
      return readUserVersion(db);
    } finally {
      db.close();
    }
  } catch {
    return -1;
  }
}
