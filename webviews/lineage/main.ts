import { addStyle, h } from '../shared/vscodeApi';
import { WebviewClient } from '../shared/webviewClient';
import { LINEAGE_PROTOCOL_VERSION, LineageResults, parseHostMessage, type ColumnGraph, type GraphEdge, type GraphNode, type GraphPage, type LineageCommand, type LineageHostMessage, type LineageRequest } from './protocol';
import { renderGraph, toMermaid } from './render';
import { LINEAGE_CSS } from './styles';
import { centreOn, zoomScale, type ZoomMode } from './zoom';

/**
 * The lineage webview: keeps the nodes the host has sent, draws them, and asks for more through
 * the typed protocol. It persists only UI state; every fact comes from the host.
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
let columns: ColumnGraph | undefined;
let includeIndirect = false;
let matches = new Set<string>();
let zoomMode: ZoomMode = 'readable';

addStyle(LINEAGE_CSS);
const search = h('input', { type: 'search', id: 'search', placeholder: 'Find in graph…', 'aria-label': 'Find in graph' });
const indirect = h('input', { type: 'checkbox', id: 'indirect' });
const toolbar = h(
  'div',
  { class: 'toolbar' },
  search,
  h('label', {}, indirect, ' indirect column edges'),
  h('button', { id: 'zoom-fit', title: 'Fit the whole graph (f)' }, 'Fit'),
  h('button', { id: 'zoom-readable', title: 'Readable zoom centred on the focused node (0)' }, '100%'),
  h('button', { id: 'export-svg' }, 'SVG'),
  h('button', { id: 'export-png' }, 'PNG'),
  h('button', { id: 'export-mermaid' }, 'Mermaid'),
);
const canvas = h('div', { class: 'canvas', id: 'canvas', tabindex: '0', 'aria-label': 'Lineage graph; arrow keys move, Enter opens, + expands' });
const details = h('div', { class: 'details', id: 'details' });
const status = h('div', { class: 'status', id: 'status', role: 'status' });
document.getElementById('app')?.append(toolbar, h('div', { class: 'main' }, canvas, details), status);

function command(message: LineageCommand): void {
  client.post(message);
}

/** The graph's catalog closed: nothing backs the drawing any more. */
function clearGraph(text: string): void {
  nodes.clear();
  edges = [];
  columns = undefined;
  selected = undefined;
  rootId = '';
  canvas.replaceChildren();
  details.replaceChildren();
  status.textContent = text;
}

function applyPage(page: GraphPage): void {
  if (page.reset) {
    nodes.clear();
    edges = [];
    columns = undefined;
    selected = page.rootId;
  }
  rootId = page.rootId;
  for (const n of page.nodes) nodes.set(n.id, n);
  for (const u of page.updated) {
    const known = nodes.get(u.id);
    if (known) nodes.set(u.id, { ...known, more: u.more });
  }
  edges = edges.concat(page.edges);
  draw();
  if (page.reset) centreOnRoot();
  renderDetails();
}

/** Scrolls the canvas so the focused (root) node is in the middle of the panel. */
function centreOnRoot(): void {
  const svg = canvas.querySelector('svg');
  const root = canvas.querySelector<SVGGElement>(`g.node[data-id="${CSS.escape(rootId)}"]`);
  if (!svg || !root) return;
  const box = root.getBoundingClientRect();
  const origin = svg.getBoundingClientRect();
  const point = { x: box.left - origin.left + box.width / 2, y: box.top - origin.top + box.height / 2 };
  const { left, top } = centreOn(point, { width: origin.width, height: origin.height }, { width: canvas.clientWidth, height: canvas.clientHeight });
  canvas.scrollLeft = left;
  canvas.scrollTop = top;
}

function setZoom(mode: ZoomMode): void {
  zoomMode = mode;
  draw();
  if (mode === 'readable') centreOnRoot();
}

