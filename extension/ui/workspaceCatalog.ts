import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MallardConfig } from '../config';
import { CATALOG_FOLDER, ensureCatalogFolder } from '../catalog/catalogFolder';
import { explainWorkerError } from '../catalog/catalogProblem';
import { CatalogStore } from '../catalog/catalogStore';
import type { EntitySummary } from '../catalog/catalogTypes';
import { SCAN_HEAP_LIMITS, scaledHeapLimits, type HeapLimits } from '../scanner/scanResources';
import { SIGNATURE_KEY, type ScanProgress } from '../scanner/scanTypes';
import type { Logger } from './logger';
import type { FromScanWorker, ScanWorkerData, ToScanWorker } from './scanWorkerProtocol';
import type { EditPatch, EditTarget } from '../catalog/catalogTypes';
import type { SyncOp } from '../../core/sync/ops';
import { CatalogSync } from './catalogSync';
import type { CompiledPreview } from './compiledRender';

/** A message type without its request id (distributes over unions). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * One workspace folder's catalog: `.mallard/catalog.db` (shared with the CLI). Scanning, hashing,
 * parsing, writing and file watching run in a worker thread (`scanWorker.ts`) with its own
 * connection; this side only reads, so the extension host stays responsive during a scan. It knows
 * nothing about VS Code; views subscribe to `onDidChange` and read `store`.
 */
export class WorkspaceCatalog {
  readonly store: CatalogStore;
  /** Team sync of this catalog, run by the worker on its connection (start, status, conflicts, …). */
  readonly sync: CatalogSync;
  private worker: Worker;
  private data: ScanWorkerData;
  /** Multiplier of the worker's heap limits; doubles after an out-of-memory exit. */
  private heapFactor = 1;
  private readonly listeners = new Set<() => void>();
  private readonly pending = new Map<number, { message: ToScanWorker; resolve: (changed: boolean) => void; reject: (err: Error) => void; onProgress?: (p: ScanProgress) => void }>();
  private nextId = 1;
  /** Render requests (Show Compiled SQL) waiting for the worker's answer. */
  private readonly renders = new Map<number, (preview: CompiledPreview) => void>();
  private byPath: Map<string, EntitySummary[]> | undefined;
  private disposed = false;
  /** Shared with the worker: the id of the scan to cancel (see `ScanWorkerData.cancelFlag`). */
  private readonly cancelFlag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  private readonly heapLimits: HeapLimits;

  constructor(
    /** Absolute path of the workspace folder. */
    readonly root: string,
    config: MallardConfig,
    private readonly logger: Logger,
    options: {
      /** The worker's starting heap limits (tests give small ones). */
      heapLimits?: HeapLimits;
      /** See `ScanWorkerData.warmupDelayMs`. */
      warmupDelayMs?: number;
    } = {},
  ) {
    this.heapLimits = options.heapLimits ?? SCAN_HEAP_LIMITS;
    const catalogFile = path.join(root, CATALOG_FOLDER, 'catalog.db');
    ensureCatalogFolder(catalogFile);
    // Opening here first creates and migrates the file before the worker connects to it.
    this.store = CatalogStore.open(catalogFile);
    this.data = { root, catalogFile, config, cancelFlag: this.cancelFlag, ...(options.warmupDelayMs !== undefined ? { warmupDelayMs: options.warmupDelayMs } : {}) };
    this.sync = new CatalogSync(
      (message) => this.worker.postMessage(message),
      () => this.changed(),
      (message) => this.logger.warn(message),
    );
    this.worker = this.startWorker();
  }

