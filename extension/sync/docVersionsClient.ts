import { FunctionsFetchError } from '@supabase/supabase-js';
import type { SupabaseClient } from '@supabase/supabase-js';
import { DocVersionList, DocVersionResult, DocVersionsRequest } from '../../core/docVersions/protocol';
import type { SYNC_ERRORS } from '../../core/sync/errors';
import { causeOf, envelopeErrorOf } from './functionsErrors';

/**
 * The typed client of the `doc-versions` edge function (history, pending changes, approve, reject,
 * revert) over supabase-js `functions.invoke`. Requests are checked against the contract before they
 * leave and answers against theirs; a failure is a `DocVersionsError` whose `reason` is the server's
 * envelope code (`forbidden` when the caller lacks docs.approve, …) and whose message is the server's.
 */

/** Why a call failed: an envelope code, or `offline`. */
export type DocVersionsErrorReason = keyof typeof SYNC_ERRORS | 'offline';

/** A failed doc-versions call. */
export class DocVersionsError extends Error {
  override readonly name = 'DocVersionsError';

  constructor(readonly reason: DocVersionsErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

type Request = DocVersionsRequest;

/** The calls of the function. */
export interface DocVersionsClient {
  list(request: Extract<Request, { action: 'history' | 'pending' }>): Promise<DocVersionList>;
  act(request: Extract<Request, { action: 'approve' | 'reject' | 'revert' }>): Promise<DocVersionResult>;
}

/** The client over `supabase` (its session's access token, or an API token, is the bearer). */
export function createDocVersionsClient(supabase: SupabaseClient): DocVersionsClient {
  const call = async <T>(request: Request, answer: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): Promise<T> => {
    const checked = DocVersionsRequest.safeParse(request);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new DocVersionsError('bad-request', `The ${request.action} request is invalid: ${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'bad shape'}.`);
    }
    const { data, error } = await supabase.functions.invoke<unknown>('doc-versions', { body: checked.data as Record<string, unknown> });
    if (error !== null) {
      const envelope = await envelopeErrorOf(error);
      if (envelope) throw new DocVersionsError(envelope.error.reason, envelope.error.message);
      if (error instanceof FunctionsFetchError) throw new DocVersionsError('offline', `Cannot reach the doc-versions function: ${causeOf(error)}`);
      throw new DocVersionsError('internal', `The doc-versions function failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = answer.safeParse(data);
    if (!parsed.success) throw new DocVersionsError('internal', `doc-versions answered ${request.action} with an invalid body.`);
    return parsed.data;
  };
  return {
    list: (request) => call(request, DocVersionList),
    act: (request) => call(request, DocVersionResult),
  };
}
