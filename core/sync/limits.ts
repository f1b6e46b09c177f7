/**
 * The version of the sync wire format and the size limits both sides enforce. The client sends
 * `SYNC_SCHEMA_VERSION` on every request; the server answers `client-too-old` (HTTP 426) below
 * `MIN_SUPPORTED_SCHEMA_VERSION` and accepts newer clients, keeping the fields it does not know.
 */

/** Wire format version this code speaks. Bump it when a message or merge rule changes meaning. */
export const SYNC_SCHEMA_VERSION = 1;

/** Oldest client wire format the server still accepts. */
export const MIN_SUPPORTED_SCHEMA_VERSION = 1;

/** Size limits of messages; a request beyond them is refused whole (`payload-too-large`), nothing written. */
export const SYNC_LIMITS = {
  /** Most ops in one push request (a 10k-op backlog goes up in 10 requests). */
  maxOpsPerPush: 1000,
  /** Most field paths one op may patch. */
  maxPatchFields: 64,
  /** Longest row id (entity ids follow dbt's `unique_id`; column ids append `#column`). */
  maxIdLength: 1024,
  /** Longest field path (`meta.<key>` included). */
  maxFieldPathLength: 256,
  /** Most rows a client may ask for in one pull page. */
  maxPageRows: 5000,
  /** Largest request body the edge functions read, in bytes. */
  maxBodyBytes: 4 * 1024 * 1024,
} as const;
