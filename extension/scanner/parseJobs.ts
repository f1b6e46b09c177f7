import { renderDbtNode, type DbtProjectContext } from '../../core/dbt/api';
import type { Diagnostic } from '../../core/model/entities';
import type { Dialect } from '../../core/pipeline/contracts';
import { extractDbtFile, extractSqlFile, type FileStepResult } from '../../core/pipeline/fileStep';
import { IR_VERSION } from '../../core/sql/parseSql';

/**
 * The messages exchanged with parse workers, and the one function that runs a job. The same
 * function runs in a worker thread or, as a fallback, on the calling thread.
 */

/** One file to render and/or parse. */
export type ParseJob =
  | { kind: 'dbt'; contextKey: string; path: string; text: string; dialect: Dialect }
  | { kind: 'sql'; path: string; text: string; dialect: Dialect };

/** Main thread → worker. */
export type ToWorker =
  | { type: 'context'; key: string; ctx: DbtProjectContext }
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
 * The result recorded for a file whose job overran its budget or killed its worker: a located
 * diagnostic, and for dbt nodes the rendered node (Jinja rendering is step-limited; the SQL parse
 * is what runs away), so the model keeps its entity and model-level edges.
 */
export function failedJobResult(job: ParseJob, contexts: ReadonlyMap<string, DbtProjectContext>, code: string, message: string): FileStepResult {
  const diagnostic: Diagnostic = { file: job.path, line: 1, column: 1, severity: 'error', code, message, extractor: 'pipeline' };
  const parsed = { irVersion: IR_VERSION, statements: [], diagnostics: [diagnostic], fallback: true };
  const ctx = job.kind === 'dbt' ? contexts.get(job.contextKey) : undefined;
  if (job.kind === 'sql' || !ctx) return { kind: 'sql', parsed };
  return { kind: 'dbt', node: renderDbtNode(ctx, job.path, job.text), parsed };
}

/** Runs one job; contexts are looked up by key. Never throws for bad input. */
export function runParseJob(job: ParseJob, contexts: ReadonlyMap<string, DbtProjectContext>): FileStepResult {
  if (job.kind === 'sql') return extractSqlFile(job.path, job.text, job.dialect);
  const ctx = contexts.get(job.contextKey);
  if (!ctx) {
    return {
      kind: 'sql',
      parsed: { irVersion: 0, statements: [], fallback: true, diagnostics: [{ file: job.path, line: 1, column: 1, severity: 'error', code: 'internal-error', message: `dbt context ${job.contextKey} is not loaded in the parse worker`, extractor: 'pipeline' }] },
    };
  }
  return extractDbtFile(ctx, job.path, job.text, job.dialect);
}
