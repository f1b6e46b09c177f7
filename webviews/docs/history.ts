import type { DocVersion, DocVersionList } from '../../core/docVersions/protocol';
import { lineDiff } from '../../core/docVersions/lineDiff';
import { addStyle, h } from '../shared/vscodeApi';
import { DocVersionsAnswer } from './historyProtocol';
import type { DocVersionsCall } from './historyProtocol';
import type { DocEntity } from './protocol';

/**
 * The docs panel's "History" section (doc versions in the cloud, issue 16): pick the model's
 * description or a column's, see its versions newest first (number, status, author, time, a line
 * diff of what changed, a rejection's reason), revert to a version; approvers also get the
 * organization's pending changes with Approve and Reject (a reason is required). Everything goes
 * through the host (`docVersions` requests), which asks the `doc-versions` edge function; the
 * section keeps its state across re-renders of the entity.
 */

/** Sends a `docVersions` request to the host; resolves to its answer or rejects with its message. */
export type HistoryRequest = (params: DocVersionsCall['params']) => Promise<unknown>;

interface State {
  entityId: string;
  /** '' for the model's description, else a column's name. */
  column: string;
  view: 'none' | 'history' | 'pending';
  list?: DocVersionList;
  message?: { level: 'info' | 'error'; text: string };
}

let state: State | undefined;
/** Draws the section on the page now: a re-render of the entity replaces the element, and answers arriving later must land in the new one. */
let drawCurrent: (() => void) | undefined;

addStyle(`
section.history { margin-top: 16px; }
section.history .controls select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border); margin-right: 6px; }
section.history ol { list-style: none; padding: 0; }
section.history li.version { border-left: 3px solid var(--vscode-panel-border); padding: 4px 8px; margin: 8px 0; }
section.history li.version.pending { border-left-color: var(--vscode-editorWarning-foreground); }
section.history li.version.rejected { border-left-color: var(--vscode-editorError-foreground); opacity: 0.85; }
section.history .badge { font-size: 0.85em; padding: 0 6px; border-radius: 8px; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); margin: 0 4px; }
section.history pre.diff { margin: 4px 0; white-space: pre-wrap; font-family: var(--vscode-editor-font-family); font-size: 0.9em; }
section.history pre.diff .add { background: var(--vscode-diffEditor-insertedTextBackground); display: block; }
section.history pre.diff .del { background: var(--vscode-diffEditor-removedTextBackground); display: block; text-decoration: line-through; }
section.history pre.diff .same { opacity: 0.7; display: block; }
section.history input.reason { width: 50%; background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, transparent); }
`);

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

function diffOf(v: DocVersion): HTMLElement {
  const pre = h('pre', { class: 'diff', 'data-testid': `diff-${v.id}` });
  const lines = lineDiff(v.before, v.after);
  if (lines.length === 0) pre.append(h('span', { class: 'same' }, '(no description)'));
  for (const l of lines) pre.append(h('span', { class: l.op }, `${l.op === 'add' ? '+ ' : l.op === 'del' ? '- ' : '  '}${l.text}`));
  return pre;
}

function targetLabel(v: DocVersion): string {
  return v.target.kind === 'entity' ? v.target.id : v.target.id.slice(v.target.id.indexOf('#') + 1);
}

function versionItem(v: DocVersion, list: DocVersionList, latestPublished: string | undefined, act: (params: DocVersionsCall['params'], done: string) => void, showTarget: boolean): HTMLElement {
  const title = v.status === 'published' ? `v${v.version ?? '?'}` : v.status === 'pending' ? 'Pending' : 'Rejected';
  const who = v.authorEmail ?? (v.authorId === null ? 'unknown author' : 'a former member');
  const head = h('div', { class: 'head' }, h('strong', {}, title), h('span', { class: 'badge' }, v.status), showTarget ? h('code', {}, targetLabel(v)) : '', ` ${who} · ${when(v.createdAt)}`);
  if (v.revertedFrom) head.append(h('span', { class: 'hint' }, 'revert'));
  const item = h('li', { class: `version ${v.status}`, 'data-testid': `version-${v.status}-${v.version ?? v.id}` }, head, diffOf(v));
  if (v.status === 'rejected') item.append(h('p', { class: 'hint' }, `Rejected by ${v.reviewerEmail ?? 'an approver'}: ${v.reason ?? ''}`));
  if (v.status === 'published' && v.reviewerEmail) item.append(h('p', { class: 'hint' }, `Approved by ${v.reviewerEmail}`));
  const buttons = h('div', { class: 'actions' });
  if (v.status === 'published' && v.id !== latestPublished) {
    const revert = h('button', { 'data-testid': `revert-${v.version ?? v.id}`, title: 'Make this text the description again (a new version)' }, 'Revert to this');
    revert.onclick = () => act({ action: 'revert', versionId: v.id }, list.approvalEnabled && !list.canApprove ? 'Revert submitted for approval.' : `Reverted to v${v.version ?? ''}.`);
    buttons.append(revert);
  }
  if (v.status === 'pending' && list.canApprove) {
    const approve = h('button', { 'data-testid': `approve-${v.id}` }, 'Approve');
    approve.onclick = () => act({ action: 'approve', versionId: v.id }, 'Approved and published: it syncs to everyone.');
    const reason = h('input', { class: 'reason', placeholder: 'Reason for rejecting (required)', 'data-testid': `reason-${v.id}` });
    const reject = h('button', { 'data-testid': `reject-${v.id}` }, 'Reject');
    reject.onclick = () => {
      if (reason.value.trim() === '') {
        reason.focus();
        reason.setAttribute('aria-invalid', 'true');
        return;
      }
      act({ action: 'reject', versionId: v.id, reason: reason.value.trim() }, 'Rejected; the author sees your reason.');
    };
    buttons.append(approve, reject, reason);
  }
  if (buttons.childNodes.length > 0) item.append(buttons);
  return item;
}

