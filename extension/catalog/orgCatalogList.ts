import type { Database } from 'better-sqlite3';
import type { EntityKind } from '../../core/model/entities';
import { EntityKind as EntityKindSchema } from '../../core/model/entities';
import type { EntitySummary } from './catalogTypes';
import { prepared } from './sqlUtil';

/**
 * Listing the org catalog (`catalogEntity` rows pulled through sync, extracted in the cloud by
 * `org-extract`) beside the workspace's own entities: the projects that have org entities this
 * workspace lacks, and those entities by project and kind. An entity the workspace also extracted
 * is not listed twice (the local one shows). Cheap on big org catalogs: the partial expression index
 * `sync_rows_org_entity` (schema step 5) orders the live `catalogEntity` rows by the payload's
 * project, kind and name, so both queries read index ranges and look each candidate up in
 * `entities` by its unique id.
 */

const PROJECT = "json_extract(s.fields, '$.payload.project')";
const KIND = "json_extract(s.fields, '$.payload.kind')";
const NAME = "json_extract(s.fields, '$.payload.name')";
const LIVE = "s.kind = 'catalogEntity' AND s.deleted IS NULL";
const ORG_ONLY = 'NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = s.id)';

/** Projects with at least one org catalog entity the workspace does not have, sorted. */
export function orgOnlyProjects(db: Database): string[] {
  // A loose index scan: one index seek per distinct project instead of reading every row.
  const next = prepared(db, `SELECT ${PROJECT} FROM sync_rows s INDEXED BY sync_rows_org_entity WHERE ${LIVE} AND ${PROJECT} > ? ORDER BY ${PROJECT} LIMIT 1`).pluck();
  const hasOrgOnly = prepared(db, `SELECT 1 FROM sync_rows s INDEXED BY sync_rows_org_entity WHERE ${LIVE} AND ${PROJECT} = ? AND ${ORG_ONLY} LIMIT 1`).pluck();
  const out: string[] = [];
  for (let project = next.get('') as unknown; typeof project === 'string'; project = next.get(project) as unknown) {
    if (hasOrgOnly.get(project) !== undefined) out.push(project);
  }
  return out;
}

/** Org catalog entities of `project` (and `kind`) the workspace does not have, by name; at most `limit`. */
export function listOrgOnlyEntities(db: Database, options: { project: string; kind?: EntityKind; limit?: number }): EntitySummary[] {
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? 100)), 10_000);
  const kindClause = options.kind === undefined ? '' : `AND ${KIND} = ?`;
  const rows = prepared(
    db,
    `SELECT s.id AS id, ${KIND} AS kind, ${NAME} AS name, ${PROJECT} AS project, json_extract(s.fields, '$.payload.path') AS path
     FROM sync_rows s WHERE ${LIVE} AND ${PROJECT} = ? ${kindClause} AND ${ORG_ONLY}
     ORDER BY ${options.kind === undefined ? `${KIND}, ` : ''}${NAME} LIMIT ?`,
  ).all(...(options.kind === undefined ? [options.project, limit] : [options.project, options.kind, limit])) as Record<string, unknown>[];
  const out: EntitySummary[] = [];
  for (const r of rows) {
    const kind = EntityKindSchema.safeParse(r.kind);
    // A row whose payload is not an entity (a newer server's kind, a broken payload) is not listed.
    if (!kind.success || typeof r.name !== 'string' || typeof r.project !== 'string') continue;
    out.push({ id: String(r.id), kind: kind.data, name: r.name, project: r.project, path: typeof r.path === 'string' ? r.path : '' });
  }
  return out;
}
