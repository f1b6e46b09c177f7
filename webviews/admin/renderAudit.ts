import { h } from '../shared/vscodeApi';
import { actionRow, button, checkbox, heading, muted, outcome, textField } from './dom';
import type { TabContext } from './renderMembers';
import { relative } from './format';
import { auditFilterOf, auditViews, upsert, type AuditForm } from './viewModel';
import type { AuditFilter } from '../../core/admin/protocol';

/**
 * The Feature flags and Audit log tabs. The audit log is filtered by actor (a member's e-mail),
 * action, target and days (UTC), paged newest first ("Load older"), and exported as CSV: the host
 * asks where to save it and writes the server's CSV of the same filter.
 */

export function renderFlags({ s, now }: TabContext): HTMLElement[] {
  const caps = s.caps;
  if (caps === undefined) return [];
  const flags = s.data.flags;
  const out: HTMLElement[] = [];
  const manage = caps.can('flags.set');
  out.push(heading('Feature flags', flags ? `${flags.length}` : undefined));
  if (flags === undefined) return [...out, muted('Loading…')];
  if (flags.length === 0) out.push(muted('No feature flags are set.'));
  out.push(h('ul', { class: 'flags', 'data-testid': 'flags' }, ...[...flags].sort((a, b) => a.key.localeCompare(b.key)).map((f) => {
    const key = `flag:${f.key}`;
    const toggle = checkbox(s, 'flags:on', f.key, f.key, manage ? {} : { disabled: true, title: 'You may not change feature flags' });
    s.pick('flags:on')[f.enabled ? 'add' : 'delete'](f.key);
    (toggle as HTMLElement & { checked: boolean }).checked = f.enabled;
    if (manage) toggle.addEventListener('change', () => void s.act(key, 'flags.set', { key: f.key, enabled: !f.enabled, payload: f.payload }, (r) => (s.data.flags = upsert(s.data.flags ?? [], r.flag, (x) => x.key))));
    return h('li', {}, toggle, h('span', { class: 'hint' }, `${f.enabled ? 'on' : 'off'} · changed ${relative(f.updatedAt, now)}`), outcome(s, key));
  })));
  if (manage) {
    const add = (): void => {
      const flagKey = s.form('flag:new:key').trim();
      if (!/^[a-z][a-z0-9_.-]{1,60}$/.test(flagKey)) return s.refuse('flag:new', 'A flag key is 2–61 lower-case letters, digits, _, . or -, starting with a letter.');
      void s.act('flag:new', 'flags.set', { key: flagKey, enabled: true }, (r) => {
        s.data.flags = upsert(s.data.flags ?? [], r.flag, (x) => x.key);
        s.forms.delete('flag:new:key');
      }, [], `${flagKey} is on.`);
    };
    out.push(heading('Turn on a flag'), actionRow(s, 'flag:new', textField(s, 'flag:new:key', 'Flag key', { placeholder: 'flag key (e.g. ai.docs)', onEnter: add }), button(s, 'flag:new', 'Turn on', add, { icon: 'add' })));
  }
  return out;
}

const FILTER_FIELDS: readonly (readonly [keyof AuditForm, string, string?])[] = [
  ['actor', 'Actor (e-mail)'],
  ['action', 'Action (e.g. invitations.insert)'],
  ['target', 'Target (table or table:id)'],
  ['from', 'From (UTC day)', 'date'],
  ['to', 'To (UTC day, inclusive)', 'date'],
];

/** The filter of the form, or undefined after showing what is wrong with it. */
function formFilter(s: TabContext['s']): AuditFilter | undefined {
  const form = Object.fromEntries(FILTER_FIELDS.map(([f]) => [f, s.form(`audit:${f}`)])) as unknown as AuditForm;
  const checked = auditFilterOf(form, s.data.members ?? []);
  if (!checked.ok) {
    s.refuse('audit:query', checked.error);
    return undefined;
  }
  return checked.value;
}

export function renderAudit({ s, now, exportAudit }: TabContext & { exportAudit(filter: AuditFilter): void }): HTMLElement[] {
  const audit = s.data.audit;
  const apply = (): void => {
    const filter = formFilter(s);
    if (filter) void s.queryAudit(filter);
  };
  // Visible labels: a date field shows the browser's date pattern, not its placeholder.
  const fields = FILTER_FIELDS.map(([f, label, type]) => h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), textField(s, `audit:${f}`, label, { placeholder: label, ...(type ? { type } : {}), onEnter: apply })));
  const out: HTMLElement[] = [
    heading('Filter'),
    h('div', { class: 'filters' }, ...fields),
    actionRow(s, 'audit:query',
      button(s, 'audit:apply', 'Apply', apply, { icon: 'filter' }),
      button(s, 'audit:clear', 'Clear', () => {
        for (const [f] of FILTER_FIELDS) s.forms.delete(`audit:${f}`);
        void s.queryAudit({});
      }, { secondary: true, icon: 'clear-all' }),
      button(s, 'audit:export', 'Export CSV…', () => {
        const filter = formFilter(s);
        if (filter) exportAudit(filter);
      }, { secondary: true, icon: 'export' })),
    outcome(s, 'audit:export'),
  ];
  out.push(heading('Entries', audit ? `${audit.entries.length}${audit.nextBefore !== null ? '+' : ''}` : undefined));
  if (audit === undefined) return [...out, muted('Loading…')];
  if (audit.entries.length === 0) return [...out, muted('No entries match.')];
  out.push(h('table', { class: 'grid audit', 'data-testid': 'audit' },
    h('thead', {}, h('tr', {}, h('th', {}, 'When (UTC)'), h('th', {}, 'Actor'), h('th', {}, 'Action'), h('th', {}, 'Target'))),
    h('tbody', {}, ...auditViews(audit.entries, now).map((e) => h('tr', { 'data-testid': `audit-${e.id}` }, h('td', { title: e.ago }, e.when), h('td', {}, e.actor), h('td', {}, h('code', {}, e.action)), h('td', { class: 'target' }, e.target))))));
  if (audit.nextBefore !== null) out.push(actionRow(s, 'audit:more', button(s, 'audit:more', 'Load older', () => void s.moreAudit(), { secondary: true, icon: 'chevron-down' })));
  return out;
}
