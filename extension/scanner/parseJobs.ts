import type { DbtProjectContext } from '../../core/dbt/api';
import type { Dialect } from '../../core/pipeline/contracts';
import { extractDbtFile, extractSqlFile, type FileStepResult } from '../../core/pipeline/fileStep';

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
