import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { UpdateReport } from './scanTypes';
import type { WorkspaceScanner } from './scanner';
import { createIgnoreMatcher, isManifestPath, stableStat, type StableOptions } from './walker';

/**
 * Watches the workspace with chokidar and feeds debounced batches of changed paths to
 * `WorkspaceScanner.update`. Batches never overlap: changes arriving during an update are
 * collected and applied right after it. Paths are filtered like the walker does (root and nested
 * `.gitignore`); a changed `.gitignore` is re-read and triggers a full pass, since it can add or
 * drop files anywhere below it. A dbt project's `target/manifest.json` is watched even
 * when git-ignored; a change to it is applied once its size and mtime are stable, so a manifest dbt
 * is still writing is not read half-way (and if it still is, the update reports invalid JSON and
 * keeps the previous manifest; the end of the write arrives as one more change).
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

/** Starts watching `scanner.options.root`. */
export function watchWorkspace(scanner: WorkspaceScanner, handlers: WatchHandlers = {}, options: WatchOptions = {}): WorkspaceWatcher {
  const root = path.resolve(scanner.options.root);
  const debounceMs = scanner.options.debounceMs ?? 150;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let disposed = false;
  const matcher = createIgnoreMatcher(root);
  /** `.gitignore` files changed since the last batch. */
  const gitignores = new Set<string>();
  /** Manifest paths waiting for dbt to finish writing them. */
  const settling = new Map<string, Promise<void>>();

  const flush = (): void => {
    timer = undefined;
    if ((pending.size === 0 && gitignores.size === 0) || disposed) return;
    const batch = [...pending];
    pending.clear();
    const ignoreFiles = [...gitignores];
    gitignores.clear();
    running = running.then(async () => {
      try {
        if (ignoreFiles.length > 0) {
          // Changed ignore rules can add or drop any file: a full pass re-walks with the new rules
          // (parse results come from the cache; nothing is written when the walked files are the same).
          const full = await scanner.scan();
          handlers.onUpdate?.({ changedPaths: ignoreFiles, replacedEntities: [], replacedDiagnosticFiles: [], parsed: full.parsed, millis: full.millis });
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

  const settle = (rel: string, abs: string): void => {
    if (settling.has(rel)) return; // The running wait sees this write too.
    const done = stableStat(abs, { quietMs: 0, ...options.stable }).then(() => {
      settling.delete(rel);
      if (disposed) return;
      pending.add(rel);
      schedule();
    });
    settling.set(rel, done);
  };

  const onEvent = (event: string, abs: string): void => {
    const rel = path.relative(root, abs).split(path.sep).join('/');
    if (event === 'unlinkDir') {
      // chokidar does not always report the files of a removed folder.
      pending.add(`${rel}/`);
    } else if (rel === '.gitignore' || rel.endsWith('/.gitignore')) {
      matcher.forget(rel);
      gitignores.add(rel);
    } else if (!matcher.accepts(rel)) {
      return;
    } else if (event !== 'unlink' && isManifestPath(rel)) {
      settle(rel, abs);
      return;
    } else {
      pending.add(rel);
    }
    schedule();
  };

  let watcher: FSWatcher | undefined;
  const ready = (async () => {
    await scanner.ensureState();
    if (disposed) return;
    watcher = watch(root, { ignoreInitial: true, ignored: (p) => {
      const rel = path.relative(root, p);
      return ALWAYS_SKIPPED.test(rel) || TARGET_CONTENT.test(rel);
    } });
    watcher.on('all', onEvent);
    await new Promise<void>((resolve) => watcher?.once('ready', () => resolve()));
  })();

  return {
    ready,
    idle: async () => {
      while (timer !== undefined || pending.size > 0 || gitignores.size > 0 || settling.size > 0) {
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
