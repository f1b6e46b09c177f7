import { createClient, FunctionsFetchError, FunctionsRelayError } from '@supabase/supabase-js';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { z } from 'zod';
import { SYNC_SCHEMA_VERSION } from '../../core/sync/limits';
import { SyncError } from '../../core/sync/errors';
import { PullResponse } from '../../core/sync/pullMessages';
import type { PullRequest } from '../../core/sync/pullMessages';
import { PushResponse, encodePushRequest } from '../../core/sync/pushMessages';
import type { PushRequest } from '../../core/sync/pushMessages';
import type { SyncCredentials, SyncTransport } from '../../sync/ports';
import { causeOf, envelopeErrorOf } from './functionsErrors';
import { OfflineError } from '../../sync/ports';

/**
 * The production `SyncTransport`: supabase-js `functions.invoke('sync-push' | 'sync-pull', { body })`
 * with the credentials of the cycle (a user's JWT or an API token as the bearer, the project's
 * publishable key as `apikey`). A non-2xx answer (`FunctionsHttpError`) becomes the contract's
 * `SyncError.fromResponse(status, body)`; no connection (`FunctionsFetchError`) is `OfflineError`;
 * the relay failing is `unavailable`. Answers are checked against the contract's schemas.
 */

/** Options (tests point `fetch` at a local stand-in). */
export interface SupabaseTransportOptions {
  fetch?: typeof fetch;
}

export function createSupabaseTransport(options: SupabaseTransportOptions = {}): SyncTransport {
  const clients = new Map<string, SupabaseClient>();
  const clientFor = (credentials: SyncCredentials): SupabaseClient => {
    const key = `${credentials.url}\u0000${credentials.apiKey}\u0000${credentials.accessToken}`;
    let client = clients.get(key);
    if (client === undefined) {
      // A new token (a refreshed session) gets a new client; old ones are dropped.
      clients.clear();
      client = createClient(credentials.url, credentials.apiKey, {
        accessToken: async () => credentials.accessToken,
        global: { headers: { 'x-mallard-schema-version': String(SYNC_SCHEMA_VERSION) }, ...(options.fetch ? { fetch: options.fetch } : {}) },
      });
      clients.set(key, client);
    }
    return client;
  };
  return {
    // Pushes travel in the compact wire form (one replica dictionary; `core/sync/clockCodec.ts`).
    push: (request: PushRequest, credentials) => invoke(clientFor(credentials), 'sync-push', encodePushRequest(request), PushResponse),
    pull: (request: PullRequest, credentials) => invoke(clientFor(credentials), 'sync-pull', request, PullResponse),
  };
}

async function invoke<T>(client: SupabaseClient, fn: 'sync-push' | 'sync-pull', body: unknown, schema: z.ZodType<T, unknown>): Promise<T> {
  const { data, error } = await client.functions.invoke<unknown>(fn, { body: body as Record<string, unknown> });
  if (error !== null) throw await asSyncError(fn, error);
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SyncError('internal', `${fn} answered with an invalid body (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'bad shape'}).`);
  }
  return parsed.data;
}

async function asSyncError(fn: string, error: unknown): Promise<Error> {
  const envelope = await envelopeErrorOf(error);
  if (envelope) return envelope.error;
  if (error instanceof FunctionsFetchError) return new OfflineError(`Cannot reach ${fn}: ${causeOf(error)}`);
  if (error instanceof FunctionsRelayError) return new SyncError('unavailable', `The Supabase relay failed to reach ${fn}: ${causeOf(error)}`);
  return new SyncError('internal', `${fn} failed: ${error instanceof Error ? error.message : String(error)}`);
}
