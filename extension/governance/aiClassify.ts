import type { ChatMessage } from '../../core/ai/docPrompt';
import { BUILTIN_RULES } from '../../core/governance/classifyRules';
import type { AiAnswer } from '../ai/aiClient';
import type { CatalogStore } from '../catalog/catalogStore';
import { parseJson, prepared } from '../catalog/sqlUtil';
import { addSuggestions, classesOf } from './classificationStore';

/**
 * AI classification suggestions (issue 16): the configured provider (the customer's own, through
 * `aiClient.ts`) is asked which known classes unclassified columns hold, from their names, types and
 * descriptions only (never values). Its answer becomes suggestions with source `ai`, reviewed like
 * the rules' (accept/reject); keys outside the known set, unknown columns and columns already
 * reviewed for a key are dropped. Nothing is written as a classification without acceptance.
 */

/** Columns per request; the prompt stays small and a batch can be cancelled between requests. */
export const AI_BATCH = 80;

/** The class keys the AI may answer with. */
export const AI_KEYS: readonly string[] = [...BUILTIN_RULES.map((r) => r.key), 'pii.other', 'confidential'];

interface Candidate {
  id: string;
  name: string;
  type?: string;
  description: string;
}

/** Unclassified columns with no open or reviewed suggestion, in id order. */
export function aiCandidates(store: CatalogStore, limit = 1000): Candidate[] {
  const classes = classesOf(store);
  const rows = prepared(store.db, `SELECT c.id, c.payload FROM columns c
    WHERE NOT EXISTS (SELECT 1 FROM classification_suggestions s WHERE s.column_id = c.id) ORDER BY c.id LIMIT ?`).all(limit * 2) as { id: string; payload: string }[];
  const out: Candidate[] = [];
  for (const r of rows) {
    if (classes.has(r.id)) continue;
    const c = parseJson<{ name: string; type?: string; description?: string }>(r.payload);
    out.push({ id: r.id, name: c.name, ...(c.type ? { type: c.type } : {}), description: (c.description ?? '').slice(0, 200) });
    if (out.length >= limit) break;
  }
  return out;
}

/** The prompt for one batch. */
export function buildClassifyPrompt(batch: readonly Candidate[]): ChatMessage[] {
  return [
    {
      role: 'system',
      content: `You classify database columns for data governance. Known classes: ${AI_KEYS.join(', ')}. ` +
        'Answer with JSON only: {"suggestions":[{"column":"<column id as given>","key":"<one known class>","confidence":<0..1>,"reason":"<short reason>"}]}. ' +
        'List only columns that hold such data; leave others out. Never invent column ids.',
    },
    { role: 'user', content: JSON.stringify(batch.map((c) => ({ column: c.id, name: c.name, ...(c.type ? { type: c.type } : {}), ...(c.description ? { description: c.description } : {}) }))) },
  ];
}

/** The suggestions of an answer that name a column of `batch` and a known key; anything else is dropped. */
export function parseClassifyAnswer(text: string, batch: readonly Candidate[]): { columnId: string; key: string; confidence: number; reason: string }[] {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(start, end + 1));
  } catch {
    return [];
  }
  const list = (parsed as { suggestions?: unknown }).suggestions;
  if (!Array.isArray(list)) return [];
  const ids = new Set(batch.map((c) => c.id));
  const out: { columnId: string; key: string; confidence: number; reason: string }[] = [];
  for (const s of list as Record<string, unknown>[]) {
    const column = s?.column;
    const key = s?.key;
    if (typeof column !== 'string' || !ids.has(column) || typeof key !== 'string' || !AI_KEYS.includes(key)) continue;
    const confidence = typeof s.confidence === 'number' && Number.isFinite(s.confidence) ? Math.max(0, Math.min(1, s.confidence)) : 0.5;
    out.push({ columnId: column, key, confidence, reason: `AI: ${typeof s.reason === 'string' && s.reason.trim() !== '' ? s.reason.trim().slice(0, 300) : 'suggested by the model'}` });
  }
  return out;
}

/** Asks in batches; returns how many suggestions were added and how many columns were asked about. */
export async function suggestWithAi(
  store: CatalogStore,
  ask: (messages: ChatMessage[]) => Promise<AiAnswer>,
  options: { limit?: number; signal?: AbortSignal; onBatch?: (done: number, total: number) => void } = {},
): Promise<{ asked: number; added: number }> {
  const candidates = aiCandidates(store, options.limit ?? 400);
  let added = 0;
  for (let i = 0; i < candidates.length; i += AI_BATCH) {
    if (options.signal?.aborted === true) break;
    const batch = candidates.slice(i, i + AI_BATCH);
    const answer = await ask(buildClassifyPrompt(batch));
    added += addSuggestions(store, parseClassifyAnswer(answer.text, batch).map((s) => ({ ...s, source: 'ai' as const })));
    options.onBatch?.(Math.min(i + AI_BATCH, candidates.length), candidates.length);
  }
  return { asked: candidates.length, added };
}
