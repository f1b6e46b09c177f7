import { buildDocPrompt } from '../../core/ai/docPrompt';
import { parseDocDraft } from '../../core/ai/docDraft';
import type { CatalogStore } from '../catalog/catalogStore';
import { AiError, complete, type AiSettings } from './aiClient';
import { draftContext } from './draftContext';
import type { ReviewQueue } from './reviewQueue';

/**
 * AI drafts for every undocumented model under a folder (issue 16's batch mode): which models need
 * one, and the run itself, a few at a time, each draft going into the review queue. Nothing is
 * written here. A model that fails (an answer that is not JSON, a provider error on that request)
 * is marked failed in the queue and the batch goes on; a failure no later request can escape (the
 * key refused, the model or deployment unknown, no key) stops the batch, since every remaining
 * request would fail the same way and cost a round trip each. A cancel aborts the requests in
 * flight and keeps every draft already finished. No `vscode`: the command passes settings, the SQL
 * reader and the abort signal.
 */

/** A model the batch drafts. */
export interface BatchTarget {
  entityId: string;
  /** The name people know it by, with the version of a versioned model (`customers v2`). */
  name: string;
  /** Workspace-relative path of its SQL (or Python) file. */
  path: string;
  /** What is missing: the model description, and how many column descriptions. */
  missing: { description: boolean; columns: number };
}

/** Most models one batch drafts (a folder of thousands is better done in parts, reviewed as it goes). */
export const BATCH_LIMIT = 500;

type Reads = Pick<CatalogStore, 'listEntities' | 'getEntity' | 'columnsOf' | 'modelLineage' | 'columnLineage'>;

/**
 * The dbt models under `folder` (workspace-relative, '' for the whole catalog) that lack their
 * description or any column's, by path. Only models: their docs live in properties files the docs
 * save path can edit, and they have SQL to draft from.
 */
export function modelsToDraft(store: Pick<Reads, 'listEntities' | 'getEntity' | 'columnsOf'>, folder: string): BatchTarget[] {
  const prefix = folder.replace(/\/+$/, '');
  const under = (p: string): boolean => prefix === '' || p === prefix || p.startsWith(`${prefix}/`);
  const out: BatchTarget[] = [];
  for (let offset = 0; ; offset += 10_000) {
    const page = store.listEntities({ kind: 'model', limit: 10_000, offset });
    for (const summary of page.items) {
      if (!under(summary.path)) continue;
      const entity = store.getEntity(summary.id);
      if (!entity || entity.disabled) continue;
      const columns = store.columnsOf(summary.id);
      const missing = { description: entity.description.trim() === '', columns: columns.filter((c) => c.description.trim() === '').length };
      // Versions of a dbt model share its name: the label tells them apart (`customers v2`).
      const name = entity.version ? `${entity.name} v${entity.version}` : entity.name;
      if (missing.description || missing.columns > 0) out.push({ entityId: entity.id, name, path: entity.path, missing });
    }
    if (page.items.length < 10_000) break;
  }
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.name.localeCompare(b.name));
}

/** What the batch needs from its caller. */
export interface BatchOptions {
  settings: AiSettings;
  /** The org's documentation guidelines (`mallard.ai.template`). */
  template?: string;
  /** Requests in flight at once, clamped to 1–2 (providers rate-limit; reviewing is the slow part anyway). */
  concurrency?: number;
  signal: AbortSignal;
  /** The model file's text ('' when unreadable: the compiled SQL in the catalog is used when there is one). */
  readSql(path: string): Promise<string>;
  /** After each model: how many are finished of how many. */
  onProgress?(done: number, total: number, name: string): void;
}

/** How a batch ended. */
export interface BatchOutcome {
  drafted: number;
  failed: number;
  /** Not drafted because of a cancel, or because the batch stopped. */
  notDrafted: number;
  /** Set when a failure stopped the batch (the key refused, no such model). */
  stoppedBy?: string;
  tokens: number;
}

/** Failures that every later request would repeat. */
const FATAL = new Set(['auth', 'forbidden', 'not-found', 'not-configured']);

/** Drafts `targets` of the catalog at `root` into `queue`; resolves when every target is settled. */
export async function runBatchDraft(store: Reads, root: string, targets: readonly BatchTarget[], queue: ReviewQueue, options: BatchOptions): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { drafted: 0, failed: 0, notDrafted: 0, tokens: 0 };
  // Requests in flight abort with the caller's signal, or when a fatal failure stops the batch.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal.addEventListener('abort', onAbort);
  const keys = targets.map((t) => queue.add(root, t)?.key);
  let next = 0;
  let done = 0;
  const one = async (target: BatchTarget, key: string): Promise<void> => {
    queue.drafting(key);
    try {
      const sql = await options.readSql(target.path);
      const input = draftContext(store, target.entityId, sql, { scope: 'missing', ...(options.template ? { template: options.template } : {}) });
      if (!input) throw new Error('This model is no longer in the catalog.');
      const answer = await complete(options.settings, buildDocPrompt(input), { signal: stop.signal, json: true });
      const draft = parseDocDraft(answer.text, input.columns.map((c) => c.name));
      const tokens = answer.usage.promptTokens + answer.usage.completionTokens;
      outcome.tokens += tokens;
      queue.ready(key, { ...draft, model: answer.model, tokens });
      if (queue.get(key)?.state === 'ready') outcome.drafted++;
      else outcome.failed++;
    } catch (err) {
      if (stop.signal.aborted) {
        outcome.notDrafted++;
        queue.cancelled(key, outcome.stoppedBy ? `Not drafted: ${outcome.stoppedBy}` : 'Cancelled before the draft was finished.');
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      outcome.failed++;
      queue.failed(key, message);
      if (err instanceof AiError && FATAL.has(err.reason)) {
        outcome.stoppedBy = message;
        stop.abort();
      }
    } finally {
      done++;
      options.onProgress?.(done, targets.length, target.name);
    }
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const target = targets[i];
      if (target === undefined) return;
      const key = keys[i];
      if (key === undefined) {
        // Already in the queue with a draft nobody has reviewed: kept as it is.
        done++;
        options.onProgress?.(done, targets.length, target.name);
        continue;
      }
      if (stop.signal.aborted) {
        outcome.notDrafted++;
        queue.cancelled(key, outcome.stoppedBy ? `Not drafted: ${outcome.stoppedBy}` : 'Not drafted: the batch was cancelled.');
        done++;
        continue;
      }
      await one(target, key);
    }
  };
  const lanes = Math.min(2, Math.max(1, Math.floor(options.concurrency ?? 2)));
  try {
    await Promise.all(Array.from({ length: lanes }, () => worker()));
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
  return outcome;
}
