/**
 * The version of the sync wire format and the size limits both sides enforce. The client sends
 * `SYNC_SCHEMA_VERSION` on every request; the server answers `client-too-old` (HTTP 426) below
 * `MIN_SUPPORTED_SCHEMA_VERSION` and accepts newer clients, keeping the fields it does not know.
 */

/**
 * Wire format version this code speaks. Bump it when a message or merge rule changes meaning.
 * 2: compact clocks (`clockCodec.ts`): a replica dictionary per message, vectors as index/counter
 * pairs, provenance only where it differs from the row vector.
 */
export const SYNC_SCHEMA_VERSION = 2;

/**
 * Oldest client wire format the server still accepts. Version 1 clients are still served: their
 * pulls get full uuid-keyed clocks (`COMPACT_CLOCKS_SINCE`) and their pushes are read as before, so
 * an offline laptop with pending edits keeps syncing until it updates (README "Compact clocks").
 */
export const MIN_SUPPORTED_SCHEMA_VERSION = 1;

/** First schema version whose pull pages the server sends with compact clocks; older clients get full vectors. */
export const COMPACT_CLOCKS_SINCE = 2;

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
  /** Most replica ids one message's replica dictionary may list. */
  maxDictionaryEntries: 100_000,
  /** Largest request body the edge functions read, in bytes. */
  maxBodyBytes: 4 * 1024 * 1024,
} as const;
