import { SyncError } from '../../core/sync/errors';
import type { ErrorEnvelope } from '../../core/sync/errors';

/**
 * HTTP plumbing shared by the edge functions: CORS, JSON answers, the error envelope of
 * `core/sync/errors.ts`, and a body reader that stops at the size limit without buffering more.
 */

/** CORS headers on every answer (browsers preflight with OPTIONS; the extension does not need them). */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type, x-mallard-schema-version',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Max-Age': '86400',
};

/** A JSON answer; `body` is an object or already-serialized JSON text. */
export function jsonResponse(status: number, body: unknown): Response {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Response(text, { status, headers: { ...CORS_HEADERS, 'Content-Type': 'application/json; charset=utf-8' } });
}

/** The answer to a request error: its HTTP status and `{ code, message }`. */
export function errorResponse(err: SyncError): Response {
  const envelope: ErrorEnvelope = err.toEnvelope();
  const headers: Record<string, string> = {};
  if (err.reason === 'rate-limited' || err.reason === 'unavailable') headers['Retry-After'] = '5';
  const response = jsonResponse(err.httpStatus, envelope);
  for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
  return response;
}

/** The answer to a CORS preflight. */
export function preflightResponse(): Response {
  return new Response(null, { status: 204, headers: { ...CORS_HEADERS } });
}

/**
 * Reads and parses a JSON body of at most `maxBytes` bytes: `payload-too-large` as soon as the
 * declared length or the bytes read exceed it (the rest is not read), `bad-request` when it is not
 * JSON.
 */
export async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new SyncError('payload-too-large', `The body has ${declared} bytes; the limit is ${maxBytes}.`);
  }
  if (req.body === null) throw new SyncError('bad-request', 'The request has no body; send the message as JSON.');
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new SyncError('payload-too-large', `The body exceeds the limit of ${maxBytes} bytes.`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SyncError('bad-request', 'The body is not UTF-8 text.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new SyncError('bad-request', `The body is not JSON: ${(err as Error).message}`);
  }
}

/** The bearer token of a request, or undefined. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
