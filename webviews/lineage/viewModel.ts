import type { ColumnGraph, GraphEdge, GraphNode } from './protocol';

/**
 * The lineage view-model: which of the nodes the host sent are drawn, which are folded into "+N"
 * nodes, and what each node's column card lists. Pure functions of plain data (no DOM), so the
 * rules are unit-tested and the renderer only draws what they decide.
 *
 * Why fold instead of shrink: a graph scaled to fit its panel drew 7–10 px text. The view opens
 * fitted at a scale of at least `MIN_SCALE` (11 px for 12 px text) and folds the levels farthest
 * from the root, and the overflow of crowded levels, into "+N" nodes the user can open one by one.
 */

/** Smallest zoom: the smallest text (12 px) stays at 11 px or more. */
export const MIN_SCALE = 11 / 12;
/** Height of a node's header (name line and kind line). */
export const HEADER_HEIGHT = 46;
/** Height of one column row in a card, and of the card's filter box. */
export const ROW_HEIGHT = 20;
export const FILTER_HEIGHT = 28;
/** A card lists at most this many rows; the rest scroll (outside column mode). */
export const MAX_ROWS = 10;
/** Cards with more columns than this get a filter box. */
export const FILTER_FROM = 6;
/** Node width bounds; between them a node is as wide as its name needs. */
export const MIN_WIDTH = 140;
export const MAX_WIDTH = 220;
/** The narrower bound tried before folding more: long names ellipsize (with a tooltip) rather than hide a level. */
export const COMPACT_WIDTH = 150;
/** Gaps the layout keeps, used to estimate how many levels and rows fit before laying out. */
export const LAYER_GAP = 44;
/** Width of a "+N" node. */
export const FOLD_WIDTH = 52;
export const ROW_GAP = 14;

/** How much of the graph is drawn: levels kept on each side of the root and nodes per level. */
export interface Collapse {
  depthUp: number;
  depthDown: number;
  perLevel: number;
  /** Levels the user opened completely (their "+N" was clicked). */
  openLevels: number[];
}

/** A drawn node: a catalog node, or a "+N" node standing for the nodes it hides. */
export interface VisibleNode {
  id: string;
  name: string;
  kind: GraphNode['kind'] | 'more';
  depth: number;
  dangling: boolean;
  columns: GraphNode['columns'];
  /** For "+N" nodes: the ids folded into it and what clicking it opens. */
  folded?: { ids: string[]; opens: { side: 'upstream' | 'downstream' } | { level: number } };
}

/** A drawn model-level edge (edges into folded nodes end at their "+N" node, once). */
export interface VisibleEdge {
  from: string;
  to: string;
  kind: GraphEdge['kind'];
}

/** The id of the "+N" node of one side beyond the kept levels. */
export function sideFoldId(side: 'upstream' | 'downstream'): string {
  return `more:${side}`;
}

/** The id of the "+N" node of one crowded level. */
export function levelFoldId(depth: number): string {
  return `more:level:${depth}`;
}

/**
 * The drawn graph for a collapse setting. Nodes beyond `depthUp`/`depthDown` fold into one "+N"
 * node per side; a level with more than `perLevel` nodes keeps the root, then the nodes with the
 * most drawn neighbours, and folds the rest into one "+N" node of that level.
 */
