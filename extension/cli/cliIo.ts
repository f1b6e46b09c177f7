import { CatalogStore } from '../catalog/catalogStore';
import type { Invocation } from './cliArgs';
import { catalogToRead } from './catalogLocation';

/**
 * What a CLI command talks to: its output streams, the current folder and Ctrl-C, injected so the
 * commands run in-process in tests; and opening the catalog a reading command works on.
 */

/** Where the CLI writes. Injected so the commands are testable in-process. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stderr is a terminal (progress redraws in place). */
  errIsTty: boolean;
  cwd: string;
  /** Aborted when the user asks to stop (the entry point's Ctrl-C). */
  signal?: AbortSignal;
  /**
   * Says whether the command can stop gracefully now. Synchronous work (a scan's plan phase) cannot
   * see the abort until it ends, so during it Ctrl-C keeps its default effect: quitting at once,
   * which is safe before anything is written (and SQLite rolls back an interrupted write anyway).
   */
  interruptible?: (graceful: boolean) => void;
}

/** A command's result: text for stdout and the exit code (0 unless the command says otherwise). */
export interface CommandResult {
  text: string;
  exitCode: number;
}

/**
 * Opens the catalog a reading command uses (`--db`, else the nearest `.mallard/catalog.db` upward)
 * read-only. A catalog found by searching is named on stderr, so the user knows which one answered.
 */
export function openCatalog(inv: Invocation, io: CliIo): CatalogStore {
  const { file, how } = catalogToRead(inv, io.cwd);
  if (how === 'found' && !inv.quiet) io.err(`mallard: using catalog ${file}\n`);
  return CatalogStore.open(file, { readonly: true });
}
