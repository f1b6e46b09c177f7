import MarkdownIt from 'markdown-it';
import { addStyle, h, RequestTracker, vscodeApi } from '../shared/vscodeApi';
import { draftSection, draftViewOf, type DraftView } from './draftReview';
import { historySection } from './history';
import { inlineEditable, isEditing, whenIdle } from './inlineEdit';
import { DOCS_PROTOCOL_VERSION, parseDocsHostMessage, SaveResult, type DocColumn, type DocEntity, type DocsCommand, type DocTest, type VerifyNotification } from './protocol';
import { DOCS_CSS } from './styles';
import { QUALITY_CSS, columnQualityBadge, qualityPart } from './qualityBadge';

/**
 * The docs webview: renders one entity's documentation and lets the user edit descriptions.
 * Markdown is rendered with raw HTML disabled, so a description can never inject markup.
 */

const api = vscodeApi();
const requests = new RequestTracker((m) => api.postMessage(m));
const markdown = new MarkdownIt({ html: false, linkify: true });
const root = document.getElementById('app') ?? document.body;
let current: DocEntity | undefined;
/** An entity that arrived while a description was being edited; shown when the edit ends. */
let deferred: DocEntity | undefined;
/** The AI draft of the shown entity, kept across re-renders (an accepted text triggers a rescan and a re-send). */
let draft: DraftView | undefined;
/** The last AI verification of the shown entity. */
let verification: VerifyNotification | undefined;

addStyle(DOCS_CSS);
addStyle(QUALITY_CSS);

function command(message: DocsCommand): void {
  api.postMessage(message);
}

function rendered(text: string): HTMLElement {
  const div = h('div', { class: 'markdown' });
  // markdown-it escapes everything with html: false; the output is safe to insert.
  div.innerHTML = text.trim() ? markdown.render(text) : '<p class="empty">No description yet.</p>';
  return div;
}

/** The confirmation of the last save per description box; kept across re-renders (a save triggers a rescan that re-sends the entity). */
const confirmations = new Map<string, string>();

/** Saves a description (the entity's, or a column's); resolves to the confirmation, rejects with the reason. */
async function saveText(column: string | undefined, value: string): Promise<string> {
  if (!current) throw new Error('Nothing is shown.');
  const params = column === undefined ? { entityId: current.id, description: value } : { entityId: current.id, column, description: value };
  const parsed = SaveResult.safeParse(await requests.request('saveDescription', params));
  if (!parsed.success) throw new Error('unexpected reply');
  if (!parsed.data.saved) throw new Error(parsed.data.message);
  return `Saved to ${parsed.data.file}${parsed.data.created ? ' (new entry)' : ''}`;
}

/** The AI draft section, when the shown entity has one. */
function draftPart(entity: DocEntity): HTMLElement | string {
  if (!draft || draft.entityId !== entity.id) return '';
  return draftSection(draft, {
    cancel: () => command({ type: 'command', command: 'cancelDraft' }),
    dismiss: () => {
      draft = undefined;
      document.querySelector('[data-testid="ai-draft"]')?.remove();
    },
    accept: (p, text) => saveText(p.column, text),
  }, entity.name);
}

/** "Draft with AI" buttons (only where descriptions can be saved). */
function draftButtons(entity: DocEntity): HTMLElement | string {
  if (!entity.editable) return '';
  const missing = h('button', { 'data-testid': 'ai-draft-missing', title: 'Draft the empty descriptions with your AI provider; you review before anything is saved' }, '✦ Draft with AI');
  missing.onclick = () => command({ type: 'command', command: 'draftDocs', entityId: entity.id, scope: 'missing' });
  const all = h('button', { 'data-testid': 'ai-draft-all', title: 'Draft every description again for review' }, 'Redraft all');
  all.onclick = () => command({ type: 'command', command: 'draftDocs', entityId: entity.id, scope: 'all' });
  const verify = h('button', { 'data-testid': 'ai-verify', title: 'Check the descriptions against the SQL with your AI provider' }, 'Verify with AI');
  verify.onclick = () => command({ type: 'command', command: 'verifyDocs', entityId: entity.id });
  return h('span', { class: 'ai-buttons' }, missing, all, verify);
}

