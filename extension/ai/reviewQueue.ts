/**
 * The review queue of AI batch drafts (issue 16): one entry per model a batch drafted (or tried
 * to), with its proposals and what the user did with each. It lives in the extension host for the
 * whole session, so closing the queue panel loses nothing; nothing in it is written anywhere until
 * a proposal is accepted through the docs save path (`accept`). No `vscode` here: the panel renders
 * snapshots and the tests drive it directly.
 */

/** Where an entry is: waiting for its turn, drafting, ready for review, failed, cancelled by the user, or reviewed. */
export type QueueState = 'waiting' | 'drafting' | 'ready' | 'failed' | 'cancelled' | 'reviewed';

/** One proposed description: the model's (`column` undefined) or a column's. */
export interface QueueProposal {
  column?: string;
  text: string;
  /** '' while open; the save's confirmation, its error, or 'Discarded'. */
  outcome: '' | { ok: boolean; text: string };
}

/** One model of the queue. */
export interface QueueEntry {
  /** `<root>|<entityId>`: entity ids are per project, and two folders may hold copies of one. */
  key: string;
  root: string;
  entityId: string;
  name: string;
  path: string;
  state: QueueState;
  /** Why it failed, or what was cancelled. */
  message?: string;
  proposals: QueueProposal[];
  /** What the draft left out (`'amout' is not a column of this model`). */
  problems: string[];
  /** The model the provider says answered, and the tokens spent. */
  model?: string;
  tokens?: number;
}

/** What a parsed draft adds to an entry. */
export interface ReadyDraft {
  description?: string;
  columns: Record<string, string>;
  problems: string[];
  model: string;
  tokens: number;
}

/** Saves one accepted description; resolves to the confirmation, rejects with the reason. */
export type SaveAccepted = (entry: QueueEntry, column: string | undefined, text: string) => Promise<string>;

/** The session's queue of drafts to review. */
export class ReviewQueue {
  private readonly byKey = new Map<string, QueueEntry>();
  private readonly listeners = new Set<() => void>();

  /** Entries in the order they were added. */
  entries(): QueueEntry[] {
    return [...this.byKey.values()];
  }

  get(key: string): QueueEntry | undefined {
    return this.byKey.get(key);
  }

  /** Entries whose drafts still have open proposals. */
  pending(): QueueEntry[] {
    return this.entries().filter((e) => e.state === 'ready');
  }

  /** Calls `listener` after every change; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Adds a model to draft (waiting). A model already in the queue with open proposals keeps them: a
   * second batch over the same folder must not throw away drafts nobody has reviewed yet.
   */
  add(root: string, target: { entityId: string; name: string; path: string }): QueueEntry | undefined {
    const key = `${root}|${target.entityId}`;
    const old = this.byKey.get(key);
    if (old?.state === 'ready' || old?.state === 'drafting') return undefined;
    const entry: QueueEntry = { key, root, entityId: target.entityId, name: target.name, path: target.path, state: 'waiting', proposals: [], problems: [] };
    if (old) this.byKey.delete(key);
    this.byKey.set(key, entry);
    this.changed();
    return entry;
  }

  /** Marks an entry as being drafted. */
  drafting(key: string): void {
    this.update(key, (e) => ({ ...e, state: 'drafting' }));
  }

  /** Stores a parsed draft for review: one open proposal per description, the model's first. */
  ready(key: string, draft: ReadyDraft): void {
    const proposals: QueueProposal[] = [
      ...(draft.description !== undefined ? [{ text: draft.description, outcome: '' as const }] : []),
      ...Object.entries(draft.columns).map(([column, text]) => ({ column, text, outcome: '' as const })),
    ];
    const nothing = proposals.length === 0;
    this.update(key, (e) => ({
      ...e,
      state: nothing ? 'failed' : 'ready',
      proposals,
      problems: draft.problems,
      model: draft.model,
      tokens: draft.tokens,
      ...(nothing ? { message: `The draft proposed nothing. ${draft.problems.join(' ')}`.trim() } : {}),
    }));
  }

  failed(key: string, message: string): void {
    this.update(key, (e) => ({ ...e, state: 'failed', message }));
  }

  cancelled(key: string, message: string): void {
    this.update(key, (e) => ({ ...e, state: 'cancelled', message }));
  }

  /**
   * Accepts one proposal with the (possibly edited) text: saves it through `save` (the docs save
   * path) and records the outcome. An empty text saves nothing. Resolves to the confirmation.
   */
  async accept(key: string, column: string | undefined, text: string, save: SaveAccepted): Promise<string> {
    const entry = this.byKey.get(key);
    const proposal = entry?.proposals.find((p) => p.column === column && p.outcome === '');
    if (!entry || !proposal) throw new Error('This proposal is no longer open in the review queue.');
    const trimmed = text.trim();
    if (trimmed === '') {
      this.settle(key, column, { ok: false, text: 'Empty: nothing saved' });
      throw new Error('Empty: nothing saved');
    }
    try {
      const confirmation = await save(entry, column, trimmed);
      this.settle(key, column, { ok: true, text: confirmation }, trimmed);
      return confirmation;
    } catch (err) {
      this.settle(key, column, { ok: false, text: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  /** Discards one proposal: nothing is written. */
  discard(key: string, column: string | undefined): void {
    this.settle(key, column, { ok: false, text: 'Discarded' });
  }

  /** Removes an entry (its open proposals are dropped, nothing is written). */
  remove(key: string): void {
    if (this.byKey.delete(key)) this.changed();
  }

  /** Removes every entry with nothing left to review (reviewed, failed, cancelled). */
  clearFinished(): void {
    let removed = false;
    for (const [key, e] of this.byKey) {
      if (e.state === 'reviewed' || e.state === 'failed' || e.state === 'cancelled') removed = this.byKey.delete(key) || removed;
    }
    if (removed) this.changed();
  }

  private settle(key: string, column: string | undefined, outcome: { ok: boolean; text: string }, text?: string): void {
    this.update(key, (e) => {
      const proposals = e.proposals.map((p) => (p.column === column && p.outcome === '' ? { ...p, ...(text !== undefined ? { text } : {}), outcome } : p));
      return { ...e, proposals, state: e.state === 'ready' && proposals.every((p) => p.outcome !== '') ? 'reviewed' : e.state };
    });
  }

  private update(key: string, change: (e: QueueEntry) => QueueEntry): void {
    const entry = this.byKey.get(key);
    if (!entry) return;
    this.byKey.set(key, change(entry));
    this.changed();
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
