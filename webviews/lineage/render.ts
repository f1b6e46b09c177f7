import type { Placed } from './layout';
import type { GraphEdge, GraphNode } from './protocol';
import type { Card, Trace, VisibleEdge, VisibleNode } from './viewModel';

/**
 * Draws a laid-out lineage graph: edges in one SVG layer, nodes as HTML cards above it (so names
 * ellipsize with CSS and carry a `title` when cut, and a card can hold a filter box). Elements carry
 * data attributes (`data-id`, `data-from`, `data-to`, `data-column-id`) that navigation, export and
 * the end-to-end tests read.
 */

const SVG = 'http://www.w3.org/2000/svg';

/** What to draw. */
export interface DrawModel {
  rootId: string;
  nodes: readonly VisibleNode[];
  edges: readonly VisibleEdge[];
  placed: Placed;
  cards: ReadonlyMap<string, Card>;
  filters: ReadonlyMap<string, string>;
  selected?: string;
  matches: ReadonlySet<string>;
  trace?: Trace;
}

/** Codicon per node kind. */
const KIND_ICONS: Record<string, string> = { model: 'symbol-class', source: 'database', seed: 'symbol-constant', snapshot: 'history', exposure: 'graph', analysis: 'beaker', more: 'ellipsis' };

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function div(cls: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLDivElement {
  const el = document.createElement('div');
  el.className = cls;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

function span(cls: string, text: string): HTMLSpanElement {
  const el = document.createElement('span');
  el.className = cls;
  el.textContent = text;
  return el;
}

function pathOf(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

/** Builds the drawing (natural size, unscaled) into `content`. */
export function drawGraph(content: HTMLElement, model: DrawModel): void {
  const { placed, trace } = model;
  content.replaceChildren();
  content.style.width = `${placed.width}px`;
  content.style.height = `${placed.height}px`;
  const tracedNodes = trace ? new Set(trace.byNode.keys()) : undefined;

  const svg = svgEl('svg', { width: placed.width, height: placed.height, class: 'edges-layer', 'aria-hidden': 'true' });
  svg.append(arrowMarker());
  for (const e of model.edges) {
    const edge = placed.edges.get(`m:${e.from}->${e.to}`);
    if (!edge || edge.points.length === 0) continue;
    const dimmed = tracedNodes !== undefined && !(tracedNodes.has(e.from) && tracedNodes.has(e.to));
    svg.append(svgEl('path', { d: pathOf(edge.points), class: `edge edge-${e.kind}${dimmed ? ' dimmed' : ''}`, 'data-from': e.from, 'data-to': e.to, 'marker-end': 'url(#arrow)' }));
  }
  for (const e of trace?.graph.edges ?? []) {
    const edge = placed.edges.get(`c:${e.from}->${e.to}`);
    if (!edge || edge.points.length === 0) continue;
    svg.append(svgEl('path', { d: pathOf(edge.points), class: `column-edge t-${e.transform} ${e.direct ? 'direct' : 'indirect'}`, 'data-from': e.from, 'data-to': e.to, 'data-transform': e.transform }));
    if (edge.label) {
      const g = svgEl('g', { class: `edge-label t-${e.transform}`, 'data-from': e.from, 'data-to': e.to });
      g.append(svgEl('rect', { x: edge.label.x, y: edge.label.y, width: edge.label.width, height: edge.label.height, rx: 3 }));
      const text = svgEl('text', { x: edge.label.x + edge.label.width / 2, y: edge.label.y + edge.label.height - 4, 'text-anchor': 'middle' });
      text.textContent = edge.label.text;
      g.append(text);
      svg.append(g);
    }
  }
  content.append(svg);

  for (const node of model.nodes) {
    const box = placed.nodes.get(node.id);
    if (!box) continue;
    const card = model.cards.get(node.id);
    const el = node.kind === 'more' ? foldNode(node) : nodeCard(node, card, model, tracedNodes);
    el.style.left = `${box.x}px`;
    el.style.top = `${box.y}px`;
    el.style.width = `${box.width}px`;
    el.style.height = `${box.height}px`;
    content.append(el);
  }
}

function foldNode(node: VisibleNode): HTMLDivElement {
  const count = node.folded?.ids.length ?? 0;
  const where = node.folded && 'side' in node.folded.opens ? `${node.folded.opens.side} beyond this level` : 'in this level';
  const el = div('node more', { 'data-more': node.id, 'data-folded': (node.folded?.ids ?? []).join(' '), role: 'button', tabindex: '-1', title: `${count} more ${count === 1 ? 'node' : 'nodes'} ${where}: click to show them` }, span('name', node.name));
  return el;
}

function nodeCard(node: VisibleNode, card: Card | undefined, model: DrawModel, tracedNodes: Set<string> | undefined): HTMLDivElement {
  const classes = ['node', `kind-${node.kind}`];
  if (node.id === model.rootId) classes.push('root');
  if (node.id === model.selected) classes.push('selected');
  if (node.dangling) classes.push('dangling');
  if (model.matches.has(node.id)) classes.push('match');
  if (tracedNodes && !tracedNodes.has(node.id)) classes.push('dimmed');
  if (card?.expanded) classes.push('expanded');
  const icon = span(`codicon codicon-${KIND_ICONS[node.kind] ?? 'circle-outline'}`, '');
  const name = span('name label', node.name);
  const head = div('head', {}, icon, name);
  const kindText = node.dangling ? 'missing' : node.kind;
  const sub = div('sub', {}, span('kind label', kindText));
  if (node.columns.length > 0 && !model.trace) {
    const toggle = document.createElement('button');
    toggle.className = 'cols-toggle';
    toggle.setAttribute('data-toggle', node.id);
    toggle.setAttribute('aria-expanded', String(card?.expanded ?? false));
    toggle.title = `${card?.expanded ? 'Hide' : 'Show'} the ${node.columns.length} ${node.columns.length === 1 ? 'column' : 'columns'} of ${node.name}`;
    toggle.append(span(`codicon codicon-${card?.expanded ? 'chevron-down' : 'chevron-right'}`, ''), span('count', String(node.columns.length)), span('codicon codicon-symbol-field', ''));
    sub.append(toggle);
  } else if (model.trace && card && card.hidden > 0) {
    sub.append(span('label hidden-count', `+${card.hidden} more`));
  }
  const el = div(classes.join(' '), { 'data-id': node.id, 'data-name': node.name, tabindex: '-1' }, head, sub);
  if (card?.expanded) {
    if (card.filterBox) {
      const filter = document.createElement('input');
      filter.type = 'search';
      filter.className = 'col-filter';
      filter.placeholder = 'Filter columns';
      filter.setAttribute('aria-label', `Filter the columns of ${node.name}`);
      filter.setAttribute('data-filter', node.id);
      filter.value = model.filters.get(node.id) ?? '';
      el.append(filter);
    }
    const rows = div('col-rows');
    rows.style.maxHeight = `${card.visibleRows * 20}px`;
    for (const row of card.rows) {
      const cls = row.state === 'root' ? 'col highlight' : row.state === 'related' ? 'col related' : 'col';
      const r = div(cls, { 'data-column-id': row.id, role: 'button', title: `Trace ${node.name}.${row.name}${row.type ? ` (${row.type})` : ''}` }, span('col-name label', row.name), span('col-type label', row.type ?? ''));
      rows.append(r);
    }
    if (card.rows.length === 0) rows.append(div('col empty', {}, span('label', 'No column matches')));
    el.append(rows);
  }
  return el;
}

/** Gives every label that does not fit its box a tooltip with its full text (run after the drawing is in the page). */
export function addOverflowTooltips(content: HTMLElement): void {
  for (const label of Array.from(content.querySelectorAll<HTMLElement>('.label'))) {
    if (label.scrollWidth > label.clientWidth + 1) label.title = label.textContent ?? '';
    else label.removeAttribute('title');
  }
}

function arrowMarker(): SVGDefsElement {
  const defs = svgEl('defs', {});
  const marker = svgEl('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svgEl('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }));
  defs.append(marker);
  return defs;
}

/** The drawing as a standalone SVG (boxes, names, edges) with theme colours baked in, for export. */
export function exportSvg(model: DrawModel, colors: { fg: string; bg: string; border: string; edge: string; column: string }): string {
  const { placed } = model;
  const esc = (t: string): string => t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
  const parts = [`<svg xmlns="${SVG}" width="${placed.width}" height="${placed.height}" viewBox="0 0 ${placed.width} ${placed.height}">`, `<rect width="100%" height="100%" fill="${colors.bg}"/>`];
  for (const e of placed.edges.values()) parts.push(`<path d="${pathOf(e.points)}" fill="none" stroke="${e.id.startsWith('c:') ? colors.column : colors.edge}" stroke-width="1.3"/>`);
  for (const n of model.nodes) {
    const b = placed.nodes.get(n.id);
    if (!b) continue;
    parts.push(`<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="4" fill="${colors.bg}" stroke="${colors.border}"/>`);
    parts.push(`<text x="${b.x + 10}" y="${b.y + 20}" font-family="sans-serif" font-size="13" font-weight="600" fill="${colors.fg}">${esc(n.name)}</text>`);
    model.cards.get(n.id)?.rows.slice(0, model.cards.get(n.id)?.visibleRows).forEach((r, i) => parts.push(`<text x="${b.x + 14}" y="${b.y + 46 + i * 20 + 14}" font-family="monospace" font-size="12" fill="${colors.fg}">${esc(r.name)}</text>`));
  }
  parts.push('</svg>');
  return parts.join('\n');
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
