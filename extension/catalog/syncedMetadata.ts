import type { Database } from 'better-sqlite3';
import type { Column, Entity } from '../../core/model/entities';
import type { JsonValue } from '../../core/sync/ops';
import { Column as ColumnSchema, Entity as EntitySchema } from '../../core/model/entities';
import type { Overlay } from './userEdits';
import { parseJson, prepared } from './sqlUtil';

/**
 * What reads take from team sync (`sync_rows`, schema step 4). For an entity or column with a synced
 * metadata row, reads show the row's fields — the server's, with this replica's pending ops merged
 * over them — over the extracted values, in place of the local overlay (the view already holds the
 * local edits); an unset synced field shows the extracted value. Without a synced row the local
 * overlay shows as before. Entities of the org catalog (`catalogEntity`, pulled read-only) show when
 * the workspace has no entity of that id.
 */

interface SyncedRow {
  fields: string;
  view: string | null;
  deleted: string | null;
}

/** The synced fields reads show for a row, or undefined when the replica holds no synced row for it. */
export function syncedFields(db: Database, kind: 'entity' | 'column', id: string): Record<string, JsonValue> | undefined {
  const row = prepared(db, 'SELECT fields, view, deleted FROM sync_rows WHERE kind = ? AND id = ?').get(kind, id) as SyncedRow | undefined;
  return row === undefined ? undefined : shown(row);
}

function shown(row: SyncedRow): Record<string, JsonValue> {
  if (row.view !== null) return parseJson<Record<string, JsonValue>>(row.view);
  return row.deleted !== null ? {} : parseJson<Record<string, JsonValue>>(row.fields);
}

/** Synced fields as an overlay: `description`, `tags`, and each `meta.<key>` as a meta key. */
export function overlayOfSynced(fields: Readonly<Record<string, JsonValue>>): Overlay {
  const overlay: Overlay = {};
  const description = fields.description;
  if (typeof description === 'string') overlay.description = description;
  const tags = fields.tags;
  if (Array.isArray(tags)) overlay.tags = tags.filter((t): t is string => typeof t === 'string');
  const meta: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(fields)) if (path.startsWith('meta.')) meta[path.slice('meta.'.length)] = value;
  if (Object.keys(meta).length > 0) overlay.meta = meta;
  return overlay;
}

/** The overlay reads apply to an entity or column: the synced row's when there is one, else the local edits'. */
export function effectiveOverlay(db: Database, kind: 'entity' | 'column', id: string, local: () => Overlay | undefined): Overlay | undefined {
  const fields = syncedFields(db, kind, id);
  return fields === undefined ? local() : overlayOfSynced(fields);
}

/** The overlay of a column row fetched with `LEFT JOIN sync_rows` columns (`s_fields`, `s_view`, `s_deleted`). */
export function joinedSyncedOverlay(row: { s_fields: string | null; s_view: string | null; s_deleted: string | null }): Overlay | undefined {
  if (row.s_fields === null) return undefined;
  return overlayOfSynced(shown({ fields: row.s_fields, view: row.s_view, deleted: row.s_deleted }));
}

/** An entity of the org catalog (pulled read-only), when it is valid. */
export function orgCatalogEntity(db: Database, id: string): Entity | undefined {
  const text = prepared(db, "SELECT fields FROM sync_rows WHERE kind = 'catalogEntity' AND id = ? AND deleted IS NULL").pluck().get(id) as string | undefined;
  if (text === undefined) return undefined;
  const parsed = EntitySchema.safeParse(parseJson<{ payload?: unknown }>(text).payload);
  return parsed.success ? parsed.data : undefined;
}

/** Columns of an org catalog entity (valid ones), by position. */
export function orgCatalogColumns(db: Database, entityId: string): Column[] {
  // Column ids are `<entityId>#<name>`; '$' follows '#', so this is a range of the primary key.
  const texts = prepared(db, "SELECT fields FROM sync_rows WHERE kind = 'catalogColumn' AND id >= ? AND id < ? AND deleted IS NULL")
    .pluck()
    .all(`${entityId}#`, `${entityId}$`) as string[];
  const out: Column[] = [];
  for (const text of texts) {
    const parsed = ColumnSchema.safeParse(parseJson<{ payload?: unknown }>(text).payload);
    if (parsed.success) out.push(parsed.data);
  }
  return out.sort((a, b) => a.position - b.position || (a.name < b.name ? -1 : 1));
}
