import { columnId, splitColumnId } from '../../core/model/ids';
import { DIRECT_KINDS, type ModelEdgeKind } from '../../core/model/entities';
import type { LineageReader } from '../../webviews/lineage/graphSession';
import type { ColumnGraph, MissingExplanation } from '../../webviews/lineage/protocol';
import type { WorkspaceCatalog } from './workspaceCatalog';

// What the lineage panel reads from one catalog: plain functions of a store, no VS Code.

/** Model-level adjacency of the whole catalog, read in one pass (one query instead of two per node). */
export interface Adjacency {
  upstream: Map<string, { id: string; kind: ModelEdgeKind }[]>;
  downstream: Map<string, { id: string; kind: ModelEdgeKind }[]>;
}

/**
 * Reads every model-level edge once. The export stream has no edge kind, so the kind is inferred
 * from the ids (`source.` upstream → source, `exposure.` downstream → exposure, else ref); it only
 * styles the edge.
 */
export function readAdjacency(catalog: Pick<WorkspaceCatalog, 'store'>): Adjacency {
  const adjacency: Adjacency = { upstream: new Map(), downstream: new Map() };
  for (const edge of catalog.store.exportEdges({ columns: false })) {
    if (edge.level !== 'model') continue;
    const kind: ModelEdgeKind = edge.from.startsWith('source.') ? 'source' : edge.to.startsWith('exposure.') ? 'exposure' : 'ref';
    const up = adjacency.upstream.get(edge.to) ?? [];
    up.push({ id: edge.from, kind });
    adjacency.upstream.set(edge.to, up);
    const down = adjacency.downstream.get(edge.from) ?? [];
    down.push({ id: edge.to, kind });
    adjacency.downstream.set(edge.from, down);
  }
  return adjacency;
}

/** A `LineageReader` over the catalog store and a prebuilt adjacency. */
export function storeReader(catalog: Pick<WorkspaceCatalog, 'store'>, adjacency: Adjacency): LineageReader {
  return {
    node: (id) => {
      const e = catalog.store.getEntity(id);
      if (!e) return undefined;
      // Column cards list every column with its type; read per node sent (a page is at most `maxGraphNodes`).
      const columns = catalog.store.columnsOf(id).map((c) => (c.type ? { name: c.name, type: c.type } : { name: c.name }));
      return { name: e.name, kind: e.kind, project: e.project, columns };
    },
    neighbors: (id, direction) => adjacency[direction].get(id) ?? [],
  };
}

/** Column lineage around one column, both directions, with direct/indirect marked. */
export function columnGraph(catalog: Pick<WorkspaceCatalog, 'store'>, entityId: string, column: string, includeIndirect: boolean, limit: number): ColumnGraph {
  const root = columnId(entityId, column);
  const closure = catalog.store.columnLineage(root, { direction: 'both', includeIndirect });
  const nodes = closure.nodes.slice(0, limit).map((n) => ({ id: n.id, entityId: n.entityId, column: n.column, depth: n.depth }));
  const kept = new Set(nodes.map((n) => n.id));
  const edges = closure.edges.filter((e) => kept.has(e.from) && kept.has(e.to)).map((e) => ({ from: e.from, to: e.to, transform: e.transform, direct: DIRECT_KINDS.has(e.transform) }));
  return { root, nodes, edges };
}

/** Unresolved names and parse/render diagnostics of a node's file: "why is this edge missing". */
export function explainMissing(catalog: WorkspaceCatalog, nodeId: string): MissingExplanation {
  const items: MissingExplanation['items'] = [];
  for (const u of catalog.store.unresolved(nodeId)) {
    const { column } = splitColumnId(u.target);
    items.push({ kind: 'unresolved', name: u.name, reason: u.reason, detail: column ? `${column}: ${u.detail}` : u.detail, file: u.provenance.file, line: u.provenance.line, column: u.provenance.column });
  }
  const entity = catalog.store.getEntity(nodeId);
  if (entity) {
    for (const d of catalog.store.diagnostics(entity.path)) {
      items.push({ kind: 'diagnostic', name: d.code, reason: d.severity, detail: d.message, file: d.file, line: d.line, column: d.column });
    }
  }
  return { nodeId, items };
}
