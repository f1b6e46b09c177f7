import { addStyle, h, RequestTracker, vscodeApi } from '../shared/vscodeApi';
import { draftSection, type DraftView, type Proposal } from '../docs/draftReview';
import { DOCS_CSS } from '../docs/styles';
import { parseQueueHostMessage, QUEUE_PROTOCOL_VERSION, type BatchView, type QueueCommand, type QueueEntryView } from './protocol';
import { queueRow, queueSummary } from './viewModel';

/**
 * The AI review queue (issue 16's batch mode): the models a batch drafted, each with its status;
 * opening one shows the same per-description review as the docs panel's single draft (edit, Accept,
 * Discard, Accept all). Accepting asks the host to save through the docs save path; nothing else
 * writes. The queue itself lives in the host, so closing this panel loses nothing.
 */

const api = vscodeApi();
const requests = new RequestTracker((m) => api.postMessage(m));
const root = document.getElementById('app') ?? document.body;
let entries: QueueEntryView[] = [];
let batch: BatchView | undefined;
let selected: string | undefined;
/** The open review's proposals, kept across snapshots so text being edited survives them. */
let review: { key: string; view: DraftView & { state: 'review' } } | undefined;

addStyle(`${DOCS_CSS}
.queue { display: flex; gap: 16px; align-items: flex-start; }
.queue-list { list-style: none; padding: 0; margin: 0; min-width: 220px; max-width: 40%; flex: 0 0 auto; }
.queue-list li { padding: 4px 6px; border-radius: 2px; cursor: pointer; }
.queue-list li:hover { background: var(--vscode-list-hoverBackground); }
.queue-list li.selected { background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
.queue-list .path { display: block; font-size: 0.85em; opacity: 0.75; }
.status { display: block; font-size: 0.9em; }
.status.error { color: var(--vscode-errorForeground); }
.status.done { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
.status.busy { opacity: 0.75; font-style: italic; }
.queue-detail { flex: 1 1 auto; min-width: 0; }
@media (max-width: 560px) { .queue { display: block; } .queue-list { max-width: none; } }
`);

function command(message: QueueCommand): void {
  api.postMessage(message);
}

/** The review of the selected entry: the page's own proposals, with outcomes the host settled since. */
function reviewOf(entry: QueueEntryView): DraftView & { state: 'review' } {
  if (review?.key !== entry.key) {
    const proposals: Proposal[] = entry.proposals.map((p) => ({ ...(p.column !== undefined ? { column: p.column } : {}), text: p.text, outcome: p.outcome }));
    review = { key: entry.key, view: { entityId: entry.entityId, state: 'review', proposals, problems: entry.problems, model: entry.model ?? '?', tokens: entry.tokens ?? 0 } };
  } else {
    for (const p of review.view.proposals) {
      const host = entry.proposals.find((x) => x.column === p.column);
      if (host && host.outcome !== '' && p.outcome === '') p.outcome = host.outcome;
    }
  }
  return review.view;
}

function detail(entry: QueueEntryView | undefined): HTMLElement {
  const pane = h('div', { class: 'queue-detail', 'data-testid': 'queue-detail' });
  if (!entry) {
    pane.append(h('p', { class: 'hint' }, 'Pick a model to review its draft.'));
    return pane;
  }
  const docs = h('a', { href: '#', 'data-testid': 'queue-open-docs' }, 'Open docs');
  docs.onclick = (e) => {
    e.preventDefault();
    command({ type: 'command', command: 'openDocs', key: entry.key });
  };
  const remove = h('button', { class: 'link', 'data-testid': 'queue-remove', title: 'Remove from the queue (nothing is written)' }, 'Remove');
  remove.onclick = () => command({ type: 'command', command: 'remove', key: entry.key });
  pane.append(h('h2', {}, entry.name, ' ', h('span', { class: 'hint' }, entry.path)), h('p', {}, docs, ' ', remove));
  if (entry.proposals.length === 0) {
    pane.append(h('p', { class: entry.state === 'failed' || entry.state === 'cancelled' ? 'message error' : 'hint' }, queueRow(entry).status));
    return pane;
  }
  pane.append(draftSection(reviewOf(entry), {
    cancel: () => undefined,
    dismiss: () => select(undefined),
    discard: (p) => command({ type: 'command', command: 'discard', key: entry.key, ...(p.column !== undefined ? { column: p.column } : {}) }),
    // The host saves and answers with the confirmation; a refused save rejects with its reason.
    accept: async (p, text) => String(await requests.request('accept', { key: entry.key, ...(p.column !== undefined ? { column: p.column } : {}), text })),
  }, entry.name));
  return pane;
}

function select(key: string | undefined): void {
  selected = key;
  render(true);
}

/** Renders the list; the detail only when asked (a snapshot must not replace boxes being edited). */
function render(withDetail: boolean): void {
  const entry = entries.find((e) => e.key === selected);
  if (!entry) selected = undefined;
  const cancel = batch?.running ? h('button', { 'data-testid': 'queue-cancel' }, 'Cancel batch') : '';
  if (cancel) cancel.onclick = () => command({ type: 'command', command: 'cancelBatch' });
  const clear = h('button', { 'data-testid': 'queue-clear', title: 'Remove the models with nothing left to review' }, 'Clear finished');
  clear.onclick = () => command({ type: 'command', command: 'clearFinished' });
  const list = h('ul', { class: 'queue-list', 'data-testid': 'queue-list', role: 'listbox', 'aria-label': 'Models with AI drafts' });
  for (const e of entries) {
    const row = queueRow(e);
    const li = h('li', { 'data-key': row.key, 'data-testid': `queue-item-${e.name}`, role: 'option', tabindex: '0', class: row.key === selected ? 'selected' : '', 'aria-selected': String(row.key === selected) },
      h('strong', {}, row.name), h('span', { class: 'path' }, row.path), h('span', { class: `status ${row.tone}` }, row.status));
    li.onclick = () => select(row.key);
    li.onkeydown = (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') select(row.key);
    };
    list.append(li);
  }
  const live = root.querySelector('[data-testid="queue-detail"]');
  const pane = withDetail || !live ? detail(entries.find((e) => e.key === selected)) : live;
  root.replaceChildren(
    h('header', {}, h('h1', {}, 'AI review queue'), h('p', { class: 'meta', 'data-testid': 'queue-summary' }, queueSummary(entries, batch), ' ', cancel, clear),
      h('p', { class: 'hint' }, 'Nothing is saved until you accept a description. The queue is kept while this window is open, also when the panel is closed.')),
    h('div', { class: 'queue' }, list, pane),
  );
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseQueueHostMessage(event.data);
  if (!message) return;
  if (message.type === 'response') {
    requests.settle(message.id, message.ok, message.ok ? message.result : message.error);
    return;
  }
  const before = entries.find((e) => e.key === selected);
  entries = message.entries;
  batch = message.batch;
  const after = entries.find((e) => e.key === selected);
  // The detail is rebuilt when the selected entry's draft arrived, went away, or the selection was removed.
  render(before?.state !== after?.state || before?.proposals.length !== after?.proposals.length || (after?.state !== 'ready' && after?.state !== 'reviewed'));
});

api.postMessage({ type: 'ready', protocolVersion: QUEUE_PROTOCOL_VERSION });
