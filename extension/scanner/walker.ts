import { existsSync, readFileSync, type Stats } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

/**
 * Walks a workspace folder, honouring `.gitignore` files (root and nested, with git's precedence,
 * via the `ignore` package) and include/exclude globs (picomatch). Installed dbt packages
 * (`dbt_packages/`) are always walked even when git-ignored, because their macros and models are
 * part of the project. In a dbt project's `target/` only `manifest.json` is listed, git-ignored or
 * not, once its size and mtime are stable (dbt may be writing it).
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
  /** How `target/manifest.json` is waited for (see `stableStat`). */
  stable?: StableOptions;
}

/** Folders never walked: VCS metadata, dependencies, Mallard's own output, dbt's build output. */
const ALWAYS_SKIPPED = new Set(['.git', 'node_modules', '.mallard', '.venv', '__pycache__']);
/** Folders walked even when `.gitignore` lists them. */
const NEVER_IGNORED = new Set(['dbt_packages', 'dbt_modules']);
/** Extensions the pipeline reads; other files are irrelevant to the catalog. */
const RELEVANT = /\.(sql|ya?ml|md|csv|json)$/i;
/** Python files matter only inside a dbt project (Python models); elsewhere they are not walked. */
const PYTHON = /\.py$/i;

/** The rules of one `.gitignore` file. */
interface IgnoreScope {
  /** Folder the rules are relative to ('' for the root). */
  base: string;
  rules: Ignore;
}

/**
 * git's verdict for `rel` (a file, or a folder when `isDir`), given the `.gitignore` scopes of its
 * folder, outermost first, when every parent folder of `rel` is known not to be ignored (the walk
 * prunes ignored folders; the watcher checks parents first). As in git, the deepest file that has
 * an opinion decides (a nested `!pattern` re-includes what an outer file excludes), within a file
 * the last matching pattern wins, patterns are relative to their file's folder, and `dir/`
 * patterns match folders only. One gap: `ignore` also re-checks parent folders within one file, so
 * a folder an outer file excludes but a deeper file re-includes still hides its files from the
 * outer file's scope; git would not.
 */
function ignoredBy(scopes: readonly IgnoreScope[], rel: string, isDir: boolean): boolean {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i];
    if (!scope) continue;
    const local = scope.base === '' ? rel : rel.slice(scope.base.length + 1);
    if (local === '') continue;
    const verdict = scope.rules.test(isDir ? `${local}/` : local);
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

/** dbt's manifest, relative to a project folder. */
const MANIFEST = 'target/manifest.json';

/** True for `<folder>/target/manifest.json` (or `target/manifest.json` at the root). */
export function isManifestPath(rel: string): boolean {
  return rel === MANIFEST || rel.endsWith(`/${MANIFEST}`);
}

/** Options of `stableStat`. */
export interface StableOptions {
  /** Pause between the two reads of size/mtime (default 100 ms). */
  intervalMs?: number;
  /** Give up waiting after this long and return the latest stats (default 3 s). */
  maxWaitMs?: number;
  /** A file not modified for this long counts as stable without waiting (default 2 s; 0 always waits). */
  quietMs?: number;
}

/**
 * Stats of a file once its size and mtime are the same across two reads `intervalMs` apart: dbt
 * may be writing `target/manifest.json` while we look. Undefined when the file does not exist. A
 * file still changing after `maxWaitMs` is returned anyway: its JSON then fails to parse, which is
 * reported, and the watcher sees the end of the write as one more change.
 */
export async function stableStat(abs: string, options: StableOptions = {}): Promise<Stats | undefined> {
  const interval = options.intervalMs ?? 100;
  const deadline = Date.now() + (options.maxWaitMs ?? 3000);
  const quiet = options.quietMs ?? 2000;
  let prev = await stat(abs).catch(() => undefined);
  if (!prev || (quiet > 0 && Date.now() - prev.mtimeMs >= quiet)) return prev;
  for (;;) {
    await new Promise((r) => setTimeout(r, interval));
    const next = await stat(abs).catch(() => undefined);
    if (!next || (next.size === prev.size && next.mtimeMs === prev.mtimeMs) || Date.now() >= deadline) return next;
    prev = next;
  }
}

/** Builds the include/exclude predicate. */
export function globFilter(include: readonly string[] = [], exclude: readonly string[] = []): (rel: string) => boolean {
  const inc = include.length > 0 ? picomatch([...include], { dot: true }) : undefined;
  const exc = exclude.length > 0 ? picomatch([...exclude], { dot: true }) : undefined;
  return (rel) => (inc === undefined || inc(rel)) && (exc === undefined || !exc(rel));
}