/** The findings of the last verification: each contradiction with its SQL lines (a click opens them). */
function verifyPart(entity: DocEntity): HTMLElement | string {
  const v = verification;
  if (!v || v.entityId !== entity.id) return '';
  const section = h('section', { class: 'verify', 'data-testid': 'ai-verify-result' });
  if (v.state === 'failed') {
    section.append(h('p', { class: 'message error' }, `AI verification failed: ${v.message}`));
    return section;
  }
  section.append(h('h2', {}, v.findings.length === 0 ? 'AI verification: no contradiction found' : `AI verification: ${v.findings.length} contradiction${v.findings.length === 1 ? '' : 's'}`));
  const list = h('ul', {});
  for (const f of v.findings) {
    const link = h('a', { href: '#' }, `${v.file}:${f.lines.join(',')}`);
    link.onclick = (e) => {
      e.preventDefault();
      command({ type: 'command', command: 'openFile', path: v.file, line: f.lines[0] ?? 1 });
    };
    list.append(h('li', {}, h('strong', {}, f.column ?? entity.name), `: "${f.claim}" — ${f.explanation} `, link, h('span', { class: 'hint' }, ` (confidence ${Math.round(f.confidence * 100)} %)`)));
  }
  section.append(list);
  if (v.dropped.length > 0) section.append(h('p', { class: 'hint' }, `Not shown: ${v.dropped.join('; ')}.`));
  return section;
}

/** A description edited in place; saving posts a request and resolves to the confirmation. */
function editable(text: string, column: string | undefined, fromDocBlock: boolean, testId: string, label: string): HTMLElement {
  return inlineEditable({
    testId,
    label,
    text,
    editable: current?.editable === true,
    render: rendered,
    note: fromDocBlock ? 'from a docs block' : undefined,
    confirmation: confirmations.get(testId),
    save: async (value) => {
      const text = await saveText(column, value);
      confirmations.clear();
      confirmations.set(testId, text);
      return text;
    },
  });
}

/** A data test as a chip: its name, its arguments in short, all of them in the tooltip. */
function chip(test: DocTest): HTMLElement {
  const el = h('span', { class: `chip test${test.severity ? ` ${test.severity}` : ''}`, 'data-test': test.name, title: test.detail || test.name }, h('span', { class: 'chip-name' }, test.name));
  // `→ customers.id` reads after a space; `: placed, shipped` follows the name directly.
  if (test.summary) el.append(test.summary.startsWith(':') ? '' : ' ', h('span', { class: 'chip-args' }, test.summary));
  if (test.severity) el.append(' ', h('span', { class: 'chip-flag' }, test.severity));
  return el;
}

function typeCell(c: DocColumn): HTMLElement {
  const cell = h('td', { class: c.type ? 'type' : 'type untyped', 'data-testid': `type-${c.name}` });
  if (!c.type) {
    cell.append(h('span', { class: 'empty', title: 'No declared type, none in dbt artifacts, and no upstream column carries its value unchanged.' }, '—'));
    return cell;
  }
  cell.append(h('code', { class: 'type-name' }, c.type));
  if (c.typeSource) cell.append(h('span', { class: `type-source ${c.typeSource.origin}`, title: c.typeSource.detail, 'data-origin': c.typeSource.origin }, c.typeSource.label));
  return cell;
}

