import { renderDbtNode, type DbtNodeResult, type DbtProjectContext, type DbtRenderOptions } from '../../core/dbt/api';
import { emptyFacts, type Diagnostic } from '../../core/model/entities';
import type { Dialect } from '../../core/pipeline/contracts';
import { extractDbtFile, extractSqlFile, type FileStepResult } from '../../core/pipeline/fileStep';
import { IR_VERSION } from '../../core/sql/parseSql';
import { ensureSqlEngine } from '../sqlEngineHost';

/**
 * The messages exchanged with parse workers, and the one function that runs a job. The same
 * function runs in a worker thread or, as a fallback, on the calling thread.
 */

/** One file to render and/or parse. */
export type ParseJob =
  /**
   * `rendered`: the node as the scan thread rendered it for a first scan's stage (see
   * `StageShare`), the same render the worker would make: the worker only parses it.
   */
  | { kind: 'dbt'; contextKey: string; path: string; text: string; dialect: Dialect; rendered?: DbtNodeResult }
  | { kind: 'sql'; path: string; text: string; dialect: Dialect };

/** Main thread → worker. */
export type ToWorker =
  /** A context as `v8.serialize` bytes: serialized once, copied to each worker (and replacement) as bytes. */
  | { type: 'context'; key: string; bytes: Uint8Array }
  | { type: 'drop'; key: string }
  | { type: 'jobs'; batchId: number; jobs: ParseJob[] };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'done'; batchId: number; results: FileStepResult[]; millis: number[] }
  | { type: 'failed'; batchId: number; message: string };

/**
 * Int32 slots a worker shares with the pool: [0] jobs started so far, [1] id of the batch being
 * run, [2] index of the current job in that batch. The pool's watchdog reads them to time jobs.
 */
export const PROGRESS_SLOTS = 3;

/** Publishes the start of job `index` of batch `batchId` (called by the worker before each job). */
export function markJobStart(progress: Int32Array | undefined, batchId: number, index: number): void {
  if (!progress) return;
  Atomics.store(progress, 1, batchId);
  Atomics.store(progress, 2, index);
  // Written last: the watchdog treats a moved counter as "a new job started".
  Atomics.add(progress, 0, 1);
}

/**
 * The budget of a render on the calling thread for a file whose job killed or outlasted its worker.
 * Whatever did it (most often the SQL parse, which has no budget of its own) must not take the scan
 * thread down with it: a tenth of the normal steps and a second are plenty for real models (the
 * corpora's largest uses about 7,000 steps) and bound what the render can allocate.
 */
const SKIPPED_FILE_BUDGET: DbtRenderOptions = { budget: { maxSteps: 200_000, maxMillis: 1_000 } };

/**
 * The result recorded for a file whose job overran its budget or killed its worker: a located
 * diagnostic, and for dbt nodes the node rendered under a small budget (the SQL is not parsed), so
 * the model keeps its entity and model-level edges.
 */
export function failedJobResult(job: ParseJob, contexts: ReadonlyMap<string, DbtProjectContext>, code: string, message: string): FileStepResult {
  const diagnostic: Diagnostic = { file: job.path, line: 1, column: 1, severity: 'error', code, message, extractor: 'pipeline' };
  const parsed = { irVersion: IR_VERSION, statements: [], diagnostics: [diagnostic], fallback: true };
  const ctx = job.kind === 'dbt' ? contexts.get(job.contextKey) : undefined;
  if (job.kind === 'sql' || !ctx) return { kind: 'sql', parsed };
  return { kind: 'dbt', node: renderDbtNode(ctx, job.path, job.text, SKIPPED_FILE_BUDGET), parsed };
}

/**
 * The context as parse workers get it. Rendering never reads the YAML-declared facts, the model
 * YAML properties or the exposures (the assembler does, on the scan thread): without them the
 * context of a 100,000-model project is half the size (and each worker's heap with it).
 */
export function renderingContext(full: DbtProjectContext): DbtProjectContext {
  return { ...full, facts: emptyFacts(), index: { ...full.index, modelYaml: {}, exposures: [] } };
}

/**
 * Runs one job; contexts are looked up by key. Never throws for bad input; throws `WorkCancelled`
 * when `options.budget.shouldStop` says so (renders on the scan thread).
 */
export function runParseJob(job: ParseJob, contexts: ReadonlyMap<string, DbtProjectContext>, options?: DbtRenderOptions): FileStepResult {
  // The SQL parser is installed once per thread (a parse worker or the scan thread) on first use.
  ensureSqlEngine();
  if (job.kind === 'sql') return extractSqlFile(job.path, job.text, job.dialect);
  const ctx = contexts.get(job.contextKey);
  if (!ctx) {
    return {
      kind: 'sql',
      parsed: { irVersion: 0, statements: [], fallback: true, diagnostics: [{ file: job.path, line: 1, column: 1, severity: 'error', code: 'internal-error', message: `dbt context ${job.contextKey} is not loaded in the parse worker`, extractor: 'pipeline' }] },
    };
  }
  return extractDbtFile(ctx, job.path, job.text, job.dialect, options, job.rendered);
}
