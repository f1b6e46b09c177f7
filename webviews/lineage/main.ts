import '@vscode-elements/elements/dist/vscode-button/index.js';
import { addStyle, h } from '../shared/vscodeApi';
import { WebviewClient } from '../shared/webviewClient';
import { nodeWidth, type Measure } from './layout';
import { showMinimap } from './minimap';
import { LINEAGE_PROTOCOL_VERSION, LineageResults, parseHostMessage, type GraphEdge, type GraphNode, type GraphPage, type LineageCommand, type LineageHostMessage, type LineageRequest } from './protocol';
import { addOverflowTooltips, drawGraph, toMermaid, type DrawModel } from './render';
import { buildToolbar, renderExport } from './toolbar';
import { LINEAGE_CSS } from './styles';
import { columnCard, COMPACT_WIDTH, initialCollapse, MIN_SCALE, openFold, traceOf, type Collapse, type Trace } from './viewModel';
import { fitGraph } from './fit';
import { centreOn as centreScroll } from './zoom';

/**
 * The lineage webview: keeps the nodes the host has sent, decides with the view model what is
 * drawn (folding distant levels into "+N" nodes so the graph opens fitted and legible), lays it
 * out with ELK and draws it. It persists only UI state; every fact comes from the host.
 */

const client = new WebviewClient<LineageRequest, typeof LineageResults, LineageHostMessage>({
  protocolVersion: LINEAGE_PROTOCOL_VERSION,
  results: LineageResults,
  parse: parseHostMessage,
  onMessage: (message) => {
    if (message.event === 'graph') applyPage(message.page);
    else if (message.event === 'selectColumn') void traceColumn(message.nodeId, message.column);
    else if (message.event === 'clear') clearGraph(message.text);
    else status.textContent = message.text;
  },
});

const nodes = new Map<string, GraphNode>();
let edges: GraphEdge[] = [];
let rootId = '';
let selected: string | undefined;
let trace: Trace | undefined;
let includeIndirect = false;
let matches = new Set<string>();
let collapse: Collapse | undefined;
const expanded = new Set<string>();
const filters = new Map<string, string>();
let scale = 1;
let drawn: DrawModel | undefined;
let generation = 0;
/** Set once the user zooms, opens a "+N" or a card, or traces: a resize then keeps what they chose. */
let adjusted = false;

addStyle(LINEAGE_CSS);
const { toolbar, search, indirect } = buildToolbar();
const content = h('div', { class: 'content', id: 'content' });
const sizer = h('div', { class: 'sizer' }, content);
const canvas = h('div', { class: 'canvas', id: 'canvas', tabindex: '0', 'aria-label': 'Lineage graph; arrow keys move, Enter opens' }, sizer);
const minimap = h('div', { class: 'minimap', id: 'minimap' });
// Hidden until asked for (toolbar): the graph gets the panel's width, which decides how much fits at 11 px.
const details = h('div', { class: 'details hidden', id: 'details' });
const status = h('div', { class: 'status', id: 'status', role: 'status' });
document.getElementById('app')?.append(toolbar, h('div', { class: 'main' }, h('div', { class: 'stage' }, canvas, minimap), details), status);

const measureContext = document.createElement('canvas').getContext('2d');
const measure: Measure = (text, font) => {
  if (!measureContext) return text.length * 7.5;
  measureContext.font = font.replace('sans-serif', getComputedStyle(document.body).fontFamily || 'sans-serif');
  return measureContext.measureText(text).width;
};

function command(message: LineageCommand): void {
  client.post(message);
}

function clearGraph(text: string): void {
  nodes.clear();
  edges = [];
  trace = undefined;
  selected = undefined;
  rootId = '';
  drawn = undefined;
  generation++;
  content.replaceChildren();
  minimap.replaceChildren();
  details.replaceChildren();
  status.textContent = text;
}

function applyPage(page: GraphPage): void {
  if (page.reset) {
    adjusted = false;
    nodes.clear();
    edges = [];
    trace = undefined;
    collapse = undefined;
    expanded.clear();
    filters.clear();
    selected = page.rootId;
  }
  rootId = page.rootId;
  for (const n of page.nodes) nodes.set(n.id, n);
  for (const u of page.updated) {
    const known = nodes.get(u.id);
    if (known) nodes.set(u.id, { ...known, more: u.more });
  }
  edges = edges.concat(page.edges);
  void redraw(page.reset ? 'fit' : 'keep');
  renderDetails();
}

