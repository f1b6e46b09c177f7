import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { ResourceLimits } from 'node:worker_threads';
import type { FileStepResult } from '../../core/pipeline/fileStep';
import type { ParseJob } from './parseJobs';

/**
 * How parse workers are set up: where their script is, how many to start, and the options of a
 * `WorkerPool` and of one of its runs.
 */

/** Default time budget of one job (render + parse of one file). */
export const DEFAULT_JOB_TIMEOUT_MS = 10_000;

/** Options of a `WorkerPool`. */
export interface WorkerPoolOptions {
  /** Time budget of one job in milliseconds (default: `MALLARD_PARSE_TIMEOUT_MS`, else 10 s). */
  jobTimeoutMs?: number;
  /** V8 heap limits of each worker besides its contexts (default: `PARSE_HEAP_LIMITS`; `{}`: V8's). */
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
  // A TypeScript worker (tests under tsx) needs tsx's loader in the worker too. A process started
  // with `--cpu-prof` (the scanner bench's profiling run) profiles its parse workers as well.
  const profiling = process.execArgv.filter((a) => a.startsWith('--cpu-prof'));
  return { file, execArgv: [...(file.endsWith('.ts') ? ['--require', 'tsx/cjs'] : []), ...profiling] };
}

/** Most parse workers started by default (see `defaultWorkerCount`). */
export const MAX_DEFAULT_WORKERS = 2;

/**
 * Default worker count: one per core, at least 1, at most `MAX_DEFAULT_WORKERS`. Parsing is
 * CPU-bound and the coordinating thread is nearly idle while it runs (it stores results as they
 * come), so a parse that runs alone gets a worker per core. A first scan's calling
 * thread also renders the model level meanwhile: then one core is left to it (see
 * `workersBesideBusyCaller`). Each worker costs ~40 MB bundled (~75 MB under tsx) plus its heap,
 * so more than two would not fit the scan's memory budget (ARCHITECTURE.md).
 */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_WORKERS, availableParallelism()));
}

/**
 * Workers of a pool of `size` that take batches while the calling thread is busy too (a first
 * scan's: it renders and stores the model level, then stores results as they come, see
 * `PoolRunOptions.callerBusy`): one core is left to it, at least one worker runs. On 2 cores a
 * second worker beside it only shared the cores (5,000 models: cold scan 8.3–9.1 s with two
 * workers, 8.1–8.6 s with one) and its 40–60 MB came on top of the peak (389–411 MB against
 * 349–352 MB).
 */
export function workersBesideBusyCaller(size: number): number {
  return Math.max(1, Math.min(size, availableParallelism() - 1));
}

/** Progress of a `run`: jobs done so far and the total. */
export type PoolProgress = (done: number, total: number) => void;

/** Options of one `run`. */
export interface PoolRunOptions {
  /** Rejects the run with the signal's reason; busy workers are left to `dispose`. */
  signal?: AbortSignal;
  onProgress?: PoolProgress;
  /** Cancellation check for renders on the calling thread (see `RenderBudget.shouldStop`). */
  stopRequested?: () => boolean;
  /** Results of the jobs from index `start` on, as each batch completes (in any order). */
  onBatch?: (start: number, results: readonly FileStepResult[]) => void;
  /**
   * The calling thread does CPU work of its own beside this run (a first scan's stage): only
   * `workersBesideBusyCaller(size)` workers take batches; the others are not started.
   */
  callerBusy?: boolean;
  /** Called with each batch's jobs as a worker (or the calling thread) takes them. */
  onTake?: (jobs: readonly ParseJob[]) => void;
}
