import { isDeepStrictEqual } from 'node:util';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { SyncOp } from '../../core/sync/ops';
import type { EditPatch, EditTarget } from './catalogTypes';
import { CatalogError } from './catalogError';
import { indexEntity } from './ftsIndex';
import { appendOp, fieldPatchOf, rowTargetOf } from './outbox';
import { asBusyError, inTransaction, parseJson, prepared } from './sqlUtil';
import { ReplicaStore } from '../../sync/replicaStore';
import { SqliteSyncTables } from './sqliteSyncTables';

/**
 * User edits live in `user_edits`, an overlay over extracted facts. A rescan rewrites the fact
 * tables but never the overlay, so an edit that has not been written back to its YAML file yet
 * survives re-extraction. Reads apply the overlay per field (description, tags, meta keys). A field
 * of the overlay is dropped ("reconciled") once the extracted value equals it, i.e. the edit reached
 * the file; `revertEdit` drops it on request.
 */

const Patch = z
  .object({
    description: z.string().optional(),
    tags: z.array(z.string()).optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Stored overlay of one entity or column. `meta` keeps `null` for keys the user removed. */
export interface Overlay {
  description?: string;
  tags?: string[];
  meta?: Record<string, unknown>;
}

interface EditRow {
  target_id: string;
  target_kind: 'entity' | 'column';
  description: string | null;
  tags: string | null;
  meta: string | null;
}

interface Editable {
  description: string;
  tags: string[];
  meta: Record<string, unknown>;
}

function targetOf(target: EditTarget): { kind: 'entity' | 'column'; id: string } {
  return 'entityId' in target ? { kind: 'entity', id: target.entityId } : { kind: 'column', id: target.columnId };
}

function toOverlay(row: EditRow): Overlay {
  const overlay: Overlay = {};
  if (row.description !== null) overlay.description = row.description;
  if (row.tags !== null) overlay.tags = parseJson<string[]>(row.tags);
  if (row.meta !== null) overlay.meta = parseJson<Record<string, unknown>>(row.meta);
  return overlay;
}

/** The overlay of a target id, or undefined when the user has not edited it. */
export function readOverlay(db: Database, targetId: string): Overlay | undefined {
  const row = prepared(db, 'SELECT * FROM user_edits WHERE target_id = ?').get(targetId) as EditRow | undefined;
  return row === undefined ? undefined : toOverlay(row);
}

/** Applies an overlay to an extracted entity or column (returns a new object). */
export function applyOverlay<T extends Editable>(value: T, overlay: Overlay | undefined): T {
  if (overlay === undefined) return value;
  const out: T = { ...value };
  if (overlay.description !== undefined) out.description = overlay.description;
  if (overlay.tags !== undefined) out.tags = [...overlay.tags];
  if (overlay.meta !== undefined) {
    const meta: Record<string, unknown> = { ...value.meta };
    for (const [key, v] of Object.entries(overlay.meta)) {
      if (v === null) delete meta[key];
      else meta[key] = v;
    }
    out.meta = meta;
  }
  return out;
}

function loadExtracted(db: Database, kind: 'entity' | 'column', id: string): Editable | undefined {
  const sql = kind === 'entity' ? 'SELECT payload FROM entities WHERE id = ?' : 'SELECT payload FROM columns WHERE id = ?';
  const payload = prepared(db, sql).pluck().get(id) as string | undefined;
  return payload === undefined ? undefined : parseJson<Editable>(payload);
}

/**
 * Writes a user edit and its outbox op (the contract's shape: field patch + base vector, see
 * `outbox.ts`) in one transaction; returns the op.
 */
export function mutate(db: Database, replicaId: string, target: EditTarget, patch: EditPatch): SyncOp {
  const parsed = Patch.safeParse(patch);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CatalogError('invalid-input', `Invalid edit: ${issue === undefined ? 'bad patch' : `${issue.path.join('.') || 'patch'}: ${issue.message}`}.`);
  }
  const clean: EditPatch = parsed.data;
  const { kind, id } = targetOf(target);
  try {
    return writeEdit(db, replicaId, kind, id, clean, target);
  } catch (err) {
    throw asBusyError(err);
  }
}

function writeEdit(db: Database, replicaId: string, kind: 'entity' | 'column', id: string, clean: EditPatch, target: EditTarget): SyncOp {
  return inTransaction(db, () => {
    if (loadExtracted(db, kind, id) === undefined) {
      throw new CatalogError('not-found', `No ${kind} with id ${id} in the catalog.`);
    }
    const current = readOverlay(db, id) ?? {};
    const next: Overlay = { ...current };
    if (clean.description !== undefined) next.description = clean.description;
    if (clean.tags !== undefined) next.tags = [...clean.tags];
    if (clean.meta !== undefined) next.meta = { ...current.meta, ...clean.meta };
    writeOverlay(db, kind, id, next);
    reconcileOne(db, id);
    if (kind === 'entity' && clean.description !== undefined) indexEntity(db, id);
    const rowTarget = rowTargetOf(target);
    const op = appendOp(db, replicaId, rowTarget, { action: 'patch', patch: fieldPatchOf(rowTarget.kind, clean) });
    // A synced row shows its server state with pending ops merged over it: add this op to that view.
    new ReplicaStore(new SqliteSyncTables(db)).refreshView(rowTarget);
    return op;
  });
}

function writeOverlay(db: Database, kind: 'entity' | 'column', id: string, overlay: Overlay): void {
  if (overlay.description === undefined && overlay.tags === undefined && (overlay.meta === undefined || Object.keys(overlay.meta).length === 0)) {
    prepared(db, 'DELETE FROM user_edits WHERE target_id = ?').run(id);
    return;
  }
  prepared(
    db,
    `INSERT INTO user_edits (target_id, target_kind, description, tags, meta, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(target_id) DO UPDATE SET description = excluded.description, tags = excluded.tags, meta = excluded.meta, updated_at = excluded.updated_at`,
  ).run(
    id,
    kind,
    overlay.description ?? null,
    overlay.tags === undefined ? null : JSON.stringify(overlay.tags),
    overlay.meta === undefined || Object.keys(overlay.meta).length === 0 ? null : JSON.stringify(overlay.meta),
    new Date().toISOString(),
  );
}

/** Drops overlay fields of a target whose extracted value now equals the edit. */
function reconcileOne(db: Database, id: string): void {
  const row = prepared(db, 'SELECT * FROM user_edits WHERE target_id = ?').get(id) as EditRow | undefined;
  if (row === undefined) return;
  const extracted = loadExtracted(db, row.target_kind, id);
  // An edit of a target that vanished is kept: the file may be mid-rename or restored later.
  if (extracted === undefined) return;
  const overlay = toOverlay(row);
  const next: Overlay = { ...overlay };
  if (next.description !== undefined && next.description === extracted.description) delete next.description;
  if (next.tags !== undefined && isDeepStrictEqual([...next.tags].sort(), [...extracted.tags].sort())) delete next.tags;
  if (next.meta !== undefined) {
    const meta: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(next.meta)) {
      const settled = v === null ? !(key in extracted.meta) : isDeepStrictEqual(extracted.meta[key], v);
      if (!settled) meta[key] = v;
    }
    next.meta = meta;
  }
  if (isDeepStrictEqual(next, overlay)) return;
  writeOverlay(db, row.target_kind, id, next);
}