  /**
   * Starts the scan worker under the scanner's heap limits (`SCAN_HEAP_LIMITS`, times `heapFactor`).
   * If it runs out of memory (a workspace bigger than the limits were measured for), it is started
   * again with twice the heap, up to 8×, and the requests it had not answered are sent again: a
   * scan is a pure function of the files, so repeating one is safe.
   */
  private startWorker(): Worker {
    const { file, execArgv } = workerScript();
    const worker = new Worker(file, { workerData: this.data, execArgv, resourceLimits: scaledHeapLimits(this.heapLimits, this.heapFactor) });
    worker.on('message', (m: FromScanWorker) => this.receive(m));
    worker.on('error', (err: Error & { code?: string }) => {
      if (worker !== this.worker) return; // a worker replaced by `reconfigure`
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY' && !this.disposed && this.heapFactor < 8) {
        this.heapFactor *= 2;
        this.logger.warn(`The scan worker ran out of memory; restarting it with a ${scaledHeapLimits(this.heapLimits, this.heapFactor).maxOldGenerationSizeMb} MB heap.`);
        this.worker = this.startWorker();
        this.sync.workerRestarted();
        this.endRenders('the scan worker restarted');
        const resend = [...this.pending.values()].map((p) => p.message);
        // The watcher lives in the worker and starts after its first scan.
        if (!resend.some((m) => m.type === 'scan')) void this.scan().catch((e: unknown) => this.logger.error(e instanceof Error ? e : String(e)));
        for (const m of resend) this.worker.postMessage(m);
        return;
      }
      this.logger.error(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.endRenders(err.message);
    });
    return worker;
  }

  /** Whether the catalog holds a complete scan (from this session or an earlier one). */
  get scannedBefore(): boolean {
    return this.store.getMeta(SIGNATURE_KEY) !== undefined;
  }

  /** Registers a listener called after every scan or incremental update that changed something. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    this.byPath = undefined;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.logger.error(err instanceof Error ? err : String(err));
      }
    }
  }

  private receive(message: FromScanWorker): void {
    if (this.sync.receive(message)) return;
    if (message.type === 'log') {
      this.logger[message.level](message.message);
    } else if (message.type === 'changed') {
      this.logger.info(message.summary);
      this.changed();
    } else if (message.type === 'rendered') {
      this.renders.get(message.id)?.(message.preview);
      this.renders.delete(message.id);
    } else if (message.type === 'progress') {
      for (const p of this.pending.values()) p.onProgress?.(message.progress);
    } else {
      const entry = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) {
        this.logger.info(message.summary);
        entry?.resolve(message.changed);
      } else {
        // A catalog found damaged during a scan gets the same advice as one found damaged at open.
        entry?.reject(Object.assign(new Error(explainWorkerError(this.data.catalogFile, message.error)), { cancelled: message.cancelled }));
      }
    }
  }

  private request(message: WithoutId<Extract<ToScanWorker, { id: number }>>, onProgress?: (p: ScanProgress) => void): Promise<boolean> {
    if (this.disposed) return Promise.reject(new Error('The catalog is closed'));
    const id = this.nextId++;
    const full = { ...message, id } as ToScanWorker;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { message: full, resolve, reject, onProgress });
      this.worker.postMessage(full);
    });
  }

  /** Full scan in the worker (a no-op write when nothing changed); starts the watcher after the first one. */
  async scan(onProgress?: (p: ScanProgress) => void, signal?: AbortSignal): Promise<void> {
    // The id `request` is about to give this scan.
    const id = this.nextId;
    const onAbort = (): void => {
      // Seen at once by the worker's renders, which read the message only when they end.
      Atomics.store(this.cancelFlag, 0, id);
      this.worker.postMessage({ type: 'cancel' } satisfies ToScanWorker);
    };
    signal?.addEventListener('abort', onAbort);
    try {
      await this.request({ type: 'scan' }, onProgress);
      this.changed();
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The watcher runs in the worker and starts after the first scan; kept for callers' symmetry. */
  watch(): void {
    // Nothing to do on this side.
  }

  /** Rescans the given workspace-relative or absolute paths now (e.g. on save). */
  async update(paths: readonly string[]): Promise<void> {
    if (await this.request({ type: 'update', paths: [...paths] })) this.changed();
  }

  /**
   * Renders `text` as the dbt node at `relativePath` in the worker, with the dbt context of the
   * last scan (Show Compiled SQL). Writes nothing; never rejects (a failure is a `CompiledPreview`).
   */
  render(relativePath: string, text: string): Promise<CompiledPreview> {
    if (this.disposed) return Promise.resolve({ ok: false, reason: 'failed', message: 'The catalog is closed' });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.renders.set(id, resolve);
      this.worker.postMessage({ type: 'render', id, path: relativePath, text } satisfies ToScanWorker);
    });
  }

  /** Answers every waiting render request with a failure (the worker that had them is gone). */
  private endRenders(message: string): void {
    for (const resolve of this.renders.values()) resolve({ ok: false, reason: 'failed', message });
    this.renders.clear();
  }

