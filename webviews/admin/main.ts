import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import type { AuditFilter } from '../../core/admin/protocol';
import { addStyle, h } from '../shared/vscodeApi';
import { WebviewClient } from '../shared/webviewClient';
import { TAB_TITLES, type TabId } from './capabilities';
import { button, focusedKey, muted, outcome, restoreFocus } from './dom';
import { ADMIN_PROTOCOL_VERSION, AdminViewResults, parseAdminHostMessage, type AdminCommand, type AdminContext, type AdminHostMessage, type AdminViewRequest } from './protocol';
import { renderAudit, renderFlags } from './renderAudit';
import { renderMembers, type TabContext } from './renderMembers';
import { renderRoles } from './renderRoles';
import { renderLlmKeys, renderTokens } from './renderSecrets';
import { renderTeams } from './renderTeams';
import { AdminSession, TAB_DATA, type AdminCaller } from './session';
import { ADMIN_CSS } from './styles';

/**
 * The "Manage Team" webview: members, teams, roles, API tokens, LLM keys, feature flags and the
 * audit log of the organization the sync configuration names. Every fact comes from the host
 * (which calls the `admin` edge function as the signed-in user); the page keeps only which tab is
 * open. Tabs and actions follow `whoami`: what the caller may not do is not drawn.
 */

const client = new WebviewClient<AdminViewRequest, typeof AdminViewResults, AdminHostMessage>({
  protocolVersion: ADMIN_PROTOCOL_VERSION,
  results: AdminViewResults,
  parse: parseAdminHostMessage,
  onMessage: (message) => setContext(message.context),
});
const call = ((op, params) => client.request(op, params as never)) as AdminCaller;
const session = new AdminSession(call, () => schedule());
let context: AdminContext | undefined;
let tab: TabId = readTab();
let tabsFor: unknown;
let pending = false;

addStyle(ADMIN_CSS);
const header = h('header', { class: 'header' });
const secretBox = h('div', { class: 'secret', role: 'region', 'aria-label': 'Secret shown once', 'data-testid': 'secret' });
const body = h('main', { class: 'body' });
document.getElementById('app')?.append(header, secretBox, body);
client.ready();

function readTab(): TabId {
  const state = client.state as { tab?: TabId } | undefined;
  return state?.tab ?? 'members';
}

function command(message: AdminCommand): void {
  client.post(message);
}

function setContext(next: AdminContext): void {
  const same = context?.state === 'ready' && next.state === 'ready' && context.orgId === next.orgId && context.signedInAs === next.signedInAs;
  context = next;
  if (same) return schedule();
  if (next.state === 'ready') void session.start().then(() => openTab(session.caps?.tabs().includes(tab) ? tab : (session.caps?.tabs()[0] ?? tab)));
  schedule();
}

function openTab(next: TabId, refresh = false): void {
  tab = next;
  client.state = { tab };
  schedule();
  void session.open(tab, refresh);
}

function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render();
  });
}

function reveal(key: string, title: string, text: string): void {
  session.secret = { key, title, text };
  schedule();
}

async function exportAudit(filter: AuditFilter): Promise<void> {
  const key = 'audit:export';
  session.busy.add(key);
  session.errors.delete(key);
  session.notices.delete(key);
  schedule();
  try {
    const outcome = await client.request('exportAudit', { filter });
    if (outcome.saved) session.notices.set(key, `Saved ${outcome.rows} entr${outcome.rows === 1 ? 'y' : 'ies'} to ${outcome.path}${outcome.truncated ? ' (more matched: narrow the filter)' : ''}.`);
  } catch (err) {
    session.errors.set(key, err instanceof Error ? err.message : String(err));
  } finally {
    session.busy.delete(key);
    schedule();
  }
}

function render(): void {
  const focus = focusedKey();
  renderHeader();
  renderSecret();
  if (context === undefined) body.replaceChildren(muted('Connecting…'));
  else if (context.state !== 'ready') renderBlocked(context);
  else if (session.startError !== undefined) body.replaceChildren(h('div', { class: 'outcome error', role: 'alert', 'data-testid': 'start-error' }, session.startError), button(session, 'retry', 'Try again', () => void session.start().then(() => openTab(tab, true)), { icon: 'refresh' }));
  else if (session.caps === undefined) body.replaceChildren(muted('Loading your permissions…'));
  else renderTabs();
  restoreFocus(focus);
}

