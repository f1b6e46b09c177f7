import type { Database } from 'better-sqlite3';
import type { ColumnEdge } from '../../core/model/entities';
import { classifyColumn } from '../../core/governance/classify';
import { propagateClasses, type PropagatedClass } from '../../core/governance/propagate';
import { SAMPLED_CLASSES_META, type SampledClass } from '../../core/connectors/postgresSampling';
import type { CatalogStore } from '../catalog/catalogStore';
import { CatalogError } from '../catalog/catalogError';
import { appendOp } from '../catalog/outbox';
import { SqliteSyncTables } from '../catalog/sqliteSyncTables';
import { inTransaction, parseJson, prepared } from '../catalog/sqlUtil';
import { ReplicaStore } from '../../sync/replicaStore';

/**
 * Classification of a local catalog (issue 16): rule suggestions per column, kept with their review
 * status in `classification_suggestions` (schema step 6); accepting one, or tagging a column by
 * hand, sets the column's `classification` — locally in `column_classes` and, in the same
 * transaction, as an outbox op on the synced `classification` field, so it reaches the team like
 * any other metadata edit. A rejected suggestion is remembered and never suggested again. Node-only
 * (better-sqlite3); the extension and the CLI share it.
 */

/** A key as the synced field accepts it (`core/sync/rowKinds.ts`). */
const KEY = /^[a-z][a-z0-9_.-]{0,60}$/;

/** One suggestion as the review list shows it. */
export interface StoredSuggestion {
  columnId: string;
  key: string;
  confidence: number;
  source: 'rules' | 'ai';
  reason: string;
  status: 'open' | 'accepted' | 'rejected';
}

interface SuggestionRow {
  column_id: string;
  key: string;
  confidence: number;
  source: 'rules' | 'ai';
  reason: string;
  status: 'open' | 'accepted' | 'rejected';
}

const toSuggestion = (r: SuggestionRow): StoredSuggestion => ({ columnId: r.column_id, key: r.key, confidence: r.confidence, source: r.source, reason: r.reason, status: r.status });

interface ColumnRow {
  id: string;
  payload: string;
}

/** Every column of the catalog with its name and declared type (extracted values; classification reads no overlay). */
function allColumns(db: Database): { id: string; name: string; type?: string; sampled: SampledClass[] }[] {
  const rows = prepared(db, 'SELECT id, payload FROM columns').all() as ColumnRow[];
  return rows.map((r) => {
    const c = parseJson<{ name: string; type?: string; meta?: Record<string, unknown> }>(r.payload);
    return { id: r.id, name: c.name, ...(typeof c.type === 'string' && c.type !== '' ? { type: c.type } : {}), sampled: sampledClassesOf(c.meta) };
  });
}

/** Classes a connector found in the column's sampled values (`postgresSampling.ts`), well-formed ones only. */
function sampledClassesOf(meta: Record<string, unknown> | undefined): SampledClass[] {
  const list = meta?.[SAMPLED_CLASSES_META];
  if (!Array.isArray(list)) return [];
  return list.filter((s): s is SampledClass => {
    const v = s as Partial<SampledClass> | null;
    return typeof v?.key === 'string' && KEY.test(v.key) && typeof v.confidence === 'number' && v.confidence >= 0 && v.confidence <= 1 && typeof v.reason === 'string';
  });
}

/** The rules' suggestions for a column, with what its sampled values showed taking precedence per key. */
function suggestionsFor(column: { name: string; type?: string; sampled: SampledClass[] }): SampledClass[] {
  const byKey = new Map<string, SampledClass>();
  for (const s of classifyColumn(column)) byKey.set(s.key, s);
  for (const s of column.sampled) if ((byKey.get(s.key)?.confidence ?? -1) <= s.confidence) byKey.set(s.key, s);
  return [...byKey.values()];
}

