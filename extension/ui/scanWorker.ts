import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { WorkCancelled } from '../../core/dbt/jinja/budget';
import { CatalogStore } from '../catalog/catalogStore';
import { SIGNATURE_KEY, WorkspaceScanner } from '../scanner/scanner';
import { SCAN_STORE_OPTIONS } from '../scanner/scanResources';
import type { ScanProgress } from '../scanner/scanTypes';
import { watchWorkspace, type WorkspaceWatcher } from '../scanner/watcher';
import type { FromScanWorker, ScanWorkerData, ToScanWorker } from './scanWorkerProtocol';
import type { FromWorkerSync } from './syncWorkerProtocol';
import { WorkerSync } from './workerSync';
import { renderCompiled } from './compiledRender';

/**
 * The scan worker thread (bundled as dist/extension/scanWorker.js): runs full scans, incremental
 * updates and the file watcher against its own catalog connection, and reports to the host. The
 * sync engine and user edits run here too, on the same connection (`workerSync.ts`).
 */

/** Default delay of a re-open's warm-up (see `startWatching`). */
const WARMUP_DELAY_MS = 10_000;
/** Nice value of a background refresh (0 normal, 19 lowest): below the UI, above batch jobs. */
const BACKGROUND_NICE = 10;
const data = workerData as ScanWorkerData;
const port = parentPort;
const post = (message: FromScanWorker | FromWorkerSync): void => port?.postMessage(message);
const store = CatalogStore.open(data.catalogFile, SCAN_STORE_OPTIONS);
const sync = new WorkerSync(store, post);
lowerPriorityWhenWarm(store);
const scanner = new WorkspaceScanner(store, {
  root: data.root,
  // An unset mallard.dialect lets the planner read plain SQL in the dialect it shows (postgresql otherwise).
  ...(data.config.dialectSet ? { defaultDialect: data.config.dialect } : {}),
  dialectByFolder: data.config.dialectByFolder,
  ...(data.config.targets ? { targets: data.config.targets } : {}),
  ...(data.config.defaultSchema ? { defaultSchema: data.config.defaultSchema } : {}),
  include: data.config.include,
  exclude: data.config.exclude,
});
let watcher: WorkspaceWatcher | undefined;
let abort: AbortController | undefined;
let warmupTimer: ReturnType<typeof setTimeout> | undefined;
let stopped = false;
/** A full scan is running (a render then waits for it instead of starting the warm-up). */
let scanning = false;

/**
 * Starts the watcher after a scan. The watcher needs the warm state (every parse loaded and
 * lineage assembled: ~5 s of CPU at 5,000 models), which a first scan builds as it goes but a
 * re-open's up-to-date check does not. Built at once, it would compete with the workbench, which is
 * still starting (webviews, the extension host, other extensions) when the check ends; the stored
 * catalog serves every view meanwhile. So it is built `warmupDelayMs` later, or at the first update
 * request (a save), whichever comes first. Files changed in between are found by that build's pass.
 */
function startWatching(): void {
  if (stopped || watcher || warmupTimer) return;
  if (scanner.hasState) {
    watchNow();
    return;
  }
  warmupTimer = setTimeout(watchNow, data.warmupDelayMs ?? WARMUP_DELAY_MS);
}

function watchNow(): void {
  if (warmupTimer) clearTimeout(warmupTimer);
  warmupTimer = undefined;
  if (stopped || watcher) return;
  if (!scanner.hasState) {
    // The warm-up's pass writes what changed since the re-open's check: the views must hear of it.
    const before = store.getMeta(SIGNATURE_KEY);
    void scanner.ensureState().then(
      () => {
        if (store.getMeta(SIGNATURE_KEY) !== before) post({ type: 'changed', summary: 'Applied files changed since the catalog was checked' });
      },
      (err: unknown) => post({ type: 'log', level: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) }),
    );
  }
  watcher = watchWorkspace(scanner, {
    onUpdate: (report) => {
      if (report.changedPaths.length > 0) post({ type: 'changed', summary: `Updated ${report.changedPaths.length} changed files in ${report.millis.toFixed(0)} ms` });
    },
    onError: (err) => post({ type: 'log', level: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) }),
  });
  void watcher.ready.then(() => post({ type: 'log', level: 'info', message: 'Watching the workspace for file changes' }), () => undefined);
}

