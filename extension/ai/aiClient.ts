import OpenAI, { APIConnectionError, APIError, APIUserAbortError, AzureOpenAI } from 'openai';
import type { ChatMessage } from '../../core/ai/docPrompt';

/**
 * The customer's own LLM, through the official `openai` package: OpenAI itself, Azure OpenAI, or
 * any OpenAI-compatible server (vLLM, Ollama, LiteLLM, a gateway) by base URL. Mallard hosts no
 * model and sends nothing anywhere else. Answers stream, so the docs panel shows progress and a
 * cancel stops the request. Failures are typed with a reason the UI can act on; the key never
 * appears in an error or a log line. No `vscode` here: the extension passes settings and the key
 * from SecretStorage, tests point it at a stand-in speaking the chat-completions wire format.
 */

/** Where and how to reach the provider. */
export interface AiSettings {
  provider: 'openai' | 'azure';
  /** OpenAI-compatible base URL (`https://api.openai.com/v1`), or the Azure resource endpoint. */
  baseUrl: string;
  /** Model name, or the Azure deployment name. */
  model: string;
  apiKey: string;
  /** Azure only: the API version (`2024-10-21`). */
  apiVersion?: string;
  /** Retries of 429/5xx/connection errors (the package backs off). */
  maxRetries?: number;
  /** Milliseconds before a request is abandoned. */
  timeoutMs?: number;
  /**
   * `org`: `baseUrl` is Mallard's `ai` edge function, `apiKey` the signed-in session's token, and
   * `extraBody` names the organization and purpose; the org's own key stays on the server
   * (`orgAiSettings.ts`). Errors then carry the function's envelope codes. Default `personal`.
   */
  keySource?: 'personal' | 'org';
  /** More headers on every request (the Supabase gateway's `apikey` in org mode). */
  headers?: Readonly<Record<string, string>>;
  /** More top-level body fields sent with the request (the `ai` function's `orgId`, `action`, `purpose`). */
  extraBody?: Readonly<Record<string, unknown>>;
}

/** Token counts the provider reported (0 when it reports none). */
export interface AiUsage {
  promptTokens: number;
  completionTokens: number;
}

/** One completed answer. */
export interface AiAnswer {
  text: string;
  /** The model the provider says answered. */
  model: string;
  usage: AiUsage;
}

export type AiErrorReason = 'auth' | 'forbidden' | 'rate-limited' | 'bad-request' | 'not-found' | 'unreachable' | 'provider' | 'cancelled' | 'not-configured' | 'budget-exceeded';

/** A typed failure; `message` is safe to show (no key, no prompt). */
export class AiError extends Error {
  override readonly name = 'AiError';
  constructor(readonly reason: AiErrorReason, message: string, readonly status?: number) {
    super(message);
  }
}

/** Reasons of the `ai` function's envelope codes (its message is already meant for the user). */
const ORG_REASONS: Readonly<Record<string, AiErrorReason>> = {
  'budget-exceeded': 'budget-exceeded',
  forbidden: 'forbidden',
  unauthorized: 'auth',
  'not-found': 'not-configured',
  'bad-request': 'bad-request',
  'payload-too-large': 'bad-request',
  'rate-limited': 'rate-limited',
  'provider-error': 'provider',
};

