import { serialize } from 'node:v8';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { DbtProjectContext } from '../../core/dbt/api';
import type { FileStepResult } from '../../core/pipeline/fileStep';
import { failedJobResult, PROGRESS_SLOTS, renderingContext, runParseJob, type FromWorker, type ParseJob, type ToWorker } from './parseJobs';
import { DEFAULT_JOB_TIMEOUT_MS, defaultWorkerCount, resolveWorkerScript, workersBesideBusyCaller, type PoolRunOptions, type WorkerPoolOptions } from './poolSetup';
import { MAX_HEAP_FACTOR, PARSE_HEAP_LIMITS, parseWorkerLimits } from './scanResources';

/**
 * A small pool of parse worker threads. Jobs go out in batches (fewer messages), idle workers take
 * the next batch, and results come back in job order. Workers start with the first batch, with a
 * heap sized for the dbt contexts they hold (serialized once, sent as bytes).
 *
 * Nothing a file does loses the others. node-sql-parser can backtrack for minutes on some inputs
 * and cannot be interrupted, so every job has a time budget: the worker publishes which job it is
 * on through shared memory (no message per job), a watchdog terminates a worker whose current job
 * overran, that file gets a located diagnostic, a fresh worker is started, and the batch's other
 * jobs run again. A worker that dies inside a job (out of memory) is replaced, with twice the heap
 * after an out-of-memory exit (up to `MAX_HEAP_FACTOR`), and the batch runs again; the job it died
 * in twice is skipped with a diagnostic. A worker that dies before its first job (receiving the
 * contexts) is not a file's fault: the batch runs again on a bigger one, and when even the largest
 * heap cannot hold the contexts, the rest of the run is computed on the calling thread.
 */

interface Slot {
  /** Started with the slot's first batch (or by `warmUp`), and again after a crash or time-out. */
  worker: Worker | undefined;
  /** Old-generation limit the worker was started with (MB), to see whether new contexts fit. */
  limitMb?: number | undefined;
  /** Shared with the worker: [jobs started, batch id, index of the job in its batch]. */
  progress: Int32Array;
  /** Jobs-started count when the watchdog last saw it move, and when. */
  seenSeq: number;
  seenAt: number;
}

/** What became of a batch sent to a worker. */
type BatchOutcome =
  | { kind: 'done'; results: FileStepResult[]; millis: number[] }
  /** A job overran its budget or killed workers twice: it is skipped, the others run again. */
  | { kind: 'failed'; index: number; code: 'parse-timeout' | 'parse-worker-crash'; message: string; millis: number }
  /** The worker died: run the whole batch again on its replacement. */
  | { kind: 'retry' }
  /** No worker can run it: compute it on the calling thread. */
  | { kind: 'inline' };

interface Pending {
  batchId: number;
  jobs: ParseJob[];
  resolve: (r: BatchOutcome) => void;
}

type BatchResult = { results: FileStepResult[]; millis: number[] };

/** How far the heap a warmed-up worker was started with may fall short of its contexts' needs. */
const WARM_LIMIT_SLACK = 1.25;

export class WorkerPool {
  private readonly slots: Slot[] = [];
  /** Contexts as rendered on this thread (inline batches, skipped files). */
  private readonly contexts = new Map<string, DbtProjectContext>();
  /** The same contexts serialized for the workers. */
  private readonly serialized = new Map<string, Uint8Array>();
  /** The context objects given to `setContext`, to skip re-sending the same one. */
  private readonly sources = new Map<string, DbtProjectContext>();
  private readonly inflight = new Map<Worker, Pending>();
  /** Worker deaths per job (the same object while its batch is run again). */
  private readonly strikes = new WeakMap<ParseJob, number>();
  private nextBatch = 1;
  private disposed = false;
  /** Set when a worker died receiving the contexts at the largest heap: the rest runs inline. */
  private inlineOnly = false;
  /** Milliseconds each job took inside its worker, for benchmarks (last `run` only). */
  lastJobMillis: number[] = [];

