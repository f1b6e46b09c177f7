import type { DocPromptInput, PromptUpstream } from '../../core/ai/docPrompt';
import type { CatalogStore } from '../catalog/catalogStore';

/**
 * What an AI draft of an entity's docs is built from, read from the catalog: its SQL (compiled when
 * the catalog has it), its columns with types, descriptions and the upstream columns each is
 * computed from, and its direct upstream models and sources with their documentation.
 */

/** Upstream models read for context (direct parents only; more rarely helps and costs tokens). */
const MAX_UPSTREAM = 12;

type Reads = Pick<CatalogStore, 'getEntity' | 'columnsOf' | 'modelLineage' | 'columnLineage'>;

/** The prompt input for `entityId`, or undefined when the catalog does not have it. */
export function draftContext(store: Reads, entityId: string, sql: string, options: { scope?: 'missing' | 'all'; template?: string } = {}): DocPromptInput | undefined {
  const entity = store.getEntity(entityId);
  if (!entity) return undefined;
  const columns = store.columnsOf(entityId).map((c) => {
    const lineage = store.columnLineage(c.id, { direction: 'upstream', maxDepth: 1 });
    const from = lineage.nodes.filter((n) => n.depth === -1).map((n) => `${n.entity?.name ?? n.entityId}.${n.column}`);
    return { name: c.name, ...(c.type ? { type: c.type } : {}), description: c.description, ...(from.length > 0 ? { from } : {}) };
  });
  const upstream: PromptUpstream[] = store
    .modelLineage(entityId, { direction: 'upstream', maxDepth: 1 })
    .nodes.filter((n) => n.depth === -1 && n.entity !== undefined)
    .slice(0, MAX_UPSTREAM)
    .map((n) => {
      const e = store.getEntity(n.id);
      return { name: e?.name ?? n.id, description: e?.description ?? '', columns: store.columnsOf(n.id).map((c) => ({ name: c.name, description: c.description })) };
    });
  return {
    name: entity.name,
    kind: entity.kind,
    sql: entity.compiledSql ?? sql,
    description: entity.description,
    columns,
    upstream,
    ...(options.scope ? { scope: options.scope } : {}),
    ...(options.template ? { template: options.template } : {}),
  };
}
