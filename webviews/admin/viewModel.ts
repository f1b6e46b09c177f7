import type { AuditFilter } from '../../core/admin/protocol';
import type { AuditEntry, Grant, Invitation, Member, Permission, Role, Team } from '../../core/admin/responses';
import type { Capabilities } from './capabilities';
import { dayEnd, dayStart, expiryText, futureInstant, relative, utcStamp } from './format';
import { teamPath } from './teamTree';

/**
 * The pure half of the admin view: what each row shows and which actions it offers, and the
 * checks a form passes before anything is sent. The DOM half (`render*.ts`) only draws these, so
 * the rules — an expired grant never reads as active, an action the caller may not run is not
 * offered, a form with a bad field is answered next to it without a request — are unit-tested.
 */

/** A form check: the request's fields, or the message to show next to the form. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** A grant as a member row shows it. */
export interface GrantView {
  assignmentId: string;
  /** `Admin`, `Editor on Data / Analytics`. */
  text: string;
  /** `no expiry`, `expires in 3 days`, `expired 2 hours ago`. */
  expiry: string;
  expired: boolean;
  canRevoke: boolean;
}

/** A member row. */
export interface MemberView {
  userId: string;
  /** The e-mail, else the display name, else the id. */
  label: string;
  displayName: string;
  status: 'active' | 'suspended';
  grants: GrantView[];
  /** Team paths, sorted. */
  teams: string[];
  canChangeRole: boolean;
  canGrant: boolean;
  canRemove: boolean;
  isSelf: boolean;
}

function grantText(g: Grant, teams: readonly Team[]): string {
  return g.teamId === null ? g.roleName : `${g.roleName} on ${teamPath(teams, g.teamId) || 'a team'}`;
}