function viewport(): { width: number; height: number } {
  return { width: Math.max(1, canvas.clientWidth - 16), height: Math.max(1, canvas.clientHeight - 16) };
}

/** The median node width of the graph, for the first collapse estimate. */
function typicalWidth(): number {
  const widths = [...nodes.values()].map((n) => nodeWidth({ id: n.id, name: n.name, kind: n.kind, depth: n.depth, dangling: n.dangling, columns: [] }, measure)).sort((a, b) => a - b);
  return Math.min(COMPACT_WIDTH, widths[Math.floor(widths.length / 2)] ?? COMPACT_WIDTH);
}

/**
 * Lays out and draws. `fit` starts from the collapse that should fit the panel and folds more
 * until the graph fits at `MIN_SCALE` or better; `keep` keeps what is folded and the zoom
 * (`refit` zooms to fit, never below `MIN_SCALE`).
 */
async function redraw(mode: 'fit' | 'keep', refit = false): Promise<void> {
  const gen = ++generation;
  const started = performance.now();
  const fitted = await fitGraph({
    nodes,
    edges,
    rootId,
    view: viewport(),
    measure,
    collapse: mode === 'fit' || !collapse ? initialCollapse(nodes, viewport(), typicalWidth()) : collapse,
    card: (n) => columnCard(n, { expanded: expanded.has(n.id), filter: filters.get(n.id) ?? '', trace }),
    trace,
    tighten: mode === 'fit',
  });
  if (gen !== generation) return; // A newer redraw started while ELK ran.
  collapse = fitted.collapse;
  if (mode === 'fit' || refit) scale = Math.max(MIN_SCALE, fitted.fit);
  drawn = { rootId, nodes: fitted.nodes, edges: fitted.edges, placed: fitted.placed, cards: fitted.cards, filters, selected, matches, trace };
  paint();
  canvas.dataset.renderMs = (performance.now() - started).toFixed(1);
  if (mode === 'fit') centreOnRoot();
}

/** Draws `drawn` at the current zoom (no layout). */
function paint(): void {
  if (!drawn) return;
  drawn = { ...drawn, selected, matches };
  drawGraph(content, drawn);
  content.style.transform = `scale(${scale})`;
  sizer.style.width = `${Math.ceil(drawn.placed.width * scale)}px`;
  sizer.style.height = `${Math.ceil(drawn.placed.height * scale)}px`;
  canvas.dataset.scale = scale.toFixed(4);
  addOverflowTooltips(content);
  const folded = drawn.nodes.filter((n) => n.kind === 'more').reduce((sum, n) => sum + (n.folded?.ids.length ?? 0), 0);
  const shown = drawn.nodes.length - drawn.nodes.filter((n) => n.kind === 'more').length;
  status.textContent = `${shown} of ${nodes.size} nodes${folded ? ` (${folded} folded into +N)` : ''} · ${edges.length} edges${trace ? ` · column mode: ${trace.graph.nodes.length} columns, ${trace.graph.edges.length} column edges` : ''}`;
  toolbar.querySelector('#clear-trace')?.toggleAttribute('disabled', !trace);
  showMinimap(minimap, canvas, drawn, scale);
  client.state = { rootId, selected, includeIndirect };
}

function centreOnRoot(): void {
  centreOn(rootId);
}

/** Scrolls so `id` is in the middle of the panel (as far as the edges allow). */
function centreOn(id: string): void {
  const box = drawn?.placed.nodes.get(id);
  if (!box || !drawn) return;
  const point = { x: (box.x + box.width / 2) * scale, y: (box.y + box.height / 2) * scale };
  const { left, top } = centreScroll(point, { width: drawn.placed.width * scale, height: drawn.placed.height * scale }, { width: canvas.clientWidth, height: canvas.clientHeight });
  canvas.scrollLeft = left;
  canvas.scrollTop = top;
}

function zoom(factor: number): void {
  adjusted = true;
  scale = Math.min(2, Math.max(MIN_SCALE, scale * factor));
  paint();
}

async function expand(nodeId: string, direction: 'upstream' | 'downstream'): Promise<void> {
  const cursor = nodes.get(nodeId)?.more[direction];
  if (!cursor) return;
  try {
    applyPage(await client.request('expand', { cursor }));
  } catch (err) {
    status.textContent = err instanceof Error ? err.message : String(err);
  }
}

