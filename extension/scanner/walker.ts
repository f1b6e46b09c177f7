import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

/**
 * Walks a workspace folder, honouring `.gitignore` files (root and nested, via the `ignore`
 * package) and include/exclude globs (picomatch). Installed dbt packages (`dbt_packages/`) are
 * always walked even when git-ignored, because their macros and models are part of the project.
 */

/** A file found by the walker. */
export interface WalkedFile {
  /** Workspace-relative path with forward slashes. */
  path: string;
  size: number;
  mtimeMs: number;
}

/** Options of `walkWorkspace`. */
export interface WalkOptions {
  /** Globs of files to include; empty means everything. */
  include?: readonly string[];
  /** Globs of files to skip, on top of `.gitignore`. */
  exclude?: readonly string[];
  signal?: AbortSignal;
}

/** Folders never walked: VCS metadata, dependencies, Mallard's own output, dbt's build output. */
const ALWAYS_SKIPPED = new Set(['.git', 'node_modules', '.mallard', '.venv', '__pycache__']);
/** Folders walked even when `.gitignore` lists them. */
const NEVER_IGNORED = new Set(['dbt_packages', 'dbt_modules']);
/** Extensions the pipeline reads; other files are irrelevant to the catalog. */
const RELEVANT = /\.(sql|ya?ml|md|csv|json)$/i;

interface IgnoreScope {
  /** Folder the rules are relative to ('' for the root). */
  base: string;
  rules: Ignore;
}

function isIgnored(scopes: readonly IgnoreScope[], rel: string, isDir: boolean): boolean {
  for (const scope of scopes) {
    const local = scope.base === '' ? rel : rel.slice(scope.base.length + 1);
    if (local === '') continue;
    if (scope.rules.ignores(isDir ? `${local}/` : local)) return true;
  }
  return false;
}

/** Builds the include/exclude predicate. */
export function globFilter(include: readonly string[] = [], exclude: readonly string[] = []): (rel: string) => boolean {
  const inc = include.length > 0 ? picomatch([...include], { dot: true }) : undefined;
  const exc = exclude.length > 0 ? picomatch([...exclude], { dot: true }) : undefined;
  return (rel) => (inc === undefined || inc(rel)) && (exc === undefined || !exc(rel));
}

/** True when the walker would consider this workspace-relative path (extension and folder rules only). */
export function isRelevantPath(rel: string): boolean {
  return RELEVANT.test(rel) && !rel.split('/').some((s) => ALWAYS_SKIPPED.has(s));
}

/** Lists relevant files of `root`, sorted by path. */
export async function walkWorkspace(root: string, options: WalkOptions = {}): Promise<WalkedFile[]> {
  const accept = globFilter(options.include, options.exclude);
  const out: WalkedFile[] = [];
  const visit = async (dir: string, scopes: IgnoreScope[], insidePackages: boolean): Promise<void> => {
    options.signal?.throwIfAborted();
    const abs = path.join(root, dir);
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch {
      return; // Unreadable folders (permissions, races with deletion) are skipped.
    }
    let local = scopes;
    const gitignore = entries.find((e) => e.isFile() && e.name === '.gitignore');
    if (gitignore) {
      try {
        const text = await readFile(path.join(abs, '.gitignore'), 'utf8');
        local = [...scopes, { base: dir, rules: ignore().add(text) }];
      } catch {
        // An unreadable .gitignore ignores nothing.
      }
    }
    const subdirs: Promise<void>[] = []; // sub-folder walks and file stats, awaited together
    for (const e of entries) {
      const rel = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (ALWAYS_SKIPPED.has(e.name)) continue;
        const pkg = insidePackages || NEVER_IGNORED.has(e.name);
        if (!pkg && isIgnored(local, rel, true)) continue;
        subdirs.push(visit(rel, local, pkg));
      } else if (e.isFile()) {
        if (!RELEVANT.test(e.name)) continue;
        if (!insidePackages && isIgnored(local, rel, false)) continue;
        if (!accept(rel)) continue;
        subdirs.push(
          stat(path.join(root, rel)).then(
            (s) => void out.push({ path: rel, size: s.size, mtimeMs: Math.floor(s.mtimeMs) }),
            () => undefined, // Deleted between readdir and stat.
          ),
        );
      }
    }
    await Promise.all(subdirs);
  };
  await visit('', [], false);
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

/** Builds a predicate equivalent to the walker's rules for one path, for the file watcher. */
export async function loadIgnoreRules(root: string): Promise<(rel: string) => boolean> {
  // Only the root .gitignore is consulted here; nested ones are rare and a full rescan applies them.
  let rules: Ignore | undefined;
  try {
    rules = ignore().add(await readFile(path.join(root, '.gitignore'), 'utf8'));
  } catch {
    rules = undefined;
  }
  return (rel) => {
    if (!isRelevantPath(rel)) return false;
    if (rel.split('/').some((s) => NEVER_IGNORED.has(s))) return true;
    return rules === undefined || !rules.ignores(rel);
  };
}
