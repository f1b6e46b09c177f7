import type { EntityKind, ModelEdgeKind } from '../../core/model/entities';
import type { GraphEdge, GraphNode, GraphPage } from './protocol';

/**
 * The lineage view-model on the host side. It walks the catalog graph around a root and hands the
 * webview pages of at most `maxNodes` nodes: the first page is a breadth-first walk upstream and
 * downstream of the root, level by level; every node whose neighbours were not all sent carries a
 * cursor, and `expand(cursor)` returns the next page of that node's neighbours. It remembers what it
 * sent, so no node or edge is sent twice and cursors disappear once everything behind them is sent.
 */

/** Which way an expansion walks. */
export type Direction = 'upstream' | 'downstream';

/** Read access to the graph; the host backs it with the catalog store. */
export interface LineageReader {
  /** The entity behind an id, or undefined for a dangling id. */
  node(id: string): { name: string; kind: EntityKind; project: string; columns?: { name: string; type?: string }[] } | undefined;
  /** Direct neighbours in one direction, each with the kind of the connecting edge. */
  neighbors(id: string, direction: Direction): { id: string; kind: ModelEdgeKind }[];
}

interface SentNode {
  depth: number;
}

const DIRECTIONS: readonly Direction[] = ['upstream', 'downstream'];

/** One lineage panel's paging state. */
export class GraphSession {
  private readonly sent = new Map<string, SentNode>();
  private readonly sentEdges = new Set<string>();
  private readonly neighborCache = new Map<string, { id: string; kind: ModelEdgeKind }[]>();
  private generation = 0;
  private rootId = '';

  constructor(
    private readonly reader: LineageReader,
    /** Upper bound of nodes in one page (at least 1). */
    readonly maxNodes: number,
  ) {
    if (!Number.isInteger(maxNodes) || maxNodes < 1) throw new RangeError(`maxNodes must be a positive integer, got ${maxNodes}`);
  }

  /** Starts over around `rootId`: the first page, breadth-first in both directions. */
  open(rootId: string): GraphPage {
    this.generation++;
    this.sent.clear();
    this.sentEdges.clear();
    this.neighborCache.clear();
    this.rootId = rootId;

    const added: string[] = [rootId];
    this.sent.set(rootId, { depth: 0 });
    // Upstream nodes keep walking upstream and downstream nodes downstream, as lineage views do;
    // the other direction of each node stays available through its cursor.
    let frontier: { id: string; direction: Direction | 'both' }[] = [{ id: rootId, direction: 'both' }];
    while (frontier.length > 0 && added.length < this.maxNodes) {
      const next: typeof frontier = [];
      for (const { id, direction } of frontier) {
        for (const dir of DIRECTIONS) {
          if (direction !== 'both' && direction !== dir) continue;
          for (const neighbor of this.neighbors(id, dir)) {
            if (this.sent.has(neighbor.id)) continue;
            if (added.length >= this.maxNodes) break;
            this.sent.set(neighbor.id, { depth: this.depthOf(id) + (dir === 'upstream' ? -1 : 1) });
            added.push(neighbor.id);
            next.push({ id: neighbor.id, direction: dir });
          }
        }
      }
      frontier = next;
    }
    return { rootId, nodes: added.map((id) => this.toNode(id)), edges: this.collectEdges(added), updated: [], reset: true };
  }

  /** The next page behind a cursor, or undefined when the cursor is stale or malformed. */
  expand(cursor: string): GraphPage | undefined {
    const parsed = parseCursor(cursor);
    if (!parsed || parsed.generation !== this.generation || !this.sent.has(parsed.id)) return undefined;
    const base = this.depthOf(parsed.id);
    const added: string[] = [];
    for (const neighbor of this.neighbors(parsed.id, parsed.direction)) {
      if (added.length >= this.maxNodes) break;
      if (this.sent.has(neighbor.id)) continue;
      this.sent.set(neighbor.id, { depth: base + (parsed.direction === 'upstream' ? -1 : 1) });
      added.push(neighbor.id);
    }
    // Known nodes next to the new ones may have lost (or kept) their cursors.
    const touched = new Set<string>([parsed.id]);
    for (const id of added) {
      for (const dir of DIRECTIONS) for (const n of this.neighbors(id, dir)) if (this.sent.has(n.id) && !added.includes(n.id)) touched.add(n.id);
    }
    return {
      rootId: this.rootId,
      nodes: added.map((id) => this.toNode(id)),
      edges: this.collectEdges(added),
      updated: [...touched].map((id) => ({ id, more: this.moreOf(id) })),
      reset: false,
    };
  }

  /** Number of nodes sent since the last `open`. */
  get sentCount(): number {
    return this.sent.size;
  }

  private depthOf(id: string): number {
    return this.sent.get(id)?.depth ?? 0;
  }

  private neighbors(id: string, direction: Direction): { id: string; kind: ModelEdgeKind }[] {
    const key = `${direction}\u0000${id}`;
    let list = this.neighborCache.get(key);
    if (!list) {
      // Sorted so pages are deterministic whatever order the store returns.
      list = [...this.reader.neighbors(id, direction)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.neighborCache.set(key, list);
    }
    return list;
  }

  private moreOf(id: string): GraphNode['more'] {
    const more: GraphNode['more'] = {};
    for (const dir of DIRECTIONS) {
      if (this.neighbors(id, dir).some((n) => !this.sent.has(n.id))) more[dir] = formatCursor(this.generation, dir, id);
    }
    return more;
  }

  private toNode(id: string): GraphNode {
    const entity = this.reader.node(id);
    return {
      id,
      name: entity?.name ?? id.split('.').pop() ?? id,
      kind: entity?.kind ?? 'unknown',
      project: entity?.project ?? '',
      depth: this.depthOf(id),
      dangling: entity === undefined,
      columns: entity?.columns ?? [],
      more: this.moreOf(id),
      degree: { upstream: this.neighbors(id, 'upstream').length, downstream: this.neighbors(id, 'downstream').length },
    };
  }

  /** Edges between the new nodes and every sent node, each sent once. */
  private collectEdges(added: readonly string[]): GraphEdge[] {
    const edges: GraphEdge[] = [];
    const push = (from: string, to: string, kind: ModelEdgeKind): void => {
      const key = `${from}\u0000${to}`;
      if (this.sentEdges.has(key)) return;
      this.sentEdges.add(key);
      edges.push({ from, to, kind });
    };
    for (const id of added) {
      for (const n of this.neighbors(id, 'upstream')) if (this.sent.has(n.id)) push(n.id, id, n.kind);
      for (const n of this.neighbors(id, 'downstream')) if (this.sent.has(n.id)) push(id, n.id, n.kind);
    }
    return edges;
  }
}

function formatCursor(generation: number, direction: Direction, id: string): string {
  return `${direction === 'upstream' ? 'u' : 'd'}:${generation}:${id}`;
}

function parseCursor(cursor: string): { generation: number; direction: Direction; id: string } | undefined {
  const match = /^([ud]):(\d+):(.+)$/s.exec(cursor);
  if (!match) return undefined;
  return { direction: match[1] === 'u' ? 'upstream' : 'downstream', generation: Number(match[2]), id: match[3] ?? '' };
}