/** Reconciles the overlays of an entity and of its columns after a rescan of that entity. */
export function reconcileEditsOf(db: Database, entityId: string): void {
  // Column ids are `<entityId>#<name>`; '$' is the character after '#', so this is a prefix range.
  const ids = prepared(db, 'SELECT target_id FROM user_edits WHERE target_id = ? OR (target_id >= ? AND target_id < ?)')
    .pluck()
    .all(entityId, `${entityId}#`, `${entityId}$`) as string[];
  for (const id of ids) reconcileOne(db, id);
}

/** Reconciles every overlay (after a cold scan). */
export function reconcileAllEdits(db: Database): void {
  const ids = prepared(db, 'SELECT target_id FROM user_edits').pluck().all() as string[];
  for (const id of ids) reconcileOne(db, id);
}

/** Drops overlay fields (all when `fields` is omitted) so the extracted values show again. */
export function revertEdit(db: Database, target: EditTarget, fields?: readonly (keyof EditPatch)[]): void {
  const { kind, id } = targetOf(target);
  inTransaction(db, () => {
    const overlay = readOverlay(db, id);
    if (overlay === undefined) return;
    const next: Overlay = { ...overlay };
    for (const field of fields ?? (['description', 'tags', 'meta'] as const)) delete next[field];
    writeOverlay(db, kind, id, next);
    if (kind === 'entity') indexEntity(db, id);
  });
}
