import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder that holds a catalog file. A scanned folder keeps its catalog in `.mallard/`; that
 * folder carries its own `.gitignore` (`*`, the way Python's venv and pytest's cache do it), so
 * `git status` stays clean without the user editing the repository's `.gitignore`.
 */

/** Name of the catalog folder inside a scanned folder. */
export const CATALOG_FOLDER = '.mallard';

/** What Mallard writes to `.mallard/.gitignore`. */
export const CATALOG_GITIGNORE = '# Written by Mallard: the catalog is local to this machine and rebuilt by a scan.\n*\n';

/**
 * Creates the folder of `catalogFile` if needed. When that folder is a `.mallard` folder without a
 * `.gitignore`, writes one; an existing `.gitignore` (perhaps edited by the user) is left alone,
 * and folders with other names (`--db /tmp/x.db`) are never given one.
 */
export function ensureCatalogFolder(catalogFile: string): void {
  const dir = path.dirname(catalogFile);
  mkdirSync(dir, { recursive: true });
  if (path.basename(dir) !== CATALOG_FOLDER) return;
  try {
    // `wx`: never overwrite, and no race with another process creating it at the same moment.
    writeFileSync(path.join(dir, '.gitignore'), CATALOG_GITIGNORE, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
