import { Graph, layout } from '@dagrejs/dagre';
import type { ColumnGraph, GraphEdge, GraphNode } from './protocol';

/**
 * Lays out the model graph with dagre (left to right, upstream on the left) and draws it as SVG.
 * Nodes and edges carry data attributes (`data-id`, `data-from`, `data-to`, `data-column-id`)
 * that keyboard navigation, export and the end-to-end tests read.
 */

const SVG = 'http://www.w3.org/2000/svg';
const NODE_WIDTH = 200;
const NODE_HEIGHT = 40;
const COLUMN_ROW = 18;

/** What to draw. */
export interface GraphView {
  rootId: string;
  nodes: ReadonlyMap<string, GraphNode>;
  edges: readonly GraphEdge[];
  selected?: string;
  /** Column mode: the traced column graph, if any. */
  columns?: ColumnGraph;
  /** Node ids matching the search box. */
  matches: ReadonlySet<string>;
}

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Columns of each node that take part in the traced column graph, in a stable order. */
function columnsByNode(columns: ColumnGraph | undefined): Map<string, { id: string; column: string }[]> {
  const out = new Map<string, { id: string; column: string }[]>();
  for (const c of columns?.nodes ?? []) {
    const list = out.get(c.entityId) ?? [];
    list.push({ id: c.id, column: c.column });
    out.set(c.entityId, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.column.localeCompare(b.column));
  return out;
}

/** Above this many nodes dagre's crossing minimisation takes seconds; a depth-column layout is used instead. */
const DAGRE_NODE_LIMIT = 150;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Layout {
  width: number;
  height: number;
  node(id: string): Box;
  edgePoints(from: string, to: string): { x: number; y: number }[];
}

/** dagre's layered layout (best looking; fine up to a few hundred nodes). */
function dagreLayout(view: GraphView, heights: Map<string, number>): Layout {
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of view.nodes.values()) g.setNode(node.id, { width: NODE_WIDTH, height: heights.get(node.id) ?? NODE_HEIGHT });
  for (const e of view.edges) if (view.nodes.has(e.from) && view.nodes.has(e.to)) g.setEdge(e.from, e.to);
  layout(g);
  const label = g.graph() as { width?: number; height?: number };
  return {
    width: label.width ?? 200,
    height: label.height ?? 100,
    node: (id) => g.node(id) as Box,
    edgePoints: (from, to) => (g.edge(from, to) as { points?: { x: number; y: number }[] } | undefined)?.points ?? [],
  };
}

/**
 * A linear-time layout for big graphs: one column per depth (upstream left), nodes in a column
 * ordered by the mean row of their already placed neighbours, straight edges.
 */
function columnLayout(view: GraphView, heights: Map<string, number>): Layout {
  const byDepth = new Map<number, string[]>();
  for (const n of view.nodes.values()) byDepth.set(n.depth, [...(byDepth.get(n.depth) ?? []), n.id]);
  const depths = [...byDepth.keys()].sort((a, b) => a - b);
  const minDepth = depths[0] ?? 0;
  const neighbours = new Map<string, string[]>();
  for (const e of view.edges) {
    neighbours.set(e.from, [...(neighbours.get(e.from) ?? []), e.to]);
    neighbours.set(e.to, [...(neighbours.get(e.to) ?? []), e.from]);
  }
  const boxes = new Map<string, Box>();
  const row = new Map<string, number>();
  let height = 0;
  // Place the root's column first, then walk outwards so each column can follow its placed neighbours.
  const order = [...depths].sort((a, b) => Math.abs(a) - Math.abs(b));
  for (const depth of order) {
    const ids = byDepth.get(depth) ?? [];
    const score = (id: string): number => {
      const rows = (neighbours.get(id) ?? []).map((n) => row.get(n)).filter((r): r is number => r !== undefined);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Number.MAX_SAFE_INTEGER;
    };
    ids.sort((a, b) => score(a) - score(b) || a.localeCompare(b));
    let y = 20;
    ids.forEach((id, i) => {
      const h = heights.get(id) ?? NODE_HEIGHT;
      row.set(id, i);
      boxes.set(id, { x: 20 + (depth - minDepth) * (NODE_WIDTH + 70) + NODE_WIDTH / 2, y: y + h / 2, width: NODE_WIDTH, height: h });
      y += h + 18;
    });
    height = Math.max(height, y);
  }
  return {
    width: 40 + depths.length * (NODE_WIDTH + 70),
    height: height + 20,
    node: (id) => boxes.get(id) ?? { x: 0, y: 0, width: NODE_WIDTH, height: NODE_HEIGHT },
    edgePoints: (from, to) => {
      const a = boxes.get(from);
      const b = boxes.get(to);
      return a && b ? [{ x: a.x + a.width / 2, y: a.y }, { x: b.x - b.width / 2, y: b.y }] : [];
    },
  };
}

