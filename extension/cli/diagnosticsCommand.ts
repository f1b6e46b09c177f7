import path from 'node:path';
import { didYouMean } from '../../core/text/didYouMean';
import type { CatalogStore } from '../catalog/catalogStore';
import type { Invocation } from './cliArgs';
import { CATALOG_FOLDER } from '../catalog/catalogFolder';
import { CliError } from './cliErrors';
import { plural, table } from './cliFormat';
import { type CliIo, type CommandResult, openCatalog } from './cliIo';

/**
 * `mallard diagnostics [--file PATH]`: the problems a scan found, with file, line and column. The
 * exit code is 1 when an error is among the diagnostics asked for (all, or those of `--file`,
 * however many `--limit` prints), so scripts and CI can fail on them; warnings alone exit 0.
 * `--file` takes a path relative to the current folder, relative to the scanned folder (the form
 * the catalog stores and this command prints), or absolute.
 */

/** Meta key holding the absolute path of the folder a CLI scan last scanned into this catalog. */
export const SCAN_ROOT_KEY = 'scanRoot';

/** The scanned folder of a catalog: recorded by `mallard scan`, else the folder that holds its `.mallard/`. */
function scannedRoot(store: CatalogStore): string | undefined {
  const recorded = store.getMeta(SCAN_ROOT_KEY);
  if (recorded !== undefined) return recorded;
  const folder = path.dirname(store.file);
  return path.basename(folder) === CATALOG_FOLDER ? path.dirname(folder) : undefined;
}

const toPosix = (p: string): string => p.split(path.sep).join('/');

/** The catalog's own (scanned-folder-relative) path of the file the user named. Throws `CliError` when it knows no such file. */
export function catalogPathOf(store: CatalogStore, given: string, cwd: string): string {
  const root = scannedRoot(store);
  const candidates: string[] = [];
  const inRoot = (abs: string): void => {
    if (root === undefined) return;
    const rel = path.relative(root, abs);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) candidates.push(toPosix(rel));
  };
  if (path.isAbsolute(given)) inRoot(given);
  else {
    inRoot(path.resolve(cwd, given));
    candidates.push(toPosix(path.normalize(given)).replace(/^\.\//, ''));
  }
  const known = (p: string): boolean => store.getFile(p) !== undefined || store.diagnostics(p).length > 0;
  const found = candidates.find(known);
  if (found !== undefined) return found;
  const files = store.listFiles().map((f) => f.path);
  const base = path.basename(given);
  const sameName = files.filter((f) => path.posix.basename(f) === base).slice(0, 3);
  const guess = sameName.length > 0 ? sameName : [didYouMean(candidates[0] ?? given, files)].filter((f): f is string => f !== undefined);
  const where = root !== undefined ? ` (scanned folder ${root}; paths are taken relative to the current folder or to it)` : '';
  throw new CliError(`no file "${given}" in the catalog${where}${guess.length > 0 ? `; did you mean ${guess.join(', ')}?` : ''}`);
}

/** `diagnostics`. */
export function diagnosticsCommand(inv: Invocation, io: CliIo): CommandResult {
  const store = openCatalog(inv, io);
  try {
    const file = inv.file === undefined ? undefined : catalogPathOf(store, inv.file, io.cwd);
    const all = store.diagnostics(file);
    const exitCode = all.some((d) => d.severity === 'error') ? 1 : 0;
    const list = all.slice(0, inv.limit ?? Infinity);
    if (inv.json) return { text: JSON.stringify(list, null, 2), exitCode };
    if (list.length === 0) return { text: all.length === 0 ? 'no diagnostics' : `${plural(all.length, 'diagnostic')} (none printed: --limit 0)`, exitCode };
    const more = all.length > list.length ? [`… and ${all.length - list.length} more (--limit)`] : [];
    return { text: [table(['location', 'severity', 'code', 'message'], list.map((d) => [`${d.file}:${d.line}:${d.column}`, d.severity, d.code, d.message])), ...more].join('\n'), exitCode };
  } finally {
    store.close();
  }
}