function columnRow(entity: DocEntity, c: DocColumn): HTMLElement {
  const lineage = h('button', { class: 'link', title: `Column lineage of ${c.name}`, 'aria-label': `Column lineage of ${c.name}` }, '⇄');
  lineage.onclick = () => command({ type: 'command', command: 'showLineage', entityId: entity.id, column: c.name });
  const chips = h('td', { class: 'chips', 'data-testid': `tests-${c.name}` }, ...c.tests.map(chip), ...c.tags.map((t) => h('span', { class: 'chip tag' }, `#${t}`)));
  return h(
    'tr',
    { 'data-column': c.name },
    h('td', { class: 'name', 'data-label': 'Column' }, h('code', {}, c.name), ' ', lineage, columnQualityBadge(c)),
    typeCell(c),
    h('td', { class: 'desc' }, editable(c.description, c.name, c.fromDocBlock, `col-${c.name}`, `Description of ${c.name}`)),
    chips,
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
  // A re-sent entity (the rescan after a save) must not throw away a description being typed.
  if (isEditing() && current?.id === entity.id) {
    deferred = entity;
    return;
  }
  deferred = undefined;
  if (current?.id !== entity.id) {
    confirmations.clear();
    if (draft?.entityId !== entity.id) draft = undefined;
    if (verification?.entityId !== entity.id) verification = undefined;
  }
  current = entity;
  // Keep the keyboard where it was: the re-rendered box with the same test id gets the focus back.
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.testid : undefined;
  const file = h('a', { href: '#', class: 'file' }, `${entity.file.path}:${entity.file.line}`);
  file.onclick = (e) => {
    e.preventDefault();
    command({ type: 'command', command: 'openFile', path: entity.file.path, line: entity.file.line });
  };
  const lineage = h('button', {}, 'Show lineage');
  lineage.onclick = () => command({ type: 'command', command: 'showLineage', entityId: entity.id });
  const meta = [entity.kind, entity.materialized, entity.relation].filter(Boolean).join(' · ');
  // An owner given only as an address is shown once, not as `a@b <a@b>`.
  const owners = entity.owners.map((o) => (o.email && o.email !== o.name ? `${o.name} <${o.email}>` : o.name)).join(', ');
  const table = h('table', { class: 'columns' }, h('thead', {}, h('tr', {}, h('th', { class: 'name' }, 'Column'), h('th', { class: 'type' }, 'Type'), h('th', { class: 'desc' }, 'Description'), h('th', { class: 'chips' }, 'Tests & tags'))));
  const body = h('tbody', {});
  for (const c of entity.columns) body.append(columnRow(entity, c));
  table.append(body);
  root.replaceChildren(
    h('header', {}, h('h1', {}, entity.name), h('p', { class: 'meta' }, meta), qualityPart(entity), h('p', {}, file, ' ', lineage, ' ', draftButtons(entity))),
    draftPart(entity),
    verifyPart(entity),
    entity.tags.length ? h('p', { class: 'tags' }, entity.tags.map((t) => `#${t}`).join(' ')) : '',
    owners ? h('p', { class: 'owners' }, `Owners: ${owners}`) : '',
    h('section', {}, h('h2', {}, 'Description'), editable(entity.description, undefined, entity.descriptionFromDocBlock, 'entity-description', `Description of ${entity.name}`)),
    entity.tests.length ? h('p', { class: 'chips', 'data-testid': 'entity-tests' }, ...entity.tests.map(chip)) : '',
    h('section', {}, h('h2', {}, `Columns (${entity.columns.length})`), table),
    h('div', { class: 'neighbors' }, neighbors('Upstream', entity.upstream, entity.upstreamCount), neighbors('Downstream', entity.downstream, entity.downstreamCount)),
    historySection(entity, (params) => requests.request('docVersions', params)),
    entity.editable ? '' : h('p', { class: 'hint' }, 'Descriptions of this entity are not stored in a dbt properties file and cannot be edited here.'),
  );
  if (focused) root.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focused)}"]`)?.focus();
  api.setState({ entityId: entity.id });
}

// When the last edit ends, show what arrived meanwhile.
whenIdle(() => {
  if (deferred && !isEditing()) render(deferred);
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseDocsHostMessage(event.data);
  if (!message) return;
  if (message.type === 'response') requests.settle(message.id, message.ok, message.ok ? message.result : message.error);
  else if (message.event === 'entity') render(message.entity);
  else if (message.event === 'draft') {
    draft = draftViewOf(message);
    if (current?.id === message.entityId) {
      const part = draftPart(current);
      const live = document.querySelector('[data-testid="ai-draft"]');
      if (live && part instanceof HTMLElement) live.replaceWith(part);
      else if (part instanceof HTMLElement) root.querySelector('header')?.after(part);
    }
  } else if (message.event === 'verify') {
    verification = message;
    if (current?.id === message.entityId) {
      const part = verifyPart(current);
      const live = document.querySelector('[data-testid="ai-verify-result"]');
      if (live && part instanceof HTMLElement) live.replaceWith(part);
      else if (part instanceof HTMLElement) root.querySelector('header')?.after(part);
    }
  } else root.append(h('p', { class: `message ${message.level}` }, message.text));
});

api.postMessage({ type: 'ready', protocolVersion: DOCS_PROTOCOL_VERSION });
