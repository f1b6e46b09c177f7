import type { SupabaseClient } from '@supabase/supabase-js';
import { createDocVersionsClient } from '../sync/docVersionsClient';
import type { DocVersionsAnswer, DocVersionsCall } from '../../webviews/docs/historyProtocol';
import type { Logger } from './logger';

/**
 * The docs panel's doc-version calls (history, pending approvals, approve / reject / revert): sent
 * to the `doc-versions` edge function as the signed-in user of team sync, for the organization sync
 * uses. Without a project, a sign-in or an organization the answer is `unavailable` with what to do;
 * a refusal (no docs.approve, …) is a failed call whose message the panel shows.
 */

/** What the host needs from team sync (SyncController provides it). */
export interface DocHistorySync {
  organization(): { id: string } | undefined;
  auth: { dataClient(): Promise<SupabaseClient | undefined> };
}

export class DocHistoryHost {
  constructor(private readonly sync: DocHistorySync, private readonly logger: Logger) {}

  /** Answers one webview request. */
  async answer(params: DocVersionsCall['params']): Promise<DocVersionsAnswer> {
    const org = this.sync.organization();
    const supabase = org ? await this.sync.auth.dataClient() : undefined;
    if (!org || !supabase) {
      return { state: 'unavailable', message: 'Description history lives in your team\'s cloud: sign in (Mallard: Sign In) and choose an organization to see it.' };
    }
    // `dataClient()` builds a client of the current (refreshed) session token each time.
    const client = createDocVersionsClient(supabase);
    try {
      switch (params.action) {
        case 'history': {
          const target = params.column === undefined ? { kind: 'entity' as const, id: params.entityId } : { kind: 'column' as const, id: `${params.entityId}#${params.column}` };
          return { state: 'list', list: await client.list({ action: 'history', orgId: org.id, target }) };
        }
        case 'pending':
          return { state: 'list', list: await client.list({ action: 'pending', orgId: org.id }) };
        case 'reject':
          return { state: 'done', version: (await client.act({ action: 'reject', orgId: org.id, versionId: params.versionId, reason: params.reason })).version };
        default:
          return { state: 'done', version: (await client.act({ action: params.action, orgId: org.id, versionId: params.versionId })).version };
      }
    } catch (err) {
      this.logger.warn(`Docs history: ${params.action} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }
}
