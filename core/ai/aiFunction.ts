import { z } from 'zod';

/**
 * The contract of the `ai` edge function (cloud-functions/ai): a member asks the organization's own
 * LLM through the org key, which stays sealed on the server. `complete` takes the same body as an
 * OpenAI chat-completions request plus `orgId`, `action` and `purpose`, and answers in the same
 * wire format (server-sent `chat.completion.chunk` events, a usage chunk, `[DONE]`), so the
 * extension's `openai` client reads it unchanged; `usage` sums this month's AI usage for admins.
 * Errors are the `{ code, message }` envelope of `core/sync/errors.ts`; a spent budget is
 * `budget-exceeded` (402) before anything reaches the provider. Also the price table that turns
 * token counts into the estimated cost recorded in `usage_logs`.
 */

/** Bounds of a `complete` request: enough for the docs prompts (`docPrompt.ts` stays far below). */
export const AI_LIMITS = {
  messages: 40,
  /** Characters of one message. */
  messageChars: 200_000,
  /** Characters of all messages together. */
  totalChars: 400_000,
  /** Bytes of the JSON body. */
  bodyBytes: 1_000_000,
} as const;

/** Why a member asks (recorded as the usage row's `tool`, `ai.<purpose>`). */
export const AiPurpose = z.enum(['draft', 'verify', 'classify']);
export type AiPurpose = z.infer<typeof AiPurpose>;

const Message = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().max(AI_LIMITS.messageChars),
});

/**
 * `complete`: the chat-completions fields the function forwards (others are ignored, so the
 * `openai` package's own additions do no harm) and Mallard's own.
 */
export const AiCompleteRequest = z.object({
  action: z.literal('complete'),
  orgId: z.uuid(),
  purpose: AiPurpose,
  messages: z
    .array(Message)
    .min(1)
    .max(AI_LIMITS.messages)
    .refine((ms) => ms.reduce((n, m) => n + m.content.length, 0) <= AI_LIMITS.totalChars, `the messages exceed ${AI_LIMITS.totalChars} characters together`),
  /** One of the key's allowed models; the key's first model when left out (or empty). */
  model: z.string().max(200).optional(),
  temperature: z.number().min(0).max(2).optional(),
  response_format: z.object({ type: z.enum(['text', 'json_object']) }).optional(),
});
export type AiCompleteRequest = z.infer<typeof AiCompleteRequest>;

/** `usage`: this calendar month's AI usage of the organization (needs `usage.view`). */
export const AiUsageRequest = z.object({ action: z.literal('usage'), orgId: z.uuid() });

export const AiRequest = z.discriminatedUnion('action', [AiCompleteRequest, AiUsageRequest]);
export type AiRequest = z.infer<typeof AiRequest>;

/** One line of the usage answer: a member and a model. */
export const AiUsageLine = z.object({
  userId: z.uuid().nullable(),
  model: z.string().nullable(),
  calls: z.number().int(),
  tokensIn: z.number().int(),
  tokensOut: z.number().int(),
  costUsd: z.number(),
});
export type AiUsageLine = z.infer<typeof AiUsageLine>;

export const AiUsageResponse = z.object({
  /** First instant of the period (UTC calendar month). */
  periodStart: z.string(),
  lines: z.array(AiUsageLine),
  totalCostUsd: z.number(),
  /** The monthly budget, null when the organization set none. */
  budgetUsd: z.number().nullable(),
});
export type AiUsageResponse = z.infer<typeof AiUsageResponse>;

/** The feature flag holding the budget and price overrides (set with the admin function's `flags.set`). */
export const AI_BUDGET_FLAG = 'ai.budget';

/** US dollars per million tokens. */
export interface ModelPrice {
  inPerMTok: number;
  outPerMTok: number;
}

const Price = z.object({ inPerMTok: z.number().min(0).max(10_000), outPerMTok: z.number().min(0).max(10_000) });

/** The payload of the `ai.budget` flag; anything unreadable counts as not set. */
export const AiBudgetPayload = z.object({
  monthlyUsd: z.number().min(0).optional(),
  prices: z.record(z.string(), Price).optional(),
});
export type AiBudgetPayload = z.infer<typeof AiBudgetPayload>;

/**
 * List prices of common models (USD per million tokens, as published in 2025); an organization
 * overrides or adds models in the flag payload. A model in neither costs `fallback`, so an unknown
 * model still counts against the budget rather than for free.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': { inPerMTok: 2.5, outPerMTok: 10 },
  'gpt-4o-mini': { inPerMTok: 0.15, outPerMTok: 0.6 },
  'gpt-4.1': { inPerMTok: 2, outPerMTok: 8 },
  'gpt-4.1-mini': { inPerMTok: 0.4, outPerMTok: 1.6 },
  'gpt-4.1-nano': { inPerMTok: 0.1, outPerMTok: 0.4 },
  'o4-mini': { inPerMTok: 1.1, outPerMTok: 4.4 },
  fallback: { inPerMTok: 2.5, outPerMTok: 10 },
};

/** The price of `model`: the organization's table first, then the defaults, then `fallback`. */
export function priceOf(model: string, overrides: Readonly<Record<string, ModelPrice>> = {}): ModelPrice {
  return overrides[model] ?? DEFAULT_PRICES[model] ?? overrides.fallback ?? (DEFAULT_PRICES.fallback as ModelPrice);
}

/** Estimated cost in USD of one call, rounded to the micro-dollar `usage_logs.cost_usd` stores. */
export function costOf(price: ModelPrice, tokensIn: number, tokensOut: number): number {
  return Math.round(((tokensIn * price.inPerMTok + tokensOut * price.outPerMTok) / 1_000_000) * 1e6) / 1e6;
}
