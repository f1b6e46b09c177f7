import type { Team } from '../../core/admin/responses';
import { h } from '../shared/vscodeApi';
import { actionRow, button, heading, muted, outcome, select, textField } from './dom';
import type { TabContext } from './renderMembers';
import type { AdminSession } from './session';
import { flattenForest, moveTargets, teamForest } from './teamTree';
import { upsert } from './viewModel';

/**
 * The Teams tab: the team tree (indented, in name order), creating a team (top level or under
 * another), and per team: rename, move (never under itself or its own sub-teams), delete, and its
 * members (add, remove). A team-scoped admin sees the actions of the teams they manage only.
 */

export function renderTeams({ s }: TabContext): HTMLElement[] {
  const caps = s.caps;
  if (caps === undefined) return [];
  const teams = s.data.teams;
  const out: HTMLElement[] = [];
  if (teams === undefined) return [...out, muted('Loading…')];
  const keep = (r: { team: Team }): void => {
    s.data.teams = upsert(s.data.teams ?? [], r.team, (t) => t.id);
  };

  if (caps.canSomewhere('teams.create')) {
    const parents = [...(caps.can('teams.create') ? [{ value: '', label: '(top level)' }] : []), ...teams.filter((t) => caps.can('teams.create', t.id)).map((t) => ({ value: t.id, label: t.name }))];
    const create = (): void => {
      const name = s.form('team:new:name').trim();
      if (name === '') return s.refuse('team:new', 'Name the team.');
      const parentId = s.form('team:new:parent');
      void s.act('team:new', 'teams.create', { name, ...(parentId !== '' ? { parentId } : {}) }, (r) => {
        keep(r);
        s.forms.delete('team:new:name');
      }, [], `Created ${name}.`);
    };
    out.push(heading('New team'), actionRow(s, 'team:new', textField(s, 'team:new:name', 'Team name', { onEnter: create }), select(s, 'team:new:parent', 'Parent team', parents), button(s, 'team:new', 'Create', create, { icon: 'add' })));
  }

  out.push(heading('Teams', `${teams.length}`));
  if (teams.length === 0) return [...out, muted('No teams yet.')];
  const memberName = new Map((s.data.members ?? []).map((m) => [m.userId, m.email ?? m.displayName]));
  const tree = h('ul', { class: 'tree', role: 'tree', 'aria-label': 'Teams' });
  for (const node of flattenForest(teamForest(teams))) {
    const t = node.team;
    const manage = (op: 'teams.rename' | 'teams.move' | 'teams.delete' | 'teams.addMember' | 'teams.removeMember'): boolean => caps.can(op, t.id);
    const key = `team:${t.id}`;
    const row = h('li', { role: 'treeitem', 'aria-level': String(node.depth + 1), 'data-testid': `team-${t.name}` });
    // Through the CSSOM: the page's CSP refuses inline style attributes.
    row.style.setProperty('--depth', String(node.depth));
    const title = h('div', { class: 'team-title' }, h('span', { class: 'codicon codicon-organization', 'aria-hidden': 'true' }), h('strong', {}, t.name), h('span', { class: 'hint' }, `${t.memberIds.length} member${t.memberIds.length === 1 ? '' : 's'}`), t.description ? h('span', { class: 'hint' }, t.description) : '');
    row.append(title);
    const controls: HTMLElement[] = [];
    if (s.editing === `${key}:rename`) {
      const save = (): void => {
        const name = s.form(`${key}:name`).trim();
        if (name === '') return s.refuse(key, 'Name the team.');
        void s.act(key, 'teams.rename', { teamId: t.id, name }, (r) => ((s.editing = undefined), keep(r)), [], 'Renamed.');
      };
      controls.push(textField(s, `${key}:name`, `New name of ${t.name}`, { value: t.name, onEnter: save }), button(s, `${key}:save`, 'Save', save), button(s, `${key}:cancel`, 'Cancel', () => s.edit(undefined, key), { secondary: true }));
    } else {
      if (manage('teams.rename')) controls.push(button(s, `${key}:rename`, 'Rename', () => s.edit(`${key}:rename`, key), { secondary: true, icon: 'edit' }));
      if (manage('teams.move')) {
        const targets = [{ value: '', label: '(top level)' }, ...moveTargets(teams, t.id).map((p) => ({ value: p.id, label: p.name }))];
        if (!s.forms.has(`${key}:parent`)) s.forms.set(`${key}:parent`, t.parentId ?? '');
        controls.push(select(s, `${key}:parent`, `Parent of ${t.name}`, targets), button(s, `${key}:move`, 'Move', () => {
          const parentId = s.form(`${key}:parent`);
          void s.act(key, 'teams.move', { teamId: t.id, parentId: parentId === '' ? null : parentId }, keep, [], 'Moved.');
        }, { secondary: true, icon: 'move' }));
      }
      if (manage('teams.delete')) {
        const confirming = s.editing === `${key}:delete`;
        controls.push(button(s, `${key}:delete`, confirming ? `Delete ${t.name} and its sub-teams` : 'Delete…', () => {
          if (!confirming) return s.edit(`${key}:delete`, key);
          void s.act(key, 'teams.delete', { teamId: t.id }, () => (s.editing = undefined), ['teams']);
        }, { secondary: !confirming, icon: 'trash' }));
        if (confirming) controls.push(button(s, `${key}:keep`, 'Keep', () => s.edit(undefined, key), { secondary: true }));
      }
    }
    if (controls.length > 0) row.append(actionRow(s, key, ...controls));
    row.append(teamMembers(s, t, memberName, manage('teams.addMember'), manage('teams.removeMember'), keep));
    tree.append(row);
  }
  out.push(tree);
  return out;
}

function teamMembers(s: AdminSession, t: Team, names: Map<string, string>, canAdd: boolean, canRemove: boolean, keep: (r: { team: Team }) => void): HTMLElement {
  const key = `team:${t.id}:members`;
  const list = h('ul', { class: 'team-members' }, ...t.memberIds.map((id) =>
    h('li', {}, names.get(id) ?? id, ...(canRemove ? [button(s, `${key}:remove:${id}`, 'Remove', () => void s.act(key, 'teams.removeMember', { teamId: t.id, userId: id }, keep), { secondary: true, title: `Remove ${names.get(id) ?? id} from ${t.name}` })] : []))));
  const box = h('div', { class: 'team-box' }, list);
  const outsiders = (s.data.members ?? []).filter((m) => !t.memberIds.includes(m.userId));
  if (canAdd && outsiders.length > 0) {
    box.append(actionRow(s, key, select(s, `${key}:add`, `Member to add to ${t.name}`, outsiders.map((m) => ({ value: m.userId, label: m.email ?? m.displayName }))), button(s, `${key}:addButton`, 'Add member', () => {
      const userId = s.form(`${key}:add`);
      s.forms.delete(`${key}:add`);
      void s.act(key, 'teams.addMember', { teamId: t.id, userId }, keep);
    }, { secondary: true, icon: 'person-add' })));
  } else box.append(outcome(s, key));
  return box;
}