async function traceColumn(nodeId: string, column: string): Promise<void> {
  adjusted = true;
  try {
    trace = traceOf(await client.request('columnLineage', { nodeId, column, includeIndirect }));
  } catch (err) {
    status.textContent = err instanceof Error ? err.message : String(err);
    return;
  }
  // Refit around the trace: traced nodes are never folded, the rest folds as needed.
  await redraw('fit');
  centreOn(nodeId);
  renderDetails();
}

async function explainMissing(nodeId: string): Promise<void> {
  const result = await client.request('explainMissing', { nodeId });
  const list = h('ul', { class: 'missing', id: 'missing' });
  for (const item of result.items) list.append(h('li', {}, h('b', {}, item.name), ` — ${item.reason}: ${item.detail} `, h('span', { class: 'loc' }, `${item.file}:${item.line}:${item.column}`)));
  if (result.items.length === 0) list.append(h('li', {}, 'Nothing unresolved: every name in this model was resolved and it parsed cleanly.'));
  details.querySelector('#missing')?.remove();
  details.append(list);
}

function actionButton(id: string, text: string, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.id = id;
  b.setAttribute('secondary', '');
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

function renderDetails(): void {
  const node = selected ? nodes.get(selected) : undefined;
  if (!node) {
    details.replaceChildren(h('p', {}, 'Select a node.'));
    return;
  }
  const traced = trace ? h('p', { class: 'traced' }, `Column mode: ${trace.graph.root.slice(trace.graph.root.lastIndexOf('#') + 1)} — ${trace.graph.edges.length} column edges. Unrelated nodes and edges are dimmed.`) : h('p', { class: 'hint' }, 'Open a node’s columns and click one to trace it.');
  details.replaceChildren(
    h('h3', { title: node.name }, node.name),
    h('p', { class: 'kind' }, `${node.kind}${node.dangling ? ' (not defined in the workspace)' : ''} · ${node.degree.upstream} upstream · ${node.degree.downstream} downstream`),
    h(
      'div',
      { class: 'actions' },
      actionButton('open-node', 'Open file', () => command({ type: 'command', command: 'openNode', nodeId: node.id })),
      actionButton('open-docs', 'Docs', () => command({ type: 'command', command: 'openDocs', nodeId: node.id })),
      actionButton('focus-node', 'Center here', () => command({ type: 'command', command: 'focus', nodeId: node.id })),
      actionButton('why-missing', 'Why is an edge missing?', () => void explainMissing(node.id)),
      ...(node.more.upstream ? [actionButton('more-upstream', 'Load more upstream', () => void expand(node.id, 'upstream'))] : []),
      ...(node.more.downstream ? [actionButton('more-downstream', 'Load more downstream', () => void expand(node.id, 'downstream'))] : []),
    ),
    traced,
  );
}

function select(id: string | undefined): void {
  if (!id || !nodes.has(id)) return;
  selected = id;
  paint();
  content.querySelector(`.node[data-id="${CSS.escape(id)}"]`)?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  renderDetails();
}

content.addEventListener('click', (event) => {
  const target = event.target as Element;
  if (target.closest('input')) return;
  const fold = target.closest('.node.more')?.getAttribute('data-more');
  const foldNode = fold ? drawn?.nodes.find((n) => n.id === fold) : undefined;
  if (foldNode && collapse) {
    adjusted = true;
    collapse = openFold(collapse, foldNode);
    void redraw('keep');
    return;
  }
  const toggle = target.closest('[data-toggle]')?.getAttribute('data-toggle');
  if (toggle) {
    adjusted = true;
    if (expanded.has(toggle)) expanded.delete(toggle);
    else expanded.add(toggle);
    // The opened card may reach past the panel's edge: bring it into view once drawn.
    void redraw('keep').then(() => content.querySelector(`.node[data-id="${CSS.escape(toggle)}"]`)?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' }));
    return;
  }
  const id = target.closest('.node')?.getAttribute('data-id') ?? undefined;
  const columnName = target.closest('.col[data-column-id]')?.querySelector('.col-name')?.textContent;
  if (id && columnName) {
    void traceColumn(id, columnName);
    return;
  }
  select(id);
});
content.addEventListener('dblclick', (event) => {
  const id = (event.target as Element).closest('.node')?.getAttribute('data-id');
  if (id) command({ type: 'command', command: 'openNode', nodeId: id });
});
content.addEventListener('input', (event) => {
  const input = event.target as HTMLInputElement;
  const id = input.getAttribute('data-filter');
  if (!id) return;
  filters.set(id, input.value);
  // Card heights do not depend on the filter, so the drawing is rebuilt without a new layout.
  const cards = new Map(drawn?.cards);
  const node = drawn?.nodes.find((n) => n.id === id);
  if (drawn && node) cards.set(id, columnCard(node, { expanded: true, filter: input.value, trace }));
  if (drawn) drawn = { ...drawn, cards };
  const caret = input.selectionStart;
  paint();
  const again = content.querySelector<HTMLInputElement>(`input[data-filter="${CSS.escape(id)}"]`);
  again?.focus();
  if (again && caret !== null) again.setSelectionRange(caret, caret);
});

/** Keyboard navigation: arrows move between neighbours by position, Enter opens, f fits, +/- zoom. */
canvas.addEventListener('keydown', (event) => {
  if ((event.target as Element).closest('input')) return;
  if (event.key === 'f') return void redraw('fit');
  if (event.key === '+' || event.key === '=') return zoom(1.25);
  if (event.key === '-') return zoom(1 / 1.25);
  const current = selected ? drawn?.placed.nodes.get(selected) : undefined;
  if (!current || !selected) return;
  if (event.key === 'Enter') return command({ type: 'command', command: 'openNode', nodeId: selected });
  const boxes = [...(drawn?.placed.nodes.entries() ?? [])].filter(([id]) => nodes.has(id) && id !== selected);
  const pick = (filter: (b: { x: number; y: number }) => boolean): string | undefined =>
    boxes.filter(([, b]) => filter(b)).sort(([, a], [, b]) => Math.hypot(a.x - current.x, a.y - current.y) - Math.hypot(b.x - current.x, b.y - current.y))[0]?.[0];
  const moves: Record<string, () => string | undefined> = {
    ArrowLeft: () => pick((b) => b.x < current.x - 10),
    ArrowRight: () => pick((b) => b.x > current.x + 10),
    ArrowUp: () => pick((b) => Math.abs(b.x - current.x) < 10 && b.y < current.y),
    ArrowDown: () => pick((b) => Math.abs(b.x - current.x) < 10 && b.y > current.y),
  };
  const move = moves[event.key];
  if (move) {
    event.preventDefault();
    select(move());
  }
});

search.addEventListener('input', () => {
  const q = ((search as unknown as { value: string }).value ?? '').trim().toLowerCase();
  matches = new Set(q ? [...nodes.values()].filter((n) => n.name.toLowerCase().includes(q)).map((n) => n.id) : []);
  paint();
  const first = [...matches][0];
  if (first) content.querySelector(`.node[data-id="${CSS.escape(first)}"]`)?.scrollIntoView?.({ block: 'center', inline: 'center' });
});
indirect.addEventListener('click', () => {
  // The toolbar button toggles its own `checked` on click; read it after the element updated.
  queueMicrotask(() => {
    includeIndirect = indirect.hasAttribute('checked') || (indirect as unknown as { checked?: boolean }).checked === true;
    const root = trace?.graph.root;
    if (root) void traceColumn(root.slice(0, root.lastIndexOf('#')), root.slice(root.lastIndexOf('#') + 1));
  });
});

function exportAs(format: 'svg' | 'png' | 'mermaid'): void {
  if (format === 'mermaid') return command({ type: 'command', command: 'export', format, content: toMermaid(nodes, edges) });
  if (drawn) renderExport(drawn, format, (content) => command({ type: 'command', command: 'export', format, content }));
}

const on = (id: string, handler: () => void): void => document.getElementById(id)?.addEventListener('click', handler);
on('zoom-fit', () => void redraw('fit'));
on('zoom-in', () => zoom(1.25));
on('zoom-out', () => zoom(1 / 1.25));
on('clear-trace', () => {
  trace = undefined;
  void redraw('keep', true);
  renderDetails();
});
on('toggle-details', () => {
  details.classList.toggle('hidden');
  void redraw('keep', true);
});
for (const format of ['svg', 'png', 'mermaid'] as const) on(`export-${format}`, () => exportAs(format));
canvas.addEventListener('scroll', () => drawn && showMinimap(minimap, canvas, drawn, scale));
// The panel opens beside the editor and may be resized: refit (without folding more) once it settles.
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
new ResizeObserver(() => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => drawn && void (adjusted ? redraw('keep', true) : redraw('fit')), 150);
}).observe(canvas);

client.ready();
