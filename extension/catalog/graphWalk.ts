import type { Database } from 'better-sqlite3';
import { DIRECT_KINDS } from '../../core/model/entities';
import type { TransformKind } from '../../core/model/entities';
import { prepared } from './sqlUtil';

/**
 * Closure over an edge table with recursive CTEs. SQLite's recursive CTE cannot keep "the
 * smallest depth per node", and `UNION` only removes identical (node, depth) rows, so:
 * - with a small depth limit the CTE carries the depth and stops at the limit (at most
 *   nodes × limit rows);
 * - without a limit (or a large one) the CTE carries only the node id, which `UNION` deduplicates
 *   exactly (and which terminates on cycles), and the limit is applied afterwards.
 * Either way the edges among the reached nodes are fetched in one indexed query, and a BFS over
 * them in memory computes exact shortest depths and predecessors.
 */

/** An edge table as the walker sees it. */
export interface EdgeTable {
  table: 'model_edges' | 'column_edges';
  from: string;
  to: string;
  /** Column with the edge label (`kind` or `transform`). */
  label: string;
  /** Cost of an edge label among equally short paths (the BFS keeps the cheapest); 0 when absent. */
  penalty?: (label: string) => number;
}

export const MODEL_EDGES: EdgeTable = { table: 'model_edges', from: 'from_id', to: 'to_id', label: 'kind' };
/** Column edges; indirect transforms cost 1 so a direct-only shortest path wins when one exists. */
export const COLUMN_EDGES: EdgeTable = {
  table: 'column_edges',
  from: 'from_col',
  to: 'to_col',
  label: 'transform',
  penalty: (label) => (DIRECT_KINDS.has(label as TransformKind) ? 0 : 1),
};

/** An edge in the table's own orientation (`from` upstream of `to`). */
export interface WalkEdge {
  from: string;
  to: string;
  label: string;
}

/** Result of one directional walk. */
export interface Walk {
  /** Shortest hop count from the root per reached node (root included with 0). */
  depth: Map<string, number>;
  /** BFS-tree predecessor edge of each reached node except the root. */
  via: Map<string, WalkEdge>;
  /** Edges traversed: near end within the limit, far end reached. */
  edges: WalkEdge[];
}

/** Depth limits above this use the id-only CTE (see module comment). */
const DEPTH_CTE_LIMIT = 12;

/**
 * Walks from `root` downstream (following from → to) or upstream. `labels` restricts the edges
 * followed (for example direct transforms only); undefined follows every edge.
 */
export function walk(
  db: Database,
  spec: EdgeTable,
  root: string,
  downstream: boolean,
  maxDepth: number | undefined,
  labels?: readonly string[],
): Walk {
  const near = downstream ? spec.from : spec.to;
  const far = downstream ? spec.to : spec.from;
  const limit = maxDepth === undefined ? undefined : Math.max(0, Math.trunc(maxDepth));
  const labelFilter = labels === undefined ? '' : `AND e.${spec.label} IN (SELECT value FROM json_each(@labels))`;
  const labelParam = labels === undefined ? {} : { labels: JSON.stringify(labels) };
  let reached: string[];
  if (limit === 0) {
    reached = [root];
  } else if (limit !== undefined && limit <= DEPTH_CTE_LIMIT) {
    const sql = `WITH RECURSIVE w(id, depth) AS (
        SELECT @root, 0
        UNION
        SELECT e.${far}, w.depth + 1 FROM w JOIN ${spec.table} e ON e.${near} = w.id WHERE w.depth < @limit ${labelFilter}
      ) SELECT DISTINCT id FROM w`;
    reached = prepared(db, sql).pluck().all({ root, limit, ...labelParam }) as string[];
  } else {
    const sql = `WITH RECURSIVE w(id) AS (
        SELECT @root
        UNION
        SELECT e.${far} FROM w JOIN ${spec.table} e ON e.${near} = w.id ${labelFilter.replace('AND', 'WHERE')}
      ) SELECT id FROM w`;
    reached = prepared(db, sql).pluck().all({ root, ...labelParam }) as string[];
  }
  const reachedSet = new Set(reached);
  const edgeSql = `SELECT e.${spec.from} AS "from", e.${spec.to} AS "to", e.${spec.label} AS label
    FROM json_each(@ids) j JOIN ${spec.table} e ON e.${near} = j.value ${labelFilter}`;
  const candidates = (prepared(db, edgeSql).all({ ids: JSON.stringify(reached), ...labelParam }) as WalkEdge[]).filter((e) =>
    reachedSet.has(downstream ? e.to : e.from),
  );
  return bfs(root, candidates, downstream, limit, spec.penalty ?? (() => 0));
}

/**
 * In-memory BFS over the candidate edges. Among equally short paths each node keeps the one with
 * the lowest total penalty; this is exact because a level is complete before the next one starts.
 */
function bfs(root: string, candidates: WalkEdge[], downstream: boolean, limit: number | undefined, penalty: (label: string) => number): Walk {
  const out = new Map<string, WalkEdge[]>();
  for (const edge of candidates) {
    const key = downstream ? edge.from : edge.to;
    const list = out.get(key);
    if (list === undefined) out.set(key, [edge]);
    else list.push(edge);
  }
  const depth = new Map<string, number>([[root, 0]]);
  const cost = new Map<string, number>([[root, 0]]);
  const via = new Map<string, WalkEdge>();
  const edges: WalkEdge[] = [];
  let frontier = [root];
  for (let d = 0; frontier.length > 0 && (limit === undefined || d < limit); d++) {
    const next: string[] = [];
    for (const node of frontier) {
      const base = cost.get(node) ?? 0;
      for (const edge of out.get(node) ?? []) {
        edges.push(edge);
        const other = downstream ? edge.to : edge.from;
        const c = base + penalty(edge.label);
        const seen = depth.get(other);
        if (seen === undefined) {
          depth.set(other, d + 1);
          cost.set(other, c);
          via.set(other, edge);
          next.push(other);
        } else if (seen === d + 1 && c < (cost.get(other) ?? Infinity)) {
          cost.set(other, c);
          via.set(other, edge);
        }
      }
    }
    frontier = next;
  }
  return { depth, via, edges };
}