  /** Time budget of one job in milliseconds. */
  readonly jobTimeoutMs: number;
  private readonly baseLimits: ResourceLimits;
  private watchdog: NodeJS.Timeout | undefined;
  /** Number of jobs that overran their budget (for tests and benchmarks). */
  timeouts = 0;
  /** Number of worker threads started so far, including replacements (for tests). */
  spawned = 0;
  /** Multiplier of the workers' heap limit: doubled by each out-of-memory exit, up to `MAX_HEAP_FACTOR`. */
  heapFactor = 1;
  /** Batches computed on the calling thread because no worker could hold the contexts. */
  inlineBatches = 0;

  constructor(readonly size = defaultWorkerCount(), private readonly batchSize = 16, options: WorkerPoolOptions = {}) {
    const fromEnv = Number(process.env['MALLARD_PARSE_TIMEOUT_MS']);
    this.jobTimeoutMs = Math.max(1, options.jobTimeoutMs ?? (fromEnv > 0 ? fromEnv : DEFAULT_JOB_TIMEOUT_MS));
    this.baseLimits = options.resourceLimits ?? PARSE_HEAP_LIMITS;
    for (let i = 0; i < size; i++) this.slots.push({ worker: undefined, progress: new Int32Array(new SharedArrayBuffer(PROGRESS_SLOTS * Int32Array.BYTES_PER_ELEMENT)), seenSeq: 0, seenAt: 0 });
  }

  /** Heap limits of the next worker: room for the contexts, times the out-of-memory factor. */
  get workerLimits(): ResourceLimits {
    let bytes = 0;
    for (const b of this.serialized.values()) bytes += b.byteLength;
    return parseWorkerLimits(this.baseLimits, bytes, this.heapFactor);
  }

  private spawn(slot: Slot): Worker {
    const { file, execArgv } = resolveWorkerScript();
    const limits = this.workerLimits;
    slot.limitMb = limits.maxOldGenerationSizeMb;
    const worker = new Worker(file, { execArgv, workerData: { progress: slot.progress }, resourceLimits: limits });
    this.spawned++;
    worker.unref();
    worker.on('message', (msg: FromWorker) => this.onMessage(worker, msg));
    worker.on('error', (err: Error & { code?: string }) => this.onCrash(worker, err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : err.message));
    worker.on('exit', (code) => this.onCrash(worker, `exit code ${code}`));
    for (const [key, bytes] of this.serialized) worker.postMessage({ type: 'context', key, bytes } satisfies ToWorker);
    slot.worker = worker;
    return worker;
  }

  private onMessage(worker: Worker, msg: FromWorker): void {
    const pending = this.inflight.get(worker);
    if (!pending || pending.batchId !== msg.batchId) return;
    this.inflight.delete(worker);
    // A batch that threw inside the worker (a bug, not a crash) is computed here.
    pending.resolve(msg.type === 'done' ? { kind: 'done', results: msg.results, millis: msg.millis } : { kind: 'inline' });
  }

  /** A worker died (`reason` is 'oom' for its heap limit). See the class comment for what follows. */
  private onCrash(worker: Worker, reason: string): void {
    const slot = this.slots.find((s) => s.worker === worker);
    // The second event of the same death ('error' then 'exit'), or a worker replaced on purpose.
    if (!slot) return;
    slot.worker = undefined;
    const pending = this.inflight.get(worker);
    this.inflight.delete(worker);
    if (this.disposed || !pending) return;
    const oom = reason === 'oom';
    const limitMb = this.workerLimits.maxOldGenerationSizeMb;
    const grew = oom && this.heapFactor < MAX_HEAP_FACTOR;
    if (grew) this.heapFactor *= 2;
    if (Atomics.load(slot.progress, 1) !== pending.batchId) {
      if (grew) pending.resolve({ kind: 'retry' });
      else {
        this.inlineOnly = true;
        pending.resolve({ kind: 'inline' });
      }
      return;
    }
    const index = Atomics.load(slot.progress, 2);
    const job = pending.jobs[index];
    const strikes = (job ? (this.strikes.get(job) ?? 0) : 1) + 1;
    if (job) this.strikes.set(job, strikes);
    if (strikes < 2) {
      pending.resolve({ kind: 'retry' });
      return;
    }
    const what = oom ? `ran out of memory twice on this file (heap limit ${limitMb ?? 'V8 default'} MB)` : `stopped twice while parsing this file (${reason})`;
    pending.resolve({ kind: 'failed', index, code: 'parse-worker-crash', message: `parse worker ${what}; skipped: its SQL is not parsed, so it has no column lineage`, millis: 0 });
  }

