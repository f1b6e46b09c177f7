/**
 * Reading a model's answer into a documentation draft: the JSON object asked for by `docPrompt`,
 * tolerating what chat models add around it (a ```json fence, a sentence before it). Every part of
 * the answer that cannot be used is reported, never silently dropped: a column the model does not
 * have, a non-text description, an answer that is not JSON at all. Nothing here writes anything:
 * a draft is shown for review and written only when accepted.
 */

/** A reviewed-before-written draft. */
export interface DocDraft {
  /** The model description, when the answer has one. */
  description?: string;
  /** Column name (as the model spells it) → description. */
  columns: Record<string, string>;
  /** What was not used, for the review panel ("column 'amout' is not a column of orders"). */
  problems: string[];
}

/** A typed failure: the answer has no usable JSON object. */
export class DraftParseError extends Error {
  override readonly name = 'DraftParseError';
  constructor(readonly reason: 'not-json' | 'empty', message: string) {
    super(message);
  }
}

/** The JSON object in a chat answer: the whole text, a fenced block, or the outermost braces. */
function jsonObjectOf(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') throw new DraftParseError('empty', 'The AI provider returned an empty answer.');
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n?```/.exec(trimmed)?.[1];
  const candidates = [trimmed, fenced, trimmed.slice(trimmed.indexOf('{'), trimmed.lastIndexOf('}') + 1)].filter((c): c is string => c !== undefined && c !== '');
  let lastError = '';
  for (const c of candidates) {
    try {
      return JSON.parse(c) as unknown;
    } catch (err) {
      lastError = (err as Error).message;
    }
  }
  throw new DraftParseError('not-json', `The AI answer is not the JSON object asked for (${lastError}). It began: ${JSON.stringify(trimmed.slice(0, 120))}`);
}

/** Parses an answer against the model's columns (matched case-insensitively, returned with the model's spelling). */
export function parseDocDraft(text: string, columnNames: readonly string[]): DocDraft {
  const value = jsonObjectOf(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DraftParseError('not-json', 'The AI answer is JSON but not an object with "description" and "columns".');
  const obj = value as Record<string, unknown>;
  const problems: string[] = [];
  const draft: DocDraft = { columns: {}, problems };
  if (typeof obj.description === 'string' && obj.description.trim() !== '') draft.description = obj.description.trim();
  else if (obj.description !== undefined && obj.description !== null && typeof obj.description !== 'string') problems.push('The model description is not text; it was left out.');
  const byLower = new Map(columnNames.map((n) => [n.toLowerCase(), n]));
  const cols = obj.columns;
  if (cols !== undefined && (typeof cols !== 'object' || cols === null || Array.isArray(cols))) problems.push('"columns" is not an object of column name to description; no column was drafted.');
  else if (cols !== undefined) {
    for (const [name, desc] of Object.entries(cols as Record<string, unknown>)) {
      const known = byLower.get(name.toLowerCase());
      if (known === undefined) problems.push(`'${name}' is not a column of this model; its description was left out.`);
      else if (typeof desc !== 'string' || desc.trim() === '') problems.push(`The description of ${known} is empty or not text; it was left out.`);
      else draft.columns[known] = desc.trim();
    }
  }
  if (draft.description === undefined && Object.keys(draft.columns).length === 0 && problems.length === 0) problems.push('The answer drafted nothing.');
  return draft;
}