/**
 * With a catalog from a previous session, this thread only refreshes it in the background (rescan,
 * then the warm-up that incremental updates need, several seconds of CPU at 5,000 models) while
 * the user already works with the stored catalog: the workbench, its webviews and the extension
 * host must win the CPU. On Linux the nice value is per thread, so this lowers only the scan worker
 * (and the parse workers it starts later); elsewhere it would lower the whole extension host, so
 * it is skipped. A cold catalog keeps normal priority: the user is waiting for that scan.
 */
function lowerPriorityWhenWarm(catalog: CatalogStore): void {
  if (process.platform !== 'linux' || catalog.getMeta(SIGNATURE_KEY) === undefined) return;
  try {
    setPriority(0, BACKGROUND_NICE);
  } catch {
    // Not permitted in this sandbox: the refresh simply competes at normal priority.
  }
}

/**
 * Progress goes to the host at most every 200 ms (and on each phase change): every message turns
 * into a status-bar update and a notification repaint in the workbench, and per-file messages on
 * 5,000 files kept the extension host and the renderer busy while the scan competed for the CPU.
 */
function throttledProgress(): (progress: ScanProgress) => void {
  let lastPhase = '';
  let lastAt = 0;
  return (progress) => {
    const now = performance.now();
    const final = progress.total > 0 && progress.done === progress.total;
    if (progress.phase === lastPhase && now - lastAt < 200 && !final) return;
    lastPhase = progress.phase;
    lastAt = now;
    post({ type: 'progress', progress });
  };
}

async function handle(message: ToScanWorker): Promise<void> {
  switch (message.type) {
    case 'scan': {
      abort = new AbortController();
      const flag = data.cancelFlag;
      const id = message.id;
      scanning = true;
      try {
        const report = await scanner.scan({
          signal: abort.signal,
          // Read during renders, which cannot see the `cancel` message until they end.
          ...(flag ? { stopRequested: () => Atomics.load(flag, 0) === id } : {}),
          onProgress: throttledProgress(),
          // First scan: views refresh when models and model edges are stored, before column lineage.
          onModelLevelStored: () => post({ type: 'changed', summary: 'Timeline: models and model-level lineage stored; column lineage follows' }),
        });
        const phases = Object.entries(report.phases).map(([phase, ms]) => `${phase} ${ms.toFixed(0)}`).join(', ');
        const summary = `Scanned ${report.files} files (${report.parsed} parsed, ${report.cacheHits} cached) in ${report.millis.toFixed(0)} ms; ${report.entities} entities${phases ? ` (ms: ${phases})` : ''}`;
        post({ type: 'done', id: message.id, ok: true, summary, changed: report.wrote });
        startWatching();
      } catch (err) {
        post({ type: 'done', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err), cancelled: abort.signal.aborted || WorkCancelled.is(err) });
      } finally {
        scanning = false;
      }
      return;
    }
    case 'update':
      try {
        const report = await scanner.update(message.paths);
        // The update built the warm state: the watcher can start now.
        watchNow();
        post({ type: 'done', id: message.id, ok: true, summary: `Updated ${report.changedPaths.length} files`, changed: report.changedPaths.length > 0 });
      } catch (err) {
        post({ type: 'done', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err), cancelled: false });
      }
      return;
    case 'render':
      // A render needs the warm state. Before the re-open's warm-up, it is built the watcher's way
      // (which tells the host when files changed since the check) rather than silently by the
      // render; during a scan the render waits behind it. The render itself never writes.
      if (!scanner.hasState && !scanning) watchNow();
      post({ type: 'rendered', id: message.id, preview: await renderCompiled(scanner, message.path, message.text) });
      return;
    case 'cancel':
      abort?.abort();
      return;
    case 'stop':
      stopped = true;
      if (warmupTimer) clearTimeout(warmupTimer);
      warmupTimer = undefined;
      await watcher?.dispose();
      await scanner.dispose();
      await sync.dispose();
      store.close();
      port?.close();
  }
}

port?.on('message', (message: ToScanWorker) => {
  if (!sync.handle(message)) void handle(message);
});