/** Maps what the package throws to an AiError. */
export function aiErrorOf(err: unknown, settings: Pick<AiSettings, 'baseUrl' | 'model' | 'keySource'>): AiError {
  if (err instanceof AiError) return err;
  if (err instanceof APIUserAbortError) return new AiError('cancelled', 'The AI request was cancelled.');
  if (settings.keySource === 'org') {
    if (err instanceof APIConnectionError) return new AiError('unreachable', `Cannot reach Mallard's ai function at ${settings.baseUrl}: ${err.message}`);
    if (err instanceof APIError) {
      const reason = typeof err.code === 'string' ? (ORG_REASONS[err.code] ?? 'provider') : 'provider';
      const detail = err.error && typeof err.error === 'object' && 'message' in err.error ? String((err.error as { message: unknown }).message) : err.message;
      return new AiError(reason, `Organization AI key: ${detail}`, err.status);
    }
  }
  if (err instanceof APIConnectionError) return new AiError('unreachable', `Cannot reach the AI provider at ${settings.baseUrl}: ${err.message}`);
  if (err instanceof APIError) {
    const detail = err.error && typeof err.error === 'object' && 'message' in err.error ? String((err.error as { message: unknown }).message) : err.message;
    const status = err.status;
    if (status === 401) return new AiError('auth', `The AI provider refused the API key (401): ${detail}`, status);
    if (status === 403) return new AiError('forbidden', `The AI provider does not allow this request (403): ${detail}`, status);
    if (status === 404) return new AiError('not-found', `The AI provider has no model or deployment '${settings.model}' (404): ${detail}`, status);
    if (status === 429) return new AiError('rate-limited', `The AI provider is rate-limiting or out of quota (429): ${detail}`, status);
    if (status !== undefined && status >= 400 && status < 500) return new AiError('bad-request', `The AI provider rejected the request (${status}): ${detail}`, status);
    return new AiError('provider', `The AI provider failed (${status ?? 'no status'}): ${detail}`, status);
  }
  return new AiError('provider', `The AI request failed: ${err instanceof Error ? err.message : String(err)}`);
}

function clientOf(s: AiSettings): OpenAI {
  if (s.apiKey.trim() === '') {
    throw new AiError('not-configured', s.keySource === 'org' ? 'Sign in to Mallard sync to use the organization\'s AI key.' : 'No AI API key is set: run "Mallard: Set AI API Key".');
  }
  const common = { apiKey: s.apiKey, maxRetries: s.maxRetries ?? 2, timeout: s.timeoutMs ?? 120_000, ...(s.headers ? { defaultHeaders: { ...s.headers } } : {}) };
  if (s.provider === 'azure') return new AzureOpenAI({ ...common, endpoint: s.baseUrl, deployment: s.model, apiVersion: s.apiVersion ?? '2024-10-21' });
  return new OpenAI({ ...common, baseURL: s.baseUrl });
}

/**
 * Streams one chat completion. `onDelta` gets each piece of text as it arrives; `signal` cancels
 * (an `AiError('cancelled')`). JSON output is asked for where the provider supports it.
 */
export async function complete(settings: AiSettings, messages: readonly ChatMessage[], options: { signal?: AbortSignal; onDelta?: (text: string) => void; json?: boolean } = {}): Promise<AiAnswer> {
  const client = clientOf(settings);
  try {
    const params: OpenAI.ChatCompletionCreateParamsStreaming = {
      model: settings.model,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      ...(options.json === true ? { response_format: { type: 'json_object' as const } } : {}),
    };
    // The package sends the body as given, so Mallard's fields for the `ai` function ride along.
    const body = settings.extraBody === undefined ? params : ({ ...settings.extraBody, ...params } as OpenAI.ChatCompletionCreateParamsStreaming);
    const stream = await client.chat.completions.create(body, options.signal ? { signal: options.signal } : {});
    let text = '';
    let model = settings.model;
    const usage: AiUsage = { promptTokens: 0, completionTokens: 0 };
    for await (const chunk of stream) {
      if (chunk.model) model = chunk.model;
      const delta = chunk.choices[0]?.delta?.content ?? '';
      if (delta !== '') {
        text += delta;
        options.onDelta?.(delta);
      }
      if (chunk.usage) {
        usage.promptTokens = chunk.usage.prompt_tokens;
        usage.completionTokens = chunk.usage.completion_tokens;
      }
    }
    // An abort while iterating may end the stream quietly instead of throwing.
    if (options.signal?.aborted === true) throw new AiError('cancelled', 'The AI request was cancelled.');
    return { text, model, usage };
  } catch (err) {
    if (options.signal?.aborted === true) throw new AiError('cancelled', 'The AI request was cancelled.');
    throw aiErrorOf(err, settings);
  }
}
