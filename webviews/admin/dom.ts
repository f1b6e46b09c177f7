import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { h } from '../shared/vscodeApi';
import type { AdminSession } from './session';

/**
 * DOM helpers of the admin view on `@vscode-elements/elements` (theme-aware, keyboard-operable
 * controls). Every control carries a `data-key`: the view restores focus to the control with the
 * same key after a re-render, and the tests find controls by it (`data-testid`). Form values live
 * in the session, so a re-render never loses what was typed.
 */

/** A button; `busy` (an action of this key runs) disables it and says so. */
export function button(s: AdminSession, key: string, label: string, onClick: () => void, opts: { icon?: string; secondary?: boolean; disabled?: boolean; title?: string } = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  keyed(b, key);
  b.textContent = s.busy.has(key) ? `${label.replace(/…$/, '')}…` : label;
  if (opts.icon) b.setAttribute('icon', opts.icon);
  if (opts.secondary) b.setAttribute('secondary', '');
  if (opts.disabled || s.busy.has(key)) b.setAttribute('disabled', '');
  if (opts.title) b.title = opts.title;
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

/** A text field bound to `s.forms[key]`; Enter runs `onEnter`. */
export function textField(s: AdminSession, key: string, label: string, opts: { placeholder?: string; type?: string; onEnter?: () => void; value?: string } = {}): HTMLElement {
  const f = document.createElement('vscode-textfield');
  keyed(f, key);
  f.setAttribute('aria-label', label);
  f.setAttribute('placeholder', opts.placeholder ?? label);
  if (opts.type) f.setAttribute('type', opts.type);
  if (!s.forms.has(key) && opts.value !== undefined) s.forms.set(key, opts.value);
  f.value = s.form(key);
  f.addEventListener('input', () => s.forms.set(key, f.value));
  if (opts.onEnter) {
    const run = opts.onEnter;
    f.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') run();
    });
  }
  return f;
}

/** A drop-down bound to `s.forms[key]` (the first option when nothing was chosen). */
export function select(s: AdminSession, key: string, label: string, options: readonly { value: string; label: string }[], onChange?: (value: string) => void): HTMLElement {
  const sel = document.createElement('vscode-single-select');
  keyed(sel, key);
  sel.setAttribute('aria-label', label);
  const current = s.forms.has(key) ? s.form(key) : (options[0]?.value ?? '');
  s.forms.set(key, current);
  for (const o of options) {
    const option = document.createElement('vscode-option');
    option.setAttribute('value', o.value);
    option.textContent = o.label;
    if (o.value === current) option.setAttribute('selected', '');
    sel.append(option);
  }
  sel.addEventListener('change', () => {
    s.forms.set(key, sel.value);
    onChange?.(sel.value);
  });
  return sel;
}

/** A checkbox of picker `pickKey` for `item`. */
export function checkbox(s: AdminSession, pickKey: string, item: string, label: string, opts: { disabled?: boolean; title?: string } = {}): HTMLElement {
  const c = document.createElement('vscode-checkbox');
  keyed(c, `${pickKey}:${item}`);
  c.setAttribute('label', label);
  c.checked = s.pick(pickKey).has(item);
  if (opts.disabled) c.setAttribute('disabled', '');
  if (opts.title) c.title = opts.title;
  c.addEventListener('change', () => {
    if (c.checked) s.pick(pickKey).add(item);
    else s.pick(pickKey).delete(item);
  });
  return c;
}

/** The outcome of the action `key`: its server error (announced) or its confirmation, else nothing. */
export function outcome(s: AdminSession, key: string): HTMLElement {
  const error = s.errors.get(key);
  const notice = s.notices.get(key);
  const el = h('div', { class: error !== undefined ? 'outcome error' : 'outcome ok', 'data-testid': `outcome-${key}`, role: error !== undefined ? 'alert' : 'status' });
  if (error !== undefined) el.append(h('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }), ` ${error}`);
  else if (notice !== undefined) el.append(h('span', { class: 'codicon codicon-check', 'aria-hidden': 'true' }), ` ${notice}`);
  else el.hidden = true;
  return el;
}

/** A row of controls followed by the outcome of action `key`. */
export function actionRow(s: AdminSession, key: string, ...controls: (Node | string)[]): HTMLElement {
  return h('div', { class: 'action' }, h('div', { class: 'controls' }, ...controls), outcome(s, key));
}

/** A section heading. */
export function heading(text: string, hint?: string): HTMLElement {
  return h('h2', {}, text, ...(hint ? [h('span', { class: 'hint' }, hint)] : []));
}

/** A codicon. */
export function icon(name: string, label?: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, ...(label ? { title: label, 'aria-label': label, role: 'img' } : { 'aria-hidden': 'true' }) });
}

/** A muted line of text. */
export function muted(text: string): HTMLElement {
  return h('p', { class: 'muted' }, text);
}

function keyed(el: HTMLElement, key: string): void {
  el.dataset.key = key;
  el.dataset.testid = key;
}

/** The key of the focused control (inside the app), to restore after a re-render. */
export function focusedKey(): string | undefined {
  const el = document.activeElement;
  return el instanceof HTMLElement ? (el.closest<HTMLElement>('[data-key]')?.dataset.key ?? undefined) : undefined;
}

/** Focuses the control with `key` again, if it is still there. */
export function restoreFocus(key: string | undefined): void {
  if (key === undefined) return;
  const el = document.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
  el?.focus();
}
