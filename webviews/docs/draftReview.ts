import { h } from '../shared/vscodeApi';
import type { DraftNotification } from './protocol';

/**
 * The review of an AI draft in the docs panel: each proposed description in an editable box with
 * Accept and Discard, "Accept all", and what the draft left out. Nothing is written by the draft;
 * Accept saves that one description through the panel's normal save (the catalog's mutation API,
 * then a surgical YAML edit), so an accepted AI text is an ordinary, synced, reviewable edit.
 */

/** One proposal: the model description (`column` undefined) or a column's. */
export interface Proposal {
  column?: string;
  text: string;
  /** '' while open; the save's confirmation or error once acted on. */
  outcome: '' | { ok: boolean; text: string };
}

/** What the panel shows for the current entity's draft. */
export type DraftView =
  | { entityId: string; state: 'streaming'; chars: number }
  | { entityId: string; state: 'review'; proposals: Proposal[]; problems: string[]; model: string; tokens: number }
  | { entityId: string; state: 'failed'; message: string };

/** The view state after a host notification. */
export function draftViewOf(n: DraftNotification): DraftView {
  if (n.state === 'streaming') return { entityId: n.entityId, state: 'streaming', chars: n.chars };
  if (n.state === 'failed') return { entityId: n.entityId, state: 'failed', message: n.message };
  const proposals: Proposal[] = [
    ...(n.description !== undefined ? [{ text: n.description, outcome: '' as const }] : []),
    ...Object.entries(n.columns).map(([column, text]) => ({ column, text, outcome: '' as const })),
  ];
  return { entityId: n.entityId, state: 'review', proposals, problems: n.problems, model: n.model, tokens: n.usage.promptTokens + n.usage.completionTokens };
}

/** Callbacks of the review UI. */
export interface DraftActions {
  cancel(): void;
  dismiss(): void;
  /** Saves one proposal's (edited) text; resolves to the confirmation, rejects with the reason. */
  accept(proposal: Proposal, text: string): Promise<string>;
  /** Told when a proposal is discarded (the review queue records it); nothing is written. */
  discard?(proposal: Proposal): void;
}

/** The draft section. */
export function draftSection(view: DraftView, actions: DraftActions, entityName: string): HTMLElement {
  const section = h('section', { class: 'draft', 'data-testid': 'ai-draft', 'aria-live': 'polite' });
  if (view.state === 'streaming') {
    const cancel = h('button', { 'data-testid': 'ai-draft-cancel' }, 'Cancel');
    cancel.onclick = () => actions.cancel();
    section.append(h('p', {}, `Drafting with AI… ${view.chars} characters received`), cancel);
    return section;
  }
  const close = h('button', { class: 'link', title: 'Close the draft', 'aria-label': 'Close the draft', 'data-testid': 'ai-draft-close' }, '✕');
  close.onclick = () => actions.dismiss();
  if (view.state === 'failed') {
    section.append(h('p', { class: 'message error' }, `AI draft failed: ${view.message} `, close));
    return section;
  }
  const open = view.proposals.filter((p) => p.outcome === '');
  const acceptAll = h('button', { 'data-testid': 'ai-accept-all' }, `Accept all (${open.length})`);
  if (open.length === 0) acceptAll.setAttribute('disabled', '');
  section.append(h('h2', {}, 'AI draft — review before saving ', close),
    h('p', { class: 'hint' }, `Drafted by ${view.model} (${view.tokens} tokens). Nothing is saved until you accept; edit any text first.`));
  const list = h('div', { class: 'proposals' });
  for (const p of view.proposals) {
    const label = p.column === undefined ? `Description of ${entityName}` : p.column;
    const id = p.column === undefined ? 'ai-entity' : `ai-col-${p.column}`;
    const box = h('textarea', { rows: '2', 'data-testid': id, 'aria-label': `AI draft: ${label}` }) as HTMLTextAreaElement;
    box.value = p.text;
    // Kept in the proposal, so a re-render (after another box is saved) keeps what was typed.
    box.oninput = () => {
      p.text = box.value;
    };
    const row = h('div', { class: 'proposal', 'data-proposal': p.column ?? '' }, h('div', { class: 'proposal-label' }, p.column === undefined ? h('strong', {}, label) : h('code', {}, label)));
    if (p.outcome !== '') {
      box.setAttribute('disabled', '');
      row.append(box, h('span', { class: `outcome ${p.outcome.ok ? 'ok' : 'error'}` }, p.outcome.text));
    } else {
      const accept = h('button', { 'data-testid': `${id}-accept` }, 'Accept');
      const discard = h('button', { 'data-testid': `${id}-discard` }, 'Discard');
      accept.onclick = () => void save(p);
      discard.onclick = () => {
        p.outcome = { ok: false, text: 'Discarded' };
        actions.discard?.(p);
        rerender();
      };
      row.append(box, h('div', {}, accept, discard));
    }
    list.append(row);
  }
  const save = async (p: Proposal): Promise<void> => {
    const text = p.text.trim();
    if (text === '') {
      p.outcome = { ok: false, text: 'Empty: nothing saved' };
      return rerender();
    }
    try {
      p.outcome = { ok: true, text: await actions.accept(p, text) };
    } catch (err) {
      p.outcome = { ok: false, text: err instanceof Error ? err.message : String(err) };
    }
    rerender();
  };
  // The section on the page (an earlier re-render may have replaced this one).
  const rerender = (): void => {
    const live = document.querySelector('[data-testid="ai-draft"]') ?? section;
    live.replaceWith(draftSection(view, actions, entityName));
  };
  acceptAll.onclick = async () => {
    // One after another: each save re-reads the file the previous one wrote.
    for (const p of view.proposals.filter((x) => x.outcome === '')) await save(p);
  };
  section.append(list, h('p', {}, acceptAll));
  if (view.problems.length > 0) section.append(h('ul', { class: 'problems' }, ...view.problems.map((t) => h('li', { class: 'hint' }, t))));
  return section;
}
