import type { Database } from 'better-sqlite3';
import type { Column, Diagnostic, Entity, EntityKind, UnresolvedRef } from '../../core/model/entities';
import type { EntityLookup, EntityPage, EntitySummary, ListEntitiesOptions, ProjectSummary } from './catalogTypes';
import { searchEntities } from './ftsIndex';
import { editDistance } from '../../core/text/editDistance';
import { byDistance, fuzzyCandidates } from './fuzzyLookup';
import { compareText, parseJson, prepared } from './sqlUtil';
import { applyOverlay, readOverlay } from './userEdits';
import { effectiveOverlay, joinedSyncedOverlay, orgCatalogColumns, orgCatalogEntity } from './syncedMetadata';

const SUMMARY = 'id, kind, name, project, path';

/**
 * Entity by id with user edits applied (synced team metadata when the row is synced, else the local
 * overlay); an entity only the org catalog has shows from there.
 */
export function getEntity(db: Database, id: string): Entity | undefined {
  const payload = prepared(db, 'SELECT payload FROM entities WHERE id = ?').pluck().get(id) as string | undefined;
  const entity = payload === undefined ? orgCatalogEntity(db, id) : parseJson<Entity>(payload);
  return entity === undefined ? undefined : applyOverlay(entity, effectiveOverlay(db, 'entity', id, () => readOverlay(db, id)));
}

