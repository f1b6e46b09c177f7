import { h } from '../shared/vscodeApi';

/**
 * Inline editing of a description in the docs webview: the description itself is the control. A
 * click, or Enter/Space when it has the keyboard focus, swaps in a textarea; Enter saves (Shift+Enter
 * breaks the line), leaving the field saves, Escape cancels. A refused save keeps the textarea and
 * the typed text, with the reason below it.
 */

/** What the editor needs from the page. */
export interface InlineEditOptions {
  /** `data-testid` of the description box; the textarea and outcome line derive theirs from it. */
  testId: string;
  /** Accessible name, e.g. "Description of amount". */
  label: string;
  text: string;
  editable: boolean;
  /** Renders the description (Markdown) for display. */
  render(text: string): HTMLElement;
  /** Saves; resolves to the confirmation to show, or rejects with the reason it was refused. */
  save(text: string): Promise<string>;
  /** A note shown under the description (e.g. "from a docs block"), if any. */
  note?: string;
  /** The last confirmation of this box, kept across re-renders. */
  confirmation?: string;
}

/** Ids of the boxes being edited; the page defers re-rendering while one is. */
const editing = new Set<string>();

/** Called when the last edit ends (saved or cancelled). */
let onIdle: (() => void) | undefined;

/** True while any description is being edited. */
export function isEditing(): boolean {
  return editing.size > 0;
}

/** Sets what runs when no description is being edited any more (the page shows deferred updates). */
export function whenIdle(listener: () => void): void {
  onIdle = listener;
}

/** A description that turns into its own editor on click. */
export function inlineEditable(options: InlineEditOptions): HTMLElement {
  const box = h('div', { class: 'description', 'data-testid': options.testId });
  let text = options.text;
  let confirmation = options.confirmation;

  const show = (): void => {
    // A box being replaced by a re-render must not keep the page "editing" forever.
    if (editing.delete(options.testId) && editing.size === 0) setTimeout(() => onIdle?.(), 0);
    box.replaceChildren(options.render(text));
    box.classList.toggle('editable', options.editable);
    if (options.editable) {
      box.setAttribute('tabindex', '0');
      box.setAttribute('role', 'button');
      box.setAttribute('aria-label', `${options.label}: click or press Enter to edit`);
      box.title = 'Click to edit';
    }
    if (options.note) box.append(h('span', { class: 'hint' }, options.note));
    if (confirmation) box.append(h('div', { class: 'outcome ok', 'data-testid': `${options.testId}-outcome` }, confirmation));
  };

  const edit = (): void => {
    if (!options.editable || editing.has(options.testId)) return;
    editing.add(options.testId);
    box.removeAttribute('role');
    box.removeAttribute('tabindex');
    box.removeAttribute('title');
    const area = h('textarea', { 'data-testid': `${options.testId}-input`, 'aria-label': options.label, rows: String(Math.min(8, Math.max(2, text.split('\n').length + 1))) });
    area.value = text;
    const outcome = h('div', { class: 'outcome', 'data-testid': `${options.testId}-outcome`, 'aria-live': 'polite' }, 'Enter saves · Shift+Enter new line · Escape cancels');
    let busy = false;
    let done = false;
    const finish = (): void => {
      done = true;
      show();
      box.focus();
    };
    const commit = async (): Promise<void> => {
      if (busy || done) return;
      if (area.value === text) return finish();
      busy = true;
      outcome.className = 'outcome';
      outcome.textContent = 'Saving…';
      try {
        confirmation = await options.save(area.value);
        text = area.value;
        finish();
      } catch (err) {
        outcome.className = 'outcome error';
        outcome.textContent = err instanceof Error ? err.message : String(err);
      } finally {
        busy = false;
      }
    };
    area.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        finish();
      } else if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        void commit();
      }
    });
    area.addEventListener('blur', () => void commit());
    box.replaceChildren(area, outcome);
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  };

  box.addEventListener('click', (e) => {
    // Links inside a rendered description stay links.
    if ((e.target as HTMLElement).closest('a')) return;
    edit();
  });
  box.addEventListener('keydown', (e) => {
    if (e.target === box && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      edit();
    }
  });
  show();
  return box;
}
