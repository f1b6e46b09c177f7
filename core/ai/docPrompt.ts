/**
 * The prompt for AI-drafted documentation (issue 16): a model's SQL, its columns with types, the
 * descriptions its upstream models already have (the most useful context: a column passed through
 * from `stg_orders.amount` should say what that one says), the existing docs to improve rather than
 * replace, and the organization's template. The answer is asked for as one JSON object, so drafts
 * are checked column by column before anyone sees them. Pure; the size is bounded so a wide model
 * or a long SQL file never makes a request the provider refuses.
 */

/** One column of the documented model. */
export interface PromptColumn {
  name: string;
  type?: string;
  /** The current description ('' when none). */
  description: string;
  /** Upstream columns this one is computed from (`stg_orders.amount`), from column lineage. */
  from?: readonly string[];
}

/** An upstream model or source with its documentation. */
export interface PromptUpstream {
  name: string;
  description: string;
  columns: readonly { name: string; description: string }[];
}

/** Everything the prompt is built from. */
export interface DocPromptInput {
  /** `model` name as users know it. */
  name: string;
  kind: string;
  /** The SQL (compiled when available, else the source). */
  sql: string;
  description: string;
  columns: readonly PromptColumn[];
  upstream: readonly PromptUpstream[];
  /** The organization's template: tone, required sections, glossary (free text). */
  template?: string;
  /** Which descriptions to draft: only the empty ones (default), or all. */
  scope?: 'missing' | 'all';
}

/** A chat message as the OpenAI chat-completions API takes it. */
export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/** Bounds that keep a request well inside common context windows (characters, roughly 4 per token). */
export const PROMPT_LIMITS = { sqlChars: 24_000, upstreamChars: 12_000, descriptionChars: 600 } as const;

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters not shown)`);

/** The JSON shape the model must answer with. */
export const ANSWER_SHAPE = '{"description": "<model description or null>", "columns": {"<column name>": "<description>", ...}}';

/** Columns the draft should cover. */
export function columnsToDraft(input: DocPromptInput): PromptColumn[] {
  return input.columns.filter((c) => input.scope === 'all' || c.description.trim() === '');
}

/** Builds the messages. */
export function buildDocPrompt(input: DocPromptInput): ChatMessage[] {
  const wanted = columnsToDraft(input);
  const system = [
    'You write documentation for a dbt/SQL data catalog. Describe what data means for the people who query it: what one row is, what each column holds, units, and how it is derived when that matters.',
    'Base every statement on the SQL and the upstream documentation given. Do not invent business rules, owners or freshness. Keep each column description to one or two sentences; the model description to at most four.',
    `Answer with one JSON object and nothing else: ${ANSWER_SHAPE}. Use the column names exactly as given. Omit columns you cannot describe from the SQL.`,
    ...(input.template?.trim() ? [`Follow the organization's documentation guidelines:\n${clip(input.template.trim(), 4000)}`] : []),
  ].join('\n\n');
  let budget: number = PROMPT_LIMITS.upstreamChars;
  const upstream: string[] = [];
  for (const u of input.upstream) {
    const lines = [`- ${u.name}: ${clip(u.description.trim() || '(no description)', PROMPT_LIMITS.descriptionChars)}`,
      ...u.columns.filter((c) => c.description.trim() !== '').map((c) => `  - ${c.name}: ${clip(c.description.trim(), PROMPT_LIMITS.descriptionChars)}`)];
    const text = lines.join('\n');
    if (text.length > budget) break;
    budget -= text.length;
    upstream.push(text);
  }
  const omitted = input.upstream.length - upstream.length;
  const user = [
    `${input.kind} \`${input.name}\``,
    `Current description: ${input.description.trim() || '(none)'}`,
    `Draft ${input.scope === 'all' || input.description.trim() === '' ? 'the model description and ' : ''}descriptions for these columns:`,
    ...wanted.map((c) => `- ${c.name}${c.type ? ` (${c.type})` : ''}${c.from?.length ? ` ← ${c.from.join(', ')}` : ''}${c.description.trim() ? `; current: ${clip(c.description.trim(), PROMPT_LIMITS.descriptionChars)}` : ''}`),
    'SQL:',
    '```sql',
    clip(input.sql, PROMPT_LIMITS.sqlChars),
    '```',
    upstream.length > 0 ? `Upstream documentation:\n${upstream.join('\n')}${omitted > 0 ? `\n(${omitted} more upstream models not shown)` : ''}` : 'Upstream documentation: none.',
  ].join('\n');
  return [{ role: 'system', content: system }, { role: 'user', content: user }];
}
