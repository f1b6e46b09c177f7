import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CATALOG_FOLDER } from '../catalog/catalogFolder';
import type { Invocation } from './cliArgs';
import { CliError } from './cliErrors';

/**
 * Which catalog file a command works on. `scan <dir>` writes `<dir>/.mallard/catalog.db`; every
 * other command finds its catalog the way git finds `.git`: the nearest `.mallard/catalog.db` in
 * the current folder or a folder above it, so a command run anywhere inside a scanned folder uses
 * that folder's catalog. `--db FILE` overrides both.
 */

const CATALOG_NAME = 'catalog.db';
/** Folders never searched for catalogs below the current one (hidden folders are skipped too). */
const NOT_SEARCHED = new Set(['node_modules', '__pycache__', 'dbt_packages', 'target', 'logs']);

/** A command's catalog file and how it was chosen (`found` is printed, so the user knows which). */
export interface CatalogChoice {
  file: string;
  how: 'flag' | 'scan' | 'found';
}

const isFolder = (file: string): boolean => {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
};

const display = (file: string, cwd: string): string => {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
};

/** Refuses a `--db` that names a folder (SQLite would answer "disk I/O error"). */
function refuseFolder(file: string, given: string, cwd: string): void {
  if (!isFolder(file)) return;
  const inside = [path.join(file, CATALOG_FOLDER, CATALOG_NAME), path.join(file, CATALOG_NAME)].find((f) => existsSync(f));
  const suggestion = inside ?? path.join(file, CATALOG_NAME);
  throw new CliError(`--db ${given} is a folder, not a catalog file; pass the file${inside !== undefined ? ' in it' : ''}, e.g. --db ${display(suggestion, cwd)}`);
}

/** The nearest `.mallard/catalog.db` in `start` or a folder above it. */
export function nearestCatalog(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const file = path.join(dir, CATALOG_FOLDER, CATALOG_NAME);
    if (existsSync(file) && !isFolder(file)) return file;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Catalogs in folders below `dir` (breadth first, a few levels, skipping the folders a scan skips
 * and hidden ones): only for the hint when none is found upward, so the walk is bounded.
 */
export function catalogsBelow(dir: string, maxDepth = 3, limit = 3): string[] {
  const found: string[] = [];
  let level = [dir];
  let visited = 0;
  for (let depth = 1; depth <= maxDepth && level.length > 0 && found.length < limit; depth++) {
    const next: string[] = [];
    for (const parent of level) {
      let names: string[];
      try {
        names = readdirSync(parent, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        if (NOT_SEARCHED.has(name) || name.startsWith('.') || ++visited > 5000) continue;
        const child = path.join(parent, name);
        const file = path.join(child, CATALOG_FOLDER, CATALOG_NAME);
        if (existsSync(file) && found.length < limit) found.push(file);
        next.push(child);
      }
    }
    level = next;
  }
  return found;
}

/** The catalog file of an invocation without checking that it exists (for messages about it). */
export function catalogFileOf(inv: Invocation, cwd: string): string {
  if (inv.db !== undefined) return path.resolve(cwd, inv.db);
  if (inv.command === 'scan') return path.join(path.resolve(cwd, inv.positionals[0] ?? '.'), CATALOG_FOLDER, CATALOG_NAME);
  return nearestCatalog(cwd) ?? path.join(cwd, CATALOG_FOLDER, CATALOG_NAME);
}

/** The catalog `scan` writes: `--db`, else `<dir>/.mallard/catalog.db`. Refuses a folder given as `--db`. */
export function catalogToWrite(inv: Invocation, cwd: string): CatalogChoice {
  const file = catalogFileOf(inv, cwd);
  if (inv.db !== undefined) refuseFolder(file, inv.db, cwd);
  return { file, how: inv.db !== undefined ? 'flag' : 'scan' };
}

/** The catalog a reading command uses: `--db` (which must exist), else the nearest one upward. Throws `CliError`. */
export function catalogToRead(inv: Invocation, cwd: string): CatalogChoice {
  if (inv.db !== undefined) {
    const file = path.resolve(cwd, inv.db);
    refuseFolder(file, inv.db, cwd);
    if (!existsSync(file)) throw new CliError(`no catalog at ${file}; run "mallard scan <dir> --db ${inv.db}" first, or pass the --db of an existing catalog`);
    return { file, how: 'flag' };
  }
  const file = nearestCatalog(cwd);
  if (file !== undefined) return { file, how: 'found' };
  const below = catalogsBelow(cwd);
  const hint = below.length === 0
    ? ''
    : `\nCatalogs in folders below: ${below.map((f) => display(f, cwd)).join(', ')}; run the command inside that folder, or pass --db ${display(below[0] ?? '', cwd)}.`;
  throw new CliError(`no catalog found: no ${CATALOG_FOLDER}/${CATALOG_NAME} in ${cwd} or a folder above it; run "mallard scan <dir>" first, or pass --db FILE.${hint}`);
}