  /**
   * A user edit (docs, tags, meta) through the one mutation API, written by the worker's connection
   * with its outbox op in one transaction; the sync engine pushes it soon. Views refresh after it.
   */
  async mutate(target: EditTarget, patch: EditPatch): Promise<SyncOp> {
    const op = await this.sync.mutate(target, patch);
    this.changed();
    return op;
  }

  /** Entities defined in a workspace-relative file, from an index rebuilt after each change. */
  entitiesIn(relativePath: string): EntitySummary[] {
    if (!this.byPath) {
      this.byPath = new Map();
      for (let offset = 0; ; offset += 10_000) {
        const page = this.store.listEntities({ limit: 10_000, offset });
        for (const e of page.items) {
          const list = this.byPath.get(e.path) ?? [];
          list.push(e);
          this.byPath.set(e.path, list);
        }
        if (offset + page.items.length >= page.total || page.items.length === 0) break;
      }
    }
    return this.byPath.get(relativePath) ?? [];
  }

  /** Workspace-relative path with forward slashes, or undefined when outside this folder. */
  relative(absolute: string): string | undefined {
    const rel = path.relative(this.root, absolute);
    return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel.split(path.sep).join('/');
  }

  /**
   * Applies new settings (e.g. edited in the Settings editor, or a workspace folder added inside
   * this one). When what the scanner reads changed (dialects, include/exclude globs), the worker is
   * stopped and started again with them; a request it had not answered ends as cancelled, and the
   * caller scans again (files whose parse inputs are unchanged still come from the parse cache).
   * Returns whether it restarted the worker.
   */
  async reconfigure(config: MallardConfig): Promise<boolean> {
    if (this.disposed || scanSettingsKey(config) === scanSettingsKey(this.data.config)) return false;
    const old = this.worker;
    this.data = { ...this.data, config };
    this.worker = this.startWorker();
    await stopWorker(old);
    this.sync.workerRestarted();
    this.endRenders('The scan settings changed');
    for (const [id, p] of this.pending) {
      if (p.message.type === 'update') {
        this.worker.postMessage(p.message); // a saved file's update is repeated, not dropped
        continue;
      }
      this.pending.delete(id);
      p.reject(Object.assign(new Error('The scan settings changed'), { cancelled: true }));
    }
    this.logger.info(`${path.basename(this.root)}: scan settings changed; the scan worker restarted with them`);
    return true;
  }

  /** Stops the worker (watcher, parse workers, its connection) and closes the store. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.listeners.clear();
    // The worker closes its connection and exits; one that lingers (a long step) is terminated.
    const worker = this.worker;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ToScanWorker);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const terminated = new Promise<void>((resolve) => {
      timer = setTimeout(() => void worker.terminate().finally(resolve), 1_000);
    });
    await Promise.race([exited, terminated]);
    clearTimeout(timer);
    // Requests the worker never answered (a scan running when its folder left the workspace) end
    // as cancelled, so callers waiting on them (the scan queue) move on.
    for (const p of this.pending.values()) p.reject(Object.assign(new Error('The catalog is closed'), { cancelled: true }));
    this.pending.clear();
    this.endRenders('The catalog is closed');
    this.sync.dispose();
    this.store.close();
  }
}

/** The settings the scan worker reads; `rescanOnSave` and `maxGraphNodes` only matter on the host. */
function scanSettingsKey(config: MallardConfig): string {
  const byFolder = Object.entries(config.dialectByFolder).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([config.dialect, config.dialectSet, byFolder, config.include, config.exclude, config.targets, config.defaultSchema]);
}

/** Cancels what a worker is doing, asks it to close its connection, and terminates it if it lingers. */
async function stopWorker(worker: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage({ type: 'cancel' } satisfies ToScanWorker);
  worker.postMessage({ type: 'stop' } satisfies ToScanWorker);
  const timer = setTimeout(() => void worker.terminate(), 5_000);
  await exited;
  clearTimeout(timer);
}

/** The bundled worker next to the extension bundle, else the TypeScript source (tests, under tsx's loader). */
function workerScript(): { file: string; execArgv: string[] } {
  const bundled = path.join(__dirname, 'scanWorker.js');
  return existsSync(bundled) ? { file: bundled, execArgv: [] } : { file: path.join(__dirname, 'scanWorker.ts'), execArgv: ['--require', 'tsx/cjs'] };
}
