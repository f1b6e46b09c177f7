import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs/lib/elk-api';
import { FOLD_WIDTH, HEADER_HEIGHT, LAYER_GAP as LAYER_GAP_PX, MAX_WIDTH, MIN_WIDTH, ROW_GAP, ROW_HEIGHT, type Card, type Trace, type VisibleEdge, type VisibleNode } from './viewModel';

/**
 * Layout of the drawn graph with elkjs' layered algorithm (Sugiyama: left to right, layer-sweep
 * crossing reduction, Brandes–Köpf placement, orthogonal edges). In column mode every traced
 * column is a pair of ports at its row (west in, east out) with fixed positions, so column edges
 * leave and enter at their rows in row order and ELK routes them without crossing the cards.
 *
 * It runs in the webview, not on the extension host: node sizes depend on text measured in the
 * page and on which cards are open, both known only there, and a re-layout after a card is opened
 * needs no round trip. ELK runs on the page's thread (elk.bundled.js, no worker: the CSP allows
 * no worker source) — a few hundred milliseconds for the ≤ 200 nodes a page holds.
 */

/** Gap between layers and between nodes of a layer (the view model estimates with the same numbers). */
const LAYER_GAP = String(LAYER_GAP_PX);
const NODE_GAP = String(ROW_GAP);
/** Size of a transformation-kind label on a column edge. */
export const LABEL_HEIGHT = 16;

/** Measures text in CSS pixels for a CSS font shorthand; the page backs it with a canvas. */
export type Measure = (text: string, font: string) => number;

/** Fonts the renderer uses (kept here so measurement and CSS agree). */
export const NAME_FONT = '600 13px sans-serif';
export const LABEL_FONT = '12px sans-serif';

/** A node as wide as its name needs, between the bounds; "+N" nodes are narrow. */
export function nodeWidth(node: VisibleNode, measure: Measure, maxWidth = MAX_WIDTH): number {
  if (node.kind === 'more') return FOLD_WIDTH;
  // 46 px: padding on both sides and the kind icon before the name.
  return Math.round(Math.min(maxWidth, Math.max(MIN_WIDTH, measure(node.name, NAME_FONT) + 46)));
}

/** The port id of a traced column on one side of its node. */
export function portId(columnId: string, side: 'in' | 'out'): string {
  return `${columnId}>${side}`;
}

/** Builds ELK's input: nodes with their card heights, model edges, and in column mode ports and labelled column edges. */
export function layoutInput(nodes: readonly VisibleNode[], edges: readonly VisibleEdge[], cards: ReadonlyMap<string, Card>, measure: Measure, trace?: Trace, maxWidth = MAX_WIDTH): ElkNode {
  const width = new Map(nodes.map((n) => [n.id, nodeWidth(n, measure, maxWidth)]));
  const rowOf = new Map<string, { node: string; index: number }>();
  const children: ElkNode[] = nodes.map((n) => {
    const card = cards.get(n.id);
    const w = width.get(n.id) ?? MIN_WIDTH;
    const ports: ElkPort[] = [];
    if (trace && card) {
      card.rows.forEach((row, index) => {
        rowOf.set(row.id, { node: n.id, index });
        const y = HEADER_HEIGHT + index * ROW_HEIGHT + ROW_HEIGHT / 2;
        ports.push({ id: portId(row.id, 'in'), x: 0, y, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'WEST' } });
        ports.push({ id: portId(row.id, 'out'), x: w, y, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'EAST' } });
      });
    }
    return { id: n.id, width: w, height: card?.height ?? HEADER_HEIGHT, ports, layoutOptions: { 'elk.portConstraints': ports.length ? 'FIXED_POS' : 'FREE' } };
  });
  const elkEdges: ElkExtendedEdge[] = edges.map((e) => ({ id: `m:${e.from}->${e.to}`, sources: [e.from], targets: [e.to] }));
  for (const e of trace?.graph.edges ?? []) {
    const from = rowOf.get(e.from);
    const to = rowOf.get(e.to);
    if (!from || !to || from.node === to.node) continue;
    elkEdges.push({
      id: `c:${e.from}->${e.to}`,
      sources: [portId(e.from, 'out')],
      targets: [portId(e.to, 'in')],
      labels: [{ id: `l:${e.from}->${e.to}`, text: e.transform, width: Math.ceil(measure(e.transform, LABEL_FONT)) + 8, height: LABEL_HEIGHT }],
    });
  }
  return {
    id: 'graph',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.spacing.nodeNode': NODE_GAP,
      'elk.layered.spacing.nodeNodeBetweenLayers': LAYER_GAP,
      'elk.spacing.edgeNode': '12',
      'elk.spacing.edgeEdge': '6',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
    },
    children,
    edges: elkEdges,
  };
}

/** A laid-out box. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A laid-out edge: its polyline and, for column edges, its label box. */
export interface PlacedEdge {
  id: string;
  points: { x: number; y: number }[];
  label?: Box & { text: string };
}

/** The laid-out graph. */
export interface Placed {
  width: number;
  height: number;
  nodes: Map<string, Box>;
  edges: Map<string, PlacedEdge>;
}

let elk: InstanceType<typeof ELK> | undefined;

/** Runs ELK on `input`. */
export async function runLayout(input: ElkNode): Promise<Placed> {
  elk ??= new ELK();
  const out = await elk.layout(input);
  const nodes = new Map<string, Box>();
  for (const c of out.children ?? []) nodes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
  const edges = new Map<string, PlacedEdge>();
  for (const e of (out.edges ?? []) as ElkExtendedEdge[]) {
    const points = (e.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
    const l = e.labels?.[0];
    const placed: PlacedEdge = { id: e.id, points };
    if (l) placed.label = { x: l.x ?? 0, y: l.y ?? 0, width: l.width ?? 0, height: l.height ?? 0, text: l.text ?? '' };
    edges.set(e.id, placed);
  }
  return { width: out.width ?? 0, height: out.height ?? 0, nodes, edges };
}
