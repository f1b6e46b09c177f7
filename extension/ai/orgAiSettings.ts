import type { AiPurpose } from '../../core/ai/aiFunction';
import type { AiSettings } from './aiClient';

/**
 * Org-key mode (`mallard.ai.keySource: org`): the same `openai` client as with a personal key, but
 * pointed at Mallard's `ai` edge function, which speaks the chat-completions wire format and holds
 * the organization's key. The bearer is the signed-in sync session's access token (or its API
 * token); the body names the organization and the purpose; the function picks the provider, key
 * and (unless `model` names an allowed one) the model. No `vscode` here, so tests build it too.
 */

/** What org-key mode needs from the sync sign-in. */
export interface OrgAiSession {
  /** The Supabase project URL. */
  url: string;
  /** The project's publishable (anon) key, which the hosted gateway expects as `apikey`. */
  apiKey: string;
  /** The session's access token or the API token. */
  accessToken: string;
  orgId: string;
}

/** The client settings of one request through the `ai` function; `model` '' lets the org key's default answer. */
export function orgAiSettings(session: OrgAiSession, purpose: AiPurpose, model = ''): AiSettings {
  return {
    provider: 'openai',
    keySource: 'org',
    baseUrl: `${session.url.replace(/\/+$/, '')}/functions/v1/ai`,
    model,
    apiKey: session.accessToken,
    headers: { apikey: session.apiKey },
    // The function answers what retrying cannot fix (budget, permission) with x-should-retry: false;
    // provider failures are the org key's problem, not worth a second paid attempt.
    maxRetries: 0,
    extraBody: { action: 'complete', orgId: session.orgId, purpose },
  };
}
