import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import type { Role } from '../../core/admin/responses';
import { h } from '../shared/vscodeApi';
import { actionRow, button, checkbox, heading, muted, outcome, textField } from './dom';
import type { TabContext } from './renderMembers';
import type { AdminSession } from './session';
import { checkRole, permissionGroups, upsert } from './viewModel';

/**
 * The Roles tab: the built-in roles (read-only: their effective permissions), the organization's
 * custom roles (edit their name and permissions, delete), and a new custom role with a permission
 * picker grouped by area. A permission the caller does not hold is shown but cannot be picked: the
 * server refuses a role that grants more than its creator holds.
 */

export function renderRoles({ s }: TabContext): HTMLElement[] {
  const caps = s.caps;
  if (caps === undefined) return [];
  const roles = s.data.roles;
  const out: HTMLElement[] = [];
  if (roles === undefined) return [...out, muted('Loading…')];
  const builtins = roles.filter((r) => r.builtin).sort((a, b) => a.effectivePermissions.length - b.effectivePermissions.length);
  const custom = roles.filter((r) => !r.builtin).sort((a, b) => a.name.localeCompare(b.name));
  const manage = caps.can('roles.create');

  out.push(heading('Built-in roles', 'read-only'), h('div', { class: 'roles' }, ...builtins.map((r) => roleCard(r, []))));
  out.push(heading('Custom roles', `${custom.length}`));
  if (custom.length === 0) out.push(muted('No custom roles yet.'));
  for (const r of custom) {
    const key = `role:${r.id}`;
    if (s.editing === key) {
      out.push(h('div', { class: 'card editing', 'data-testid': `role-${r.key}` }, roleForm(s, key, r)));
      continue;
    }
    const controls = manage
      ? [
          button(s, `${key}:edit`, 'Edit', () => {
            s.forms.set(`${key}:name`, r.name);
            s.picks.set(`${key}:perms`, new Set(r.permissions));
            s.edit(key);
          }, { secondary: true, icon: 'edit' }),
          button(s, `${key}:delete`, 'Delete', () => void s.act(key, 'roles.delete', { roleId: r.id }, undefined, ['roles']), { secondary: true, icon: 'trash' }),
        ]
      : [];
    out.push(roleCard(r, controls.length > 0 ? [actionRow(s, key, ...controls)] : [outcome(s, key)]));
  }
  if (manage) out.push(heading('New custom role'), h('div', { class: 'card' }, roleForm(s, 'role:new')));
  return out;
}

function roleCard(r: Role, extra: HTMLElement[]): HTMLElement {
  const perms = h('ul', { class: 'perms' }, ...r.effectivePermissions.slice().sort().map((p) => h('li', {}, h('code', {}, p), r.permissions.includes(p) ? '' : h('span', { class: 'hint' }, 'inherited'))));
  const details = document.createElement('vscode-collapsible');
  details.setAttribute('title', `${r.effectivePermissions.length} permissions`);
  details.append(perms);
  return h('div', { class: 'card', 'data-testid': `role-${r.key}` }, h('div', { class: 'team-title' }, h('strong', {}, r.name), h('code', { class: 'hint' }, r.key), r.builtin ? h('span', { class: 'badge' }, 'built-in') : ''), r.description ? h('div', { class: 'hint' }, r.description) : '', details, ...extra);
}

/** The create form (`role:new`) or the edit form of `role` (its key cannot change). */
function roleForm(s: AdminSession, key: string, role?: Role): HTMLElement {
  const caps = s.caps;
  const pickKey = `${key}:perms`;
  const save = (): void => {
    const checked = checkRole({ key: role?.key ?? s.form(`${key}:key`), name: s.form(`${key}:name`), permissions: s.pick(pickKey) });
    if (!checked.ok) return s.refuse(key, checked.error);
    if (role === undefined) {
      void s.act(key, 'roles.create', checked.value, (r) => {
        s.data.roles = upsert(s.data.roles ?? [], r.role, (x) => x.id);
        for (const f of ['key', 'name']) s.forms.delete(`${key}:${f}`);
        s.picks.delete(pickKey);
      }, [], `Created ${checked.value.name}.`);
    } else {
      void s.act(key, 'roles.update', { roleId: role.id, name: checked.value.name, permissions: checked.value.permissions }, (r) => {
        s.data.roles = upsert(s.data.roles ?? [], r.role, (x) => x.id);
        s.editing = undefined;
      }, [], 'Saved.');
    }
  };
  const fields = role === undefined ? [textField(s, `${key}:key`, 'Key', { placeholder: 'key (e.g. steward)' }), textField(s, `${key}:name`, 'Name', { placeholder: 'Name (e.g. Data steward)' })] : [h('code', {}, role.key), textField(s, `${key}:name`, 'Name')];
  const picker = h('div', { class: 'picker', role: 'group', 'aria-label': 'Permissions' });
  if (s.data.permissions === undefined) picker.append(muted('Loading permissions…'));
  else if (caps !== undefined) {
    for (const g of permissionGroups(s.data.permissions, s.pick(pickKey), caps)) {
      picker.append(h('fieldset', {}, h('legend', {}, g.area), ...g.items.map((i) => checkbox(s, pickKey, i.key, `${i.key} — ${i.description}`, i.allowed ? {} : { disabled: true, title: 'You do not hold this permission, so you cannot grant it' }))));
    }
  }
  const buttons = [button(s, `${key}:save`, role === undefined ? 'Create role' : 'Save', save, { icon: 'save' })];
  if (role !== undefined) buttons.push(button(s, `${key}:cancel`, 'Cancel', () => s.edit(undefined, key), { secondary: true }));
  return h('div', { class: 'form' }, h('div', { class: 'controls' }, ...fields), picker, actionRow(s, key, ...buttons));
}