/**
 * Runs the rules over every column and stores what they suggest: new suggestions open, open ones
 * updated, open rule suggestions the rules no longer make (the column was renamed or removed)
 * deleted. Accepted and rejected rows are never touched. Returns the number of open suggestions.
 */
export function refreshRuleSuggestions(store: CatalogStore, now = new Date()): number {
  const db = store.db;
  return inTransaction(db, () => {
    const made = new Set<string>();
    const upsert = prepared(
      db,
      `INSERT INTO classification_suggestions (column_id, key, confidence, source, reason, status, updated_at) VALUES (?, ?, ?, 'rules', ?, 'open', ?)
       ON CONFLICT(column_id, key) DO UPDATE SET confidence = excluded.confidence, reason = excluded.reason, updated_at = excluded.updated_at
       WHERE classification_suggestions.status = 'open' AND classification_suggestions.source = 'rules'`,
    );
    for (const column of allColumns(db)) {
      for (const s of suggestionsFor(column)) {
        made.add(`${column.id}\u0000${s.key}`);
        upsert.run(column.id, s.key, s.confidence, s.reason, now.toISOString());
      }
    }
    const open = prepared(db, "SELECT column_id, key FROM classification_suggestions WHERE status = 'open' AND source = 'rules'").all() as { column_id: string; key: string }[];
    const drop = prepared(db, 'DELETE FROM classification_suggestions WHERE column_id = ? AND key = ?');
    for (const o of open) if (!made.has(`${o.column_id}\u0000${o.key}`)) drop.run(o.column_id, o.key);
    return Number(prepared(db, "SELECT count(*) FROM classification_suggestions WHERE status = 'open'").pluck().get());
  });
}

/** Adds suggestions from another source (the AI); a key already reviewed for the column is skipped. Returns how many were added. */
export function addSuggestions(store: CatalogStore, list: readonly Omit<StoredSuggestion, 'status'>[], now = new Date()): number {
  const db = store.db;
  return inTransaction(db, () => {
    let added = 0;
    const exists = prepared(db, 'SELECT 1 FROM columns WHERE id = ?').pluck();
    const insert = prepared(
      db,
      `INSERT INTO classification_suggestions (column_id, key, confidence, source, reason, status, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?)
       ON CONFLICT(column_id, key) DO NOTHING`,
    );
    for (const s of list) {
      if (!KEY.test(s.key) || exists.get(s.columnId) === undefined) continue;
      added += insert.run(s.columnId, s.key, Math.max(0, Math.min(1, s.confidence)), s.source, s.reason, now.toISOString()).changes;
    }
    return added;
  });
}

/** The effective classification of every classified column: the synced value when the column has a synced row holding one, else the local one. */
export function classesOf(store: CatalogStore): Map<string, string> {
  const db = store.db;
  const out = new Map<string, string>();
  for (const r of prepared(db, 'SELECT column_id, key FROM column_classes').all() as { column_id: string; key: string | null }[]) {
    if (r.key !== null) out.set(r.column_id, r.key);
  }
  const synced = prepared(db, "SELECT id, coalesce(view, fields) AS f FROM sync_rows WHERE kind = 'column' AND deleted IS NULL").all() as { id: string; f: string }[];
  for (const r of synced) {
    const value = parseJson<Record<string, unknown>>(r.f).classification;
    if (typeof value === 'string') out.set(r.id, value);
    else if (value === null) out.delete(r.id);
  }
  return out;
}

/** The classification of one column, or undefined. */
export function classOf(store: CatalogStore, columnId: string): string | undefined {
  const synced = store.syncedMetadata({ columnId });
  if (synced !== undefined && 'classification' in synced) return typeof synced.classification === 'string' ? synced.classification : undefined;
  const key = prepared(store.db, 'SELECT key FROM column_classes WHERE column_id = ?').pluck().get(columnId) as string | null | undefined;
  return key ?? undefined;
}