/** Compact rows of the given ids, in no particular order; unknown ids are skipped. */
export function summariesOf(db: Database, ids: readonly string[]): Map<string, EntitySummary> {
  const out = new Map<string, EntitySummary>();
  const rows = prepared(db, `SELECT ${SUMMARY} FROM entities WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as EntitySummary[];
  for (const row of rows) out.set(row.id, row);
  return out;
}

/** Kinds users most likely mean when a name is shared, best first. */
const KIND_RANK: Record<EntityKind, number> = {
  model: 0, source: 1, seed: 2, snapshot: 3, table: 4, view: 5, exposure: 6, docBlock: 7, macro: 8, project: 9, analysis: 10, dataset: 11, dashboard: 12,
};

function byPreference(query: string): (a: EntitySummary, b: EntitySummary) => number {
  return (a, b) =>
    Number(b.name === query) - Number(a.name === query) ||
    KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
    compareText(a.project, b.project) ||
    compareText(a.id, b.id);
}

interface NamedRow extends EntitySummary {
  relation: string | null;
  schema: string | null;
  database: string | null;
}

/**
 * Resolves what a user typed. Tried in order: exact id; name or relation (case-insensitive);
 * `<qualifier>.<name>` where the qualifier is the project, schema or `database.schema`. One match is
 * found, several are ambiguous (best first: exact case, models before sources, …), none gives fuzzy
 * suggestions by prefix search and edit distance.
 */
export function findEntity(db: Database, query: string): EntityLookup {
  const q = query.trim();
  if (q === '') return { status: 'not-found', suggestions: [] };
  const exact = getEntity(db, q);
  if (exact !== undefined) return { status: 'found', entity: exact };
  const byName = `SELECT ${SUMMARY}, relation, json_extract(payload, '$.schema') AS schema, json_extract(payload, '$.database') AS database
    FROM entities WHERE name = @q COLLATE NOCASE UNION SELECT ${SUMMARY}, relation, json_extract(payload, '$.schema'), json_extract(payload, '$.database')
    FROM entities WHERE relation = @q COLLATE NOCASE`;
  const matches = new Map<string, EntitySummary>();
  for (const row of prepared(db, byName).all({ q }) as NamedRow[]) matches.set(row.id, summaryOf(row));
  for (let dot = q.indexOf('.'); dot > 0; dot = q.indexOf('.', dot + 1)) {
    const qualifier = q.slice(0, dot).toLowerCase();
    const rest = q.slice(dot + 1);
    for (const row of prepared(db, byName).all({ q: rest }) as NamedRow[]) {
      const qualifiers = [row.project, row.schema, row.schema !== null && row.database !== null ? `${row.database}.${row.schema}` : null];
      if (qualifiers.some((x) => x !== null && x.toLowerCase() === qualifier)) matches.set(row.id, summaryOf(row));
    }
  }
  if (matches.size === 1) {
    const [only] = matches.keys();
    const entity = only === undefined ? undefined : getEntity(db, only);
    if (entity !== undefined) return { status: 'found', entity };
  }
  if (matches.size > 1) return { status: 'ambiguous', candidates: [...matches.values()].sort(byPreference(q)) };
  return { status: 'not-found', suggestions: fuzzySuggestions(db, q) };
}

function summaryOf(row: EntitySummary): EntitySummary {
  return { id: row.id, kind: row.kind, name: row.name, project: row.project, path: row.path };
}

/** Closest names: full-text (prefix) hits plus names within a small edit distance, best first. */
function fuzzySuggestions(db: Database, q: string, limit = 10): EntitySummary[] {
  const needle = q.toLowerCase();
  const scored = fuzzyCandidates(db, q, limit * 5);
  for (const hit of searchEntities(db, q, { limit: 50 })) {
    if (!scored.has(hit.id)) scored.set(hit.id, editDistance(needle, hit.name.toLowerCase(), 64));
  }
  const rows = summariesOf(db, [...scored.keys()]);
  return [...rows.values()].sort(byDistance(scored, byPreference(q))).slice(0, limit);
}

/** A page of entities ordered by project, name, id. */
export function listEntities(db: Database, options: ListEntitiesOptions): EntityPage {
  const where: string[] = [];
  const params: unknown[] = [];
  const kinds = options.kind === undefined ? [] : typeof options.kind === 'string' ? [options.kind] : [...options.kind];
  if (kinds.length > 0) {
    where.push(`kind IN (${kinds.map(() => '?').join(', ')})`);
    params.push(...kinds);
  }
  if (options.project !== undefined) {
    where.push('project = ?');
    params.push(options.project);
  }
  if (options.name !== undefined) {
    where.push('name = ? COLLATE NOCASE');
    params.push(options.name);
  }
  if (options.nameContains !== undefined && options.nameContains !== '') {
    // instr() instead of LIKE: user text may contain % and _.
    where.push('instr(lower(name), lower(?)) > 0');
    params.push(options.nameContains);
  }
  if (options.path !== undefined) {
    where.push('path = ?');
    params.push(options.path);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? 100)), 10_000);
  const offset = Math.max(0, Math.trunc(options.offset ?? 0));
  const items = prepared(db, `SELECT ${SUMMARY} FROM entities ${clause} ORDER BY project, name, id LIMIT ? OFFSET ?`).all(...params, limit, offset) as EntitySummary[];
  const total = prepared(db, `SELECT count(*) FROM entities ${clause}`).pluck().get(...params) as number;
  return { items, total };
}

/** Columns of an entity in position order, with user edits (or synced metadata) applied; an org catalog entity's columns when the workspace lacks the entity. */
export function columnsOf(db: Database, entityId: string): Column[] {
  const rows = prepared(
    db,
    `SELECT c.payload, u.description, u.tags, u.meta, s.fields AS s_fields, s.view AS s_view, s.deleted AS s_deleted
     FROM columns c LEFT JOIN user_edits u ON u.target_id = c.id LEFT JOIN sync_rows s ON s.kind = 'column' AND s.id = c.id
     WHERE c.entity_id = ? ORDER BY c.position, c.name`,
  ).all(entityId) as { payload: string; description: string | null; tags: string | null; meta: string | null; s_fields: string | null; s_view: string | null; s_deleted: string | null }[];
  if (rows.length === 0 && prepared(db, 'SELECT 1 FROM entities WHERE id = ?').pluck().get(entityId) === undefined) {
    return orgCatalogColumns(db, entityId).map((c) => applyOverlay(c, effectiveOverlay(db, 'column', c.id, () => readOverlay(db, c.id))));
  }
  return rows.map((r) => {
    const column = parseJson<Column>(r.payload);
    const synced = joinedSyncedOverlay(r);
    if (synced !== undefined) return applyOverlay(column, synced);
    if (r.description === null && r.tags === null && r.meta === null) return column;
    return applyOverlay(column, {
      ...(r.description === null ? {} : { description: r.description }),
      ...(r.tags === null ? {} : { tags: parseJson<string[]>(r.tags) }),
      ...(r.meta === null ? {} : { meta: parseJson<Record<string, unknown>>(r.meta) }),
    });
  });
}

/** Diagnostics of one file (or all), ordered by file, line, column. */
export function listDiagnostics(db: Database, file?: string): Diagnostic[] {
  const rows = (
    file === undefined
      ? prepared(db, 'SELECT payload FROM diagnostics ORDER BY file, line, col, rowid').pluck().all()
      : prepared(db, 'SELECT payload FROM diagnostics WHERE file = ? ORDER BY line, col, rowid').pluck().all(file)
  ) as string[];
  return rows.map((p) => parseJson<Diagnostic>(p));
}

/** Unresolved refs owned by one entity (or all). */
export function listUnresolved(db: Database, entityId?: string): UnresolvedRef[] {
  const rows = (
    entityId === undefined
      ? prepared(db, 'SELECT payload FROM unresolved ORDER BY owner, rowid').pluck().all()
      : prepared(db, 'SELECT payload FROM unresolved WHERE owner = ? ORDER BY rowid').pluck().all(entityId)
  ) as string[];
  return rows.map((p) => parseJson<UnresolvedRef>(p));
}

/** Every project with its entity count, ordered by project name. */
export function listProjects(db: Database): ProjectSummary[] {
  return prepared(db, 'SELECT project, count(*) AS entities FROM entities GROUP BY project ORDER BY project').all() as ProjectSummary[];
}
