import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { joinPath, readProjectFile } from '../../core/dbt/project/projectFile';
import { asString } from '../../core/dbt/project/yamlFile';
import { isInside } from '../../core/pipeline/discover';

/**
 * Which workspace files Mallard reads, decided the way their tools decide it. Plain SQL follows git:
 * every `.gitignore` (root and nested) with git's precedence. Inside a dbt project, dbt's rules win:
 * dbt never looks at `.gitignore` and reads every file of its model/macro/seed/snapshot/analysis/
 * test/docs paths and installed packages, except what the project's `.dbtignore` (gitignore syntax,
 * at the project root only, each package its own) excludes. The walk (`walker.ts`) and the
 * watcher's per-path predicate (`createIgnoreMatcher`) share these functions so they cannot drift.
 */

/** The rules of one `.gitignore` file. */
export interface IgnoreScope {
  /** Folder the rules are relative to ('' for the root). */
  base: string;
  rules: Ignore;
}

/** dbt's view of one project folder. */
export interface DbtScope {
  /** Project folder, workspace-relative ('' for the root). */
  root: string;
  /** Folders dbt reads, workspace-relative: resource paths and the package install folders. */
  owned: string[];
  /** Files of the project folder dbt reads itself (dbt_project.yml, packages.yml, …). */
  files: Set<string>;
  /** The project's `.dbtignore`, relative to `root`. */
  dbtignore?: Ignore;
}

/** Where the walk is: the `.gitignore` scopes above a folder, its dbt project, and whether it is an installed package. */
export interface WalkContext {
  scopes: readonly IgnoreScope[];
  dbt?: DbtScope;
  /** Inside `dbt_packages/` (or `dbt_modules/`): never git-ignored, as before dbt projects had rules. */
  inPackages: boolean;
}

