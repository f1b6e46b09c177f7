import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { DbtProjectContext } from '../../core/dbt/api';
import { emptyFacts } from '../../core/model/entities';
import type { FileStepResult } from '../../core/pipeline/fileStep';
import { failedJobResult, PROGRESS_SLOTS, runParseJob, type FromWorker, type ParseJob, type ToWorker } from './parseJobs';
import { PARSE_HEAP_LIMITS } from './scanResources';

/**
 * A small pool of parse worker threads. Jobs go out in batches (fewer messages), idle workers take
 * the next batch, and results come back in job order. When a worker dies, its batch is computed on
 * the calling thread and the worker is replaced, so a crash never loses files.
 *
 * node-sql-parser can backtrack for minutes on some inputs and cannot be interrupted, so every job
 * has a time budget: the worker publishes which job it is on through shared memory (no message per
 * job), a watchdog terminates a worker whose current job overran, that file gets a located
 * diagnostic instead of a result, a fresh worker is started, and the batch's other jobs run again.
 */

/** Default time budget of one job (render + parse of one file). */
export const DEFAULT_JOB_TIMEOUT_MS = 10_000;

/** Options of a `WorkerPool`. */
export interface WorkerPoolOptions {
  /** Time budget of one job in milliseconds (default: `MALLARD_PARSE_TIMEOUT_MS`, else 10 s). */
  jobTimeoutMs?: number;
  /** V8 heap limits of each worker (default: the parse workers' limits). */
  resourceLimits?: ResourceLimits;
}

/** Finds the worker script: bundled JS next to the extension or CLI bundle, else the TS source (tsx). */
export function resolveWorkerScript(): { file: string; execArgv: string[] } {
  const fromEnv = process.env['MALLARD_PARSE_WORKER'];
  const candidates = [
    ...(fromEnv ? [fromEnv] : []),
    path.join(__dirname, 'parseWorker.js'),
    path.join(__dirname, '..', 'extension', 'parseWorker.js'),
    path.join(__dirname, 'parseWorker.ts'),
  ];
  const file = candidates.find((c) => existsSync(c));
  if (!file) throw new Error(`Mallard parse worker not found (looked in ${candidates.join(', ')})`);
  // A TypeScript worker (tests under tsx) needs tsx's loader in the worker too.
  return { file, execArgv: file.endsWith('.ts') ? ['--require', 'tsx/cjs'] : [] };
}

/**
 * Default worker count: one per core but one, at least 1, at most 4. Parsing is CPU-bound, but the
 * coordinating thread is busy too (it deserializes every result), and each worker costs ~40 MB
 * bundled (~75 MB under tsx) plus its heap: on the 2-core bench machine a second worker cut the
 * parse phase only from 8.3 to 6.4 s but raised the cold scan's peak RSS from ~550 to ~715 MB.
 */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

interface Slot {
  worker: Worker;
  /** Shared with the worker: [jobs started, batch id, index of the job in its batch]. */
  progress: Int32Array;
  /** Jobs-started count when the watchdog last saw it move, and when. */
  seenSeq: number;
  seenAt: number;
}

/** A batch's outcome: results in job order, or the index of the job that overran its budget. */
type BatchOutcome = { results: FileStepResult[]; millis: number[]; failed?: undefined } | { failed: FailedJob };

/** The job a batch stopped at: its index, the diagnostic to record for it, and the time it used. */
interface FailedJob {
  index: number;
  code: 'parse-timeout' | 'parse-worker-crash';
  message: string;
  millis: number;
}

interface Pending {
  batchId: number;
  jobs: ParseJob[];
  resolve: (r: BatchOutcome) => void;
}

