import DatabaseConstructor from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { SCHEMA_VERSION } from './migrations';

/**
 * Checks a catalog file without opening it as a store (which would migrate it or refuse it) and
 * without writing to it: SQLite's integrity check, the schema version, foreign keys, and whether the
 * full-text index matches the entities. It also reads the user's edits (the overlay and the outbox
 * of changes not yet synced) from whatever schema the file has, so they can be saved before the file
 * is moved aside and rebuilt. Used by `mallard doctor`.
 */

/** One finding. `problem` means the file should be rebuilt; `warning` needs an action but no rebuild. */
export interface DoctorCheck {
  check: 'file' | 'integrity' | 'schema version' | 'foreign keys' | 'search index' | 'user edits';
  status: 'ok' | 'warning' | 'problem';
  detail: string;
}

/** What `examineCatalog` found. */
export interface DoctorReport {
  file: string;
  checks: DoctorCheck[];
  schemaVersion?: number;
  /** Rows in `user_edits` and `outbox`, when they could be counted. */
  userEdits?: number;
  pendingChanges?: number;
  /** True when no check found a problem (warnings allowed). */
  healthy: boolean;
}

/** The user's edits as read from a catalog file (see `readUserEdits`). */
export interface EditsExport {
  format: 'mallard-user-edits';
  formatVersion: 1;
  exportedAt: string;
  catalog: string;
  schemaVersion?: number;
  replicaId?: string;
  /** Overlay rows (`user_edits`), columns camel-cased, JSON columns parsed. */
  userEdits: Record<string, unknown>[];
  /** Changes not yet synced (`outbox`), oldest first. */
  outbox: Record<string, unknown>[];
  /** What could not be read (a damaged table), so nobody believes the export is complete when it is not. */
  errors: string[];
}

function openRaw(file: string): Database {
  return new DatabaseConstructor(file, { readonly: true, fileMustExist: true });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function hasTable(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE name = ? AND type = 'table'").get(name) !== undefined;
}

function checkSchema(db: Database): { check: DoctorCheck; version: number } {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version === SCHEMA_VERSION) return { version, check: { check: 'schema version', status: 'ok', detail: `version ${version}` } };
  if (version > SCHEMA_VERSION) return { version, check: { check: 'schema version', status: 'warning', detail: `version ${version} is newer than this Mallard (${SCHEMA_VERSION}): update Mallard to use the file` } };
  return { version, check: { check: 'schema version', status: 'warning', detail: `version ${version} is older than this Mallard (${SCHEMA_VERSION}): the next scan upgrades it` } };
}

function checkIntegrity(db: Database): DoctorCheck {
  const rows = db.pragma('integrity_check(20)', { simple: false }) as { integrity_check: string }[];
  const lines = rows.map((r) => r.integrity_check.replace(/\s+/g, ' ').trim());
  if (lines.length === 1 && lines[0] === 'ok') return { check: 'integrity', status: 'ok', detail: 'PRAGMA integrity_check: ok' };
  return { check: 'integrity', status: 'problem', detail: `PRAGMA integrity_check: ${lines.slice(0, 5).join('; ')}${lines.length > 5 ? '; …' : ''}` };
}

function checkForeignKeys(db: Database): DoctorCheck {
  const rows = db.pragma('foreign_key_check', { simple: false }) as { table: string; parent: string }[];
  if (rows.length === 0) return { check: 'foreign keys', status: 'ok', detail: 'PRAGMA foreign_key_check: no violations' };
  const byTable = new Map<string, number>();
  for (const r of rows) byTable.set(`${r.table} → ${r.parent}`, (byTable.get(`${r.table} → ${r.parent}`) ?? 0) + 1);
  return { check: 'foreign keys', status: 'problem', detail: `${rows.length} rows point at missing rows (${[...byTable].map(([k, n]) => `${k}: ${n}`).join(', ')})` };
}

function checkSearchIndex(db: Database): DoctorCheck {
  if (!hasTable(db, 'search_fts') || !hasTable(db, 'entities')) return { check: 'search index', status: 'problem', detail: 'the entities or search_fts table is missing' };
  const missing = Number(db.prepare('SELECT count(*) FROM entities WHERE rowid NOT IN (SELECT rowid FROM search_fts)').pluck().get());
  const orphans = Number(db.prepare('SELECT count(*) FROM search_fts WHERE rowid NOT IN (SELECT rowid FROM entities)').pluck().get());
  if (missing === 0 && orphans === 0) return { check: 'search index', status: 'ok', detail: 'every entity is indexed once' };
  return { check: 'search index', status: 'problem', detail: `${missing} entities are not in the search index, ${orphans} index rows have no entity` };
}