function renderHeader(): void {
  if (context?.state !== 'ready') return header.replaceChildren(h('h1', {}, 'Manage Team'));
  const who = session.caps?.who;
  header.replaceChildren(
    h('h1', { 'data-testid': 'org' }, who?.orgName || context.orgLabel),
    h('span', { class: 'hint' }, `signed in as ${context.signedInAs}`),
    h('span', { class: 'spacer' }),
    button(session, 'refresh', 'Refresh', () => openTab(tab, true), { secondary: true, icon: 'refresh' }),
  );
}

function renderSecret(): void {
  const secret = session.secret;
  secretBox.hidden = secret === undefined;
  if (secret === undefined) return secretBox.replaceChildren();
  secretBox.replaceChildren(
    h('div', {}, h('span', { class: 'codicon codicon-key', 'aria-hidden': 'true' }), ` ${secret.title}`),
    h('code', { class: 'secret-text', 'data-testid': 'secret-text' }, secret.text),
    h('div', { class: 'controls' },
      button(session, 'secret:copy', 'Copy', () => command({ type: 'command', command: 'copy', text: secret.text }), { icon: 'copy' }),
      button(session, 'secret:done', 'Done', () => ((session.secret = undefined), schedule()), { secondary: true })),
  );
}

function renderBlocked(c: Extract<AdminContext, { state: 'no-project' | 'signed-out' | 'no-org' }>): void {
  const action = c.state === 'signed-out' ? button(session, 'sign-in', 'Sign In', () => command({ type: 'command', command: 'signIn' }), { icon: 'account' }) : c.state === 'no-org' ? button(session, 'choose-org', 'Choose Organization', () => command({ type: 'command', command: 'chooseOrganization' }), { icon: 'organization' }) : '';
  body.replaceChildren(h('p', { 'data-testid': 'blocked' }, c.message), action);
}

function renderTabs(): void {
  const caps = session.caps;
  if (caps === undefined) return;
  const tabs = caps.tabs();
  if (tabs.length === 0) return body.replaceChildren(muted('You may not see any team settings of this organization.'));
  let element = body.querySelector('vscode-tabs');
  if (element === null || tabsFor !== caps.who) {
    // Built once per caller, so a re-render keeps the tab headers (and their keyboard focus).
    tabsFor = caps.who;
    element = document.createElement('vscode-tabs');
    for (const id of tabs) {
      const head = document.createElement('vscode-tab-header');
      head.setAttribute('slot', 'header');
      head.dataset.key = `tab:${id}`;
      head.dataset.testid = `tab-${id}`;
      head.textContent = TAB_TITLES[id];
      const panel = document.createElement('vscode-tab-panel');
      panel.dataset.tab = id;
      element.append(head, panel);
    }
    element.addEventListener('vsc-tabs-select', (e) => {
      const id = tabs[e.detail.selectedIndex];
      if (id !== undefined && id !== tab) openTab(id);
    });
    body.replaceChildren(element);
  }
  const index = Math.max(0, tabs.indexOf(tab));
  if (element.selectedIndex !== index) element.selectedIndex = index;
  const ctx: TabContext = { s: session, now: Date.now(), reveal };
  const content: Record<TabId, () => HTMLElement[]> = {
    members: () => renderMembers(ctx),
    teams: () => renderTeams(ctx),
    roles: () => renderRoles(ctx),
    tokens: () => renderTokens(ctx),
    llmKeys: () => renderLlmKeys(ctx),
    flags: () => renderFlags(ctx),
    audit: () => renderAudit({ ...ctx, exportAudit: (filter) => void exportAudit(filter) }),
  };
  element.querySelectorAll<HTMLElement>('vscode-tab-panel').forEach((panel) => {
    const id = panel.dataset.tab as TabId;
    panel.replaceChildren(...(id === tabs[index] ? [...TAB_DATA[id].map((d) => outcome(session, `load:${d}`)), ...content[id]()] : []));
  });
}
