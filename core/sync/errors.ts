import { z } from 'zod';

/**
 * Errors of a whole sync request. The edge functions answer them with an HTTP status and the
 * envelope `{ code, message }`; the client maps the envelope back to a `SyncError` and decides by
 * `retryable` whether to back off and retry (the outbox stays) or to stop and show the reason.
 * Per-op refusals are not request errors: they are `rejected` acks (`pushMessages.ts`).
 */

/** Request error codes with their HTTP status and whether retrying later can succeed. */
export const SYNC_ERRORS = {
  /** The body is not JSON or does not match the message schema; nothing written. */
  'bad-request': { status: 400, retryable: false },
  /** No token, or it is invalid or expired. */
  unauthorized: { status: 401, retryable: false },
  /** The caller is not a member of the organization or lacks the permission. */
  forbidden: { status: 403, retryable: false },
  /** Unknown function or route. */
  'not-found': { status: 404, retryable: false },
  /** Only POST (and OPTIONS for CORS) are served. */
  'method-not-allowed': { status: 405, retryable: false },
  /** The request conflicts with the current state (a name already taken, a stale edit); nothing written. Used by the admin and connector functions. */
  conflict: { status: 409, retryable: false },
  /** The replica id was retired below the GC floor: start a new replica id and re-base pending ops. */
  'replica-retired': { status: 409, retryable: false },
  /** The cursor is older than the tombstone GC floor: pull again from `cursor: null`. */
  'cursor-expired': { status: 410, retryable: false },
  /** The cursor belongs to another database epoch (restore): pull again from `cursor: null`. */
  'epoch-changed': { status: 410, retryable: false },
  /** The organization's AI budget for this month is spent (the `ai` function); nothing was sent to the provider. */
  'budget-exceeded': { status: 402, retryable: false },
  /** The organization's LLM provider refused or failed the `ai` function's call (its message says why, never the key). 424, not 502: a bare 502 is a gateway's and stays transient. */
  'provider-error': { status: 424, retryable: false },
  /** The body exceeds `SYNC_LIMITS`. */
  'payload-too-large': { status: 413, retryable: false },
  /** The client's `schemaVersion` is below `MIN_SUPPORTED_SCHEMA_VERSION`: update Mallard. */
  'client-too-old': { status: 426, retryable: false },
  /** Too many requests; retry after a backoff. */
  'rate-limited': { status: 429, retryable: true },
  /** Unexpected server failure; nothing was committed, retry with backoff. */
  internal: { status: 500, retryable: true },
  /** The database is unreachable or a serialization failure aborted the transaction. */
  unavailable: { status: 503, retryable: true },
  /** The request ran out of time; nothing was committed. */
  timeout: { status: 504, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

/** A request error code. */
export type SyncErrorCode = keyof typeof SYNC_ERRORS;

/** The error body every non-2xx sync response carries. Unknown codes from a newer server are kept as strings. */
export const ErrorEnvelope = z.looseObject({
  code: z.string().min(1).max(100),
  message: z.string().max(10_000),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** True when `code` is a code this version knows. */
export function isSyncErrorCode(code: string): code is SyncErrorCode {
  return Object.prototype.hasOwnProperty.call(SYNC_ERRORS, code);
}

/** HTTP status of a code. */
export function httpStatusOf(code: SyncErrorCode): number {
  return SYNC_ERRORS[code].status;
}

/** Typed error of a sync request; `reason` is the envelope code. */
export class SyncError extends Error {
  override readonly name = 'SyncError';

  constructor(
    readonly reason: SyncErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** HTTP status the edge function answers with. */
  get httpStatus(): number {
    return httpStatusOf(this.reason);
  }

  /** True when retrying later (with backoff) can succeed; the outbox is kept either way. */
  get retryable(): boolean {
    return SYNC_ERRORS[this.reason].retryable;
  }

  /** The response body. */
  toEnvelope(): ErrorEnvelope {
    return { code: this.reason, message: this.message };
  }

  /**
   * The error a client raises for a non-2xx response. A body that is not an envelope, or a code this
   * version does not know, becomes the code of its HTTP status class (`unavailable` for 5xx,
   * `bad-request` for other statuses), so the retry decision still follows the status.
   */
  static fromResponse(status: number, body: unknown): SyncError {
    const parsed = ErrorEnvelope.safeParse(body);
    const message = parsed.success ? parsed.data.message : `HTTP ${status} without an error envelope`;
    if (parsed.success && isSyncErrorCode(parsed.data.code)) return new SyncError(parsed.data.code, message);
    const byStatus = (Object.keys(SYNC_ERRORS) as SyncErrorCode[]).find((code) => SYNC_ERRORS[code].status === status);
    if (byStatus !== undefined) return new SyncError(byStatus, message);
    return new SyncError(status >= 500 ? 'unavailable' : 'bad-request', message);
  }

  /** True when `err` is a SyncError, optionally with the given reason. */
  static is(err: unknown, reason?: SyncErrorCode): err is SyncError {
    return err instanceof SyncError && (reason === undefined || err.reason === reason);
  }
}
