import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { WorkerPool } from '../../../extension/scanner/workerPool';
import { workersBesideBusyCaller } from '../../../extension/scanner/poolSetup';
import type { ParseJob } from '../../../extension/scanner/parseJobs';

/**
 * The pool leaves the calling thread a core while it renders beside the parse (a first scan's
 * model-level stage, `PoolRunOptions.callerBusy`): real worker threads, a pool larger than the
 * machine's cores less one, so some of its workers must wait.
 */

const sqlJob = (i: number): ParseJob => ({ kind: 'sql', path: `m${i}.sql`, text: `select id, c${i % 9} as v from t${i % 13}`, dialect: 'postgresql' });
const SIZE = availableParallelism() + 1;
const BATCH = 2;

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve = (): void => undefined;
  let reject = (_err: Error): void => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Runs 600 jobs; `release` ends the caller's busy time once the first batch is in. */
async function runHeld(release: (busy: ReturnType<typeof deferred>) => void): Promise<{ whileBusy: number; after: number; results: number; parsed: number }> {
  const pool = new WorkerPool(SIZE, BATCH);
  try {
    const busy = deferred();
    let whileBusy = -1;
    const jobs = Array.from({ length: 600 }, (_, i) => sqlJob(i));
    const run = pool.run(jobs, {
      callerBusy: busy.promise,
      onBatch: () => {
        if (whileBusy >= 0) return;
        whileBusy = pool.spawned;
        release(busy);
      },
    });
    const results = await run;
    return { whileBusy, after: pool.spawned, results: results.length, parsed: results.filter((r) => r.kind === 'sql' && r.parsed.statements.length === 1 && r.parsed.diagnostics.length === 0).length };
  } finally {
    await pool.dispose();
  }
}

describe('parse workers beside a busy calling thread (real worker threads)', function () {
  this.timeout(60_000);

  it('leaves the caller a core: at least one worker, never more than the pool', () => {
    const open = workersBesideBusyCaller(SIZE);
    assert.equal(open, Math.max(1, availableParallelism() - 1));
    assert.ok(open < SIZE, 'the test pool has workers to hold back');
    assert.equal(workersBesideBusyCaller(1), 1);
  });

  it('starts only the workers beside the caller while it is busy, the rest once it is done, and every job gets its result', async () => {
    const out = await runHeld((busy) => busy.resolve());
    assert.equal(out.whileBusy, workersBesideBusyCaller(SIZE), 'workers started while the caller was busy');
    assert.equal(out.after, SIZE, 'the held workers took batches once the caller was done');
    assert.equal(out.results, 600);
    assert.equal(out.parsed, 600, 'every job parsed, in whichever worker');
  });

  it('a caller whose work failed releases the held workers too', async () => {
    const out = await runHeld((busy) => busy.reject(new Error('stage cancelled')));
    assert.equal(out.whileBusy, workersBesideBusyCaller(SIZE));
    assert.equal(out.after, SIZE);
    assert.equal(out.parsed, 600);
  });
});
