import type { DrawModel } from './render';

/**
 * The minimap of a large graph: every node as a small box and the visible part of the canvas as a
 * frame; clicking moves the view there. Shown only when the graph does not fit the panel or has
 * many nodes, where it is the only way to see where you are.
 */

const SVG = 'http://www.w3.org/2000/svg';
/** Graphs with more drawn nodes than this get a minimap even when they fit. */
export const MINIMAP_FROM = 30;
const WIDTH = 160;
const MAX_HEIGHT = 110;

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Draws (or hides) the minimap of `model` drawn at `scale` in the scrolling `canvas`. */
export function showMinimap(host: HTMLElement, canvas: HTMLElement, model: DrawModel, scale: number): void {
  const { width, height } = model.placed;
  const overflows = width * scale > canvas.clientWidth + 1 || height * scale > canvas.clientHeight + 1;
  if (!overflows && model.nodes.length <= MINIMAP_FROM) {
    host.replaceChildren();
    host.classList.remove('shown');
    return;
  }
  const ratio = Math.min(WIDTH / Math.max(1, width), MAX_HEIGHT / Math.max(1, height));
  const svg = svgEl('svg', { width: Math.ceil(width * ratio), height: Math.ceil(height * ratio), viewBox: `0 0 ${width} ${height}`, 'aria-label': 'Minimap: click to move the view' });
  for (const n of model.nodes) {
    const b = model.placed.nodes.get(n.id);
    if (b) svg.append(svgEl('rect', { x: b.x, y: b.y, width: b.width, height: b.height, class: n.id === model.rootId ? 'mini-node root' : 'mini-node' }));
  }
  svg.append(svgEl('rect', { x: canvas.scrollLeft / scale, y: canvas.scrollTop / scale, width: canvas.clientWidth / scale, height: canvas.clientHeight / scale, class: 'mini-view' }));
  svg.addEventListener('click', (event) => {
    const r = svg.getBoundingClientRect();
    const x = ((event.clientX - r.left) / ratio) * scale;
    const y = ((event.clientY - r.top) / ratio) * scale;
    canvas.scrollLeft = x - canvas.clientWidth / 2;
    canvas.scrollTop = y - canvas.clientHeight / 2;
  });
  host.replaceChildren(svg);
  host.classList.add('shown');
}