function draw(scrollToSelection = false): void {
  const started = performance.now();
  const svg = renderGraph({ rootId, nodes, edges, selected, columns, matches });
  const width = svg.width.baseVal.value;
  const height = svg.height.baseVal.value;
  const scale = zoomScale(zoomMode, { width, height }, { width: canvas.clientWidth - 8, height: canvas.clientHeight - 8 });
  canvas.dataset.zoom = `${zoomMode}:${scale.toFixed(3)}`;
  svg.setAttribute('width', String(Math.round(width * scale)));
  svg.setAttribute('height', String(Math.round(height * scale)));
  canvas.replaceChildren(svg);
  // Layout + DOM time of the last draw, read by the extension benchmark.
  canvas.dataset.renderMs = (performance.now() - started).toFixed(1);
  status.textContent = `${nodes.size} nodes · ${edges.length} edges${columns ? ` · ${columns.nodes.length} columns traced` : ''}`;
  client.state = { rootId, selected, includeIndirect };
  if (scrollToSelection) canvas.querySelector<SVGGElement>('g.node.selected')?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
}

async function expand(nodeId: string, direction: 'upstream' | 'downstream'): Promise<void> {
  const cursor = nodes.get(nodeId)?.more[direction];
  if (!cursor) return;
  try {
    applyPage(await client.request('expand', { cursor }));
  } catch (err) {
    status.textContent = String(err instanceof Error ? err.message : err);
  }
}

async function traceColumn(nodeId: string, column: string): Promise<void> {
  columns = await client.request('columnLineage', { nodeId, column, includeIndirect });
  draw();
  renderDetails();
}

async function explainMissing(nodeId: string): Promise<void> {
  const result = await client.request('explainMissing', { nodeId });
  const list = h('ul', { class: 'missing', id: 'missing' });
  {
    for (const item of result.items) list.append(h('li', {}, h('b', {}, item.name), ` — ${item.reason}: ${item.detail} `, h('span', { class: 'loc' }, `${item.file}:${item.line}:${item.column}`)));
    if (result.items.length === 0) list.append(h('li', {}, 'Nothing unresolved: every name in this model was resolved and it parsed cleanly.'));
  }
  details.querySelector('#missing')?.remove();
  details.append(list);
}

function renderDetails(): void {
  const node = selected ? nodes.get(selected) : undefined;
  if (!node) {
    details.replaceChildren(h('p', {}, 'Select a node.'));
    return;
  }
  const open = h('button', { id: 'open-node' }, 'Open file');
  open.onclick = () => command({ type: 'command', command: 'openNode', nodeId: node.id });
  const docs = h('button', { id: 'open-docs' }, 'Docs');
  docs.onclick = () => command({ type: 'command', command: 'openDocs', nodeId: node.id });
  const focus = h('button', { id: 'focus-node' }, 'Center here');
  focus.onclick = () => command({ type: 'command', command: 'focus', nodeId: node.id });
  const why = h('button', { id: 'why-missing' }, 'Why is an edge missing?');
  why.onclick = () => void explainMissing(node.id);
  const columnInput = h('input', { id: 'column-input', placeholder: 'column name', 'aria-label': 'Column to trace' });
  const trace = h('button', { id: 'trace-column' }, 'Trace column');
  trace.onclick = () => {
    if (columnInput.value.trim()) void traceColumn(node.id, columnInput.value.trim());
  };
  const traced = columns ? h('p', { class: 'traced' }, `Column mode: ${columns.root.split('#')[1] ?? ''} — ${columns.edges.length} column edges`) : '';
  details.replaceChildren(
    h('h3', {}, node.name),
    h('p', { class: 'kind' }, `${node.kind}${node.dangling ? ' (not defined in the workspace)' : ''} · ↑${node.degree.upstream} ↓${node.degree.downstream}`),
    h('div', { class: 'actions' }, open, docs, focus, why),
    h('div', { class: 'actions' }, columnInput, trace),
    traced,
  );
}

function select(id: string | undefined): void {
  if (!id || !nodes.has(id)) return;
  selected = id;
  draw(true);
  renderDetails();
}

canvas.addEventListener('click', (event) => {
  const target = event.target as Element;
  const nodeEl = target.closest('g.node');
  const id = nodeEl?.getAttribute('data-id') ?? undefined;
  const expander = target.closest('g.expand');
  if (id && expander) {
    void expand(id, expander.getAttribute('data-direction') === 'upstream' ? 'upstream' : 'downstream');
    return;
  }
  const columnId = target.closest('text.col')?.getAttribute('data-column-id');
  if (id && columnId) {
    void traceColumn(id, columnId.slice(columnId.lastIndexOf('#') + 1));
    return;
  }
  select(id);
});
canvas.addEventListener('dblclick', (event) => {
  const id = (event.target as Element).closest('g.node')?.getAttribute('data-id');
  if (id) command({ type: 'command', command: 'openNode', nodeId: id });
});

