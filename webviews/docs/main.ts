import MarkdownIt from 'markdown-it';
import { addStyle, h, RequestTracker, vscodeApi } from '../shared/vscodeApi';
import { DOCS_PROTOCOL_VERSION, parseDocsHostMessage, SaveResult, type DocColumn, type DocEntity, type DocsCommand } from './protocol';
import { DOCS_CSS } from './styles';

/**
 * The docs webview: renders one entity's documentation and lets the user edit descriptions.
 * Markdown is rendered with raw HTML disabled, so a description can never inject markup.
 */

const api = vscodeApi();
const requests = new RequestTracker((m) => api.postMessage(m));
const markdown = new MarkdownIt({ html: false, linkify: true });
const root = document.getElementById('app') ?? document.body;
let current: DocEntity | undefined;
/** The last save's confirmation; kept across re-renders (a save triggers a rescan that re-sends the entity). */
let lastSaved: { testId: string; text: string } | undefined;

addStyle(DOCS_CSS);

function command(message: DocsCommand): void {
  api.postMessage(message);
}

function rendered(text: string): HTMLElement {
  const div = h('div', { class: 'markdown' });
  // markdown-it escapes everything with html: false; the output is safe to insert.
  div.innerHTML = text.trim() ? markdown.render(text) : '<p class="empty">No description yet.</p>';
  return div;
}

/** A description with an Edit button that swaps in a textarea; Save posts a request and shows the outcome. */
function editable(text: string, column: string | undefined, fromDocBlock: boolean, testId: string): HTMLElement {
  const box = h('div', { class: 'description', 'data-testid': testId });
  const show = (): void => {
    const edit = h('button', { class: 'edit', 'data-testid': `${testId}-edit` }, 'Edit');
    edit.onclick = () => editMode();
    box.replaceChildren(rendered(text), ...(current?.editable ? [edit] : []));
    if (fromDocBlock) box.append(h('span', { class: 'hint' }, 'from a docs block'));
    if (lastSaved?.testId === testId) box.append(h('div', { class: 'outcome ok', 'data-testid': `${testId}-outcome` }, lastSaved.text));
  };
  const editMode = (): void => {
    const area = h('textarea', { rows: '5', 'data-testid': `${testId}-input` });
    area.value = text;
    const save = h('button', { class: 'primary', 'data-testid': `${testId}-save` }, 'Save');
    const cancel = h('button', {}, 'Cancel');
    const outcome = h('div', { class: 'outcome', 'data-testid': `${testId}-outcome` });
    cancel.onclick = show;
    save.onclick = async () => {
      if (!current) return;
      save.setAttribute('disabled', '');
      const params = column === undefined ? { entityId: current.id, description: area.value } : { entityId: current.id, column, description: area.value };
      try {
        const parsed = SaveResult.safeParse(await requests.request('saveDescription', params));
        if (!parsed.success) throw new Error('unexpected reply');
        if (parsed.data.saved) {
          text = area.value;
          lastSaved = { testId, text: `Saved to ${parsed.data.file}${parsed.data.created ? ' (new entry)' : ''}` };
          show();
        } else {
          outcome.className = 'outcome error';
          outcome.textContent = parsed.data.message;
        }
      } catch (err) {
        outcome.className = 'outcome error';
        outcome.textContent = err instanceof Error ? err.message : String(err);
      } finally {
        save.removeAttribute('disabled');
      }
    };
    box.replaceChildren(area, h('div', { class: 'actions' }, save, cancel), outcome);
    area.focus();
  };
  show();
  return box;
}

function columnRow(entity: DocEntity, c: DocColumn): HTMLElement {
  const lineage = h('button', { class: 'link', title: 'Column lineage' }, '⇄');
  lineage.onclick = () => command({ type: 'command', command: 'showLineage', entityId: entity.id, column: c.name });
  return h(
    'tr',
    { 'data-column': c.name },
    h('td', { class: 'name' }, c.name, ' ', lineage),
    h('td', { class: 'type' }, c.type ?? ''),
    h('td', {}, editable(c.description, c.name, c.fromDocBlock, `col-${c.name}`)),
    h('td', { class: 'tags' }, [...c.tags.map((t) => `#${t}`), ...c.tests.map((t) => (t.args ? `${t.name}(${t.args})` : t.name))].join(' ')),
  );
}

function neighbors(title: string, list: DocEntity['upstream'], total: number): HTMLElement {
  const ul = h('ul', {});
  for (const n of list) {
    const link = h('a', { href: '#' }, n.name);
    link.onclick = (e) => {
      e.preventDefault();
      command({ type: 'command', command: 'openDocs', entityId: n.id });
    };
    ul.append(h('li', {}, link, h('span', { class: 'kind' }, ` ${n.kind}`)));
  }
  return h('section', {}, h('h3', {}, `${title} (${total})`), list.length ? ul : h('p', { class: 'empty' }, 'None'));
}

function render(entity: DocEntity): void {
  current = entity;
  const file = h('a', { href: '#', class: 'file' }, `${entity.file.path}:${entity.file.line}`);
  file.onclick = (e) => {
    e.preventDefault();
    command({ type: 'command', command: 'openFile', path: entity.file.path, line: entity.file.line });
  };
  const lineage = h('button', {}, 'Show lineage');
  lineage.onclick = () => command({ type: 'command', command: 'showLineage', entityId: entity.id });
  const meta = [entity.kind, entity.materialized, entity.relation].filter(Boolean).join(' · ');
  const owners = entity.owners.map((o) => (o.email ? `${o.name} <${o.email}>` : o.name)).join(', ');
  const table = h('table', { class: 'columns' }, h('thead', {}, h('tr', {}, h('th', {}, 'Column'), h('th', {}, 'Type'), h('th', {}, 'Description'), h('th', {}, 'Tags & tests'))));
  const body = h('tbody', {});
  for (const c of entity.columns) body.append(columnRow(entity, c));
  table.append(body);
  root.replaceChildren(
    h('header', {}, h('h1', {}, entity.name), h('p', { class: 'meta' }, meta), h('p', {}, file, ' ', lineage)),
    entity.tags.length ? h('p', { class: 'tags' }, entity.tags.map((t) => `#${t}`).join(' ')) : '',
    owners ? h('p', { class: 'owners' }, `Owners: ${owners}`) : '',
    h('section', {}, h('h2', {}, 'Description'), editable(entity.description, undefined, entity.descriptionFromDocBlock, 'entity-description')),
    h('section', {}, h('h2', {}, `Columns (${entity.columns.length})`), table),
    h('div', { class: 'neighbors' }, neighbors('Upstream', entity.upstream, entity.upstreamCount), neighbors('Downstream', entity.downstream, entity.downstreamCount)),
    entity.editable ? '' : h('p', { class: 'hint' }, 'Descriptions of this entity are not stored in a dbt properties file and cannot be edited here.'),
  );
  api.setState({ entityId: entity.id });
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseDocsHostMessage(event.data);
  if (!message) return;
  if (message.type === 'response') requests.settle(message.id, message.ok, message.ok ? message.result : message.error);
  else if (message.event === 'entity') render(message.entity);
  else root.append(h('p', { class: `message ${message.level}` }, message.text));
});

api.postMessage({ type: 'ready', protocolVersion: DOCS_PROTOCOL_VERSION });
