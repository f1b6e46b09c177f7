import { h } from '../shared/vscodeApi';
import { actionRow, button, checkbox, heading, muted, outcome, select, textField } from './dom';
import type { TabContext } from './renderMembers';
import { expiryText, relative } from './format';
import { checkSecret, checkToken, permissionGroups, upsert } from './viewModel';

/**
 * The API tokens and LLM keys tabs. A new token's secret is in the create answer only: the view
 * shows it once with a copy button (`session.secret`) and never stores it. LLM keys are only ever
 * shown masked (`••••abcd`): adding or rotating sends the secret, and the field is cleared at once.
 */

const PROVIDERS = ['openai', 'anthropic', 'azure_openai', 'google', 'mistral', 'ollama', 'other'] as const;

export function renderTokens({ s, now, reveal }: TabContext): HTMLElement[] {
  const caps = s.caps;
  if (caps === undefined) return [];
  const tokens = s.data.tokens;
  const out: HTMLElement[] = [];
  if (caps.can('tokens.create')) {
    const create = (): void => {
      const checked = checkToken({ name: s.form('token:new:name'), scopes: s.pick('token:new:scopes'), expires: s.form('token:new:expires') }, Date.now());
      if (!checked.ok) return s.refuse('token:new', checked.error);
      void s.act('token:new', 'tokens.create', checked.value, (r) => {
        s.data.tokens = upsert(s.data.tokens ?? [], r.token, (t) => t.id);
        s.forms.delete('token:new:name');
        s.picks.delete('token:new:scopes');
        reveal('token:new', `API token "${r.token.name}": copy it now, it is not shown again`, r.secret);
      });
    };
    const picker = h('div', { class: 'picker', role: 'group', 'aria-label': 'Scopes' });
    for (const g of permissionGroups(s.data.permissions ?? [], s.pick('token:new:scopes'), caps)) {
      picker.append(h('fieldset', {}, h('legend', {}, g.area), ...g.items.map((i) => checkbox(s, 'token:new:scopes', i.key, i.key, i.allowed ? { title: i.description } : { disabled: true, title: 'You do not hold this permission' }))));
    }
    out.push(heading('New API token', 'for CI and service accounts'), h('div', { class: 'card' }, h('div', { class: 'controls' }, textField(s, 'token:new:name', 'Token name', { placeholder: 'Name (e.g. CI)' }), textField(s, 'token:new:expires', 'Expires', { type: 'date' })), picker, actionRow(s, 'token:new', button(s, 'token:new', 'Create token', create, { icon: 'key' }))));
  }
  out.push(heading('API tokens', tokens ? `${tokens.length}` : undefined));
  if (tokens === undefined) return [...out, muted('Loading…')];
  if (tokens.length === 0) return [...out, muted('No API tokens.')];
  out.push(h('table', { class: 'grid', 'data-testid': 'tokens' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Token'), h('th', {}, 'Scopes'), h('th', {}, 'Expiry'), h('th', {}, 'Last used'), h('th', {}, ''))),
    h('tbody', {}, ...[...tokens].sort((a, b) => a.name.localeCompare(b.name)).map((t) => {
      const key = `token:${t.id}`;
      const e = expiryText(t.expiresAt, now);
      const state = t.revokedAt !== null ? `revoked ${relative(t.revokedAt, now)}` : e.text;
      return h('tr', { 'data-testid': `token-${t.name}`, class: t.revokedAt !== null || e.expired ? 'expired' : '' },
        h('td', {}, t.name), h('td', {}, h('code', {}, `${t.prefix}…`)), h('td', {}, t.scopes.join(', ')), h('td', {}, state), h('td', {}, t.lastUsedAt ? relative(t.lastUsedAt, now) : 'never'),
        h('td', {}, t.revokedAt === null && caps.can('tokens.revoke') ? actionRow(s, key, button(s, `${key}:revoke`, 'Revoke', () => void s.act(key, 'tokens.revoke', { tokenId: t.id }, (r) => (s.data.tokens = upsert(s.data.tokens ?? [], r.token, (x) => x.id))), { secondary: true, icon: 'circle-slash' })) : outcome(s, key)));
    }))));
  return out;
}

export function renderLlmKeys({ s, now }: TabContext): HTMLElement[] {
  const caps = s.caps;
  if (caps === undefined) return [];
  const keys = s.data.llmKeys;
  const out: HTMLElement[] = [];
  const manage = caps.can('llmKeys.add');
  if (manage) {
    const add = (): void => {
      const secret = checkSecret(s.form('llm:new:secret'));
      // The secret leaves the form at once, whatever the answer: it is never kept in the view.
      s.forms.delete('llm:new:secret');
      if (!secret.ok) return s.refuse('llm:new', secret.error);
      const provider = s.form('llm:new:provider') as (typeof PROVIDERS)[number];
      const label = s.form('llm:new:label').trim();
      const baseUrl = s.form('llm:new:baseUrl').trim();
      // The ai function sends members' requests only to a model the key allows; the first is the default.
      const models = s.form('llm:new:models').split(',').map((m) => m.trim()).filter((m) => m !== '');
      if (models.length === 0) return s.refuse('llm:new', 'Name at least one model members may use with this key (the first is the default), e.g. gpt-4o-mini.');
      void s.act('llm:new', 'llmKeys.add', { provider, secret: secret.value, models, ...(label !== '' ? { label } : {}), ...(baseUrl !== '' ? { baseUrl } : {}) }, (r) => {
        s.data.llmKeys = upsert(s.data.llmKeys ?? [], r.key, (k) => k.id);
        for (const f of ['label', 'baseUrl', 'models']) s.forms.delete(`llm:new:${f}`);
      }, [], 'Key added; only its masked form is shown.');
    };
    out.push(
      heading('Add a provider key'),
      actionRow(
        s, 'llm:new',
        select(s, 'llm:new:provider', 'Provider', PROVIDERS.map((p) => ({ value: p, label: p }))),
        textField(s, 'llm:new:label', 'Label', { placeholder: 'Label (optional)' }),
        textField(s, 'llm:new:baseUrl', 'Base URL', { placeholder: 'Base URL (empty: the provider\'s own)' }),
        textField(s, 'llm:new:models', 'Models', { placeholder: 'Models, first is the default: gpt-4o-mini, gpt-4o' }),
        textField(s, 'llm:new:secret', 'Secret key', { type: 'password', placeholder: 'Paste the key', onEnter: add }),
        button(s, 'llm:new', 'Add key', add, { icon: 'add' }),
      ),
    );
  }
  out.push(heading('LLM provider keys', keys ? `${keys.length}` : undefined));
  if (keys === undefined) return [...out, muted('Loading…')];
  if (keys.length === 0) return [...out, muted('No provider keys.')];
  out.push(h('table', { class: 'grid', 'data-testid': 'llm-keys' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Provider'), h('th', {}, 'Label'), h('th', {}, 'Key'), h('th', {}, 'Status'), h('th', {}, 'Updated'), h('th', {}, ''))),
    h('tbody', {}, ...keys.map((k) => {
      const key = `llm:${k.id}`;
      const controls: HTMLElement[] = [];
      if (manage && s.editing === `${key}:rotate`) {
        const rotate = (): void => {
          const secret = checkSecret(s.form(`${key}:secret`));
          s.forms.delete(`${key}:secret`);
          if (!secret.ok) return s.refuse(key, secret.error);
          void s.act(key, 'llmKeys.rotate', { keyId: k.id, secret: secret.value }, (r) => ((s.editing = undefined), (s.data.llmKeys = upsert(s.data.llmKeys ?? [], r.key, (x) => x.id))), [], 'Rotated.');
        };
        controls.push(textField(s, `${key}:secret`, `New secret for ${k.label || k.provider}`, { type: 'password', placeholder: 'Paste the new key', onEnter: rotate }), button(s, `${key}:save`, 'Rotate', rotate), button(s, `${key}:cancel`, 'Cancel', () => s.edit(undefined, key), { secondary: true }));
      } else if (manage) {
        controls.push(button(s, `${key}:rotate`, 'Rotate…', () => s.edit(`${key}:rotate`, key), { secondary: true, icon: 'sync' }), button(s, `${key}:delete`, 'Delete', () => void s.act(key, 'llmKeys.delete', { keyId: k.id }, undefined, ['llmKeys']), { secondary: true, icon: 'trash' }));
      }
      return h('tr', { 'data-testid': `llm-${k.label || k.provider}` },
        h('td', {}, k.provider, k.isDefault ? h('span', { class: 'badge' }, 'default') : ''), h('td', {}, k.label, k.models !== undefined && k.models.length > 0 ? h('div', { class: 'muted' }, `Models: ${k.models.join(', ')}${k.baseUrl ? ` · ${k.baseUrl}` : ''}`) : ''), h('td', {}, h('code', {}, k.masked)), h('td', {}, k.status), h('td', {}, relative(k.updatedAt, now)),
        h('td', {}, controls.length > 0 ? actionRow(s, key, ...controls) : outcome(s, key)));
    }))));
  return out;
}
