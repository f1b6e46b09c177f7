/** Machine-readable reasons the catalog store fails with. */
export type CatalogErrorReason =
  /** The file was written by a newer Mallard whose schema this code does not know. */
  | 'schema-too-new'
  /** A read-only open found an older schema version; a read-write open (a scan) upgrades it. */
  | 'schema-too-old'
  /** The file is not a SQLite database or its pages are damaged; see `mallard doctor`. */
  | 'corrupt'
  /** A migration step failed; the file is left at the last good version. */
  | 'migration-failed'
  /** The file cannot be opened (missing folder, permissions). */
  | 'open-failed'
  /** A fact's owner is outside the scope given to `replaceFacts`. */
  | 'out-of-scope'
  /** Facts or a patch failed validation. */
  | 'invalid-input'
  /** The target of a mutation does not exist. */
  | 'not-found'
  /** Another connection held the write lock longer than the busy timeout; retry later. */
  | 'busy'
  /** The store was used after `close()`. */
  | 'closed';

/** Typed error of the catalog store; the extension layer decides what the user sees. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';

  constructor(
    readonly reason: CatalogErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when `err` is a CatalogError, optionally with the given reason. */
  static is(err: unknown, reason?: CatalogErrorReason): err is CatalogError {
    return err instanceof CatalogError && (reason === undefined || err.reason === reason);
  }
}