export function visibleGraph(nodes: ReadonlyMap<string, GraphNode>, edges: readonly GraphEdge[], rootId: string, collapse: Collapse, pinned: ReadonlySet<string> = new Set()): { nodes: VisibleNode[]; edges: VisibleEdge[] } {
  const rep = new Map<string, string>();
  const folds = new Map<string, VisibleNode>();
  const fold = (id: string, foldId: string, depth: number, opens: NonNullable<VisibleNode['folded']>['opens']): void => {
    rep.set(id, foldId);
    let node = folds.get(foldId);
    if (!node) {
      node = { id: foldId, name: '', kind: 'more', depth, dangling: false, columns: [], folded: { ids: [], opens } };
      folds.set(foldId, node);
    }
    node.folded?.ids.push(id);
  };
  const byLevel = new Map<number, GraphNode[]>();
  for (const n of nodes.values()) {
    if (pinned.has(n.id)) byLevel.set(n.depth, [...(byLevel.get(n.depth) ?? []), n]);
    else if (n.id !== rootId && n.depth < -collapse.depthUp) fold(n.id, sideFoldId('upstream'), -collapse.depthUp - 1, { side: 'upstream' });
    else if (n.id !== rootId && n.depth > collapse.depthDown) fold(n.id, sideFoldId('downstream'), collapse.depthDown + 1, { side: 'downstream' });
    else byLevel.set(n.depth, [...(byLevel.get(n.depth) ?? []), n]);
  }
  const degree = new Map<string, number>();
  for (const e of edges) {
    degree.set(e.from, (degree.get(e.from) ?? 0) + 1);
    degree.set(e.to, (degree.get(e.to) ?? 0) + 1);
  }
  const kept: VisibleNode[] = [];
  for (const [depth, level] of [...byLevel.entries()].sort((a, b) => a[0] - b[0])) {
    const limit = collapse.openLevels.includes(depth) ? Number.POSITIVE_INFINITY : Math.max(1, collapse.perLevel);
    const ordered = [...level].sort((a, b) => rank(b) - rank(a) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    // A "+N" node takes a row itself, so a folded level keeps one node fewer than the limit.
    const mustKeep = ordered.filter((n) => n.id === rootId || pinned.has(n.id)).length;
    const keep = ordered.length > limit ? Math.max(1, mustKeep, limit - 1) : ordered.length;
    ordered.forEach((n, i) => {
      if (i < keep) kept.push({ id: n.id, name: n.name, kind: n.kind, depth: n.depth, dangling: n.dangling, columns: n.columns });
      else fold(n.id, levelFoldId(depth), depth, { level: depth });
    });
  }
  function rank(n: GraphNode): number {
    return n.id === rootId || pinned.has(n.id) ? Number.POSITIVE_INFINITY : (degree.get(n.id) ?? 0);
  }
  for (const f of folds.values()) f.name = `+${f.folded?.ids.length ?? 0}`;
  const seen = new Set<string>();
  const out: VisibleEdge[] = [];
  for (const e of edges) {
    const from = rep.get(e.from) ?? e.from;
    const to = rep.get(e.to) ?? e.to;
    const key = `${from}\u0000${to}`;
    if (from === to || seen.has(key)) continue;
    seen.add(key);
    out.push({ from, to, kind: e.kind });
  }
  return { nodes: [...kept, ...folds.values()], edges: out };
}

/**
 * A first collapse guess for a panel of `view` CSS pixels: as many levels and rows as fit at
 * `MIN_SCALE` with nodes of `nodeWidth`, levels added alternately downstream and upstream.
 * Pinned nodes (the traced ones in column mode) are never folded.
 * The caller lays out, checks the real fit and calls `tighten` while it does not fit.
 */
export function initialCollapse(nodes: ReadonlyMap<string, GraphNode>, view: { width: number; height: number }, nodeWidth: number): Collapse {
  let minDepth = 0;
  let maxDepth = 0;
  for (const n of nodes.values()) {
    minDepth = Math.min(minDepth, n.depth);
    maxDepth = Math.max(maxDepth, n.depth);
  }
  const room = view.width / MIN_SCALE - 32;
  const rows = Math.max(2, Math.floor((view.height / MIN_SCALE + ROW_GAP) / (HEADER_HEIGHT + ROW_GAP)));
  let depthUp = 0;
  let depthDown = 0;
  // Each side that folds needs a narrow level for its "+N" node too.
  const used = (): number => {
    const folds = (depthUp < -minDepth ? 1 : 0) + (depthDown < maxDepth ? 1 : 0);
    const levels = 1 + depthUp + depthDown;
    return levels * nodeWidth + folds * FOLD_WIDTH + (levels + folds - 1) * LAYER_GAP;
  };
  for (let grew = true; grew; ) {
    grew = false;
    for (const side of ['down', 'up'] as const) {
      if (side === 'down' && depthDown < maxDepth) {
        depthDown++;
        if (used() > room) depthDown--;
        else grew = true;
      }
      if (side === 'up' && depthUp < -minDepth) {
        depthUp++;
        if (used() > room) depthUp--;
        else grew = true;
      }
    }
  }
  return { depthUp, depthDown, perLevel: rows, openLevels: [] };
}

/** One step smaller (after a layout that did not fit at `MIN_SCALE`); undefined when nothing is left to fold. */
export function tighten(collapse: Collapse, fitScale: number): Collapse | undefined {
  if (collapse.depthUp + collapse.depthDown > 0) {
    return collapse.depthUp > collapse.depthDown ? { ...collapse, depthUp: collapse.depthUp - 1 } : { ...collapse, depthDown: collapse.depthDown - 1 };
  }
  const perLevel = Math.floor(collapse.perLevel * Math.min(0.9, fitScale / MIN_SCALE));
  return perLevel >= 2 && perLevel < collapse.perLevel ? { ...collapse, perLevel, openLevels: [] } : undefined;
}

/** What clicking a "+N" node opens: the next level of its side, or its whole level. */
export function openFold(collapse: Collapse, node: VisibleNode): Collapse {
  const opens = node.folded?.opens;
  if (!opens) return collapse;
  if ('side' in opens) return opens.side === 'upstream' ? { ...collapse, depthUp: collapse.depthUp + 1 } : { ...collapse, depthDown: collapse.depthDown + 1 };
  return { ...collapse, openLevels: [...collapse.openLevels, opens.level] };
}

/** Column mode: the traced column graph by node. */
export interface Trace {
  graph: ColumnGraph;
  /** Traced column names per entity id. */
  byNode: Map<string, Set<string>>;
}

/** Indexes a column graph by node. */
export function traceOf(graph: ColumnGraph): Trace {
  const byNode = new Map<string, Set<string>>();
  for (const c of graph.nodes) byNode.set(c.entityId, (byNode.get(c.entityId) ?? new Set()).add(c.column.toLowerCase()));
  return { graph, byNode };
}

/** One row of a column card. */
export interface CardRow {
  /** Column id `<entityId>#<lower-cased name>`, as column lineage names it. */
  id: string;
  name: string;
  type?: string;
  /** `root` is the traced column, `related` a column in its lineage, `plain` any other. */
  state: 'root' | 'related' | 'plain';
}

/** A node's column card: the rows drawn, the filter box, how many columns are not listed, its height. */
export interface Card {
  expanded: boolean;
  rows: CardRow[];
  filterBox: boolean;
  /** Columns the card does not list (filtered out, or outside the trace). */
  hidden: number;
  /** Rows visible without scrolling. */
  visibleRows: number;
  height: number;
}

/**
 * The column card of a node. In column mode a node of the trace lists only its traced columns
 * (all of them, so every column edge has a row to attach to) and other nodes stay folded; outside
 * column mode an expanded card lists the columns matching its filter, at most `MAX_ROWS` at a time.
 */
export function columnCard(node: VisibleNode, options: { expanded: boolean; filter: string; trace?: Trace }): Card {
  const make = (c: GraphNode['columns'][number], state: CardRow['state']): CardRow => ({ id: `${node.id}#${c.name.toLowerCase()}`, name: c.name, ...(c.type ? { type: c.type } : {}), state });
  const traced = options.trace?.byNode.get(node.id);
  if (options.trace) {
    if (!traced) return { expanded: false, rows: [], filterBox: false, hidden: node.columns.length, visibleRows: 0, height: HEADER_HEIGHT };
    const rootId = options.trace.graph.root.toLowerCase();
    const listed = node.columns.filter((c) => traced.has(c.name.toLowerCase()));
    // Traced columns the node's column list does not name (inferred only by lineage) still get a row.
    const named = new Set(listed.map((c) => c.name.toLowerCase()));
    const extra = [...traced].filter((c) => !named.has(c)).map((name) => ({ name }));
    const rows = [...listed, ...extra].map((c) => make(c, `${node.id}#${c.name.toLowerCase()}`.toLowerCase() === rootId ? 'root' : 'related'));
    return { expanded: true, rows, filterBox: false, hidden: Math.max(0, node.columns.length - listed.length), visibleRows: rows.length, height: HEADER_HEIGHT + rows.length * ROW_HEIGHT + 6 };
  }
  if (!options.expanded || node.columns.length === 0) return { expanded: false, rows: [], filterBox: false, hidden: node.columns.length, visibleRows: 0, height: HEADER_HEIGHT };
  const q = options.filter.trim().toLowerCase();
  const rows = node.columns.filter((c) => !q || c.name.toLowerCase().includes(q) || (c.type ?? '').toLowerCase().includes(q)).map((c) => make(c, 'plain'));
  const filterBox = node.columns.length > FILTER_FROM;
  // Sized by the whole column list, not the filtered one, so typing in the filter never re-lays out the graph.
  const visibleRows = Math.max(1, Math.min(MAX_ROWS, node.columns.length));
  return { expanded: true, rows, filterBox, hidden: node.columns.length - rows.length, visibleRows, height: HEADER_HEIGHT + (filterBox ? FILTER_HEIGHT : 0) + visibleRows * ROW_HEIGHT + 6 };
}