  /** Checks every busy worker: one whose current job overran the budget is replaced. */
  private checkBudgets(): void {
    const now = performance.now();
    for (const slot of this.slots) {
      const stuck = slot.worker;
      const pending = stuck ? this.inflight.get(stuck) : undefined;
      if (!stuck || !pending) continue;
      const seq = Atomics.load(slot.progress, 0);
      // A worker still booting (tsx, module loading, contexts) or receiving the batch has not started
      // a job: the budget is for jobs, so it starts with the first job of this batch.
      const started = Atomics.load(slot.progress, 1) === pending.batchId;
      if (seq !== slot.seenSeq || !started) {
        slot.seenSeq = seq;
        slot.seenAt = now;
      } else if (now - slot.seenAt >= this.jobTimeoutMs) {
        const index = Atomics.load(slot.progress, 2);
        this.inflight.delete(stuck);
        // Detached before terminating, so the exit event finds no slot and no batch to recover.
        slot.worker = undefined;
        void stuck.terminate();
        this.timeouts++;
        const message = `parser timed out after ${Math.round(this.jobTimeoutMs / 100) / 10} s; the file's column lineage is skipped`;
        pending.resolve({ kind: 'failed', index, code: 'parse-timeout', message, millis: this.jobTimeoutMs });
      }
    }
  }

  private runInline(jobs: ParseJob[], stopRequested?: () => boolean): BatchResult {
    const options = stopRequested ? { budget: { shouldStop: stopRequested } } : undefined;
    const millis: number[] = [];
    const results = jobs.map((job) => {
      const start = performance.now();
      const r = runParseJob(job, this.contexts, options);
      millis.push(performance.now() - start);
      return r;
    });
    return { results, millis };
  }

  /**
   * Starts the first `count` workers (all by default) now, before there is work: a worker takes a
   * few hundred milliseconds to load its bundle, which then overlaps what the caller does meanwhile
   * (planning the workspace).
   */
  warmUp(count = this.slots.length): void {
    if (this.disposed || this.inlineOnly) return;
    for (const slot of this.slots.slice(0, count)) if (!slot.worker) this.spawn(slot);
  }

  /** Makes a dbt project context available to every worker under `key`. */
  setContext(key: string, full: DbtProjectContext): void {
    if (this.sources.get(key) === full) return;
    this.sources.set(key, full);
    const ctx = renderingContext(full);
    this.contexts.set(key, ctx);
    // Serialized once: every worker (and every replacement) gets a copy of the bytes.
    const bytes = serialize(ctx);
    this.serialized.set(key, bytes);
    const needed = this.workerLimits.maxOldGenerationSizeMb;
    for (const s of this.slots) {
      const worker = s.worker;
      if (!worker) continue;
      // A worker started before the contexts were known (`warmUp`) whose heap would leave too
      // little room beside them is idle: it is replaced by one sized for them (which gets every
      // context when it starts). A small shortfall is kept: a worker's live heap is far below its
      // limit, and one that still runs out is restarted bigger, as any other.
      if (needed !== undefined && s.limitMb !== undefined && needed > s.limitMb * WARM_LIMIT_SLACK && !this.inflight.has(worker)) {
        s.worker = undefined;
        void worker.terminate();
        this.spawn(s);
        continue;
      }
      worker.postMessage({ type: 'context', key, bytes } satisfies ToWorker);
    }
  }

  /** Forgets every context whose key is not in `keys`. */
  retainContexts(keys: ReadonlySet<string>): void {
    for (const key of [...this.contexts.keys()]) if (!keys.has(key)) this.dropContext(key);
  }

  /** Forgets a context no longer needed. */
  dropContext(key: string): void {
    this.sources.delete(key);
    this.serialized.delete(key);
    if (!this.contexts.delete(key)) return;
    for (const s of this.slots) s.worker?.postMessage({ type: 'drop', key } satisfies ToWorker);
  }

