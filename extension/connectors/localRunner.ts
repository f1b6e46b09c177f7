import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ConnectorWorkerData, FromConnectorWorker, ToConnectorWorker } from './connectorWorkerProtocol';
import type { RunOutcome } from './localRun';

/**
 * Starts a workspace connector's run in its own worker thread (`connectorWorker.ts`) and waits for
 * its outcome. Cancelling posts `cancel`; the worker stops between steps and keeps the previous
 * facts. A worker that dies reports `internal` instead of leaving the run pending.
 */
export function runInWorker(data: ConnectorWorkerData, options: { signal?: AbortSignal; onProgress?: (message: string, done?: number, total?: number) => void } = {}): Promise<RunOutcome> {
  const { file, execArgv } = workerScript();
  const worker = new Worker(file, { workerData: data, execArgv });
  return new Promise<RunOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: RunOutcome): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', cancel);
      resolve(outcome);
    };
    const cancel = (): void => worker.postMessage({ type: 'cancel' } satisfies ToConnectorWorker);
    options.signal?.addEventListener('abort', cancel);
    worker.on('message', (m: FromConnectorWorker) => {
      if (m.type === 'progress') options.onProgress?.(m.message, m.done, m.total);
      else {
        finish(m.outcome);
        // The worker closed the catalog before reporting; a driver socket left open must not keep it alive.
        void worker.terminate();
      }
    });
    worker.on('error', (err) => finish({ ok: false, reason: 'internal', message: err.message }));
    worker.on('exit', (code) => finish({ ok: false, reason: 'internal', message: `The connector worker stopped (exit code ${code}) before reporting.` }));
  });
}

/** The bundled worker next to the extension, or the TypeScript source under tsx (tests). */
function workerScript(): { file: string; execArgv: string[] } {
  const bundled = path.join(__dirname, 'connectorWorker.js');
  return existsSync(bundled) ? { file: bundled, execArgv: [] } : { file: path.join(__dirname, 'connectorWorker.ts'), execArgv: ['--require', 'tsx/cjs'] };
}
