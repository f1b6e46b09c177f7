/**
 * Topological ordering of a dependency graph (Kahn's algorithm), stable for a given input order.
 * Nodes on or behind a cycle cannot be ordered; they are returned separately, in input order, so the
 * caller can report a diagnostic and still process them with partial schemas.
 */

/** Result of `topoSort`. */
export interface TopoResult {
  /** Nodes whose upstreams all come earlier. */
  order: string[];
  /** Nodes that are part of a cycle or depend on one. */
  cyclic: string[];
  /** One representative cycle per strongly connected component found (node ids in cycle order). */
  cycles: string[][];
}

/**
 * Sorts `nodes` so that every node comes after its upstreams. `upstreams(n)` may name nodes outside
 * `nodes` (sources, seeds); those are ignored for ordering.
 */
export function topoSort(nodes: readonly string[], upstreams: (node: string) => readonly string[]): TopoResult {
  const inSet = new Set(nodes);
  const indegree = new Map<string, number>();
  const downstream = new Map<string, string[]>();
  for (const n of nodes) {
    const ups = new Set(upstreams(n).filter((u) => inSet.has(u)));
    indegree.set(n, ups.size);
    for (const u of ups) {
      const list = downstream.get(u);
      if (list) list.push(n);
      else downstream.set(u, [n]);
    }
  }
  const queue = nodes.filter((n) => indegree.get(n) === 0);
  const order: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i] as string;
    order.push(n);
    for (const d of downstream.get(n) ?? []) {
      const left = (indegree.get(d) ?? 0) - 1;
      indegree.set(d, left);
      if (left === 0) queue.push(d);
    }
  }
  if (order.length === nodes.length) return { order, cyclic: [], cycles: [] };
  const done = new Set(order);
  const cyclic = nodes.filter((n) => !done.has(n));
  return { order, cyclic, cycles: findCycles(cyclic, (n) => upstreams(n).filter((u) => !done.has(u) && inSet.has(u))) };
}

/** Finds one cycle per start node not yet covered, by walking upstream until a node repeats. */
function findCycles(nodes: readonly string[], upstreams: (node: string) => readonly string[]): string[][] {
  const covered = new Set<string>();
  const cycles: string[][] = [];
  for (const start of nodes) {
    if (covered.has(start)) continue;
    const path: string[] = [];
    const index = new Map<string, number>();
    let current: string | undefined = start;
    while (current !== undefined && !index.has(current) && !covered.has(current)) {
      index.set(current, path.length);
      path.push(current);
      current = upstreams(current)[0];
    }
    for (const n of path) covered.add(n);
    if (current !== undefined && index.has(current)) cycles.push(path.slice(index.get(current)).reverse());
  }
  return cycles;
}

/** Appends `items` to `target` without spreading (spreading 100k+ items overflows the call stack). */
export function append<T>(target: T[], items: readonly T[]): T[] {
  for (const item of items) target.push(item);
  return target;
}
