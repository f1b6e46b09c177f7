import { FunctionsHttpError } from '@supabase/supabase-js';
import { SyncError } from '../../core/sync/errors';

/**
 * What a supabase-js `functions.invoke` failure says, shared by every client of Mallard's edge
 * functions (sync, admin): a non-2xx answer read as the `{ code, message }` envelope of
 * `core/sync/errors.ts` (by status when the body has none), and the cause of a network or relay failure.
 */

/** The envelope error of a non-2xx answer, with its HTTP status; undefined for other failures. */
export async function envelopeErrorOf(error: unknown): Promise<{ error: SyncError; status: number } | undefined> {
  if (!(error instanceof FunctionsHttpError)) return undefined;
  const response = error.context as Response;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  return { error: SyncError.fromResponse(response.status, body), status: response.status };
}

/** The underlying reason of a fetch or relay failure (the network error, not supabase-js's wrapper). */
export function causeOf(error: Error): string {
  const context = (error as { context?: unknown }).context;
  return context instanceof Error ? context.message : error.message;
}
