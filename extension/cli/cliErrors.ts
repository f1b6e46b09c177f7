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
