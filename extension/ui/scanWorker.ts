import { parentPort, workerData } from 'node:worker_threads';
import { CatalogStore } from '../catalog/catalogStore';
import { WorkspaceScanner } from '../scanner/scanner';
import { watchWorkspace, type WorkspaceWatcher } from '../scanner/watcher';
import type { FromScanWorker, ScanWorkerData, ToScanWorker } from './scanWorkerProtocol';

/**
 * The scan worker thread (bundled as dist/extension/scanWorker.js): runs full scans, incremental
 * updates and the file watcher against its own catalog connection, and reports to the host.
 */
const data = workerData as ScanWorkerData;
const port = parentPort;
const post = (message: FromScanWorker): void => port?.postMessage(message);
const store = CatalogStore.open(data.catalogFile);
const scanner = new WorkspaceScanner(store, {
  root: data.root,
  defaultDialect: data.config.dialect,
  dialectByFolder: data.config.dialectByFolder,
  include: data.config.include,
  exclude: data.config.exclude,
});
let watcher: WorkspaceWatcher | undefined;
let abort: AbortController | undefined;

function startWatching(): void {
  watcher ??= watchWorkspace(scanner, {
    onUpdate: (report) => {
      if (report.changedPaths.length > 0) post({ type: 'changed', summary: `Updated ${report.changedPaths.length} changed files in ${report.millis.toFixed(0)} ms` });
    },
    onError: (err) => post({ type: 'log', level: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) }),
  });
}

async function handle(message: ToScanWorker): Promise<void> {
  switch (message.type) {
    case 'scan': {
      abort = new AbortController();
      try {
        const report = await scanner.scan({ signal: abort.signal, onProgress: (progress) => post({ type: 'progress', progress }) });
        const summary = `Scanned ${report.files} files (${report.parsed} parsed, ${report.cacheHits} cached) in ${report.millis.toFixed(0)} ms; ${report.entities} entities`;
        post({ type: 'done', id: message.id, ok: true, summary, changed: report.wrote });
        startWatching();
      } catch (err) {
        post({ type: 'done', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err), cancelled: abort.signal.aborted });
      }
      return;
    }
    case 'update':
      try {
        const report = await scanner.update(message.paths);
        post({ type: 'done', id: message.id, ok: true, summary: `Updated ${report.changedPaths.length} files`, changed: report.changedPaths.length > 0 });
      } catch (err) {
        post({ type: 'done', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err), cancelled: false });
      }
      return;
    case 'cancel':
      abort?.abort();
      return;
    case 'stop':
      await watcher?.dispose();
      await scanner.dispose();
      store.close();
      port?.close();
  }
}

port?.on('message', (message: ToScanWorker) => void handle(message));