/** Progress of a `run`: jobs done so far and the total. */
export type PoolProgress = (done: number, total: number) => void;

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly contexts = new Map<string, DbtProjectContext>();
  /** The context objects given to `setContext`, to skip re-sending the same one. */
  private readonly sources = new Map<string, DbtProjectContext>();
  private readonly inflight = new Map<Worker, Pending>();
  private nextBatch = 1;
  private disposed = false;
  /** Milliseconds each job took inside its worker, for benchmarks (last `run` only). */
  lastJobMillis: number[] = [];

  /** Time budget of one job in milliseconds. */
  readonly jobTimeoutMs: number;
  private readonly resourceLimits: ResourceLimits | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  /** Number of jobs that overran their budget (for tests and benchmarks). */
  timeouts = 0;

  constructor(readonly size = defaultWorkerCount(), private readonly batchSize = 16, options: WorkerPoolOptions = {}) {
    const fromEnv = Number(process.env['MALLARD_PARSE_TIMEOUT_MS']);
    this.jobTimeoutMs = Math.max(1, options.jobTimeoutMs ?? (fromEnv > 0 ? fromEnv : DEFAULT_JOB_TIMEOUT_MS));
    this.resourceLimits = options.resourceLimits;
    for (let i = 0; i < size; i++) {
      const progress = new Int32Array(new SharedArrayBuffer(PROGRESS_SLOTS * Int32Array.BYTES_PER_ELEMENT));
      this.slots.push({ worker: this.spawn(progress), progress, seenSeq: 0, seenAt: 0 });
    }
  }

  /** Number of worker threads started so far, including replacements (for tests). */
  spawned = 0;

  private spawn(progress: Int32Array): Worker {
    const { file, execArgv } = resolveWorkerScript();
    const worker = new Worker(file, { execArgv, workerData: { progress }, resourceLimits: this.resourceLimits ?? PARSE_HEAP_LIMITS });
    this.spawned++;
    worker.unref();
    worker.on('message', (msg: FromWorker) => this.onMessage(worker, msg));
    worker.on('error', (err) => this.onCrash(worker, err.message));
    worker.on('exit', (code) => this.onCrash(worker, `exit code ${code}`));
    for (const [key, ctx] of this.contexts) worker.postMessage({ type: 'context', key, ctx } satisfies ToWorker);
    return worker;
  }

  private onMessage(worker: Worker, msg: FromWorker): void {
    const pending = this.inflight.get(worker);
    if (!pending || pending.batchId !== msg.batchId) return;
    this.inflight.delete(worker);
    if (msg.type === 'done') pending.resolve({ results: msg.results, millis: msg.millis });
    else pending.resolve(this.runInline(pending.jobs));
  }

  /**
   * A worker died (e.g. its heap limit on a huge file). If it was inside a job, that job is blamed
   * and the batch's others run again on the replacement; running the batch here instead could
   * take this thread down with it. A worker that died before starting the batch is not a file's
   * fault: the batch runs on this thread.
   */
  private onCrash(worker: Worker, reason: string): void {
    const slot = this.slots.find((s) => s.worker === worker);
    const pending = this.inflight.get(worker);
    this.inflight.delete(worker);
    if (slot && !this.disposed) slot.worker = this.spawn(slot.progress);
    if (!pending) return;
    if (slot && Atomics.load(slot.progress, 1) === pending.batchId) {
      const message = `parse worker stopped while parsing this file (${reason}); the file's column lineage is skipped`;
      pending.resolve({ failed: { index: Atomics.load(slot.progress, 2), code: 'parse-worker-crash', message, millis: 0 } });
    } else pending.resolve(this.runInline(pending.jobs));
  }

  /** Checks every busy worker: one whose current job overran the budget is replaced. */
  private checkBudgets(): void {
    const now = performance.now();
    for (const slot of this.slots) {
      const pending = this.inflight.get(slot.worker);
      if (!pending) continue;
      const seq = Atomics.load(slot.progress, 0);
      // A worker still booting (tsx, module loading) or receiving the batch has not started a job:
      // the budget is for jobs, so it starts with the first job of this batch.
      const started = Atomics.load(slot.progress, 1) === pending.batchId;
      if (seq !== slot.seenSeq || !started) {
        slot.seenSeq = seq;
        slot.seenAt = now;
      } else if (now - slot.seenAt >= this.jobTimeoutMs) {
        const index = Atomics.load(slot.progress, 2);
        const stuck = slot.worker;
        this.inflight.delete(stuck);
        // Replaced before terminating, so the exit event finds no slot and no batch to recover.
        slot.worker = this.spawn(slot.progress);
        void stuck.terminate();
        this.timeouts++;
        const message = `parser timed out after ${Math.round(this.jobTimeoutMs / 100) / 10} s; the file's column lineage is skipped`;
        pending.resolve({ failed: { index, code: 'parse-timeout', message, millis: this.jobTimeoutMs } });
      }
    }
  }

  private runInline(jobs: ParseJob[]): { results: FileStepResult[]; millis: number[] } {
    // Only for a worker that died before starting its batch (or a pool without workers): unguarded.
    const millis: number[] = [];
    const results = jobs.map((job) => {
      const start = performance.now();
      const r = runParseJob(job, this.contexts);
      millis.push(performance.now() - start);
      return r;
    });
    return { results, millis };
  }

  /** Makes a dbt project context available to every worker under `key`. */
  setContext(key: string, full: DbtProjectContext): void {
    if (this.sources.get(key) === full) return;
    this.sources.set(key, full);
    // Rendering never reads the YAML-declared facts; not cloning them saves tens of MB per worker.
    const ctx: DbtProjectContext = { ...full, facts: emptyFacts() };
    this.contexts.set(key, ctx);
    for (const s of this.slots) s.worker.postMessage({ type: 'context', key, ctx } satisfies ToWorker);
  }

  /** Forgets every context whose key is not in `keys`. */
  retainContexts(keys: ReadonlySet<string>): void {
    for (const key of [...this.contexts.keys()]) if (!keys.has(key)) this.dropContext(key);
  }

  /** Forgets a context no longer needed. */
  dropContext(key: string): void {
    this.sources.delete(key);
    if (!this.contexts.delete(key)) return;
    for (const s of this.slots) s.worker.postMessage({ type: 'drop', key } satisfies ToWorker);
  }

  /** Runs jobs on the workers; results are in job order. Rejects with the signal's reason on abort. */
  run(jobs: readonly ParseJob[], options: { signal?: AbortSignal; onProgress?: PoolProgress } = {}): Promise<FileStepResult[]> {
    // Runs are serialized: each owns every worker while it lasts.
    const result = this.queue.then(() => this.runNow(jobs, options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private queue: Promise<unknown> = Promise.resolve();

  private async runNow(jobs: readonly ParseJob[], options: { signal?: AbortSignal; onProgress?: PoolProgress }): Promise<FileStepResult[]> {
    if (this.disposed) throw new Error('WorkerPool is disposed');
    if (this.slots.length === 0) {
      const inline = this.runInline([...jobs]);
      this.lastJobMillis = inline.millis;
      options.onProgress?.(jobs.length, jobs.length);
      return inline.results;
    }
    const results: FileStepResult[] = new Array<FileStepResult>(jobs.length);
    const millis: number[] = new Array<number>(jobs.length).fill(0);
    const batches: { start: number; jobs: ParseJob[] }[] = [];
    for (let i = 0; i < jobs.length; i += this.batchSize) batches.push({ start: i, jobs: jobs.slice(i, i + this.batchSize) });
    let next = 0;
    let done = 0;
    const drive = async (slot: Slot): Promise<void> => {
      while (next < batches.length) {
        options.signal?.throwIfAborted();
        const batch = batches[next++];
        if (!batch) break;
        const out = await this.runBatch(slot, batch.jobs);
        out.results.forEach((r, i) => { results[batch.start + i] = r; millis[batch.start + i] = out.millis[i] ?? 0; });
        done += batch.jobs.length;
        options.onProgress?.(done, jobs.length);
      }
    };
    this.watchdog = setInterval(() => this.checkBudgets(), Math.max(5, Math.min(1000, Math.floor(this.jobTimeoutMs / 4))));
    try {
      await Promise.all(this.slots.map(drive));
    } finally {
      clearInterval(this.watchdog);
      this.watchdog = undefined;
    }
    options.signal?.throwIfAborted();
    this.lastJobMillis = millis;
    return results;
  }

  /**
   * Runs one batch on a slot. When a job overruns or kills its worker, it gets a diagnostic result
   * and the batch's other jobs run again on the replacement worker (results travel per batch, so
   * finished ones were lost with the worker).
   */
  private async runBatch(slot: Slot, jobs: ParseJob[]): Promise<{ results: FileStepResult[]; millis: number[] }> {
    const out = await this.dispatch(slot, jobs);
    if (out.failed === undefined) return out;
    const failed = out.failed;
    const i = failed.index;
    const job = jobs[i];
    const others = jobs.filter((_, k) => k !== i);
    const rest = others.length > 0 ? await this.runBatch(slot, others) : { results: [], millis: [] };
    if (!job) return rest;
    const results = [...rest.results.slice(0, i), failedJobResult(job, this.contexts, failed.code, failed.message), ...rest.results.slice(i)];
    const millis = [...rest.millis.slice(0, i), failed.millis, ...rest.millis.slice(i)];
    return { results, millis };
  }

  private dispatch(slot: Slot, jobs: ParseJob[]): Promise<BatchOutcome> {
    return new Promise((resolve) => {
      const batchId = this.nextBatch++;
      const worker = slot.worker;
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
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