/** Folders never walked: VCS metadata, dependencies, Mallard's own output. */
export const ALWAYS_SKIPPED = new Set(['.git', 'node_modules', '.mallard', '.venv', '__pycache__']);
/** Folders walked even when `.gitignore` lists them. */
export const NEVER_IGNORED = new Set(['dbt_packages', 'dbt_modules']);
/** Build output at a dbt project root that is never read (except `target/manifest.json`). */
export const DBT_OUTPUT = new Set(['target', 'logs']);
/** Files at a dbt project root that dbt reads whatever `.gitignore` says. */
const DBT_OWN_FILES = ['dbt_project.yml', 'packages.yml', 'dependencies.yml', 'selectors.yml'];

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
export function ignoredBy(scopes: readonly IgnoreScope[], rel: string, isDir: boolean): boolean {
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

/** Rules of a `.gitignore`/`.dbtignore` text; undefined for no text. */
export function ignoreRules(text: string | undefined): Ignore | undefined {
  return text === undefined ? undefined : ignore().add(text);
}

/**
 * dbt's scope of the project at `root`, from its `dbt_project.yml` text (resource paths,
 * `packages-install-path`) and its `.dbtignore` text. A broken `dbt_project.yml` gives dbt's
 * default folders, as the dbt loader does.
 */
export function dbtScope(root: string, projectYaml: string | undefined, dbtignore: string | undefined): DbtScope {
  const { info, raw } = readProjectFile(projectYaml ?? '', root, true);
  const dirs = [...info.modelPaths, ...info.macroPaths, ...info.seedPaths, ...info.snapshotPaths, ...info.analysisPaths, ...info.testPaths, ...info.docsPaths];
  dirs.push(asString(raw['packages-install-path']) ?? 'dbt_packages', 'dbt_packages', 'dbt_modules');
  const owned = [...new Set(dirs.map((d) => joinPath(root, d)))].sort();
  const rules = ignoreRules(dbtignore);
  return { root, owned, files: new Set(DBT_OWN_FILES.map((f) => joinPath(root, f))), ...(rules ? { dbtignore: rules } : {}) };
}

/** How `rel` relates to a dbt project: read by dbt, a folder on the way to what dbt reads, or outside. */
function dbtRelation(scope: DbtScope, rel: string, isDir: boolean): 'owned' | 'ancestor' | 'outside' {
  if (!isDir && scope.files.has(rel)) return 'owned';
  if (scope.owned.some((f) => isInside(rel, f))) return 'owned';
  if (isDir && scope.owned.some((f) => f.startsWith(`${rel}/`))) return 'ancestor';
  return 'outside';
}

/** True when the project's `.dbtignore` excludes `rel` (dbt matches paths relative to the project root). */
function dbtIgnored(scope: DbtScope, rel: string, isDir: boolean): boolean {
  if (!scope.dbtignore || scope.files.has(rel)) return false;
  const local = scope.root === '' ? rel : rel.slice(scope.root.length + 1);
  return local !== '' && scope.dbtignore.ignores(isDir ? `${local}/` : local);
}

/**
 * Whether the walk lists file `rel` / enters folder `rel` (its parents already accepted): dbt's
 * rules for what a dbt project reads, git's for everything else.
 */
export function accepted(ctx: WalkContext, rel: string, isDir: boolean): boolean {
  const relation = ctx.dbt ? dbtRelation(ctx.dbt, rel, isDir) : 'outside';
  if (ctx.dbt && relation === 'owned') return !dbtIgnored(ctx.dbt, rel, isDir);
  if (ctx.inPackages || relation === 'ancestor') return true;
  return !ignoredBy(ctx.scopes, rel, isDir);
}

/** The walker's rules for single paths, for the file watcher; rule files are read lazily and cached. */
export interface IgnoreMatcher {
  /** True when the walker would list this workspace-relative file (include/exclude globs aside). */
  accepts(rel: string): boolean;
  /**
   * Forgets the cached rules of a changed `.gitignore`, `.dbtignore` or `dbt_project.yml`
   * (workspace-relative path). True when what the walk lists may have changed: always for ignore
   * files; for `dbt_project.yml` only when the folders dbt reads changed.
   */
  forget(rel: string): boolean;
}

/** True for the files whose edits change which files the walk lists. */
export function isRuleFile(rel: string): boolean {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  return name === '.gitignore' || name === '.dbtignore' || name === 'dbt_project.yml';
}

/** Builds an `IgnoreMatcher` over `root`. */
export function createIgnoreMatcher(root: string): IgnoreMatcher {
  const readText = (rel: string): string | undefined => {
    try {
      return readFileSync(path.join(root, rel), 'utf8');
    } catch {
      return undefined; // Missing or unreadable: no rules.
    }
  };
  const gitScopes = new Map<string, IgnoreScope | null>();
  const dbtScopes = new Map<string, DbtScope | null>();
  const gitAt = (dir: string): IgnoreScope | null => {
    let scope = gitScopes.get(dir);
    if (scope === undefined) {
      const rules = ignoreRules(readText(joinPath(dir, '.gitignore')));
      gitScopes.set(dir, (scope = rules ? { base: dir, rules } : null));
    }
    return scope;
  };
  const dbtAt = (dir: string): DbtScope | null => {
    let scope = dbtScopes.get(dir);
    if (scope === undefined) {
      const file = joinPath(dir, 'dbt_project.yml');
      scope = existsSync(path.join(root, file)) ? dbtScope(dir, readText(file), readText(joinPath(dir, '.dbtignore'))) : null;
      dbtScopes.set(dir, scope);
    }
    return scope;
  };
  const accepts = (rel: string): boolean => {
    const parts = rel.split('/');
    const scopes: IgnoreScope[] = [];
    let ctx: WalkContext = { scopes, inPackages: false };
    let dir = '';
    // Top-down like the walk: a folder's rules apply below it, and an ignored folder hides everything.
    for (let i = 0; i < parts.length; i++) {
      const own = gitAt(dir);
      if (own) scopes.push(own);
      const project = dbtAt(dir);
      if (project) ctx = { ...ctx, dbt: project };
      const name = parts[i] ?? '';
      if (ALWAYS_SKIPPED.has(name)) return false;
      const child = joinPath(dir, name);
      // Python files count only inside a dbt project (Python models), as in the walk.
      if (i === parts.length - 1) return accepted(ctx, child, false) && (!/\.py$/i.test(name) || ctx.dbt !== undefined);
      // In a dbt project's target/ only the manifest counts (git-ignored or not), as in the walk.
      if (project && DBT_OUTPUT.has(name)) return name === 'target' && i === parts.length - 2 && parts[i + 1] === 'manifest.json';
      if (!accepted(ctx, child, true)) return false;
      if (NEVER_IGNORED.has(name)) ctx = { ...ctx, inPackages: true };
      dir = child;
    }
    return false;
  };
  const forget = (rel: string): boolean => {
    const at = rel.lastIndexOf('/');
    const dir = at < 0 ? '' : rel.slice(0, at);
    const name = rel.slice(at + 1);
    if (name === '.gitignore') {
      gitScopes.delete(dir);
      return true;
    }
    const before = dbtScopes.get(dir);
    dbtScopes.delete(dir);
    if (name === '.dbtignore') return true;
    const after = dbtAt(dir);
    // Rules never looked at (no path below was checked yet) cannot be compared: re-walk to be sure.
    return before === undefined || JSON.stringify(before?.owned ?? null) !== JSON.stringify(after?.owned ?? null);
  };
  return { accepts, forget };
}
