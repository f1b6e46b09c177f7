import type { Database } from 'better-sqlite3';
import { DIRECT_KINDS, TransformKind } from '../../core/model/entities';
import type { ModelEdgeKind } from '../../core/model/entities';
import { splitColumnId } from '../../core/model/ids';
import type { ClosureOptions, ColumnClosureOptions, ColumnLineage, ColumnLineageEdge, ColumnLineageNode, ModelLineage, ModelLineageEdge, ModelLineageNode } from './catalogTypes';
import { summariesOf } from './entityQueries';
import { compareText } from './sqlUtil';
import { COLUMN_EDGES, MODEL_EDGES, walk } from './graphWalk';
import type { EdgeTable, Walk } from './graphWalk';

/** Every transform kind, direct ones first. */
export const ALL_TRANSFORMS: readonly TransformKind[] = [
  ...TransformKind.options.filter((k) => DIRECT_KINDS.has(k)),
  ...TransformKind.options.filter((k) => !DIRECT_KINDS.has(k)),
];
export const DIRECT_TRANSFORMS: readonly TransformKind[] = ALL_TRANSFORMS.filter((k) => DIRECT_KINDS.has(k));

/** Upstream and/or downstream walks merged: depth negative upstream, positive downstream. */
function bothWays(db: Database, spec: EdgeTable, root: string, options: ClosureOptions, labels?: readonly string[]): {
  depth: Map<string, number>;
  edges: { from: string; to: string; label: string }[];
} {
  const direction = options.direction ?? 'both';
  const walks: [Walk, number][] = [];
  if (direction !== 'downstream') walks.push([walk(db, spec, root, false, options.maxDepth, labels), -1]);
  if (direction !== 'upstream') walks.push([walk(db, spec, root, true, options.maxDepth, labels), 1]);
  const depth = new Map<string, number>();
  const edges = new Map<string, { from: string; to: string; label: string }>();
  for (const [w, sign] of walks) {
    for (const [id, d] of w.depth) {
      const previous = depth.get(id);
      // A node both upstream and downstream (a cycle) keeps its nearer position.
      if (previous === undefined || Math.abs(d) <= Math.abs(previous)) depth.set(id, d === 0 ? 0 : sign * d);
    }
    for (const e of w.edges) edges.set(`${e.from}\u0000${e.to}\u0000${e.label}`, e);
  }
  return { depth, edges: [...edges.values()] };
}

/** Model-level closure around an entity. */
export function modelLineage(db: Database, entityId: string, options: ClosureOptions): ModelLineage {
  const { depth, edges } = bothWays(db, MODEL_EDGES, entityId, options);
  const summaries = summariesOf(db, [...depth.keys()]);
  const nodes: ModelLineageNode[] = [...depth].map(([id, d]) => {
    const entity = summaries.get(id);
    return entity === undefined ? { id, depth: d } : { id, depth: d, entity };
  });
  nodes.sort((a, b) => a.depth - b.depth || compareText(a.id, b.id));
  const modelEdges: ModelLineageEdge[] = edges.map((e) => ({ from: e.from, to: e.to, kind: e.label as ModelEdgeKind }));
  modelEdges.sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to) || compareText(a.kind, b.kind));
  return { root: entityId, nodes, edges: modelEdges };
}

/** Column-level closure around a column. */
export function columnLineage(db: Database, columnId: string, options: ColumnClosureOptions): ColumnLineage {
  const labels = options.includeIndirect === true ? ALL_TRANSFORMS : DIRECT_TRANSFORMS;
  const { depth, edges } = bothWays(db, COLUMN_EDGES, columnId, options, labels);
  const split = [...depth].map(([id, d]) => ({ id, depth: d, ...splitColumnId(id) }));
  const summaries = summariesOf(db, [...new Set(split.map((n) => n.entityId))]);
  const nodes: ColumnLineageNode[] = split.map(({ id, depth: d, entityId, column }) => {
    const entity = summaries.get(entityId);
    return entity === undefined ? { id, entityId, column, depth: d } : { id, entityId, column, depth: d, entity };
  });
  nodes.sort((a, b) => a.depth - b.depth || compareText(a.id, b.id));
  const columnEdges: ColumnLineageEdge[] = edges.map((e) => ({ from: e.from, to: e.to, transform: e.label as TransformKind }));
  columnEdges.sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to) || compareText(a.transform, b.transform));
  return { root: columnId, nodes, edges: columnEdges };
}