/** Draws `view` into a fresh `<svg>`; returns it with its natural size. */
export function renderGraph(view: GraphView): SVGSVGElement {
  const cols = columnsByNode(view.columns);
  const heights = new Map<string, number>();
  for (const node of view.nodes.values()) heights.set(node.id, NODE_HEIGHT + (cols.get(node.id)?.length ?? 0) * COLUMN_ROW);
  const g = view.nodes.size > DAGRE_NODE_LIMIT ? columnLayout(view, heights) : dagreLayout(view, heights);

  const width = Math.max(200, g.width);
  const height = Math.max(100, g.height);
  const svg = svgEl('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'graph', role: 'img', 'aria-label': 'Lineage graph' });
  svg.append(arrowMarker());

  const edgeLayer = svgEl('g', { class: 'edges' });
  for (const e of view.edges) {
    const points = g.edgePoints(e.from, e.to);
    if (points.length === 0) continue;
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    edgeLayer.append(svgEl('path', { d, class: `edge edge-${e.kind}`, 'data-from': e.from, 'data-to': e.to, 'marker-end': 'url(#arrow)' }));
  }
  svg.append(edgeLayer);

  const columnPositions = new Map<string, { x: number; y: number; left: number }>();
  const nodeLayer = svgEl('g', { class: 'nodes' });
  for (const node of view.nodes.values()) {
    const box = g.node(node.id);
    const x = box.x - box.width / 2;
    const y = box.y - box.height / 2;
    const classes = ['node', `kind-${node.kind}`];
    if (node.id === view.rootId) classes.push('root');
    if (node.id === view.selected) classes.push('selected');
    if (node.dangling) classes.push('dangling');
    if (view.matches.has(node.id)) classes.push('match');
    const group = svgEl('g', { class: classes.join(' '), 'data-id': node.id, 'data-name': node.name, tabindex: -1, transform: `translate(${x.toFixed(1)},${y.toFixed(1)})` });
    group.append(svgEl('rect', { width: box.width, height: box.height, rx: 4 }));
    const title = svgEl('text', { x: 10, y: 17, class: 'name' });
    title.textContent = node.name;
    const sub = svgEl('text', { x: 10, y: 31, class: 'kind' });
    sub.textContent = node.dangling ? 'missing' : node.kind;
    group.append(title, sub);
    if (node.more.upstream) group.append(expander(node, 'upstream', -8, NODE_HEIGHT / 2 - 8));
    if (node.more.downstream) group.append(expander(node, 'downstream', box.width - 8, NODE_HEIGHT / 2 - 8));
    (cols.get(node.id) ?? []).forEach((c, i) => {
      const cy = NODE_HEIGHT + i * COLUMN_ROW + 12;
      const cls = c.id === view.columns?.root ? 'col highlight' : 'col related';
      const text = svgEl('text', { x: 16, y: cy, class: cls, 'data-column-id': c.id });
      text.textContent = c.column;
      group.append(text);
      columnPositions.set(c.id, { x: x + box.width, y: y + cy - 4, left: x });
    });
    nodeLayer.append(group);
  }
  svg.append(nodeLayer);

  // Column edges: curves from the right side of the upstream column row to the left of the downstream one.
  if (view.columns) {
    const colLayer = svgEl('g', { class: 'column-edges' });
    for (const e of view.columns.edges) {
      const a = columnPositions.get(e.from);
      const b = columnPositions.get(e.to);
      if (!a || !b) continue;
      const mid = (a.x + b.left) / 2;
      const d = `M${a.x},${a.y} C${mid},${a.y} ${mid},${b.y} ${b.left},${b.y}`;
      colLayer.append(svgEl('path', { d, class: `column-edge t-${e.transform} ${e.direct ? 'direct' : 'indirect'}`, 'data-from': e.from, 'data-to': e.to }));
    }
    svg.insertBefore(colLayer, nodeLayer);
  }
  return svg;
}

function expander(node: GraphNode, direction: 'upstream' | 'downstream', x: number, y: number): SVGGElement {
  const group = svgEl('g', { class: `expand expand-${direction}`, 'data-direction': direction, transform: `translate(${x},${y})` });
  group.append(svgEl('circle', { cx: 8, cy: 8, r: 8 }));
  const label = svgEl('text', { x: 8, y: 12, 'text-anchor': 'middle' });
  label.textContent = '+';
  const tip = svgEl('title', {});
  tip.textContent = `Show more ${direction} of ${node.name} (${node.degree[direction]} in total)`;
  group.append(label, tip);
  return group;
}

function arrowMarker(): SVGDefsElement {
  const defs = svgEl('defs', {});
  const marker = svgEl('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svgEl('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }));
  defs.append(marker);
  return defs;
}

/** The graph as Mermaid flowchart text (`graph LR`), ids made Mermaid-safe. */
export function toMermaid(nodes: ReadonlyMap<string, GraphNode>, edges: readonly GraphEdge[]): string {
  const safe = new Map<string, string>();
  let i = 0;
  for (const id of nodes.keys()) safe.set(id, `n${i++}`);
  const lines = ['graph LR'];
  for (const [id, node] of nodes) lines.push(`  ${safe.get(id)}["${node.name.replace(/"/g, '#quot;')}"]`);
  for (const e of edges) {
    const a = safe.get(e.from);
    const b = safe.get(e.to);
    if (a && b) lines.push(`  ${a} --> ${b}`);
  }
  return `${lines.join('\n')}\n`;
}