/**
 * Sets (or, with `null`, clears) a column's classification: the local value and an outbox op on the
 * synced `classification` field, in one transaction. Suggestions of other keys for the column stay
 * as they are; a suggestion of this key is marked accepted.
 */
export function setClassification(store: CatalogStore, columnId: string, key: string | null, source: 'manual' | 'rules' | 'ai' = 'manual', now = new Date()): void {
  if (key !== null && !KEY.test(key)) throw new CatalogError('invalid-input', `Invalid classification '${key}': a classification is a lower-case key like pii.email.`);
  const db = store.db;
  inTransaction(db, () => {
    if (prepared(db, 'SELECT 1 FROM columns WHERE id = ?').pluck().get(columnId) === undefined) {
      throw new CatalogError('not-found', `No column with id ${columnId} in the catalog.`);
    }
    prepared(db, `INSERT INTO column_classes (column_id, key, source, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(column_id) DO UPDATE SET key = excluded.key, source = excluded.source, updated_at = excluded.updated_at`).run(columnId, key, source, now.toISOString());
    if (key !== null) prepared(db, "UPDATE classification_suggestions SET status = 'accepted', updated_at = ? WHERE column_id = ? AND key = ?").run(now.toISOString(), columnId, key);
    const target = { kind: 'column', id: columnId };
    appendOp(db, store.replicaId, target, { action: 'patch', patch: { classification: key } }, now);
    new ReplicaStore(new SqliteSyncTables(db)).refreshView(target);
  });
}

/** Accepts a suggestion: the column gets its key (see `setClassification`). */
export function acceptSuggestion(store: CatalogStore, columnId: string, key: string): void {
  const row = prepared(store.db, 'SELECT * FROM classification_suggestions WHERE column_id = ? AND key = ?').get(columnId, key) as SuggestionRow | undefined;
  if (row === undefined) throw new CatalogError('not-found', `No suggestion of ${key} for ${columnId}.`);
  setClassification(store, columnId, key, row.source);
}

/** Rejects a suggestion; it stays rejected through later refreshes. */
export function rejectSuggestion(store: CatalogStore, columnId: string, key: string, now = new Date()): void {
  const changed = prepared(store.db, "UPDATE classification_suggestions SET status = 'rejected', updated_at = ? WHERE column_id = ? AND key = ?").run(now.toISOString(), columnId, key).changes;
  if (changed === 0) throw new CatalogError('not-found', `No suggestion of ${key} for ${columnId}.`);
}

/** Open suggestions of columns that have no classification yet, best first per column; all columns, or one entity's. */
export function openSuggestions(store: CatalogStore, entityId?: string): StoredSuggestion[] {
  const rows = (entityId === undefined
    ? prepared(store.db, "SELECT * FROM classification_suggestions WHERE status = 'open' ORDER BY column_id, confidence DESC, key").all()
    : prepared(store.db, "SELECT * FROM classification_suggestions WHERE status = 'open' AND column_id >= ? AND column_id < ? ORDER BY column_id, confidence DESC, key").all(`${entityId}#`, `${entityId}$`)) as SuggestionRow[];
  const classes = classesOf(store);
  return rows.map(toSuggestion).filter((s) => !classes.has(s.columnId));
}

/** Columns reached by classified data through lineage, each with its path (for the review list and compliance). */
export function propagatedClasses(store: CatalogStore): PropagatedClass[] {
  const seeds = [...classesOf(store)].map(([columnId, key]) => ({ columnId, key, confidence: 1 }));
  if (seeds.length === 0) return [];
  return propagateClasses(seeds, columnEdgesOf(store));
}

/** Every column edge of the catalog (what propagation and the flow rules walk). */
export function columnEdgesOf(store: CatalogStore): Pick<ColumnEdge, 'from' | 'to' | 'transform'>[] {
  return prepared(store.db, 'SELECT from_col AS "from", to_col AS "to", transform FROM column_edges').all() as Pick<ColumnEdge, 'from' | 'to' | 'transform'>[];
}