/** The member rows, by label. */
export function memberViews(members: readonly Member[], teams: readonly Team[], caps: Capabilities, now: number): MemberView[] {
  return members
    .map((m): MemberView => ({
      userId: m.userId,
      label: m.email ?? (m.displayName || m.userId),
      displayName: m.displayName,
      status: m.status,
      grants: m.grants.map((g) => {
        const e = expiryText(g.expiresAt, now);
        return { assignmentId: g.assignmentId, text: grantText(g, teams), expiry: e.text, expired: e.expired, canRevoke: caps.can('members.revokeGrant', g.teamId) };
      }),
      teams: m.teamIds.map((id) => teamPath(teams, id) || id).sort((a, b) => a.localeCompare(b)),
      canChangeRole: caps.can('members.setRole'),
      canGrant: caps.can('members.grant'),
      canRemove: caps.can('members.remove') && m.userId !== caps.who.userId,
      isSelf: m.userId === caps.who.userId,
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** The organization-wide role a member holds now (the first unexpired one), for the role picker. */
export function currentOrgRole(member: Member, now: number): string | undefined {
  return member.grants.find((g) => g.teamId === null && !expiryText(g.expiresAt, now).expired)?.roleId;
}

/** A pending invitation row. */
export interface InvitationView {
  id: string;
  email: string;
  role: string;
  expiry: string;
  expired: boolean;
}

/** Pending invitations, newest expiry last; expired ones say so (resend revives them). */
export function invitationViews(invitations: readonly Invitation[], roles: readonly Role[], teams: readonly Team[], now: number): InvitationView[] {
  const roleName = new Map(roles.map((r) => [r.id, r.name]));
  return invitations
    .map((i) => {
      const role = roleName.get(i.roleId) ?? 'a role';
      const e = expiryText(i.expiresAt, now);
      return { id: i.id, email: i.email, role: i.teamId === null ? role : `${role} on ${teamPath(teams, i.teamId) || 'a team'}`, expiry: e.text, expired: i.expired || e.expired };
    })
    .sort((a, b) => a.email.localeCompare(b.email));
}

/**
 * The roles the caller may hand out (in an invitation, a role change, a grant): the server refuses a
 * role with a permission the caller lacks, so such roles are not offered. Built-ins first, by rank.
 */
export function assignableRoles(roles: readonly Role[], caps: Capabilities): Role[] {
  return roles.filter((r) => r.effectivePermissions.every((p) => caps.mayDelegate(p))).sort((a, b) => Number(b.builtin) - Number(a.builtin) || a.effectivePermissions.length - b.effectivePermissions.length || a.name.localeCompare(b.name));
}

/** Checks the invite form. */
export function checkInvite(form: { email: string; roleId: string }): Checked<{ email: string; roleId: string }> {
  const email = form.email.trim();
  if (!EMAIL.test(email)) return { ok: false, error: 'Enter the e-mail address to invite.' };
  if (form.roleId === '') return { ok: false, error: 'Choose the role the invitation grants.' };
  return { ok: true, value: { email, roleId: form.roleId } };
}

/** Checks a time-bound grant: a role and an expiry in the future (empty: no expiry). */
export function checkGrant(form: { roleId: string; expires: string }, now: number): Checked<{ roleId: string; expiresAt?: string }> {
  if (form.roleId === '') return { ok: false, error: 'Choose the role to grant.' };
  if (form.expires.trim() === '') return { ok: true, value: { roleId: form.roleId } };
  const expiresAt = futureInstant(form.expires, now);
  if (expiresAt === undefined) return { ok: false, error: 'The expiry must be a date and time in the future (YYYY-MM-DD or YYYY-MM-DDTHH:MM).' };
  return { ok: true, value: { roleId: form.roleId, expiresAt } };
}

/** One area of the permission picker. */
export interface PermissionGroup {
  area: string;
  items: { key: string; description: string; checked: boolean; allowed: boolean }[];
}

/** The permission picker: by area, each key checked when selected and allowed when the caller may delegate it. */
export function permissionGroups(permissions: readonly Permission[], selected: ReadonlySet<string>, caps: Capabilities): PermissionGroup[] {
  const groups = new Map<string, PermissionGroup>();
  for (const p of [...permissions].sort((a, b) => a.key.localeCompare(b.key))) {
    const group = groups.get(p.area) ?? { area: p.area, items: [] };
    group.items.push({ key: p.key, description: p.description, checked: selected.has(p.key), allowed: caps.mayDelegate(p.key) });
    groups.set(p.area, group);
  }
  return [...groups.values()].sort((a, b) => a.area.localeCompare(b.area));
}

/** Checks the custom-role form. */
export function checkRole(form: { key: string; name: string; permissions: ReadonlySet<string> }): Checked<{ key: string; name: string; permissions: string[] }> {
  const key = form.key.trim();
  if (!/^[a-z][a-z0-9_-]{1,40}$/.test(key)) return { ok: false, error: 'The key is 2–41 lower-case letters, digits, _ or -, starting with a letter.' };
  if (form.name.trim() === '') return { ok: false, error: 'Give the role a name.' };
  return { ok: true, value: { key, name: form.name.trim(), permissions: [...form.permissions].sort() } };
}

/** Checks the new-token form. */
export function checkToken(form: { name: string; scopes: ReadonlySet<string>; expires: string }, now: number): Checked<{ name: string; scopes: string[]; expiresAt?: string }> {
  if (form.name.trim() === '') return { ok: false, error: 'Name the token after what uses it (CI, a service).' };
  if (form.scopes.size === 0) return { ok: false, error: 'Choose at least one scope.' };
  const base = { name: form.name.trim(), scopes: [...form.scopes].sort() };
  if (form.expires.trim() === '') return { ok: true, value: base };
  const expiresAt = futureInstant(form.expires, now);
  return expiresAt === undefined ? { ok: false, error: 'The expiry must be a date in the future (YYYY-MM-DD).' } : { ok: true, value: { ...base, expiresAt } };
}

/** Checks a new or rotated LLM key's secret (never echoed back: only its masked form is shown). */
export function checkSecret(secret: string): Checked<string> {
  const s = secret.trim();
  return s.length < 8 ? { ok: false, error: 'Paste the provider key (at least 8 characters).' } : { ok: true, value: s };
}

/** The audit filter form: actor (e-mail or id), action, target (table or table:id), days. */
export interface AuditForm {
  actor: string;
  action: string;
  target: string;
  from: string;
  to: string;
}

/** The form's filter for `audit.query` / `audit.export`, or what is wrong with it. */
export function auditFilterOf(form: AuditForm, members: readonly Member[]): Checked<AuditFilter> {
  const filter: AuditFilter = {};
  const actor = form.actor.trim();
  if (actor !== '') {
    const byEmail = members.find((m) => m.email?.toLowerCase() === actor.toLowerCase() || m.userId === actor.toLowerCase());
    if (byEmail === undefined) return { ok: false, error: `No member is "${actor}"; filter by a member's e-mail.` };
    filter.actorId = byEmail.userId;
  }
  const action = form.action.trim();
  if (action !== '') {
    if (!/^[a-z_]+(\.[a-z_]+)?$/.test(action)) return { ok: false, error: 'An action is a table (invitations) or table.verb (invitations.insert).' };
    filter.action = action;
  }
  const target = form.target.trim();
  if (target !== '') {
    const [table = '', ...rest] = target.split(':');
    if (!/^[a-z_]+$/.test(table)) return { ok: false, error: 'A target is a table (role_assignments), optionally with a row id (role_assignments:<id>).' };
    filter.targetTable = table;
    if (rest.length > 0 && rest.join(':') !== '') filter.targetId = rest.join(':');
  }
  for (const [field, value, bound] of [['from', form.from, dayStart], ['to', form.to, dayEnd]] as const) {
    if (value.trim() === '') continue;
    const instant = bound(value);
    if (instant === undefined) return { ok: false, error: `"${field}" is a day, YYYY-MM-DD.` };
    filter[field] = instant;
  }
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) return { ok: false, error: '"from" must be before "to".' };
  return { ok: true, value: filter };
}

/** An audit row. */
export interface AuditView {
  id: number;
  when: string;
  ago: string;
  actor: string;
  action: string;
  target: string;
}

/** Audit rows as the table shows them; the actor is an e-mail when the server gave one. */
export function auditViews(entries: readonly AuditEntry[], now: number): AuditView[] {
  return entries.map((e) => ({
    id: e.id,
    when: utcStamp(e.occurredAt),
    ago: relative(e.occurredAt, now),
    actor: e.actorEmail ?? (e.actorTokenId !== null ? `token ${e.actorTokenId.slice(0, 8)}` : (e.actorId ?? 'system')),
    action: e.action,
    target: e.targetId === null ? e.targetTable : `${e.targetTable}:${e.targetId}`,
  }));
}

/** Replaces the element with the same key in a list, or appends it. */
export function upsert<T>(list: readonly T[], item: T, key: (t: T) => string): T[] {
  const k = key(item);
  const at = list.findIndex((t) => key(t) === k);
  return at < 0 ? [...list, item] : list.map((t, i) => (i === at ? item : t));
}
