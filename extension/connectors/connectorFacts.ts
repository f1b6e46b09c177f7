import type { Entity, Facts } from '../../core/model/entities';
import { projectId } from '../../core/model/ids';
import type { CatalogStore } from '../catalog/catalogStore';

/**
 * A workspace connector's facts in the folder's local catalog. Each connector owns a scope of its
 * own: the entities and diagnostic files its last run wrote, recorded in the catalog's `meta` table
 * next to the facts themselves. A run replaces exactly that scope in one transaction
 * (`CatalogStore.replaceFacts`), so a re-run drops tables gone from the source and a failed write
 * leaves the previous run's facts. A full scan replaces all facts (`replaceAll`); it calls
 * `reapplyConnectorFacts` in its transaction, so connector tables survive rescans.
 */

/** Meta key: JSON array of the ids of connectors with facts in this catalog. */
const INDEX_KEY = 'connectors.index';
const factsKey = (id: string): string => `connectors.facts.${id}`;

function readIndex(store: CatalogStore): string[] {
  const raw = store.getMeta(INDEX_KEY);
  if (raw === undefined || raw === '') return [];
  const parsed = JSON.parse(raw) as unknown;
  return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
}

/** The facts a connector's last run stored, or undefined. */
export function storedConnectorFacts(store: CatalogStore, id: string): Facts | undefined {
  const raw = store.getMeta(factsKey(id));
  if (raw === undefined || raw === '') return undefined;
  return JSON.parse(raw) as Facts;
}

/**
 * The catalog tree lists projects by their `project` entities; a connector's tables are grouped
 * under their `Entity.project` (the connector's name), so one is added per project the facts lack.
 */
function withProjects(facts: Facts, connectorId: string): Facts {
  const have = new Set(facts.entities.filter((e) => e.kind === 'project').map((e) => e.project));
  const added: Entity[] = [];
  for (const e of facts.entities) {
    if (have.has(e.project)) continue;
    have.add(e.project);
    added.push({
      id: projectId(e.project),
      kind: 'project',
      name: e.project,
      project: e.project,
      path: `connector:${connectorId}`,
      description: '',
      tags: [],
      meta: { connector: connectorId },
      owners: [],
      tests: [],
      disabled: false,
      provenance: { file: `connector:${connectorId}`, line: 0, column: 0, extractor: 'connector', confidence: 1 },
    });
  }
  return added.length === 0 ? facts : { ...facts, entities: [...facts.entities, ...added] };
}

/** The scope a connector's previous facts own. */
function scopeOf(previous: Facts | undefined): { entityIds: string[]; files: string[] } {
  return {
    entityIds: previous?.entities.map((e) => e.id) ?? [],
    files: [...new Set(previous?.diagnostics.map((d) => d.file) ?? [])],
  };
}

/** Replaces a connector's facts with `facts` in one transaction (its previous ones are removed). */
export function writeConnectorFacts(store: CatalogStore, connectorId: string, facts: Facts): Facts {
  const complete = withProjects(facts, connectorId);
  store.transaction(() => {
    store.replaceFacts(scopeOf(storedConnectorFacts(store, connectorId)), complete);
    store.setMeta(factsKey(connectorId), JSON.stringify(complete));
    const index = readIndex(store);
    if (!index.includes(connectorId)) store.setMeta(INDEX_KEY, JSON.stringify([...index, connectorId]));
  });
  return complete;
}

/** Removes a connector's facts from the catalog (the connector was deleted). */
export function removeConnectorFacts(store: CatalogStore, connectorId: string): void {
  const previous = storedConnectorFacts(store, connectorId);
  store.transaction(() => {
    if (previous) store.replaceFacts(scopeOf(previous), { entities: [], columns: [], modelEdges: [], columnEdges: [], unresolved: [], diagnostics: [] });
    store.setMeta(factsKey(connectorId), '');
    store.setMeta(INDEX_KEY, JSON.stringify(readIndex(store).filter((id) => id !== connectorId)));
  });
}

/** Writes every connector's stored facts again; for a full scan, inside its transaction after `replaceAll`. */
export function reapplyConnectorFacts(store: CatalogStore): void {
  for (const id of readIndex(store)) {
    const facts = storedConnectorFacts(store, id);
    if (facts) store.replaceFacts({ entityIds: [], files: [] }, facts);
  }
}
