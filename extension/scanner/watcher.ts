import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { CONFIG_FILE, parseWorkspaceConfig } from '../../core/pipeline/workspaceConfig';
import { createIgnoreMatcher, isRuleFile } from './ignoreRules';
import { aliasesOf, findLinks, type LinkMap } from './links';
import type { UpdateReport } from './scanTypes';
import type { WorkspaceScanner } from './scanner';
import { globFilter, isManifestPath, isRelevantPath, stableStat, type StableOptions } from './walker';

/**
 * Watches the workspace with chokidar and feeds debounced batches of changed paths to
 * `WorkspaceScanner.update`. Batches never overlap: changes arriving during an update are
 * collected and applied right after it. Paths are filtered by the walker's rules (`ignoreRules.ts`:
 * `.gitignore` for plain SQL, dbt's rules and `.dbtignore` in dbt projects, include/exclude globs
 * of the settings and `.mallard.json`). A change that can add or drop files anywhere — a
 * `.gitignore` or `.dbtignore`, a `dbt_project.yml` whose folders change, the globs of
 * `.mallard.json`, a symbolic link created or removed — triggers a full pass, which re-walks with
 * the new rules (parse results come from the cache; nothing is written when the walked files are
 * the same). chokidar does not follow symbolic links (it would follow a link loop forever, or a link
 * to `/`): a change under the target of a link the walk follows is also applied at the link's
 * path. A dbt project's `target/manifest.json` is watched even when git-ignored; a change to it is
 * applied once its size and mtime are stable, so a manifest dbt is still writing is not read
 * half-way (and if it still is, the update reports invalid JSON and keeps the previous manifest;
 * the end of the write arrives as one more change).
 */

/** Options of `watchWorkspace`. */
export interface WatchOptions {
  /** How a changed `target/manifest.json` is waited for (default: two reads 100 ms apart). */
  stable?: StableOptions;
}

/** Callbacks of a workspace watcher. */
export interface WatchHandlers {
  /** Called after every applied batch. */
  onUpdate?: (report: UpdateReport) => void;
  /** Called when a batch fails (the next batch retries from the files' current state). */
  onError?: (err: unknown) => void;
}

/** A running watcher; `dispose()` is idempotent. */
export interface WorkspaceWatcher {
  /** Resolves once chokidar has finished its initial crawl and the scanner state is ready. */
  ready: Promise<void>;
  /** Resolves when every change seen so far has been applied. */
  idle(): Promise<void>;
  dispose(): Promise<void>;
}

const ALWAYS_SKIPPED = /(^|[/\\])(\.git|node_modules|\.mallard)([/\\]|$)/;
/** Inside any `target/` folder only `manifest.json` is watched (dbt writes hundreds of files there). */
const TARGET_CONTENT = /(^|[/\\])target[/\\](?!manifest\.json$)/;