/** True when the walker would consider this workspace-relative path (extension and folder rules only). */
export function isRelevantPath(rel: string): boolean {
  return (RELEVANT.test(rel) || PYTHON.test(rel)) && !rel.split('/').some((s) => ALWAYS_SKIPPED.has(s));
}

/** Lists relevant files of `root`, sorted by path. */
export async function walkWorkspace(root: string, options: WalkOptions = {}): Promise<WalkedFile[]> {
  const accept = globFilter(options.include, options.exclude);
  const out: WalkedFile[] = [];
  const add = (rel: string, s: Stats): void => void out.push({ path: rel, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
  // Folders holding a dbt_project.yml; a parent is always visited before its sub-folders.
  const dbtDirs = new Set<string>();
  const inDbtProject = (dir: string): boolean => {
    for (let d = dir; ; d = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '') {
      if (dbtDirs.has(d)) return true;
      if (d === '') return false;
    }
  };
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
    const dbtRoot = entries.some((e) => e.isFile() && e.name === 'dbt_project.yml');
    if (dbtRoot) dbtDirs.add(dir);
    const subdirs: Promise<void>[] = []; // sub-folder walks and file stats, awaited together
    for (const e of entries) {
      const rel = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (ALWAYS_SKIPPED.has(e.name)) continue;
        if (dbtRoot && e.name === 'target') {
          // dbt's build output: only its manifest is read (usually git-ignored), once it is stable.
          const manifest = `${rel}/manifest.json`;
          if (accept(manifest)) subdirs.push(stableStat(path.join(root, manifest), options.stable).then((s) => {
            if (s?.isFile()) add(manifest, s);
          }));
          continue;
        }
        const pkg = insidePackages || NEVER_IGNORED.has(e.name);
        if (!pkg && ignoredBy(local, rel, true)) continue;
        subdirs.push(visit(rel, local, pkg));
      } else if (e.isFile()) {
        if (!RELEVANT.test(e.name) && !(PYTHON.test(e.name) && inDbtProject(dir))) continue;
        if (!insidePackages && ignoredBy(local, rel, false)) continue;
        if (!accept(rel)) continue;
        subdirs.push(
          stat(path.join(root, rel)).then(
            (s) => add(rel, s),
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

/** The walker's rules for single paths, for the file watcher; `.gitignore` files are read lazily. */
export interface IgnoreMatcher {
  /** True when the walker would list this workspace-relative file. */
  accepts(rel: string): boolean;
  /** Forgets the cached rules of a changed/removed `.gitignore` (workspace-relative path). */
  forget(gitignoreRel: string): void;
}

/** Builds an `IgnoreMatcher` over `root` (root and nested `.gitignore` files, dbt folders). */
export function createIgnoreMatcher(root: string): IgnoreMatcher {
  const cache = new Map<string, IgnoreScope | null>();
  const scopeAt = (dir: string): IgnoreScope | null => {
    let scope = cache.get(dir);
    if (scope === undefined) {
      try {
        scope = { base: dir, rules: ignore().add(readFileSync(path.join(root, dir, '.gitignore'), 'utf8')) };
      } catch {
        scope = null; // No (readable) .gitignore here.
      }
      cache.set(dir, scope);
    }
    return scope;
  };
  const accepts = (rel: string): boolean => {
    if (!isRelevantPath(rel)) return false;
    const parts = rel.split('/');
    if (PYTHON.test(rel) && !parts.some((_, i) => existsSync(path.join(root, ...parts.slice(0, i), 'dbt_project.yml')))) return false;
    if (parts.some((s) => NEVER_IGNORED.has(s))) return true;
    // In a dbt project's target/ only the manifest counts (git-ignored or not), as in the walk.
    for (let i = 0; i < parts.length - 1; i++) {
      if (parts[i] !== 'target' || !existsSync(path.join(root, ...parts.slice(0, i), 'dbt_project.yml'))) continue;
      return i === parts.length - 2 && parts[i + 1] === 'manifest.json';
    }
    // Top-down like the walk: a folder's rules apply below it, and an ignored folder hides everything.
    const scopes: IgnoreScope[] = [];
    let dir = '';
    for (let i = 0; i < parts.length - 1; i++) {
      const own = scopeAt(dir);
      if (own) scopes.push(own);
      dir = dir === '' ? (parts[i] ?? '') : `${dir}/${parts[i] ?? ''}`;
      if (ignoredBy(scopes, dir, true)) return false;
    }
    const own = scopeAt(dir);
    if (own) scopes.push(own);
    return !ignoredBy(scopes, rel, false);
  };
  return {
    accepts,
    forget: (gitignoreRel) => void cache.delete(gitignoreRel === '.gitignore' ? '' : gitignoreRel.slice(0, -'/.gitignore'.length)),
  };
}
