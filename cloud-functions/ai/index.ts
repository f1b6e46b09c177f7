import { AI_LIMITS, AiRequest } from '../../core/ai/aiFunction';
import { isSyncErrorCode, SYNC_ERRORS } from '../../core/sync/errors';
import { apiHandler } from '../_shared/apiHandler';
import { complete } from './relay';
import { usage } from './usage';

/**
 * Edge function `ai` (contract: `core/ai/aiFunction.ts`): members draft and verify docs with the
 * organization's own LLM key, which stays sealed on the server — `complete` relays one streamed
 * chat completion after checking `docs.generate`, the monthly budget and the key's model
 * allow-list, and records the usage; `usage` sums this month's usage for `usage.view` holders.
 * Any path under /ai serves (the extension's `openai` client posts to /ai/chat/completions).
 */

const handler = apiHandler(
  'ai',
  AiRequest,
  async (ctx) => {
    const body = ctx.body;
    switch (body.action) {
      case 'complete':
        return await complete({ ...ctx, body });
      case 'usage':
        return await usage({ ...ctx, body });
    }
  },
  { maxBodyBytes: AI_LIMITS.bodyBytes },
);

/**
 * Errors keep the `{ code, message }` envelope and also carry it as OpenAI's `error` object, which
 * is what the `openai` package reads into its APIError (`code`, message); `x-should-retry: false`
 * stops the package retrying what cannot succeed (a spent budget, a refused key).
 */
async function withOpenAiErrors(req: Request): Promise<Response> {
  const res = await handler(req);
  if (res.status < 400 || !(res.headers.get('content-type') ?? '').includes('application/json')) return res;
  const envelope = (await res.json()) as { code?: unknown; message?: unknown };
  const code = typeof envelope.code === 'string' ? envelope.code : 'internal';
  const headers = new Headers(res.headers);
  headers.set('x-should-retry', String(isSyncErrorCode(code) && SYNC_ERRORS[code].retryable));
  return new Response(JSON.stringify({ ...envelope, error: { message: envelope.message, type: code, code, param: null } }), { status: res.status, headers });
}

Deno.serve(withOpenAiErrors);
