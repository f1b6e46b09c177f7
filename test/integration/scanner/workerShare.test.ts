import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { WorkerPool } from '../../../extension/scanner/workerPool';
import { workersBesideBusyCaller } from '../../../extension/scanner/poolSetup';
import type { ParseJob } from '../../../extension/scanner/parseJobs';

/**
 * The pool leaves the calling thread a core while it works beside the parse (a first scan's stage,
 * `PoolRunOptions.callerBusy`): real worker threads, a pool larger than the machine's cores less
 * one, so some of its workers must stay unstarted.
 */

const sqlJob = (i: number): ParseJob => ({ kind: 'sql', path: `m${i}.sql`, text: `select id, c${i % 9} as v from t${i % 13}`, dialect: 'postgresql' });
const SIZE = availableParallelism() + 1;

/** Runs 600 jobs in batches of 2; which jobs each started worker took. */
async function run(callerBusy: boolean): Promise<{ spawned: number; taken: number; parsed: number }> {
  const pool = new WorkerPool(SIZE, 2);
  try {
    let taken = 0;
    const results = await pool.run(Array.from({ length: 600 }, (_, i) => sqlJob(i)), { callerBusy, onTake: (jobs) => (taken += jobs.length) });
    return { spawned: pool.spawned, taken, parsed: results.filter((r) => r.kind === 'sql' && r.parsed.statements.length === 1 && r.parsed.diagnostics.length === 0).length };
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

  it('starts only the workers beside a busy caller, and every job gets its result', async () => {
    const out = await run(true);
    assert.equal(out.spawned, workersBesideBusyCaller(SIZE));
    assert.equal(out.taken, 600, 'every job was taken once');
    assert.equal(out.parsed, 600);
  });

  it('a caller that is not busy gets every worker of the pool (the control)', async () => {
    const out = await run(false);
    assert.equal(out.spawned, SIZE);
    assert.equal(out.parsed, 600);
  });
});