/** True when `abs` is a symbolic link (false when it is gone). */
function isLink(abs: string): boolean {
  try {
    return lstatSync(abs).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Starts watching `scanner.options.root`. */
export function watchWorkspace(scanner: WorkspaceScanner, handlers: WatchHandlers = {}, options: WatchOptions = {}): WorkspaceWatcher {
  const root = path.resolve(scanner.options.root);
  const debounceMs = scanner.options.debounceMs ?? 150;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let disposed = false;
  const matcher = createIgnoreMatcher(root);
  /** The include/exclude globs of the settings and `.mallard.json`, and their key to tell a change. */
  const readGlobs = (): { key: string; accept: (rel: string) => boolean } => {
    let text: string | undefined;
    try {
      text = readFileSync(path.join(root, CONFIG_FILE), 'utf8');
    } catch {
      text = undefined;
    }
    const { config } = parseWorkspaceConfig(text);
    const include = [...(scanner.options.include ?? []), ...config.include];
    const exclude = [...(scanner.options.exclude ?? []), ...config.exclude];
    return { key: JSON.stringify([include, exclude, config.maxFileBytes ?? null]), accept: globFilter(include, exclude) };
  };
  let globs = readGlobs();
  const accepts = (rel: string): boolean => isRelevantPath(rel) && matcher.accepts(rel) && globs.accept(rel);
  let links: LinkMap = new Map();
  /** Why the next batch starts with a full pass (rule files, links), by path. */
  const fullPass = new Set<string>();
  let linksDirty = false;
  /** Manifest paths waiting for dbt to finish writing them. */
  const settling = new Map<string, Promise<void>>();

  const flush = (): void => {
    timer = undefined;
    if ((pending.size === 0 && fullPass.size === 0) || disposed) return;
    const batch = [...pending];
    pending.clear();
    const reasons = [...fullPass];
    fullPass.clear();
    const refreshLinks = linksDirty;
    linksDirty = false;
    running = running.then(async () => {
      try {
        if (refreshLinks) links = await findLinks(root);
        if (reasons.length > 0) {
          // Changed rules can add or drop any file: a full pass re-walks with the new rules.
          const full = await scanner.scan();
          handlers.onUpdate?.({ changedPaths: reasons, replacedEntities: [], replacedDiagnosticFiles: [], parsed: full.parsed, millis: full.millis });
          if (batch.length === 0) return;
        }
        const report = await scanner.update(batch);
        handlers.onUpdate?.(report);
      } catch (err) {
        handlers.onError?.(err);
      }
    });
  };

  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };

  const settle = (rel: string): void => {
    if (settling.has(rel)) return; // The running wait sees this write too.
    const done = stableStat(path.join(root, rel), { quietMs: 0, ...options.stable }).then(() => {
      settling.delete(rel);
      if (disposed) return;
      pending.add(rel);
      schedule();
    });
    settling.set(rel, done);
  };

  /** Queues one workspace path (the event's, or an alias through a followed link). */
  const consider = (event: string, rel: string): void => {
    if (!accepts(rel)) return;
    if (event !== 'unlink' && isManifestPath(rel)) settle(rel);
    else pending.add(rel);
  };

  const onEvent = (event: string, abs: string): void => {
    const rel = path.relative(root, abs).split(path.sep).join('/');
    const aliases = aliasesOf(links, rel);
    if (event === 'unlinkDir') {
      // chokidar does not always report the files of a removed folder.
      for (const p of [rel, ...aliases]) pending.add(`${p}/`);
      schedule();
      return;
    }
    if ((event === 'unlink' && links.has(rel)) || (event === 'add' && !links.has(rel) && isLink(abs))) {
      // A link created or removed changes what the walk follows. (chokidar also reports the links it
      // meets while it starts; those are known already.)
      linksDirty = true;
      fullPass.add(rel);
    } else if (rel === CONFIG_FILE) {
      const next = readGlobs();
      if (next.key !== globs.key) fullPass.add(rel);
      globs = next;
    } else if (isRuleFile(rel) && matcher.forget(rel)) {
      fullPass.add(rel);
    }
    for (const p of [rel, ...aliases]) consider(event, p);
    schedule();
  };

  let watcher: FSWatcher | undefined;
  const ready = (async () => {
    await scanner.ensureState();
    if (disposed) return;
    links = await findLinks(root);
    watcher = watch(root, { ignoreInitial: true, followSymlinks: false, ignored: (p) => {
      const rel = path.relative(root, p);
      return ALWAYS_SKIPPED.test(rel) || TARGET_CONTENT.test(rel);
    } });
    watcher.on('all', onEvent);
    await new Promise<void>((resolve) => watcher?.once('ready', () => resolve()));
  })();

  return {
    ready,
    idle: async () => {
      while (timer !== undefined || pending.size > 0 || fullPass.size > 0 || settling.size > 0) {
        await Promise.all(settling.values());
        await new Promise((r) => setTimeout(r, debounceMs));
      }
      await running;
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      if (timer) clearTimeout(timer);
      await watcher?.close();
      await Promise.all(settling.values());
      await running;
    },
  };
}
