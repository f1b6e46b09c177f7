import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for an OpenAI-compatible chat-completions endpoint (`POST /v1/chat/completions`),
 * speaking the real wire format so the official `openai` package runs unchanged against it:
 * streamed answers as server-sent events of `chat.completion.chunk` objects (a role delta, content
 * deltas, a `finish_reason`, a usage-only chunk when `stream_options.include_usage` is set, then
 * `data: [DONE]`), and errors as an HTTP status with `{ "error": { message, type, param, code } }`.
 * Each request takes the next scripted reply and is recorded (headers and parsed body).
 */

/** One scripted reply. */
export type StandInReply =
  | { kind: 'stream'; text: string; pieces?: number; delayMs?: number; usage?: { prompt: number; completion: number }; model?: string }
  | { kind: 'error'; status: number; message: string; type?: string; code?: string | null };

export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface OpenAiStandIn {
  /** Base URL for the `openai` package (`…/v1`). */
  baseUrl: string;
  requests: RecordedRequest[];
  reply(...replies: StandInReply[]): void;
  close(): Promise<void>;
}

function chunk(id: string, model: string, delta: Record<string, unknown>, finish: string | null, usage?: Record<string, number>): string {
  const body = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, system_fingerprint: 'fp_standin',
    choices: usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(usage ? { usage } : {}) };
  return `data: ${JSON.stringify(body)}\n\n`;
}

/** Starts the stand-in on a free port. */
export async function startOpenAiStandIn(): Promise<OpenAiStandIn> {
  const queue: StandInReply[] = [];
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      void (async () => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          body = {};
        }
        requests.push({ path: req.url ?? '', headers: req.headers, body });
        const reply = queue.shift() ?? { kind: 'error', status: 500, message: 'The stand-in has no scripted reply left.' };
        if (reply.kind === 'error') {
          res.writeHead(reply.status, { 'content-type': 'application/json', 'x-request-id': 'req_standin' });
          res.end(JSON.stringify({ error: { message: reply.message, type: reply.type ?? 'invalid_request_error', param: null, code: reply.code ?? null } }));
          return;
        }
        const model = reply.model ?? String(body.model ?? 'gpt-standin');
        const id = `chatcmpl-standin${requests.length}`;
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
        res.write(chunk(id, model, { role: 'assistant', content: '', refusal: null }, null));
        const pieces = Math.max(1, reply.pieces ?? 4);
        const size = Math.ceil(reply.text.length / pieces);
        for (let i = 0; i < reply.text.length; i += size) {
          if (res.destroyed) return;
          res.write(chunk(id, model, { content: reply.text.slice(i, i + size) }, null));
          if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        }
        res.write(chunk(id, model, {}, 'stop'));
        const options = body.stream_options as { include_usage?: boolean } | undefined;
        if (options?.include_usage === true) {
          const u = reply.usage ?? { prompt: 0, completion: 0 };
          res.write(chunk(id, model, {}, null, { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion }));
        }
        res.end('data: [DONE]\n\n');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    reply: (...replies) => queue.push(...replies),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
