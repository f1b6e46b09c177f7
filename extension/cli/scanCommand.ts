import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CatalogStore } from '../catalog/catalogStore';
import type { ScanProgress } from '../scanner/scanTypes';
import { WorkspaceScanner } from '../scanner/scanner';
import type { Invocation } from './cliArgs';
import { table } from './cliFormat';
import { catalogFileOf, CliCancelled, CliError, type CliIo } from './commands';

/**
 * `mallard scan`: the one command that loads the scanner, the dbt renderer and the SQL parser. The
 * CLI entry imports it only for `scan` (built to `dist/cli/scanCommand.js`), so the commands that
 * read a catalog start in a fraction of the time.
 */

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** `scan <dir>`. */
export async function scanCommand(inv: Invocation, io: CliIo): Promise<string> {
  const dir = path.resolve(io.cwd, inv.positionals[0] ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${dir} is not a folder`);
  const file = catalogFileOf(inv, io.cwd);
  mkdirSync(path.dirname(file), { recursive: true });
  const store = CatalogStore.open(file);
  const scanner = new WorkspaceScanner(store, { root: dir, git: inv.git, ...(inv.dialect ? { dialect: inv.dialect } : {}), ...(inv.workers !== undefined ? { workers: inv.workers } : {}) });
  let lastPhase = '';
  const progress = (p: ScanProgress): void => {
    io.interruptible?.(p.phase !== 'plan');
    if (inv.quiet) return;
    const text = `mallard: ${p.phase}${p.total > 0 ? ` ${p.done}/${p.total}` : ''}`;
    if (io.errIsTty) io.err(`\r${text.padEnd(40)}${p.phase === 'write' && p.done === p.total ? '\n' : ''}`);
    else if (p.phase !== lastPhase) io.err(`${text}\n`);
    lastPhase = p.phase;
  };
  try {
    const report = await scanner.scan({ onProgress: progress, ...(io.signal ? { signal: io.signal } : {}) }).catch((err: unknown) => {
      // The scan writes its facts in one transaction at its end, so a cancelled one changed none
      // (the parses it finished are kept in the parse cache, for the next scan).
      if (io.signal?.aborted === true) throw new CliCancelled(`scan cancelled; ${file} was not changed`);
      throw err;
    });
    const stats = store.stats();
    const result = { db: file, files: report.files, parsed: report.parsed, cacheHits: report.cacheHits, wrote: report.wrote, millis: Math.round(report.millis), stats };
    if (inv.json) return json(result);
    return [
      `Scanned ${dir} in ${(report.millis / 1000).toFixed(2)} s → ${file}`,
      report.wrote ? `${report.parsed} files parsed, ${report.cacheHits} from cache` : 'catalog already up to date',
      table(['entities', 'columns', 'model edges', 'column edges', 'diagnostics'], [[stats.entities, stats.columns, stats.modelEdges, stats.columnEdges, stats.diagnostics].map(String)]),
    ].join('\n');
  } finally {
    io.interruptible?.(true);
    await scanner.dispose();
    store.close();
  }
}
