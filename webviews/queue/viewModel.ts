import type { BatchView, QueueEntryView } from './protocol';

/**
 * What the review-queue page shows, computed from the host's snapshot without the DOM (unit-tested
 * in plain Node): one row per model with a status a person can act on, and a summary line.
 */

/** One row of the queue list. */
export interface QueueRow {
  key: string;
  name: string;
  path: string;
  /** `3 to review`, `drafting…`, `failed: <reason>`, `reviewed: 2 saved, 1 discarded`. */
  status: string;
  /** CSS class of the status. */
  tone: 'pending' | 'busy' | 'error' | 'done';
  /** True when the row opens a review (a draft exists). */
  openable: boolean;
}

/** The list row of an entry. */
export function queueRow(e: QueueEntryView): QueueRow {
  const open = e.proposals.filter((p) => p.outcome === '').length;
  const saved = e.proposals.filter((p) => p.outcome !== '' && p.outcome.ok).length;
  const discarded = e.proposals.filter((p) => p.outcome !== '' && !p.outcome.ok).length;
  const base = { key: e.key, name: e.name, path: e.path, openable: e.proposals.length > 0 };
  switch (e.state) {
    case 'waiting':
      return { ...base, status: 'waiting', tone: 'busy' };
    case 'drafting':
      return { ...base, status: 'drafting…', tone: 'busy' };
    case 'ready':
      return { ...base, status: `${open} to review${saved + discarded > 0 ? ` (${saved} saved, ${discarded} not)` : ''}`, tone: 'pending' };
    case 'reviewed':
      return { ...base, status: `reviewed: ${saved} saved, ${discarded} not saved`, tone: 'done' };
    case 'failed':
      return { ...base, status: `failed: ${e.message ?? 'unknown error'}`, tone: 'error' };
    case 'cancelled':
      return { ...base, status: e.message ?? 'not drafted', tone: 'error' };
  }
}

/** The line above the list: the batch's progress while it runs, then what is left to review. */
export function queueSummary(entries: readonly QueueEntryView[], batch: BatchView | undefined): string {
  const toReview = entries.filter((e) => e.state === 'ready').length;
  const failed = entries.filter((e) => e.state === 'failed').length;
  const parts = [
    batch?.running ? `Drafting ${batch.folder || 'the workspace'}: ${batch.done}/${batch.total}` : '',
    `${toReview} model${toReview === 1 ? '' : 's'} to review`,
    failed > 0 ? `${failed} failed` : '',
  ];
  return entries.length === 0 && !batch?.running ? 'No drafts yet. Run "Mallard: Draft Docs with AI for Folder…" on a folder of models.' : parts.filter(Boolean).join(' · ');
}
