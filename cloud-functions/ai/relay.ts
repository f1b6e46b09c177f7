import { costOf, priceOf } from '../../core/ai/aiFunction';
import type { AiCompleteRequest } from '../../core/ai/aiFunction';
import { SyncError } from '../../core/sync/errors';
import type { ApiContext } from '../_shared/apiHandler';
import { CORS_HEADERS } from '../_shared/http';
import { actingUserId, budgetOf, orgKeyFor, requireAnywhere, requireBudget } from './access';
import type { Budget, OrgKey } from './access';

/**
 * The `complete` action: checks (docs.generate, budget, key) before anything leaves, then one
 * streamed chat completion from the organization's provider, relayed to the caller byte for byte
 * (the provider's own `chat.completion.chunk` events, so the extension's `openai` client parses
 * them unchanged). While relaying it reads the events for the model and the usage chunk; when the
 * stream ends, fails or the caller goes away, it records one `usage_logs` row (tokens the provider
 * reported, or an estimate from the characters sent and received when it reported none, as for a
 * cancelled stream) with the estimated cost from the price table.
 */

const AZURE_API_VERSION = '2024-10-21';

/** Where the request goes and how the key is presented (a header only, never the URL). */
function providerRequest(key: OrgKey): { url: string; headers: Record<string, string> } {
  const base = (key.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
  if (key.provider === 'azure_openai') {
    const version = encodeURIComponent(key.apiVersion ?? AZURE_API_VERSION);
    return { url: `${base}/openai/deployments/${encodeURIComponent(key.model)}/chat/completions?api-version=${version}`, headers: { 'api-key': key.secret } };
  }
  return { url: `${base}/chat/completions`, headers: { authorization: `Bearer ${key.secret}` } };
}

/** Removes the key from text that came back from the provider (some echo a prefix of a wrong key). */
function scrub(text: string, secret: string): string {
  let out = text.split(secret).join('••••');
  if (secret.length >= 12) out = out.split(secret.slice(0, 8)).join('••••').split(secret.slice(-8)).join('••••');
  return out.slice(0, 1000);
}

/** The provider's refusal as an envelope error (status and its message, scrubbed). */
async function providerError(res: Response, secret: string): Promise<SyncError> {
  let detail = '';
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    detail = typeof body.error?.message === 'string' ? body.error.message : '';
  } catch {
    detail = '';
  }
  const said = detail === '' ? '' : `: ${scrub(detail, secret)}`;
  if (res.status === 429) return new SyncError('rate-limited', `The organization's AI provider is rate-limiting or out of quota (429)${said}`);
  if (res.status === 401 || res.status === 403) return new SyncError('provider-error', `The AI provider refused the organization's key (${res.status})${said}; an admin rotates it under Manage Team → LLM keys.`);
  return new SyncError('provider-error', `The organization's AI provider failed (${res.status})${said}`);
}

/** Reads `data:` events out of the relayed bytes for the model and the usage chunk. */
class StreamWatch {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  model: string | undefined;
  usage: { prompt: number; completion: number } | undefined;
  outChars = 0;

  feed(bytes: Uint8Array): void {
    this.buffer += this.decoder.decode(bytes, { stream: true });
    let end = this.buffer.indexOf('\n');
    while (end >= 0) {
      this.line(this.buffer.slice(0, end).trim());
      this.buffer = this.buffer.slice(end + 1);
      end = this.buffer.indexOf('\n');
    }
  }

  private line(line: string): void {
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '' || data === '[DONE]') return;
    try {
      const chunk = JSON.parse(data) as { model?: unknown; usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null; choices?: { delta?: { content?: unknown } }[] };
      if (typeof chunk.model === 'string' && chunk.model !== '') this.model = chunk.model;
      for (const choice of chunk.choices ?? []) if (typeof choice.delta?.content === 'string') this.outChars += choice.delta.content.length;
      const u = chunk.usage;
      if (u && typeof u.prompt_tokens === 'number' && typeof u.completion_tokens === 'number') this.usage = { prompt: u.prompt_tokens, completion: u.completion_tokens };
    } catch {
      // A line that is not JSON is relayed as it is; it carries no usage.
    }
  }
}

async function record(ctx: ApiContext<AiCompleteRequest>, key: OrgKey, budget: Budget, watch: StreamWatch, promptChars: number, outcome: 'complete' | 'cancelled' | 'failed'): Promise<void> {
  // Without a usage chunk (a cancelled stream, a provider that reports none) the tokens are estimated at ~4 characters each.
  const tokensIn = watch.usage?.prompt ?? Math.ceil(promptChars / 4);
  const tokensOut = watch.usage?.completion ?? Math.ceil(watch.outChars / 4);
  // The price is the requested model's: providers answer with dated snapshot names the table does not list.
  const cost = costOf(priceOf(key.model, budget.prices), tokensIn, tokensOut);
  const tool = `ai.${ctx.body.purpose}${outcome === 'complete' ? '' : `.${outcome}`}`;
  try {
    const userId = await actingUserId(ctx);
    await ctx.db`insert into public.usage_logs (org_id, user_id, kind, tool, model, tokens_in, tokens_out, cost_usd)
      values (${ctx.body.orgId}::uuid, ${userId}::uuid, 'ai', ${tool}, ${key.model}, ${tokensIn}, ${tokensOut}, ${cost})`;
    await ctx.db`update public.org_llm_keys set last_used_at = now() where id = ${key.id}::uuid`;
  } catch {
    // The answer already reached the caller; a lost usage row must not turn it into an error.
  }
}

/** Runs `complete`; the answer is the relayed event stream, or an envelope error before it starts. */
export async function complete(ctx: ApiContext<AiCompleteRequest>): Promise<Response> {
  const body = ctx.body;
  await requireAnywhere(ctx, body.orgId, 'docs.generate');
  const budget = await budgetOf(ctx, body.orgId);
  requireBudget(budget);
  const key = await orgKeyFor(ctx, body.orgId, body.model);
  const target = providerRequest(key);
  const abort = new AbortController();
  let upstream: Response;
  try {
    upstream = await fetch(target.url, {
      method: 'POST',
      headers: { ...target.headers, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        model: key.model,
        messages: body.messages,
        stream: true,
        stream_options: { include_usage: true },
        ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
        ...(body.response_format !== undefined ? { response_format: body.response_format } : {}),
      }),
      signal: abort.signal,
    });
  } catch (err) {
    const reason = err instanceof Error ? scrub(err.message, key.secret) : 'unknown error';
    throw new SyncError('provider-error', `Cannot reach the organization's AI provider: ${reason}`);
  }
  if (!upstream.ok || upstream.body === null) throw await providerError(upstream, key.secret);

  const promptChars = body.messages.reduce((n, m) => n + m.content.length, 0);
  const watch = new StreamWatch();
  const reader = upstream.body.getReader();
  let recorded = false;
  const finish = async (outcome: 'complete' | 'cancelled' | 'failed'): Promise<void> => {
    if (recorded) return;
    recorded = true;
    await record(ctx, key, budget, watch, promptChars, outcome);
  };
  const relay = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          await finish('complete');
          controller.close();
          return;
        }
        watch.feed(value);
        controller.enqueue(value);
      } catch {
        await finish('failed');
        controller.error(new Error('The AI provider stream broke off.'));
      }
    },
    async cancel() {
      // The caller went away (a cancelled draft): stop the provider and record what was used so far.
      abort.abort();
      await finish('cancelled');
    },
  });
  return new Response(relay, {
    status: 200,
    headers: { ...CORS_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
}
