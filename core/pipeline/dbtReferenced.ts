import type { ColumnEdge, Entity } from '../model/entities';
import type { EntityColumnFacts, Intern } from './columnFacts';
import type { DbtFileResult } from './fileStep';
import { referencedColumns, type OpenEntity, type ReferencedFacts } from './referencedColumns';

/**
 * The dbt side of `referencedColumns`: which entities of a project are open (sources and seeds
 * without declared columns, models whose output is unknown or passes a `*` through), which models
 * read them, and how the added columns join each entity's lineage facts. The additions depend on
 * downstream models, so they are recomputed every run (cheap: only the readers of open entities are
 * visited) and an entity whose additions changed is reported as recomputed, so the scanner
 * rewrites it even when its own SQL did not change.
 */

/** Per entity: the own facts and additions of the last run and the facts they were merged into. */
export type ReferencedMemo = Map<string, { own: EntityColumnFacts | undefined; key: string; merged: EntityColumnFacts }>;

/** What `addReferencedColumns` needs from a `resolveDbtLineage` run. */
export interface ReferencedInput {
  /** Entities with SQL in dependency order (upstream first). */
  order: readonly string[];
  byId: ReadonlyMap<string, DbtFileResult>;
  entities: ReadonlyMap<string, Entity>;
  /** Declared columns of an entity, undefined when it declares none. */
  declaredOf: (id: string) => string[] | undefined;
  /** The open entity of a model with SQL (from its memo entry), if any. */
  openOf: (id: string) => OpenEntity | undefined;
  /** Lineage facts per entity: updated in place. */
  byEntity: Map<string, EntityColumnFacts>;
  /** Recomputed entity ids: the ones whose additions changed are added. */
  recomputed: Set<string>;
  memo: { referenced?: ReferencedMemo };
  intern: Intern;
}

/** Adds the columns that downstream models reference through unknown schemas (see `referencedColumns`). */
export function addReferencedColumns(input: ReferencedInput): void {
  const { order, byId, entities, byEntity, recomputed, memo } = input;
  const open = new Map<string, OpenEntity>();
  for (const id of order) {
    const o = input.openOf(id);
    if (o) open.set(id, o);
  }
  // Upstreams without SQL (sources, seeds) are open when they declare no columns.
  const bare: string[] = [];
  for (const id of order) {
    for (const up of Object.values(byId.get(id)?.node.rendered.placeholders ?? {})) {
      if (open.has(up) || byId.has(up)) continue;
      const entity = entities.get(up);
      if (!entity || entity.disabled || input.declaredOf(up) !== undefined) continue;
      open.set(up, { id: up, columns: [], computed: new Set(), remainder: [], provenance: { ...entity.provenance, confidence: 0.5 }, note: `The columns of ${up} are not declared; only the columns referenced downstream are known.` });
      bare.push(up);
    }
  }
  const previous = memo.referenced ?? new Map();
  const next: ReferencedMemo = new Map();
  if (open.size > 0) {
    // Only models that read an open entity can reference its columns.
    const edges: ColumnEdge[][] = [];
    for (const id of order) {
      const ups = Object.values(byId.get(id)?.node.rendered.placeholders ?? {});
      if (ups.some((u) => open.has(u))) edges.push(byEntity.get(id)?.columnEdges ?? []);
    }
    const downstreamFirst = [...order].reverse().filter((id) => open.has(id));
    const added = referencedColumns(open, [...downstreamFirst, ...bare.sort()], edges.flat(), input.intern);
    for (const [id, extra] of added) {
      const own = byEntity.get(id);
      const key = JSON.stringify(extra);
      const hit = previous.get(id);
      const merged = hit && hit.own === own && hit.key === key ? hit.merged : merge(own, extra);
      if (!hit || hit.key !== key) recomputed.add(id);
      next.set(id, { own, key, merged });
      byEntity.set(id, merged);
    }
  }
  // An entity that lost its additions must be written again too.
  for (const id of previous.keys()) if (!next.has(id)) recomputed.add(id);
  memo.referenced = next;
}

function merge(own: EntityColumnFacts | undefined, extra: ReferencedFacts): EntityColumnFacts {
  if (!own) return extra;
  return { columns: [...own.columns, ...extra.columns], columnEdges: [...own.columnEdges, ...extra.columnEdges], unresolved: [...own.unresolved, ...extra.unresolved] };
}
