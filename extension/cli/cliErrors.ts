/**
 * The CLI's own failures. The entry point (`mallard.ts`) turns them into exit codes: `CliError` is
 * exit 1 with its message, `CliCancelled` is exit 130. Usage mistakes are `UsageError` (`cliArgs.ts`).
 */

/** A user-facing failure (exit code 1): the message says what is wrong and what to do. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly reason = 'failed' as const;
}

/** The user cancelled the command (Ctrl-C); exit code 130, nothing written. */
export class CliCancelled extends Error {
  override readonly name = 'CliCancelled';
  readonly reason = 'cancelled' as const;
}

/**
 * Whether `err` is a `CliCancelled`, also one thrown by `scan` (a bundle of its own, with its own
 * copy of the class, so `instanceof` cannot tell).
 */
export function isCliCancelled(err: unknown): err is CliCancelled {
  return err instanceof Error && err.name === 'CliCancelled' && (err as { reason?: unknown }).reason === 'cancelled';
}