  /**
   * Runs jobs on the workers; results are in job order. Rejects with the signal's reason on abort.
   * The pool owns `jobs`: each entry is cleared once its batch is done, so the files' texts it
   * carries are not all held until the last batch.
   */
  run(jobs: ParseJob[], options: PoolRunOptions = {}): Promise<FileStepResult[]> {
    // Runs are serialized: each owns every worker while it lasts.
    const result = this.queue.then(() => this.runNow(jobs, options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private queue: Promise<unknown> = Promise.resolve();

  private async runNow(jobs: (ParseJob | undefined)[], options: PoolRunOptions): Promise<FileStepResult[]> {
    if (this.disposed) throw new Error('WorkerPool is disposed');
    const { signal } = options;
    signal?.throwIfAborted();
    if (this.slots.length === 0) {
      const inline = this.runInline(jobs.filter((j): j is ParseJob => j !== undefined), options.stopRequested);
      this.lastJobMillis = inline.millis;
      options.onBatch?.(0, inline.results);
      options.onProgress?.(jobs.length, jobs.length);
      return inline.results;
    }
    const results: FileStepResult[] = new Array<FileStepResult>(jobs.length);
    const millis: number[] = new Array<number>(jobs.length).fill(0);
    let next = 0;
    let done = 0;
    const open = options.callerBusy === true ? workersBesideBusyCaller(this.slots.length) : this.slots.length;
    const drive = async (slot: Slot): Promise<void> => {
      while (next * this.batchSize < jobs.length) {
        signal?.throwIfAborted();
        const start = next++ * this.batchSize;
        const batch = jobs.slice(start, start + this.batchSize).filter((j): j is ParseJob => j !== undefined);
        options.onTake?.(batch);
        const out = await this.runBatch(slot, batch, options);
        out.results.forEach((r, i) => {
          results[start + i] = r;
          millis[start + i] = out.millis[i] ?? 0;
          jobs[start + i] = undefined;
        });
        // After this slot's next batch is sent (the loop goes on synchronously): storing results
        // must not keep a worker waiting.
        queueMicrotask(() => options.onBatch?.(start, out.results));
        done += batch.length;
        options.onProgress?.(done, jobs.length);
      }
    };
    this.watchdog = setInterval(() => this.checkBudgets(), Math.max(5, Math.min(1000, Math.floor(this.jobTimeoutMs / 4))));
    // An abort ends the run at once; the caller disposes the pool, which terminates busy workers.
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([Promise.all(this.slots.slice(0, open).map(drive)), aborted]);
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      clearInterval(this.watchdog);
      this.watchdog = undefined;
    }
    this.lastJobMillis = millis;
    return results;
  }

  /**
   * Runs one batch on a slot until it has a result per job: again on the replacement after a
   * crash, without the job that overran or was blamed (which gets a diagnostic result), or inline.
   */
  private async runBatch(slot: Slot, jobs: ParseJob[], options: PoolRunOptions): Promise<BatchResult> {
    const out: BatchOutcome = this.inlineOnly ? { kind: 'inline' } : await this.dispatch(slot, jobs);
    if (out.kind === 'done') return out;
    if (out.kind === 'retry') return this.runBatch(slot, jobs, options);
    if (out.kind === 'inline') {
      this.inlineBatches++;
      // Let a cancel message in between batches computed on this thread.
      await new Promise((resolve) => setImmediate(resolve));
      options.signal?.throwIfAborted();
      return this.runInline(jobs, options.stopRequested);
    }
    const i = out.index;
    const job = jobs[i];
    const others = jobs.filter((_, k) => k !== i);
    const rest = others.length > 0 ? await this.runBatch(slot, others, options) : { results: [], millis: [] };
    if (!job) return rest;
    const results = [...rest.results.slice(0, i), failedJobResult(job, this.contexts, out.code, out.message), ...rest.results.slice(i)];
    const millis = [...rest.millis.slice(0, i), out.millis, ...rest.millis.slice(i)];
    return { results, millis };
  }

  private dispatch(slot: Slot, jobs: ParseJob[]): Promise<BatchOutcome> {
    return new Promise((resolve) => {
      const batchId = this.nextBatch++;
      const worker = slot.worker ?? this.spawn(slot);
      slot.seenSeq = Atomics.load(slot.progress, 0);
      slot.seenAt = performance.now();
      this.inflight.set(worker, { batchId, jobs, resolve });
      worker.postMessage({ type: 'jobs', batchId, jobs } satisfies ToWorker);
    });
  }

  /** Terminates the workers. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.watchdog);
    await Promise.all(this.slots.map((s) => s.worker?.terminate()));
  }
}
