import { createInterface } from 'node:readline';
import { corruptMessage, isCorruption } from '../catalog/catalogProblem';
import { isUsageError, parseInvocation, type Invocation, type UsageError } from './cliArgs';
import { catalogFileOf } from './catalogLocation';
import { isCliCancelled } from './cliErrors';
import { commandHelpText, helpText } from './cliSpec';

/**
 * `mallard` command-line entry (built to `dist/cli/mallard.js`). The Node version is checked before
 * anything loads better-sqlite3, which crashes the process outright on Node < 22; the commands (and
 * with them the native binding) are therefore imported lazily.
 */

const REQUIRED_NODE_MAJOR = 22;

/** Asks for one line on stderr and reads it from stdin; undefined when stdin ends first (no terminal, no pipe). */
function askLine(prompt: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    process.stderr.write(prompt);
    const rl = createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

/** A usage error in two lines: what is wrong (with "did you mean"), then the usage to follow. */
function usageError(err: UsageError): number {
  process.stderr.write(`mallard: ${err.message}\n${err.usage}\n`);
  return 2;
}

async function run(argv: readonly string[]): Promise<number> {
  const major = Number.parseInt(process.versions.node.split('.')[0] ?? '0', 10);
  if (major < REQUIRED_NODE_MAJOR) {
    process.stderr.write(`mallard: needs Node ${REQUIRED_NODE_MAJOR} or newer, but this is Node ${process.versions.node}.\n`);
    return 1;
  }
  // `mallard` alone: the help, as git does, but as a usage error (nothing was run).
  if (argv.length === 0) {
    process.stderr.write(`${helpText()}\n`);
    return 2;
  }
  let inv: Invocation;
  try {
    inv = parseInvocation(argv);
  } catch (err) {
    if (isUsageError(err)) return usageError(err);
    throw err;
  }
  const command = inv.command;
  if (command === 'help' || inv.help) {
    process.stdout.write(`${command === 'help' ? helpText() : commandHelpText(command)}\n`);
    return 0;
  }
  const commands = await import('./commands.js');
  // Ctrl-C asks the command to stop (a scan stops within a model's render and writes nothing);
  // a second Ctrl-C quits at once. While the command cannot stop gracefully (synchronous work),
  // Ctrl-C keeps its default effect and quits at once.
  const abort = new AbortController();
  const onSigint = (): void => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\nmallard: stopping (Ctrl-C again to quit at once)\n');
    abort.abort(new Error('cancelled by Ctrl-C'));
  };
  const interruptible = (graceful: boolean): void => {
    if (graceful && process.listenerCount('SIGINT') === 0) process.on('SIGINT', onSigint);
    if (!graceful) process.off('SIGINT', onSigint);
  };
  interruptible(true);
  const io = { out: (t: string) => void process.stdout.write(t), err: (t: string) => void process.stderr.write(t), errIsTty: process.stderr.isTTY === true, cwd: process.cwd(), signal: abort.signal, interruptible };
  try {
    // Sync commands load supabase-js; the others do not pay for it.
    const sync = (): Promise<typeof import('./syncCommands.js')> => import('./syncCommands.js');
    const result =
      command === 'login' ? await (await sync()).loginCommand(inv, io, askLine)
      : command === 'logout' ? await (await sync()).logoutCommand(inv, io)
      : command === 'sync' ? await (await sync()).syncCommand(inv, io)
      : command === 'scan' ? await (await import('./scanCommand.js')).scanCommand(inv, io)
      : await commands.COMMAND_HANDLERS[command](inv, io);
    const { text, exitCode } = typeof result === 'string' ? { text: result, exitCode: 0 } : result;
    if (text !== '') process.stdout.write(`${text}\n`);
    return exitCode;
  } catch (err) {
    if (isUsageError(err)) return usageError(err);
    if (isCliCancelled(err)) {
      process.stderr.write(`mallard: ${err.message}\n`);
      return 130;
    }
    // Damage found while reading (not at open) gets the same advice as damage found at open.
    const message = isCorruption(err) ? corruptMessage(catalogFileOf(inv, io.cwd), (err as Error).message) : err instanceof Error ? err.message : String(err);
    process.stderr.write(`mallard: error: ${message}\n`);
    return 1;
  }
}

// A closed pipe (`mallard export … | head`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

run(process.argv.slice(2)).then(
  (code) => {
    // Let stdout drain (large exports to a pipe) before exiting with the code.
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mallard: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