function listPart(s: State, act: (params: DocVersionsCall['params'], done: string) => void): HTMLElement | string {
  const list = s.list;
  if (s.view === 'none' || !list) return '';
  const latest = list.versions.find((v) => v.status === 'published')?.id;
  const heading = s.view === 'pending'
    ? `Pending approvals (${list.versions.length})`
    : `History of ${s.column === '' ? 'the description' : `column ${s.column}`} (${list.versions.length} version${list.versions.length === 1 ? '' : 's'})`;
  const note = list.approvalEnabled
    ? h('p', { class: 'hint' }, list.canApprove ? 'Approval is on: you can approve changes.' : 'Approval is on: your description changes are published after an approver accepts them.')
    : '';
  if (list.versions.length === 0) return h('div', { 'data-testid': 'history-list' }, h('h3', {}, heading), note, h('p', { class: 'empty' }, s.view === 'pending' ? 'Nothing waits for approval.' : 'No synced version yet: versions are recorded when an edit syncs.'));
  const ol = h('ol', {});
  for (const v of list.versions) ol.append(versionItem(v, list, latest, act, s.view === 'pending'));
  return h('div', { 'data-testid': 'history-list' }, h('h3', {}, heading), note, ol);
}

/** The History section of `entity`; `request` talks to the host. */
export function historySection(entity: DocEntity, request: HistoryRequest): HTMLElement {
  if (state?.entityId !== entity.id) state = { entityId: entity.id, column: '', view: 'none' };
  const s = state;
  const el = h('section', { class: 'history', 'data-testid': 'doc-history' });
  const redraw = (): void => drawCurrent?.();

  const load = async (view: 'history' | 'pending'): Promise<void> => {
    s.view = view;
    s.message = { level: 'info', text: 'Loading…' };
    redraw();
    try {
      const answer = DocVersionsAnswer.parse(await request(view === 'pending' ? { action: 'pending' } : { action: 'history', entityId: s.entityId, ...(s.column ? { column: s.column } : {}) }));
      if (answer.state === 'unavailable') {
        s.list = undefined;
        s.message = { level: 'info', text: answer.message };
      } else if (answer.state === 'list') {
        s.list = answer.list;
        s.message = undefined;
      }
    } catch (err) {
      s.message = { level: 'error', text: err instanceof Error ? err.message : String(err) };
    }
    redraw();
  };
  const act = (params: DocVersionsCall['params'], done: string): void => {
    void (async () => {
      try {
        DocVersionsAnswer.parse(await request(params));
        const view = s.view === 'pending' ? 'pending' : 'history';
        await load(view);
        s.message = { level: 'info', text: done };
      } catch (err) {
        s.message = { level: 'error', text: err instanceof Error ? err.message : String(err) };
      }
      redraw();
    })();
  };
  const draw = (): void => {
    const select = h('select', { 'data-testid': 'history-target', 'aria-label': 'Whose history' });
    select.append(h('option', { value: '' }, 'Model description'));
    for (const c of entity.columns) select.append(h('option', { value: c.name }, `Column ${c.name}`));
    select.value = s.column;
    select.onchange = () => {
      s.column = select.value;
      if (s.view === 'history') void load('history');
    };
    const show = h('button', { 'data-testid': 'history-show', title: 'Versions of this description in your team\'s cloud' }, 'Show history');
    show.onclick = () => void load('history');
    const pending = h('button', { 'data-testid': 'history-pending', title: 'Description changes waiting for approval' }, 'Pending approvals');
    pending.onclick = () => void load('pending');
    el.replaceChildren(
      h('h2', {}, 'History'),
      h('p', { class: 'controls' }, select, show, pending),
      s.message ? h('p', { class: `message ${s.message.level}`, 'data-testid': 'history-message' }, s.message.text) : '',
      listPart(s, act),
    );
  };
  drawCurrent = draw;
  draw();
  return el;
}
