import type { Database } from 'better-sqlite3';
import type { EntityKind } from '../../core/model/entities';
import type { SearchHit, SearchOptions } from './catalogTypes';
import { prepared } from './sqlUtil';

/**
 * Full-text search (FTS5). One row per entity, keyed by `entities.rowid`: the name (plus relation),
 * the effective description (a user edit wins over the extracted one) and the column names.
 * Tokenized by unicode61, so `stg_orders` is found by `orders` and by the prefix `stg_ord`.
 */

const INDEX_SELECT = `
  SELECT e.rowid, e.name || coalesce(' ' || e.relation, ''),
    coalesce(u.description, json_extract(e.payload, '$.description'), ''),
    coalesce((SELECT group_concat(c.name, ' ') FROM columns c WHERE c.entity_id = e.id), ''),
    e.kind
  FROM entities e LEFT JOIN user_edits u ON u.target_id = e.id`;

/** Column weights for bm25: a name hit outranks a column hit, which outranks a description hit. */
const BM25 = 'bm25(search_fts, 10.0, 2.0, 4.0)';

/** (Re)writes the search row of one entity; a no-op when the entity does not exist. */
export function indexEntity(db: Database, entityId: string): void {
  unindexEntity(db, entityId);
  prepared(db, `INSERT INTO search_fts (rowid, name, description, columns, kind) ${INDEX_SELECT} WHERE e.id = ?`).run(entityId);
}

/** Deletes the search row of one entity (call before the entity row goes away). */
export function unindexEntity(db: Database, entityId: string): void {
  prepared(db, 'DELETE FROM search_fts WHERE rowid = (SELECT rowid FROM entities WHERE id = ?)').run(entityId);
}

/** Rebuilds the whole index once, after a bulk load. */
export function rebuildSearchIndex(db: Database): void {
  db.exec('DELETE FROM search_fts');
  db.exec(`INSERT INTO search_fts (rowid, name, description, columns, kind) ${INDEX_SELECT}`);
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

/** Searches names, descriptions and column names; an exact name match first, then best (lowest) bm25. */
export function searchEntities(db: Database, text: string, options: SearchOptions): SearchHit[] {
  const query = toFtsQuery(text);
  if (query === undefined) return [];
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? 20)), 1000);
  const kinds = options.kind === undefined ? [] : typeof options.kind === 'string' ? [options.kind] : [...options.kind];
  const filters: string[] = [];
  const params: unknown[] = [query];
  if (kinds.length > 0) {
    filters.push(`AND f.kind IN (${kinds.map(() => '?').join(', ')})`);
    params.push(...kinds);
  }
  if (options.project !== undefined) {
    filters.push('AND e.project = ?');
    params.push(options.project);
  }
  params.push(text.trim(), limit);
  const sql = `
    SELECT e.id, e.kind, e.name, e.project, e.path, ${BM25} AS score
    FROM search_fts f JOIN entities e ON e.rowid = f.rowid
    WHERE search_fts MATCH ? ${filters.join(' ')}
    ORDER BY e.name = ? COLLATE NOCASE DESC, score, e.name, e.id LIMIT ?`;
  const rows = prepared(db, sql).all(...params) as HitRow[];
  return rows.map((r) => ({ id: r.id, kind: r.kind, name: r.name, project: r.project, path: r.path, score: r.score }));
}
