import { layoutInput, runLayout, type Measure, type Placed } from './layout';
import type { GraphEdge, GraphNode } from './protocol';
import { COMPACT_WIDTH, MAX_WIDTH, MIN_SCALE, tighten, visibleGraph, type Card, type Collapse, type Trace, type VisibleEdge, type VisibleNode } from './viewModel';

/**
 * The fitting loop of the lineage view: lay out, and while the graph does not fit the panel at
 * `MIN_SCALE`, first narrow the nodes (names ellipsize, with a tooltip), then move a level to the
 * other side or fold one more level (or the overflow of crowded levels) into "+N" nodes. Shared by the webview and
 * its tests, so the tests run the loop the user gets.
 */

/** What one fitting run needs. */
export interface FitRequest {
  nodes: ReadonlyMap<string, GraphNode>;
  edges: readonly GraphEdge[];
  rootId: string;
  /** Panel size in CSS pixels available to the drawing. */
  view: { width: number; height: number };
  measure: Measure;
  /** Where to start folding from. */
  collapse: Collapse;
  /** The column card of a drawn node. */
  card(node: VisibleNode): Card;
  trace?: Trace;
  /** False keeps `collapse` as it is (the user opened folds): lay out once. */
  tighten: boolean;
}

/** A laid-out graph and the fold setting it was drawn with. */
export interface Fitted {
  collapse: Collapse;
  nodes: VisibleNode[];
  edges: VisibleEdge[];
  cards: Map<string, Card>;
  placed: Placed;
  /** Largest zoom (at most 1) at which the whole drawing is in the panel. */
  fit: number;
}

/** Runs the loop; a few layouts at most per fold step, usually one or two in all. */
export async function fitGraph(request: FitRequest): Promise<Fitted> {
  const pinned = new Set(request.trace?.byNode.keys() ?? []);
  let maxWidth = MAX_WIDTH;
  const attempt = async (collapse: Collapse): Promise<Fitted> => {
    const vis = visibleGraph(request.nodes, request.edges, request.rootId, collapse, pinned);
    const cards = new Map(vis.nodes.map((n) => [n.id, request.card(n)]));
    const placed = await runLayout(layoutInput(vis.nodes, vis.edges, cards, request.measure, request.trace, maxWidth));
    const fit = Math.min(1, request.view.width / Math.max(1, placed.width), request.view.height / Math.max(1, placed.height));
    return { collapse, nodes: vis.nodes, edges: vis.edges, cards, placed, fit };
  };
  let best = await attempt(request.collapse);
  if (!request.tighten || best.fit >= MIN_SCALE) return best;
  maxWidth = COMPACT_WIDTH;
  best = await attempt(best.collapse);
  let minDepth = 0;
  let maxDepth = 0;
  for (const n of request.nodes.values()) {
    minDepth = Math.min(minDepth, n.depth);
    maxDepth = Math.max(maxDepth, n.depth);
  }
  for (let step = 0; best.fit < MIN_SCALE && step < 12; step++) {
    const { depthUp: up, depthDown: down } = best.collapse;
    // A level on the other side may fit where this one did not (ELK adds layers for edges inside a
    // level), so the same number of levels with one moved across is tried before dropping one.
    const candidates: Collapse[] = [];
    if (down > 0 && up < -minDepth) candidates.push({ ...best.collapse, depthUp: up + 1, depthDown: down - 1 });
    if (up > 0 && down < maxDepth) candidates.push({ ...best.collapse, depthUp: up - 1, depthDown: down + 1 });
    if (up > 0) candidates.push({ ...best.collapse, depthUp: up - 1 });
    if (down > 0) candidates.push({ ...best.collapse, depthDown: down - 1 });
    if (candidates.length === 0) {
      const next = tighten(best.collapse, best.fit);
      if (!next) return best;
      best = await attempt(next);
      continue;
    }
    let chosen: Fitted | undefined;
    let fallback: Fitted | undefined;
    for (const c of candidates) {
      const tried = await attempt(c);
      if (tried.fit >= MIN_SCALE) {
        chosen = tried;
        break;
      }
      // Keep dropping levels from the reduction that came closest.
      if (c.depthUp + c.depthDown < up + down && (!fallback || tried.fit > fallback.fit)) fallback = tried;
    }
    const next = chosen ?? fallback;
    if (!next) return best;
    best = next;
  }
  return best;
}
