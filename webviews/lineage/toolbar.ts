import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import { h } from '../shared/vscodeApi';
import { exportSvg, type DrawModel } from './render';

/**
 * The lineage view's toolbar (codicon buttons from `@vscode-elements/elements`, which wrap rather
 * than overflow in a narrow panel) and the SVG/PNG export of the drawing.
 */

function button(id: string, icon: string, title: string, extra: Record<string, string> = {}): HTMLElement {
  const b = document.createElement('vscode-toolbar-button');
  b.id = id;
  b.setAttribute('icon', icon);
  b.setAttribute('label', title);
  b.title = title;
  for (const [k, v] of Object.entries(extra)) b.setAttribute(k, v);
  return b;
}

/** The toolbar; buttons are found by id (`zoom-fit`, `export-svg`, …). */
export function buildToolbar(): { toolbar: HTMLElement; search: HTMLElement; indirect: HTMLElement } {
  const search = document.createElement('vscode-textfield');
  search.id = 'search';
  search.setAttribute('type', 'search');
  search.setAttribute('placeholder', 'Find in graph…');
  search.setAttribute('aria-label', 'Find in graph');
  const indirect = button('indirect', 'debug-disconnect', 'Show indirect column edges (filters, joins, grouping)', { toggleable: '' });
  const toolbar = h(
    'div',
    { class: 'toolbar', role: 'toolbar' },
    search,
    button('zoom-fit', 'screen-full', 'Fit the graph (f)'),
    button('zoom-in', 'zoom-in', 'Zoom in (+)'),
    button('zoom-out', 'zoom-out', 'Zoom out (-)'),
    indirect,
    button('clear-trace', 'clear-all', 'Leave column mode'),
    button('export-svg', 'file-code', 'Export as SVG'),
    button('export-png', 'file-media', 'Export as PNG'),
    button('export-mermaid', 'symbol-structure', 'Export as Mermaid'),
    button('toggle-details', 'layout-sidebar-right', 'Show or hide the details pane'),
  );
  return { toolbar, search, indirect };
}

/** Renders the drawing as SVG markup or a PNG data URL, theme colours baked in, and hands it to `save`. */
export function renderExport(drawn: DrawModel, format: 'svg' | 'png', save: (content: string) => void): void {
  const s = getComputedStyle(document.body);
  const v = (name: string): string => s.getPropertyValue(name).trim() || '#888';
  const markup = exportSvg(drawn, { fg: v('--vscode-editor-foreground'), bg: v('--vscode-editor-background'), border: v('--vscode-focusBorder'), edge: v('--vscode-editorLineNumber-foreground'), column: v('--vscode-charts-blue') });
  if (format === 'svg') return save(markup);
  const image = new Image();
  const { width, height } = drawn.placed;
  image.onload = () => {
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    c.getContext('2d')?.drawImage(image, 0, 0);
    save(c.toDataURL('image/png'));
  };
  image.src = `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(markup)))}`;
}