/** Counts the overlay and outbox rows. */
function checkEdits(db: Database): { check: DoctorCheck; edits?: number; pending?: number } {
  if (!hasTable(db, 'user_edits') || !hasTable(db, 'outbox')) return { check: { check: 'user edits', status: 'warning', detail: 'no user_edits/outbox tables (nothing to keep)' } };
  const edits = Number(db.prepare('SELECT count(*) FROM user_edits').pluck().get());
  const pending = Number(db.prepare('SELECT count(*) FROM outbox').pluck().get());
  return { edits, pending, check: { check: 'user edits', status: 'ok', detail: `${edits} ${edits === 1 ? 'edit' : 'edits'} in the overlay, ${pending} ${pending === 1 ? 'change' : 'changes'} not yet synced` } };
}

/** Runs every check on `file`; never throws for a damaged file (that is a finding). */
export function examineCatalog(file: string): DoctorReport {
  const report: DoctorReport = { file, checks: [], healthy: false };
  let db: Database;
  try {
    db = openRaw(file);
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    report.checks.push({ check: 'file', status: 'problem', detail: `not a readable SQLite database: ${message(err)}` });
    return report;
  }
  try {
    report.checks.push({ check: 'file', status: 'ok', detail: 'a SQLite database' });
    const steps: (() => void)[] = [
      () => report.checks.push(checkIntegrity(db)),
      () => {
        const s = checkSchema(db);
        report.schemaVersion = s.version;
        report.checks.push(s.check);
      },
      () => report.checks.push(checkForeignKeys(db)),
      () => report.checks.push(checkSearchIndex(db)),
      () => {
        const e = checkEdits(db);
        if (e.edits !== undefined) report.userEdits = e.edits;
        if (e.pending !== undefined) report.pendingChanges = e.pending;
        report.checks.push(e.check);
      },
    ];
    const names: DoctorCheck['check'][] = ['integrity', 'schema version', 'foreign keys', 'search index', 'user edits'];
    steps.forEach((step, i) => {
      try {
        step();
      } catch (err) {
        report.checks.push({ check: names[i] ?? 'file', status: 'problem', detail: `could not be checked: ${message(err)}` });
      }
    });
  } finally {
    db.close();
  }
  report.healthy = report.checks.every((c) => c.status !== 'problem');
  return report;
}

const JSON_COLUMNS = new Set(['tags', 'meta', 'patch']);

/** A row with camel-cased keys and its JSON columns parsed (left as text when they do not parse). */
function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    let v = value;
    if (JSON_COLUMNS.has(key) && typeof value === 'string') {
      try {
        v = JSON.parse(value) as unknown;
      } catch {
        v = value;
      }
    }
    out[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  }
  return out;
}

/** Reads as many rows of a table as can be read; a damaged page ends the read with an error noted. */
function readRows(db: Database, sql: string, table: string, errors: string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  try {
    for (const row of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>) out.push(plainRow(row));
  } catch (err) {
    errors.push(`${table}: ${message(err)}${out.length > 0 ? ` (after ${out.length} rows)` : ''}`);
  }
  return out;
}

/** Reads the user's edits and unsent changes from `file`, whatever its schema version. */
export function readUserEdits(file: string, now = new Date()): EditsExport {
  const result: EditsExport = { format: 'mallard-user-edits', formatVersion: 1, exportedAt: now.toISOString(), catalog: file, userEdits: [], outbox: [], errors: [] };
  let db: Database;
  try {
    db = openRaw(file);
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    result.errors.push(`catalog: ${message(err)}`);
    return result;
  }
  try {
    try {
      result.schemaVersion = Number(db.pragma('user_version', { simple: true }));
      if (hasTable(db, 'meta')) {
        const replica = db.prepare("SELECT value FROM meta WHERE key = 'replicaId'").pluck().get();
        if (typeof replica === 'string') result.replicaId = replica;
      }
    } catch (err) {
      result.errors.push(`meta: ${message(err)}`);
    }
    // No ORDER BY naming columns: a newer schema may have renamed them. Both tables are WITHOUT
    // ROWID, so a plain scan returns them in primary-key order (target id; replica, op number).
    for (const [table, target] of [['user_edits', result.userEdits], ['outbox', result.outbox]] as const) {
      try {
        if (hasTable(db, table)) target.push(...readRows(db, `SELECT * FROM ${table}`, table, result.errors));
      } catch (err) {
        result.errors.push(`${table}: ${message(err)}`);
      }
    }
  } finally {
    db.close();
  }
  return result;
}
