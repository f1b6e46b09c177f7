import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ensureCatalogFolder } from '../catalog/catalogFolder';
import { CatalogStore } from '../catalog/catalogStore';
import { WorkspaceScanner } from '../scanner/scanner';
import type { Invocation } from './cliArgs';
import { catalogToWrite, nearestCatalog } from './catalogLocation';
import { CliCancelled, CliError } from './cliErrors';
import { plural, table } from './cliFormat';
import type { CliIo } from './cliIo';
import { SCAN_ROOT_KEY } from './diagnosticsCommand';
import { ScanProgressPrinter } from './scanProgress';

/**
 * `mallard scan`: the one command that loads the scanner, the dbt renderer and the SQL parser. The
 * CLI entry imports it only for `scan` (built to `dist/cli/scanCommand.js`), so the commands that
 * read a catalog start in a fraction of the time. Errors it throws come from this bundle's copies of
 * the error classes, so the entry point recognises them by name (`cliErrors.ts`).
 */

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** `scan <dir>`. */
export async function scanCommand(inv: Invocation, io: CliIo): Promise<string> {
  const dir = path.resolve(io.cwd, inv.positionals[0] ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${dir} is not a folder`);
  const { file, how } = catalogToWrite(inv, io.cwd);
  ensureCatalogFolder(file);
  const store = CatalogStore.open(file);
  const scanner = new WorkspaceScanner(store, { root: dir, git: inv.git, ...(inv.dialect ? { dialect: inv.dialect } : {}), ...(inv.workers !== undefined ? { workers: inv.workers } : {}) });
  const printer = new ScanProgressPrinter(io.err, io.errIsTty);
  let completed = false;
  try {
    const report = await scanner.scan({
      onProgress: (p) => {
        io.interruptible?.(p.phase !== 'plan');
        if (!inv.quiet) printer.update(p);
      },
      ...(io.signal ? { signal: io.signal } : {}),
    }).catch((err: unknown) => {
      // The scan writes in one transaction at its end, so a cancelled one changed nothing.
      if (io.signal?.aborted === true) throw new CliCancelled(`scan cancelled; ${file} was not changed`);
      throw err;
    });
    completed = true;
    if (!inv.quiet) printer.finish(true);
    // `diagnostics --file` takes paths relative to the scanned folder, which a `--db` file elsewhere cannot tell.
    if (store.getMeta(SCAN_ROOT_KEY) !== dir) store.setMeta(SCAN_ROOT_KEY, dir);
    if (how === 'scan' && !inv.quiet && nearestCatalog(io.cwd) !== file) {
      io.err(`mallard: commands run inside ${dir} use this catalog; from here, pass --db ${path.relative(io.cwd, file) || file}\n`);
    }
    const stats = store.stats();
    const result = { db: file, files: report.files, parsed: report.parsed, cacheHits: report.cacheHits, wrote: report.wrote, millis: Math.round(report.millis), stats };
    if (inv.json) return json(result);
    return [
      `Scanned ${dir} in ${(report.millis / 1000).toFixed(2)} s → ${file}`,
      report.wrote ? `${plural(report.parsed, 'file')} parsed, ${report.cacheHits} from cache` : 'catalog already up to date',
      table(['entities', 'columns', 'model edges', 'column edges', 'diagnostics'], [[stats.entities, stats.columns, stats.modelEdges, stats.columnEdges, stats.diagnostics].map(String)]),
    ].join('\n');
  } finally {
    if (!completed && !inv.quiet) printer.finish(false);
    io.interruptible?.(true);
    await scanner.dispose();
    store.close();
  }
}
