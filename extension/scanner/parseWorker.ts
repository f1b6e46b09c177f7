import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { DbtProjectContext } from '../../core/dbt/api';
import type { FileStepResult } from '../../core/pipeline/fileStep';
import { markJobStart, runParseJob, type FromWorker, type ToWorker } from './parseJobs';

/**
 * Worker-thread entry (esbuild builds it to `dist/extension/parseWorker.js`): receives dbt project
 * contexts once, then batches of files, and answers each batch with per-file step results.
 */

const contexts = new Map<string, DbtProjectContext>();
/** Progress shared with the pool's watchdog (see `PROGRESS_SLOTS`). */
const progress = (workerData as { progress?: Int32Array } | null)?.progress;

function handle(message: ToWorker): FromWorker | undefined {
  switch (message.type) {
    case 'context':
      contexts.set(message.key, deserialize(message.bytes) as DbtProjectContext);
      return undefined;
    case 'drop':
      contexts.delete(message.key);
      return undefined;
    case 'jobs': {
      try {
        const results: FileStepResult[] = [];
        const millis: number[] = [];
        for (const [index, job] of message.jobs.entries()) {
          markJobStart(progress, message.batchId, index);
          const start = performance.now();
          results.push(runParseJob(job, contexts));
          millis.push(performance.now() - start);
        }
        return { type: 'done', batchId: message.batchId, results, millis };
      } catch (err) {
        return { type: 'failed', batchId: message.batchId, message: err instanceof Error ? err.message : String(err) };
      }
    }
  }
}

parentPort?.on('message', (message: ToWorker) => {
  const reply = handle(message);
  if (reply) parentPort?.postMessage(reply);
});
