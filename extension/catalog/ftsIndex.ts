import type { Database } from 'better-sqlite3';
import type { EntityKind } from '../../core/model/entities';
import type { SearchHit, SearchOptions } from './catalogTypes';
import { prepared } from './sqlUtil';

/**
 * Full-text search (FTS5). One row per entity, keyed by `entities.rowid`: the name (plus relation),
 * the effective description (a synced team description, else a local edit, wins over the extracted
 * one; see `syncedMetadata.ts`) and the column names.
 * Tokenized by unicode61, so `stg_orders` is found by `orders` and by the prefix `stg_ord`.
 * Prefix indexes for 2- and 3-character prefixes keep short typeahead queries (`id`, `ord`) from
 * merging the doclists of every matching term at query time.
 */

const INDEX_SELECT = `
  SELECT e.rowid, e.name || coalesce(' ' || e.relation, ''),
    CASE WHEN s.id IS NULL THEN coalesce(u.description, json_extract(e.payload, '$.description'), '')
      ELSE coalesce(json_extract(coalesce(s.view, CASE WHEN s.deleted IS NULL THEN s.fields END), '$.description'), json_extract(e.payload, '$.description'), '') END,
    coalesce((SELECT group_concat(c.name, ' ') FROM columns c WHERE c.entity_id = e.id), ''),
    e.kind, e.project
  FROM entities e LEFT JOIN user_edits u ON u.target_id = e.id LEFT JOIN sync_rows s ON s.kind = 'entity' AND s.id = e.id`;

/**
 * Most matches ranked per tier. bm25 costs per matching document, so a word found in every entity
 * (`id`) would cost tens of milliseconds to rank on 100k entities; beyond the cap the best of the
 * first RANK_CAP matches (in insertion order) are returned. Such a word ranks nothing anyway: its
 * inverse document frequency is about zero.
 */
const RANK_CAP = 2_000;

/** Column weights for bm25: a name hit outranks a column hit, which outranks a description hit. */
const BM25 = 'bm25(search_fts, 10.0, 2.0, 4.0)';

/** (Re)writes the search row of one entity; a no-op when the entity does not exist. */
export function indexEntity(db: Database, entityId: string): void {
  unindexEntity(db, entityId);
  prepared(db, `INSERT INTO search_fts (rowid, name, description, columns, kind, project) ${INDEX_SELECT} WHERE e.id = ?`).run(entityId);
}

/** Deletes the search row of one entity (call before the entity row goes away). */
export function unindexEntity(db: Database, entityId: string): void {
  prepared(db, 'DELETE FROM search_fts WHERE rowid = (SELECT rowid FROM entities WHERE id = ?)').run(entityId);
}

/** Rebuilds the whole index once, after a bulk load. */
export function rebuildSearchIndex(db: Database): void {
  db.exec('DELETE FROM search_fts');
  db.exec(`INSERT INTO search_fts (rowid, name, description, columns, kind, project) ${INDEX_SELECT}`);
  db.exec(`INSERT INTO search_fts (search_fts) VALUES ('optimize')`);
}

/**
 * Turns what a user typed into an FTS5 query: every word becomes a quoted prefix term, so
 * operators and punctuation in the input can never produce a syntax error.
 */
export function toFtsQuery(text: string): string | undefined {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu);
  if (words === null) return undefined;
  return words.map((w) => `"${w}"*`).join(' ');
}

interface HitRow {
  id: string;
  kind: EntityKind;
  name: string;
  project: string;
  path: string;
  score: number;
}

/**
 * Searches in tiers, each ranked by bm25 inside FTS5 with the LIMIT applied before the join to
 * `entities`: exact names first, then name matches, then matches in descriptions and column names.
 * A name match always outranks a description or column match; within a tier, lower bm25 is better
 * (exact up to RANK_CAP matches per tier).
 */
export function searchEntities(db: Database, text: string, options: SearchOptions): SearchHit[] {
  const query = toFtsQuery(text);
  if (query === undefined) return [];
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? 20)), 1000);
  const kinds = options.kind === undefined ? [] : typeof options.kind === 'string' ? [options.kind] : [...options.kind];
  const filters: string[] = [];
  const params: Record<string, unknown> = { limit };
  if (kinds.length > 0) {
    filters.push('AND kind IN (SELECT value FROM json_each(@kinds))');
    params.kinds = JSON.stringify(kinds);
  }
  if (options.project !== undefined) {
    filters.push('AND project = @project');
    params.project = options.project;
  }
  const filter = filters.join(' ');
  const hits = new Map<string, SearchHit>();
  const exact = prepared(
    db,
    // An exact name always matches the FTS query too, so the name index alone finds these.
    `SELECT id, kind, name, project, path, 0 AS score FROM entities WHERE name = @text COLLATE NOCASE ${filter} ORDER BY id LIMIT @limit`,
  ).all({ ...params, text: text.trim() }) as HitRow[];
  const tiers = [`{name} : (${query})`, query];
  const rows: HitRow[] = [...exact];
  for (const match of tiers) {
    if (rows.length >= limit) break;
    const sql = `SELECT e.id, e.kind, e.name, e.project, e.path, f.score FROM (
        SELECT rowid, score FROM (
          SELECT rowid, ${BM25} AS score FROM search_fts WHERE search_fts MATCH @match ${filter} LIMIT @cap
        ) ORDER BY score LIMIT @take
      ) f JOIN entities e ON e.rowid = f.rowid ORDER BY f.score, e.name, e.id`;
    rows.push(...(prepared(db, sql).all({ ...params, match, take: limit + rows.length, cap: RANK_CAP }) as HitRow[]));
  }
  for (const r of rows) {
    if (hits.size >= limit) break;
    if (!hits.has(r.id)) hits.set(r.id, { id: r.id, kind: r.kind, name: r.name, project: r.project, path: r.path, score: r.score });
  }
  return [...hits.values()];
}
