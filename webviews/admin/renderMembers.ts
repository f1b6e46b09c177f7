import { h } from '../shared/vscodeApi';
import { actionRow, button, heading, icon, muted, outcome, select, textField } from './dom';
import type { AdminResponseOf } from '../../core/admin/responses';
import type { AdminSession } from './session';
import { assignableRoles, checkGrant, checkInvite, currentOrgRole, invitationViews, memberViews, upsert, type MemberView } from './viewModel';

/**
 * The Members tab: invite by e-mail with a role, pending invitations (resend, cancel), and the
 * members with their grants (change the organization role, add a time-bound grant, revoke a grant,
 * remove the member). Actions the caller may not run are not drawn; each action's server error is
 * drawn under it.
 */

/** What a tab renderer gets. */
export interface TabContext {
  s: AdminSession;
  now: number;
  /** Shows a secret once with a copy button (`session.secret`). */
  reveal(key: string, title: string, text: string): void;
}

type InvitationAnswer = AdminResponseOf<'members.invite'> | AdminResponseOf<'invitations.resend'>;

export function renderMembers({ s, now, reveal }: TabContext): HTMLElement[] {
  const caps = s.caps;
  if (caps === undefined) return [];
  const roles = assignableRoles(s.data.roles ?? [], caps);
  const roleOptions = roles.map((r) => ({ value: r.id, label: r.name }));
  const teams = s.data.teams ?? [];
  const out: HTMLElement[] = [];

  /** After invite or resend: "e-mail sent", or the accept link to pass on (with why no mail went out). */
  const mailed = (key: string, r: InvitationAnswer, done: string): void => {
    if (r.mail.status === 'sent') {
      s.notices.set(key, `${done} Invitation e-mail sent to ${r.invitation.email}.`);
      return;
    }
    s.notices.set(key, r.mail.status === 'failed' ? `${done} The e-mail was not sent (${r.mail.code ?? 'error'}): pass the link on, or resend.` : `${done} Pass the link on.`);
    const why = r.mail.status === 'failed' ? `${r.mail.message ?? `The e-mail was not sent (${r.mail.code ?? 'error'}).`} ` : 'No mail server is configured. ';
    reveal(key, `${why}Pass this link on to ${r.invitation.email} (shown once; it works once)`, r.mail.link ?? r.token);
  };

  if (caps.can('members.invite')) {
    const invite = (): void => {
      const checked = checkInvite({ email: s.form('invite:email'), roleId: s.form('invite:role') });
      if (!checked.ok) return s.refuse('invite', checked.error);
      void s.act('invite', 'members.invite', checked.value, (r) => {
        s.forms.delete('invite:email');
        mailed('invite', r, `Invited ${r.invitation.email}.`);
      }, ['invitations']);
    };
    out.push(
      heading('Invite'),
      actionRow(s, 'invite', textField(s, 'invite:email', 'E-mail address', { placeholder: 'name@example.com', type: 'email', onEnter: invite }), select(s, 'invite:role', 'Role', roleOptions), button(s, 'invite', 'Invite', invite, { icon: 'mail' })),
    );
    const pending = invitationViews(s.data.invitations ?? [], s.data.roles ?? [], teams, now);
    out.push(heading('Pending invitations', pending.length > 0 ? `${pending.length}` : undefined));
    if (pending.length === 0) out.push(muted('No pending invitations.'));
    else {
      out.push(
        h('table', { class: 'grid', 'data-testid': 'invitations' },
          h('thead', {}, h('tr', {}, h('th', {}, 'E-mail'), h('th', {}, 'Role'), h('th', {}, 'Expiry'), h('th', {}, ''))),
          h('tbody', {}, ...pending.map((i) =>
            h('tr', { 'data-testid': `invitation-${i.email}` },
              h('td', {}, i.email), h('td', {}, i.role), h('td', { class: i.expired ? 'expired' : '' }, i.expiry),
              h('td', {}, actionRow(s, `invitation:${i.id}`,
                button(s, `invitation:${i.id}:resend`, 'Resend', () => void s.act(`invitation:${i.id}`, 'invitations.resend', { invitationId: i.id }, (r) => mailed(`invitation:${i.id}`, r, 'A new link was issued.'), ['invitations']), { secondary: true, icon: 'refresh' }),
                button(s, `invitation:${i.id}:cancel`, 'Cancel', () => void s.act(`invitation:${i.id}`, 'invitations.cancel', { invitationId: i.id }, undefined, ['invitations']), { secondary: true, icon: 'close' }),
              ))))),
        ),
      );
    }
  }

  const members = s.data.members;
  out.push(heading('Members', members ? `${members.length}` : undefined));
  if (members === undefined) return [...out, muted('Loading…')];
  const rows = memberViews(members, teams, caps, now);
  out.push(
    h('table', { class: 'grid members', 'data-testid': 'members' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Member'), h('th', {}, 'Roles'), h('th', {}, 'Teams'), h('th', {}, 'Actions'))),
      h('tbody', {}, ...rows.map((m) => memberRow(s, m, roleOptions, now))),
    ),
  );
  return out;
}

function memberRow(s: AdminSession, m: MemberView, roleOptions: { value: string; label: string }[], now: number): HTMLElement {
  const member = s.data.members?.find((x) => x.userId === m.userId);
  const grants = h('ul', { class: 'grants' }, ...m.grants.map((g) =>
    h('li', { class: g.expired ? 'expired' : '' }, g.text, h('span', { class: 'hint' }, g.expiry),
      ...(g.canRevoke ? [button(s, `revoke:${g.assignmentId}`, 'Revoke', () => void s.act(`revoke:${g.assignmentId}`, 'members.revokeGrant', { assignmentId: g.assignmentId }, undefined, ['members']), { secondary: true, title: `Revoke ${g.text}` }), outcome(s, `revoke:${g.assignmentId}`)] : []))));
  const actions: HTMLElement[] = [];
  const current = member === undefined ? undefined : currentOrgRole(member, now);
  // A member whose role the caller could not grant keeps it: the server would refuse the change.
  if (m.canChangeRole && roleOptions.length > 0 && (current === undefined || roleOptions.some((o) => o.value === current))) {
    const key = `role:${m.userId}`;
    if (!s.forms.has(key) && current !== undefined) s.forms.set(key, current);
    actions.push(actionRow(s, key, select(s, key, `Role of ${m.label}`, roleOptions), button(s, `${key}:apply`, 'Change role', () => {
      const roleId = s.form(key);
      if (roleId === '') return s.refuse(key, 'Choose a role.');
      void s.act(key, 'members.setRole', { userId: m.userId, roleId }, (r) => (s.data.members = upsert(s.data.members ?? [], r.member, (x) => x.userId)), [], 'Role changed.');
    }, { secondary: true })));
  }
  if (m.canGrant && roleOptions.length > 0) {
    const key = `grant:${m.userId}`;
    if (s.editing === key) {
      const grant = (): void => {
        const checked = checkGrant({ roleId: s.form(`${key}:role`), expires: s.form(`${key}:expires`) }, Date.now());
        if (!checked.ok) return s.refuse(key, checked.error);
        void s.act(key, 'members.grant', { userId: m.userId, ...checked.value }, (r) => {
          s.data.members = upsert(s.data.members ?? [], r.member, (x) => x.userId);
          s.editing = undefined;
        }, [], 'Granted.');
      };
      actions.push(actionRow(s, key, select(s, `${key}:role`, 'Role to grant', roleOptions), textField(s, `${key}:expires`, 'Expires (local time)', { type: 'datetime-local', onEnter: grant }), button(s, `${key}:apply`, 'Grant', grant), button(s, `${key}:close`, 'Cancel', () => s.edit(undefined, key), { secondary: true })));
    } else actions.push(h('div', {}, button(s, `${key}:open`, 'Grant temporary role…', () => s.edit(key), { secondary: true, icon: 'watch' }), outcome(s, key)));
  }
  if (m.canRemove) {
    const key = `remove:${m.userId}`;
    const confirming = s.editing === key;
    actions.push(actionRow(s, key,
      button(s, confirming ? `${key}:confirm` : `${key}:ask`, confirming ? `Remove ${m.label}` : 'Remove…', () => {
        if (!confirming) return s.edit(key);
        void s.act(key, 'members.remove', { userId: m.userId }, () => (s.editing = undefined), ['members']);
      }, { secondary: !confirming, icon: 'trash' }),
      ...(confirming ? [button(s, `${key}:keep`, 'Keep', () => s.edit(undefined, key), { secondary: true })] : [])));
  }
  return h('tr', { 'data-testid': `member-${m.label}` },
    h('td', {}, h('div', { class: 'who' }, m.label, m.isSelf ? h('span', { class: 'badge' }, 'you') : '', m.status === 'suspended' ? h('span', { class: 'badge warn' }, 'suspended') : ''), m.displayName && m.displayName !== m.label ? h('div', { class: 'hint' }, m.displayName) : ''),
    h('td', {}, m.grants.length > 0 ? grants : muted('no role')),
    h('td', {}, m.teams.length > 0 ? m.teams.join(', ') : h('span', { class: 'muted' }, '—')),
    h('td', { class: 'actions' }, ...(actions.length > 0 ? actions : [icon('lock', 'You may not change this member')])),
  );
}
