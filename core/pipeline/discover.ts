/**
 * Finds what to extract in a workspace file list: dbt project roots and plain SQL files outside them.
 * Installed packages (`dbt_packages/`, `dbt_modules/`) are loaded by the dbt module as packages of
 * their root project, so they are never roots themselves; dbt's `target/` output is never scanned.
 */

/** Result of `discoverWorkspace`. */
export interface WorkspaceLayout {
  /** Folders of root `dbt_project.yml` files ('' for the workspace root), shortest first. */
  dbtRoots: string[];
  /** Plain `.sql` files outside every dbt project. */
  sqlFiles: string[];
}

const PACKAGE_DIRS = ['dbt_packages', 'dbt_modules'];

function dirOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}

/** True when `path` lies inside folder `root` ('' is the workspace root). */
export function isInside(path: string, root: string): boolean {
  return root === '' || path === root || path.startsWith(`${root}/`);
}

/** Splits a workspace file list into dbt projects and plain SQL files. */
export function discoverWorkspace(files: readonly string[]): WorkspaceLayout {
  const dbtRoots: string[] = [];
  for (const file of files) {
    if (file !== 'dbt_project.yml' && !file.endsWith('/dbt_project.yml')) continue;
    const segments = file.split('/');
    if (segments.some((s) => PACKAGE_DIRS.includes(s) || s === 'target')) continue;
    dbtRoots.push(dirOf(file));
  }
  dbtRoots.sort((a, b) => a.length - b.length || a.localeCompare(b));
  // A dbt project nested inside another one (rare: integration-test projects) is still its own root.
  const sqlFiles = files
    .filter((f) => f.toLowerCase().endsWith('.sql'))
    .filter((f) => !dbtRoots.some((root) => isInside(f, root)))
    .filter((f) => !f.split('/').some((s) => PACKAGE_DIRS.includes(s)))
    .sort();
  return { dbtRoots, sqlFiles };
}

/** The innermost dbt root that contains `path`, or undefined. */
export function owningDbtRoot(roots: readonly string[], path: string): string | undefined {
  let best: string | undefined;
  for (const root of roots) if (isInside(path, root) && (best === undefined || root.length > best.length)) best = root;
  return best;
}