/** Keyboard navigation: arrows move between neighbours by depth and position, Enter opens, +/- expand. */
canvas.addEventListener('keydown', (event) => {
  const current = selected ? nodes.get(selected) : undefined;
  if (!current) return;
  const boxes = Array.from(canvas.querySelectorAll<SVGGElement>('g.node')).map((el) => ({ id: el.getAttribute('data-id') ?? '', rect: el.getBoundingClientRect() }));
  const here = boxes.find((b) => b.id === current.id)?.rect;
  if (!here) return;
  const pick = (filter: (r: DOMRect) => boolean): string | undefined =>
    boxes
      .filter((b) => b.id !== current.id && filter(b.rect))
      .sort((a, b) => Math.hypot(a.rect.x - here.x, a.rect.y - here.y) - Math.hypot(b.rect.x - here.x, b.rect.y - here.y))[0]?.id;
  const moves: Record<string, () => string | undefined> = {
    ArrowLeft: () => pick((r) => r.x < here.x - 10),
    ArrowRight: () => pick((r) => r.x > here.x + 10),
    ArrowUp: () => pick((r) => Math.abs(r.x - here.x) < 10 && r.y < here.y),
    ArrowDown: () => pick((r) => Math.abs(r.x - here.x) < 10 && r.y > here.y),
  };
  const move = moves[event.key];
  if (move) {
    event.preventDefault();
    select(move());
  } else if (event.key === 'Enter') {
    command({ type: 'command', command: 'openNode', nodeId: current.id });
  } else if (event.key === 'f' || event.key === '0') {
    setZoom(event.key === 'f' ? 'fit' : 'readable');
  } else if (event.key === '+' || event.key === '-') {
    void expand(current.id, event.key === '-' ? 'upstream' : 'downstream');
  }
});

search.addEventListener('input', () => {
  const q = search.value.trim().toLowerCase();
  matches = new Set(q ? [...nodes.values()].filter((n) => n.name.toLowerCase().includes(q)).map((n) => n.id) : []);
  draw();
  const first = [...matches][0];
  if (first) canvas.querySelector(`g.node[data-id="${CSS.escape(first)}"]`)?.scrollIntoView?.({ block: 'center', inline: 'center' });
});
indirect.addEventListener('change', () => {
  includeIndirect = indirect.checked;
  const root = columns?.root;
  if (root) void traceColumn(root.slice(0, root.lastIndexOf('#')), root.slice(root.lastIndexOf('#') + 1));
});

function exportAs(format: 'svg' | 'png' | 'mermaid'): void {
  const svg = canvas.querySelector('svg');
  if (format === 'mermaid') return command({ type: 'command', command: 'export', format, content: toMermaid(nodes, edges) });
  if (!svg) return;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  style.textContent = exportCss();
  clone.prepend(style);
  const markup = new XMLSerializer().serializeToString(clone);
  if (format === 'svg') return command({ type: 'command', command: 'export', format, content: markup });
  const image = new Image();
  image.onload = () => {
    const c = document.createElement('canvas');
    c.width = svg.width.baseVal.value;
    c.height = svg.height.baseVal.value;
    c.getContext('2d')?.drawImage(image, 0, 0);
    command({ type: 'command', command: 'export', format: 'png', content: c.toDataURL('image/png') });
  };
  image.src = `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(markup)))}`;
}

/** Theme colours resolved to literal values so an exported SVG looks the same outside VS Code. */
function exportCss(): string {
  const s = getComputedStyle(document.body);
  const v = (name: string): string => s.getPropertyValue(name).trim() || '#888';
  return `text{font:12px sans-serif;fill:${v('--vscode-editor-foreground')}} rect{fill:${v('--vscode-editor-background')};stroke:${v('--vscode-focusBorder')}} .edge{fill:none;stroke:${v('--vscode-editorLineNumber-foreground')}} .column-edge{fill:none;stroke:${v('--vscode-charts-blue')}}`;
}

document.getElementById('zoom-fit')?.addEventListener('click', () => setZoom('fit'));
document.getElementById('zoom-readable')?.addEventListener('click', () => setZoom('readable'));
for (const format of ['svg', 'png', 'mermaid'] as const) document.getElementById(`export-${format}`)?.addEventListener('click', () => exportAs(format));

client.ready();
