import path from 'node:path';

/**
 * Picks the workspace folder that owns an absolute path: the deepest root that contains it, so a
 * file of a folder nested inside another folder of the workspace belongs to the inner one (as
 * `vscode.workspace.getWorkspaceFolder` decides). Roots and the path are absolute; undefined when
 * no root contains the path.
 */
export function deepestRoot(roots: readonly string[], absolute: string, sep: string = path.sep): string | undefined {
  const target = trimSep(absolute, sep);
  let best: string | undefined;
  for (const root of roots) {
    const r = trimSep(root, sep);
    // A root contains the path when it is the path itself or a whole-segment prefix of it
    // (`/w/shop` must not own `/w/shop2/a.sql`).
    const inside = target === r || target.startsWith(r.endsWith(sep) ? r : r + sep);
    if (inside && (best === undefined || r.length > trimSep(best, sep).length)) best = root;
  }
  return best;
}

/** The path without trailing separators, except a filesystem root (`/`) which stays as it is. */
function trimSep(p: string, sep: string): string {
  let out = p;
  while (out.length > 1 && out.endsWith(sep) && !/^[A-Za-z]:\\$/.test(out)) out = out.slice(0, -1);
  return out;
}

/** Something with a root folder and a store that can tell whether it holds an entity. */
export interface EntityOwner {
  readonly root: string;
  readonly store: { getEntity(id: string): unknown };
}

/**
 * The catalog that holds `entityId`: `preferred` when it holds it (the active editor's folder, the
 * folder a panel shows), else the first of `all` that does. Entity ids are per project, so two
 * folders may hold the same id (copies of one project); the preferred folder wins then.
 */
export function ownerOf<C extends EntityOwner>(all: readonly C[], entityId: string, preferred?: C): C | undefined {
  if (preferred && preferred.store.getEntity(entityId) !== undefined) return preferred;
  return all.find((c) => c !== preferred && c.store.getEntity(entityId) !== undefined);
}

/**
 * Exclude globs (workspace-relative, forward slashes) for the workspace folders nested inside
 * `root`: each file then belongs to one catalog, the deepest folder's, instead of being scanned
 * twice. Glob metacharacters in folder names are escaped.
 */
export function nestedFolderExcludes(root: string, roots: readonly string[], sep: string = path.sep): string[] {
  const base = trimSep(root, sep);
  const prefix = base.endsWith(sep) ? base : base + sep;
  return roots
    .map((r) => trimSep(r, sep))
    .filter((r) => r !== base && r.startsWith(prefix))
    .map((r) => `${r.slice(prefix.length).split(sep).join('/').replace(/[*?[\]{}()!+@\\]/g, '\\$&')}/**`);
}
