import assert from 'node:assert/strict';
import { loadDbtProject } from '../../../core/dbt/api';
import type { FileStepResult } from '../../../core/pipeline/fileStep';
import type { ParseJob } from '../../../extension/scanner/parseJobs';
import { WorkerPool } from '../../../extension/scanner/workerPool';
import { memoryFs } from '../../unit/pipeline/memoryFs';

/**
 * Parse workers under small heaps, with real worker threads and inputs that really exhaust them: a
 * worker that runs out of memory is restarted with twice the heap and its batch runs again; a file
 * that kills workers twice is skipped with a located diagnostic; workers that cannot even start at
 * the largest heap leave the work to the calling thread without a restart per batch.
 *
 * Measured under tsx: a parse worker needs about 40 MB of old generation to start and parse small
 * files; a 15,000-column SELECT (357 kB) needs between 64 and 80 MB, a 30,000-column one between 96
 * and 112 MB, a 40,000-column one more than 96 MB (and less than 192).
 *
 * Not the backtracking parse of the time-out tests: near 96 MB it makes single allocations larger
 * than the slack Node gives a worker at its limit, and V8 then aborts the whole process instead of
 * the worker (nodejs/node#47224). Many small allocations, as here, end the worker alone.
 */

const BASE = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 4 };
const WIDE_SQL = `select ${Array.from({ length: 15_000 }, (_, i) => `c${i} + ${i} as x${i}`).join(', ')} from t\n`;
const HUGE_SQL = `select ${Array.from({ length: 40_000 }, (_, i) => `c${i} + ${i} as x${i}`).join(', ')} from t\n`;

const sqlJob = (path: string, text: string): ParseJob => ({ kind: 'sql', path, text, dialect: 'postgresql' });
const codes = (r: FileStepResult | undefined): string[] => r?.parsed.diagnostics.map((d) => d.code) ?? [];

describe('parse worker heap (real worker threads, real out-of-memory exits)', function () {
  this.timeout(120_000);

  it('a worker that runs out of memory is restarted with twice the heap and the file parses', async () => {
    const pool = new WorkerPool(1, 16, { jobTimeoutMs: 60_000, resourceLimits: BASE });
    try {
      const results = await pool.run([sqlJob('a.sql', 'select id from t1'), sqlJob('wide.sql', WIDE_SQL), sqlJob('b.sql', 'select x from t2')]);
      assert.deepEqual(results.map(codes), [[], [], []], 'no file is blamed');
      assert.equal(results[1]?.parsed.statements.length, 1, 'the wide SELECT parsed on the bigger worker');
      assert.equal(results[2]?.parsed.statements.length, 1);
      assert.equal(pool.heapFactor, 2);
      assert.equal(pool.workerLimits.maxOldGenerationSizeMb, 96);
      assert.equal(pool.spawned, 2, 'one replacement, with the doubled heap');
    } finally {
      await pool.dispose();
    }
  });

  it('a file that kills workers twice is skipped with a located diagnostic; the others parse', async () => {
    const pool = new WorkerPool(1, 16, { jobTimeoutMs: 60_000, resourceLimits: BASE });
    try {
      const results = await pool.run([sqlJob('a.sql', 'select id from t1'), sqlJob('hog.sql', HUGE_SQL), sqlJob('b.sql', 'select x from t2')]);
      const diag = results[1]?.parsed.diagnostics[0];
      assert.deepEqual({ file: diag?.file, line: diag?.line, column: diag?.column, code: diag?.code, severity: diag?.severity }, { file: 'hog.sql', line: 1, column: 1, code: 'parse-worker-crash', severity: 'error' });
      assert.equal(diag?.message, 'parse worker ran out of memory twice on this file (heap limit 96 MB); skipped: its SQL is not parsed, so it has no column lineage');
      assert.deepEqual([codes(results[0]), codes(results[2])], [[], []]);
      assert.equal(results[2]?.parsed.statements.length, 1);
      assert.equal(pool.heapFactor, 4, 'doubled after each of the two exits');
      assert.equal(pool.spawned, 3);
    } finally {
      await pool.dispose();
    }
  });

  it('a dbt model skipped that way keeps its entity and refs from a render on the calling thread', async () => {
    const fs = memoryFs({
      'dbt_project.yml': "name: p\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n",
      'models/base.sql': 'select 1 as id\n',
      'models/hog.sql': HUGE_SQL.replace('from t', "from {{ ref('base') }}"),
    });
    const ctx = loadDbtProject(fs, '');
    const pool = new WorkerPool(1, 16, { jobTimeoutMs: 60_000, resourceLimits: BASE });
    try {
      pool.setContext('k', ctx);
      const job = (path: string): ParseJob => ({ kind: 'dbt', contextKey: 'k', path, text: fs.read(path) ?? '', dialect: 'postgresql' });
      const [hog, base] = await pool.run([job('models/hog.sql'), job('models/base.sql')]);
      assert.equal(hog?.kind, 'dbt');
      if (hog?.kind !== 'dbt') return;
      assert.equal(hog.node.entity.id, 'model.p.hog');
      assert.deepEqual(hog.node.dependencies.map((d) => d.target), ['model.p.base']);
      assert.deepEqual(codes(hog), ['parse-worker-crash']);
      assert.match(hog.parsed.diagnostics[0]?.message ?? '', /^parse worker ran out of memory twice on this file/);
      assert.deepEqual(codes(base), []);
    } finally {
      await pool.dispose();
    }
  });

  it('workers that run out of memory while starting are restarted with twice the heap until they start', async () => {
    // 3 MB is below what a worker needs to load its modules (12-16 MB under tsx, measured), and
    // enough for V8 to create the isolate (2 MB is not: that aborts the process).
    const pool = new WorkerPool(1, 2, { jobTimeoutMs: 60_000, resourceLimits: { maxOldGenerationSizeMb: 3, maxYoungGenerationSizeMb: 1 } });
    try {
      const jobs = Array.from({ length: 20 }, (_, i) => sqlJob(`f${i}.sql`, `select ${i} as n from t${i}`));
      const results = await pool.run(jobs);
      assert.deepEqual(results.map((r) => r?.parsed.statements.length), jobs.map(() => 1), 'every file parsed, in order');
      assert.deepEqual(results.flatMap(codes), []);
      assert.ok(pool.heapFactor > 1, 'the heap was doubled');
      assert.equal(pool.spawned, Math.log2(pool.heapFactor) + 1, 'one start per heap size, not one per batch');
      assert.equal(pool.inlineBatches, 0, 'once started, the worker ran every batch');
    } finally {
      await pool.dispose();
    }
  });
});
