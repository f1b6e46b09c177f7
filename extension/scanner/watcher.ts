import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { UpdateReport } from './scanTypes';
import type { WorkspaceScanner } from './scanner';
import { loadIgnoreRules } from './walker';

/**
 * Watches the workspace with chokidar and feeds debounced batches of changed paths to
 * `WorkspaceScanner.update`. Batches never overlap: changes arriving during an update are
 * collected and applied right after it.
 */

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

const ALWAYS_SKIPPED = /(^|[/\\])(\.git|node_modules|\.mallard|target)([/\\]|$)/;

/** Starts watching `scanner.options.root`. */
export function watchWorkspace(scanner: WorkspaceScanner, handlers: WatchHandlers = {}): WorkspaceWatcher {
  const root = path.resolve(scanner.options.root);
  const debounceMs = scanner.options.debounceMs ?? 150;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let disposed = false;
  let accepts: (rel: string) => boolean = () => true;

  const flush = (): void => {
    timer = undefined;
    if (pending.size === 0 || disposed) return;
    const batch = [...pending];
    pending.clear();
    running = running.then(async () => {
      try {
        const report = await scanner.update(batch);
        handlers.onUpdate?.(report);
      } catch (err) {
        handlers.onError?.(err);
      }
    });
  };

  const onEvent = (event: string, abs: string): void => {
    const rel = path.relative(root, abs).split(path.sep).join('/');
    if (event === 'unlinkDir') {
      // chokidar does not always report the files of a removed folder.
      pending.add(`${rel}/`);
    } else if (!accepts(rel)) {
      return;
    } else {
      pending.add(rel);
    }
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };

  let watcher: FSWatcher | undefined;
  const ready = (async () => {
    accepts = await loadIgnoreRules(root);
    await scanner.ensureState();
    if (disposed) return;
    watcher = watch(root, { ignoreInitial: true, ignored: (p) => ALWAYS_SKIPPED.test(path.relative(root, p)) });
    watcher.on('all', onEvent);
    await new Promise<void>((resolve) => watcher?.once('ready', () => resolve()));
  })();

  return {
    ready,
    idle: async () => {
      while (timer !== undefined || pending.size > 0) {
        await new Promise((r) => setTimeout(r, debounceMs));
      }
      await running;
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      if (timer) clearTimeout(timer);
      await watcher?.close();
      await running;
    },
  };
}
