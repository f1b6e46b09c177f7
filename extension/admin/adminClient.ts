import { FunctionsFetchError, FunctionsRelayError } from '@supabase/supabase-js';
import type { SupabaseClient } from '@supabase/supabase-js';
import { AdminRequest } from '../../core/admin/protocol';
import type { AdminOp, AdminRequestInputOf } from '../../core/admin/protocol';
import { ADMIN_RESPONSES } from '../../core/admin/responses';
import type { AdminResponseOf } from '../../core/admin/responses';
import type { SYNC_ERRORS } from '../../core/sync/errors';
import { causeOf, envelopeErrorOf } from '../sync/functionsErrors';

/**
 * The typed client of the `admin` edge function for the "Manage Team" webview host: supabase-js
 * `functions.invoke('admin', { body })` with the signed-in session. Requests are checked against the
 * contract before they leave (a bad request never reaches the server); answers are checked against
 * the op's answer schema. Every failure is an `AdminError` whose `reason` is the server's envelope
 * code (`forbidden`, `not-found`, `conflict`, …) and whose message is the server's, so the webview
 * shows it inline; `offline` when the server cannot be reached.
 */

/** Why an admin call failed: an envelope code of `core/sync/errors.ts`, or `offline`. */
export type AdminErrorReason = keyof typeof SYNC_ERRORS | 'offline';

/** A failed admin call. */
export class AdminError extends Error {
  override readonly name = 'AdminError';

  constructor(
    readonly reason: AdminErrorReason,
    message: string,
    /** The HTTP status when the server answered (0 otherwise). */
    readonly status = 0,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The `{ code, message }` the webview shows. */
  toEnvelope(): { code: string; message: string } {
    return { code: this.reason, message: this.message };
  }
}

/** Calls admin operations for one organization-independent session. */
export interface AdminClient {
  call<O extends AdminOp>(request: AdminRequestInputOf<O>): Promise<AdminResponseOf<O>>;
}

/** The client over `supabase` (its session's access token, or an API token, is the bearer). */
export function createAdminClient(supabase: SupabaseClient): AdminClient {
  return {
    async call<O extends AdminOp>(request: AdminRequestInputOf<O>): Promise<AdminResponseOf<O>> {
      const checked = AdminRequest.safeParse(request);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw new AdminError('bad-request', `The ${request.op} request is invalid: ${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'bad shape'}.`);
      }
      const { data, error } = await supabase.functions.invoke<unknown>('admin', { body: checked.data as Record<string, unknown> });
      if (error !== null) throw await adminErrorOf(error);
      const schema = ADMIN_RESPONSES[request.op as O];
      const parsed = schema.safeParse(data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AdminError('internal', `admin answered ${request.op} with an invalid body (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'bad shape'}).`);
      }
      return parsed.data as AdminResponseOf<O>;
    },
  };
}

/** The typed error of a supabase-js functions failure. */
async function adminErrorOf(error: unknown): Promise<AdminError> {
  const envelope = await envelopeErrorOf(error);
  if (envelope) return new AdminError(envelope.error.reason, envelope.error.message, envelope.status);
  if (error instanceof FunctionsFetchError) return new AdminError('offline', `Cannot reach the admin function: ${causeOf(error)}`);
  if (error instanceof FunctionsRelayError) return new AdminError('unavailable', `The Supabase relay failed to reach the admin function: ${causeOf(error)}`);
  return new AdminError('internal', `The admin function failed: ${error instanceof Error ? error.message : String(error)}`);
}
