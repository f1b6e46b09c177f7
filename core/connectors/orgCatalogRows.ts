import type { ColumnEdge, Facts, ModelEdge } from '../model/entities';
import type { JsonValue } from '../sync/ops';

/**
 * How extracted facts become org catalog rows (`catalogEntity` / `catalogColumn`, pulled by every
 * member through sync): one row per entity and per column, whose `payload` is the `core/model`
 * `Entity` / `Column` JSON plus the lineage edges that end at it (`upstream`: model edges into an
 * entity, column edges into a column). Readers parse the payload with the model's zod schemas, which
 * ignore the extra key. Used by the `org-extract` edge function and by the tests that compare an org
 * extraction with a local one, so both sides build rows the same way.
 */

/** One org catalog row. */
export interface OrgCatalogRow {
  kind: 'catalogEntity' | 'catalogColumn';
  /** Entity id, or column id (`<entityId>#<column>`). */
  id: string;
  payload: JsonValue;
}

/** What `orgCatalogRows` could not place: edges into an entity or column the facts do not hold. */
export interface OrgRowsResult {
  rows: OrgCatalogRow[];
  /** Column edges whose target column is not among the facts' columns (kept on the entity row as `columnUpstream`). */
  orphanColumnEdges: number;
  /** Edges whose target entity is not among the facts' entities (no row can hold them). */
  droppedEdges: number;
}

const edgeKey = (e: ModelEdge | ColumnEdge): string => `${e.from}\u0000${e.to}\u0000${'kind' in e ? e.kind : e.transform}`;
const byKey = <T extends ModelEdge | ColumnEdge>(list: T[]): T[] => list.sort((a, b) => (edgeKey(a) < edgeKey(b) ? -1 : edgeKey(a) > edgeKey(b) ? 1 : 0));

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The org catalog rows of `facts`, entities first, each list in id order (a later duplicate id wins). */
export function orgCatalogRows(facts: Facts): OrgRowsResult {
  const entities = new Map(facts.entities.map((e) => [e.id, e]));
  const columns = new Map(facts.columns.map((c) => [c.id, c]));
  const modelIn = new Map<string, ModelEdge[]>();
  const columnIn = new Map<string, ColumnEdge[]>();
  const orphanIn = new Map<string, ColumnEdge[]>();
  let droppedEdges = 0;
  let orphanColumnEdges = 0;
  for (const edge of facts.modelEdges) {
    if (entities.has(edge.to)) push(modelIn, edge.to, edge);
    else droppedEdges++;
  }
  for (const edge of facts.columnEdges) {
    if (columns.has(edge.to)) {
      push(columnIn, edge.to, edge);
      continue;
    }
    const entityId = edge.to.slice(0, Math.max(0, edge.to.indexOf('#')));
    if (entities.has(entityId)) {
      push(orphanIn, entityId, edge);
      orphanColumnEdges++;
    } else droppedEdges++;
  }
  const rows: OrgCatalogRow[] = [];
  for (const id of [...entities.keys()].sort()) {
    const orphans = orphanIn.get(id);
    const payload = { ...entities.get(id), upstream: byKey(modelIn.get(id) ?? []), ...(orphans ? { columnUpstream: byKey(orphans) } : {}) };
    rows.push({ kind: 'catalogEntity', id, payload: JSON.parse(JSON.stringify(payload)) as JsonValue });
  }
  for (const id of [...columns.keys()].sort()) {
    const payload = { ...columns.get(id), upstream: byKey(columnIn.get(id) ?? []) };
    rows.push({ kind: 'catalogColumn', id, payload: JSON.parse(JSON.stringify(payload)) as JsonValue });
  }
  return { rows, orphanColumnEdges, droppedEdges };
}
