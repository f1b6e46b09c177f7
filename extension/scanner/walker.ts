import { type Dirent, type Stats } from 'node:fs';
import { readFile, readdir, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { joinPath } from '../../core/dbt/project/projectFile';
import { realRoot } from './fileReader';
import { skippedIssue, type FileIssue } from './fileIssues';
import { accepted, ALWAYS_SKIPPED, DBT_OUTPUT, dbtScope, ignoreRules, NEVER_IGNORED, type WalkContext } from './ignoreRules';

/**
 * Walks a workspace folder and lists the files the catalog reads. Which files count is decided in
 * `ignoreRules.ts`: `.gitignore` for plain SQL, dbt's own rules (resource paths, installed
 * packages, `.dbtignore`) inside dbt projects, then include/exclude globs (picomatch) everywhere. In
 * a dbt project's `target/` only `manifest.json` is listed, once its size and mtime are stable (dbt
 * may be writing it); its `logs/` are never listed. Symbolic links are followed when their target
 * is inside the workspace folder; a link to a folder outside it, or one that leads back to a folder
 * that contains it, is listed with an issue and not followed (files linked from outside are
 * checked by the reader), so a link loop gives one diagnostic instead of an endless walk.
 */

/** A file found by the walker. */
export interface WalkedFile {
  /** Workspace-relative path with forward slashes. */
  path: string;
  size: number;
  mtimeMs: number;
  /** Set for a folder link that is not followed: the entry stands for the link itself. */
  issue?: FileIssue;
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

/** Extensions the pipeline reads; other files are irrelevant to the catalog. */
const RELEVANT = /\.(sql|ya?ml|md|csv|json)$/i;
/** Python files matter only inside a dbt project (Python models); elsewhere they are not walked. */
const PYTHON = /\.py$/i;

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

/** Text of a rule file in `dir`, when `entries` has it and it can be read. */
async function ruleText(abs: string, entries: readonly Dirent[], name: string): Promise<string | undefined> {
  if (!entries.some((e) => e.name === name && !e.isDirectory())) return undefined;
  return readFile(path.join(abs, name), 'utf8').catch(() => undefined); // Unreadable rules ignore nothing.
}

/** What a directory entry is, following a symbolic link ('broken' for a link that is broken or loops). */
async function entryKind(abs: string, e: Dirent): Promise<'dir' | 'file' | 'other' | 'broken'> {
  if (e.isDirectory()) return 'dir';
  if (e.isFile()) return 'file';
  if (!e.isSymbolicLink()) return 'other';
  try {
    const s = await stat(abs);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch {
    return 'broken';
  }
}

/** Lists relevant files of `root`, sorted by path. */
export async function walkWorkspace(root: string, options: WalkOptions = {}): Promise<WalkedFile[]> {
  const accept = globFilter(options.include, options.exclude);
  const rootReal = await realRoot(root);
  const out: WalkedFile[] = [];
  const add = (rel: string, s: Stats): void => void out.push({ path: rel, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
  const addIssue = (rel: string, issue: FileIssue): void => {
    if (accept(rel)) out.push({ path: rel, size: 0, mtimeMs: 0, issue });
  };
  /** `real` is the folder's real path; `chain` the real paths of the folders walked to reach it. */
  const visit = async (dir: string, parent: WalkContext, real: string, chain: ReadonlySet<string>): Promise<void> => {
    options.signal?.throwIfAborted();
    const abs = path.join(root, dir);
    let entries: Dirent[];
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch {
      return; // Unreadable folders (permissions, races with deletion) are skipped.
    }
    const gitignore = ignoreRules(await ruleText(abs, entries, '.gitignore'));
    const scopes = gitignore ? [...parent.scopes, { base: dir, rules: gitignore }] : parent.scopes;
    const dbtRoot = entries.some((e) => e.name === 'dbt_project.yml' && !e.isDirectory());
    const dbt = dbtRoot ? dbtScope(dir, await ruleText(abs, entries, 'dbt_project.yml'), await ruleText(abs, entries, '.dbtignore')) : parent.dbt;
    const ctx: WalkContext = { scopes, inPackages: parent.inPackages, ...(dbt ? { dbt } : {}) };
    // Python files count only inside a dbt project (Python models).
    const relevant = (name: string): boolean => RELEVANT.test(name) || (ctx.dbt !== undefined && PYTHON.test(name));
    const pending: Promise<void>[] = []; // sub-folder walks and file stats, awaited together
    for (const e of entries) {
      const rel = joinPath(dir, e.name);
      if (ALWAYS_SKIPPED.has(e.name)) continue;
      const childAbs = path.join(root, rel);
      if (dbtRoot && DBT_OUTPUT.has(e.name)) {
        // dbt's build output: only its manifest is read (usually git-ignored), once it is stable.
        const manifest = `${rel}/manifest.json`;
        if (e.name === 'target' && accept(manifest)) pending.push(stableStat(path.join(root, manifest), options.stable).then((s) => {
          if (s?.isFile()) add(manifest, s);
        }));
        continue;
      }
      if (e.isFile() && !relevant(e.name)) continue; // Most files of a repository: no work at all.
      pending.push((async () => {
        const kind = await entryKind(childAbs, e);
        if (kind === 'dir') {
          if (!accepted(ctx, rel, true)) return;
          let childReal = path.join(real, e.name);
          if (e.isSymbolicLink()) {
            childReal = await realpath(childAbs).catch(() => childReal);
            if (childReal !== rootReal && !childReal.startsWith(`${rootReal}${path.sep}`)) {
              const target = await readlink(childAbs).catch(() => '?');
              addIssue(rel, skippedIssue('symlink-outside-workspace', `not followed: a symbolic link to the folder \`${target}\`, outside the workspace folder. Move or copy what it holds into the workspace folder to catalog it.`));
              return;
            }
            if (chain.has(childReal)) {
              const back = path.relative(rootReal, childReal).split(path.sep).join('/');
              addIssue(rel, skippedIssue('symlink-loop', `not followed: a symbolic link loop (it leads back to \`${back === '' ? '.' : back}\`, a folder that contains it).`));
              return;
            }
          }
          const next: WalkContext = NEVER_IGNORED.has(e.name) ? { ...ctx, inPackages: true } : ctx;
          await visit(rel, next, childReal, new Set([...chain, childReal]));
        } else if (kind === 'file') {
          if (!relevant(e.name) || !accepted(ctx, rel, false) || !accept(rel)) return;
          const s = await stat(childAbs).catch(() => undefined); // Deleted between readdir and stat.
          if (s) add(rel, s);
        } else if (kind === 'broken' && relevant(e.name)) {
          // A link that is broken or loops: listed, so the reader reports it at the link.
          if (accepted(ctx, rel, false) && accept(rel)) out.push({ path: rel, size: 0, mtimeMs: 0 });
        }
      })());
    }
    await Promise.all(pending);
  };
  await visit('', { scopes: [], inPackages: false }, rootReal, new Set([rootReal]));
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}
