import type { ChatMessage } from './docPrompt';
import { DraftParseError } from './docDraft';

/**
 * AI verification of existing docs (issue 16 item 2): the model compares what the descriptions
 * claim with what the SQL does and reports contradictions, each with the SQL lines that show it
 * and a confidence. The SQL is sent with line numbers so evidence can be checked and linked; a
 * finding whose evidence lines are not in the SQL, or whose target is not a described column, is
 * dropped and reported as such. Pure: the extension turns findings into diagnostics.
 */

/** One described thing to check. */
export interface VerifyItem {
  /** Column name, or undefined for the model description. */
  column?: string;
  description: string;
}

/** What the model found. */
export interface VerifyFinding {
  column?: string;
  /** The claim in the description that the SQL contradicts. */
  claim: string;
  /** Why, in one or two sentences. */
  explanation: string;
  /** 1-based SQL lines that show it. */
  lines: number[];
  confidence: number;
}

/** Builds the verification prompt; only items with a description are sent. */
export function buildVerifyPrompt(input: { name: string; sql: string; items: readonly VerifyItem[] }): ChatMessage[] {
  const numbered = input.sql.split('\n').map((l, i) => `${String(i + 1).padStart(4)}| ${l}`).join('\n');
  const items = input.items.filter((i) => i.description.trim() !== '');
  return [
    {
      role: 'system',
      content: [
        'You check data documentation against the SQL that produces the data. Report only contradictions: a description that says something the SQL does not do (a filter, unit, grain, source, calculation or type that differs). Do not report missing detail or style.',
        'Answer with one JSON object and nothing else: {"findings": [{"column": "<column name or null for the model>", "claim": "<the contradicted words>", "explanation": "<why>", "lines": [<SQL line numbers>], "confidence": <0..1>}]}. An empty list when everything agrees.',
      ].join('\n\n'),
    },
    {
      role: 'user',
      content: [`Model \`${input.name}\`. Descriptions:`, ...items.map((i) => `- ${i.column ?? '(model)'}: ${i.description.trim()}`), 'SQL (line numbers on the left):', numbered].join('\n'),
    },
  ];
}

/** Parses the findings, keeping only those that point at described items and at real SQL lines. */
export function parseVerifyAnswer(text: string, input: { sql: string; items: readonly VerifyItem[] }): { findings: VerifyFinding[]; dropped: string[] } {
  const trimmed = text.trim();
  if (trimmed === '') throw new DraftParseError('empty', 'The AI provider returned an empty answer.');
  let value: unknown;
  try {
    value = JSON.parse(trimmed.slice(trimmed.indexOf('{'), trimmed.lastIndexOf('}') + 1));
  } catch (err) {
    throw new DraftParseError('not-json', `The AI answer is not the JSON object asked for (${(err as Error).message}).`);
  }
  const raw = typeof value === 'object' && value !== null ? (value as { findings?: unknown }).findings : undefined;
  if (!Array.isArray(raw)) throw new DraftParseError('not-json', 'The AI answer has no "findings" list.');
  const lineCount = input.sql.split('\n').length;
  const described = new Map(input.items.filter((i) => i.description.trim() !== '').map((i) => [(i.column ?? '').toLowerCase(), i.column]));
  const findings: VerifyFinding[] = [];
  const dropped: string[] = [];
  for (const f of raw as Record<string, unknown>[]) {
    const column = typeof f.column === 'string' && f.column !== '' ? f.column : undefined;
    const key = (column ?? '').toLowerCase();
    const lines = Array.isArray(f.lines) ? f.lines.filter((n): n is number => Number.isInteger(n) && n >= 1 && n <= lineCount) : [];
    const claim = typeof f.claim === 'string' ? f.claim.trim() : '';
    const explanation = typeof f.explanation === 'string' ? f.explanation.trim() : '';
    const confidence = typeof f.confidence === 'number' && f.confidence >= 0 && f.confidence <= 1 ? f.confidence : 0.5;
    if (!described.has(key)) dropped.push(`a finding on ${column ?? 'the model'}, which has no description to contradict`);
    else if (lines.length === 0) dropped.push(`a finding on ${column ?? 'the model'} without SQL lines as evidence`);
    else if (claim === '' || explanation === '') dropped.push(`a finding on ${column ?? 'the model'} without a claim or an explanation`);
    else findings.push({ ...(described.get(key) !== undefined ? { column: described.get(key) as string } : {}), claim, explanation, lines, confidence });
  }
  return { findings: findings.sort((a, b) => b.confidence - a.confidence), dropped };
}
