import assert from 'node:assert/strict';
import { loadDbtProject } from '../../../core/dbt/api';
import type { FileStepResult } from '../../../core/pipeline/fileStep';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { WorkerPool } from '../../../extension/scanner/workerPool';
import type { ParseJob } from '../../../extension/scanner/parseJobs';
import { memoryFs } from '../../unit/pipeline/memoryFs';
import { makeWorkspace, removeDir, tempStore } from './helpers';

/**
 * Per-job time budget of the parse workers, with real worker threads and an input that really takes
 * longer than the budget: 150,000 statements (4 MB), which the parser goes through in seconds on the
 * 2-core machine (about 0.05 ms a statement), against a budget of 1.2 s. (The SQL parser has no
 * input that hangs outright: it does not backtrack, and nesting is capped by its recursion limit.)
 */

const HANG_SQL = `${Array.from({ length: 150_000 }, (_, i) => `select a${i % 7} + 1 as x from t${i % 13};`).join('\n')}\n`;
const BUDGET_MS = 1200;
/**
 * The long parse also allocates (its statements' IR): under the parse workers' default heap limit it
 * may run out of memory first. The time-out tests lift the limit; the crash path is tested in
 * workerMemory.test.ts.
 */
const NO_HEAP_LIMIT = {};

const sqlJob = (path: string, text: string): ParseJob => ({ kind: 'sql', path, text, dialect: 'postgresql' });
const codes = (r: FileStepResult | undefined): string[] => r?.parsed.diagnostics.map((d) => d.code) ?? [];

describe('parse worker time budget (real worker threads, a really hanging parse)', function () {
  this.timeout(60_000);

  it('terminates the stuck worker, records a located diagnostic, respawns and finishes the other jobs', async () => {
    const pool = new WorkerPool(1, 16, { jobTimeoutMs: BUDGET_MS, resourceLimits: NO_HEAP_LIMIT });
    try {
      const jobs = [sqlJob('a.sql', 'select id from t1'), sqlJob('hang.sql', HANG_SQL), sqlJob('b.sql', 'select x, y from t2'), sqlJob('c.sql', 'create table t3 as select 1 as z')];
      const started = performance.now();
      const results = await pool.run(jobs);
      const elapsed = performance.now() - started;
      assert.equal(results.length, 4);
      const hung = results[1];
      assert.equal(hung?.kind, 'sql');
      const diag = hung?.parsed.diagnostics[0];
      assert.deepEqual({ file: diag?.file, line: diag?.line, column: diag?.column, code: diag?.code }, { file: 'hang.sql', line: 1, column: 1, code: 'parse-timeout' });
      assert.match(diag?.message ?? '', /^parser timed out after 1\.2 s/);
      for (const i of [0, 2, 3]) {
        assert.deepEqual(codes(results[i]), [], `job ${i} parsed normally`);
        assert.equal(results[i]?.parsed.statements.length, 1);
      }
      assert.equal(results[3]?.parsed.statements[0]?.kind, 'create_table', 'results stay in job order');
      assert.equal(pool.timeouts, 1);
      assert.equal(pool.spawned, 2, 'one replacement worker');
      // Sanity bound only (not a timing assertion): the hang was cut, not waited out for minutes.
      assert.ok(elapsed < 30_000, `run took ${Math.round(elapsed)} ms`);
      // The replacement keeps serving later runs.
      const again = await pool.run([sqlJob('d.sql', 'select 1 as one')]);
      assert.deepEqual(codes(again[0]), []);
    } finally {
      await pool.dispose();
    }
  });

  it('a dbt node that times out keeps its rendered entity and refs', async () => {
    const fs = memoryFs({
      'dbt_project.yml': "name: p\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n",
      'models/base.sql': 'select 1 as id\n',
      'models/slow.sql': HANG_SQL.replace('from t0;', "from {{ ref('base') }};"),
    });
    const ctx = loadDbtProject(fs, '');
    const pool = new WorkerPool(1, 16, { jobTimeoutMs: BUDGET_MS, resourceLimits: NO_HEAP_LIMIT });
    try {
      pool.setContext('k', ctx);
      const job = (path: string): ParseJob => ({ kind: 'dbt', contextKey: 'k', path, text: fs.read(path) ?? '', dialect: 'postgresql' });
      const [slow, base] = await pool.run([job('models/slow.sql'), job('models/base.sql')]);
      assert.equal(slow?.kind, 'dbt');
      if (slow?.kind !== 'dbt') return;
      assert.equal(slow.node.entity.id, 'model.p.slow');
      assert.deepEqual(slow.node.dependencies.map((d) => d.target), ['model.p.base']);
      assert.deepEqual(codes(slow), ['parse-timeout']);
      assert.equal(base?.kind, 'dbt');
      assert.deepEqual(codes(base), []);
    } finally {
      await pool.dispose();
    }
  });

  it('through the scanner: the catalog gets the diagnostic and every other model', async () => {
    const files: Record<string, string> = {
      'dbt_project.yml': "name: p\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n",
      'models/slow.sql': HANG_SQL.replace('from t0;', "from {{ ref('m0') }};"),
    };
    for (let i = 0; i < 10; i++) files[`models/m${i}.sql`] = `select ${i} as id\n`;
    const ws = makeWorkspace(files);
    const { store, dir } = tempStore();
    const previous = process.env['MALLARD_PARSE_TIMEOUT_MS'];
    // Under the default heap the long parse may run out of memory after a while; half the budget
    // stops it well before, so this test sees the time-out path only (one replacement worker).
    process.env['MALLARD_PARSE_TIMEOUT_MS'] = String(BUDGET_MS / 2);
    const scanner = new WorkspaceScanner(store, { root: ws, git: false, workers: 1, inlineBelow: 0 });
    try {
      await scanner.scan();
      const diags = store.diagnostics().filter((d) => d.code === 'parse-timeout' || d.code === 'parse-worker-crash');
      assert.deepEqual(diags.map((d) => [d.file, d.line]), [['models/slow.sql', 1]]);
      assert.ok(store.getEntity('model.p.slow'), 'the timed-out model is still in the catalog');
      for (let i = 0; i < 10; i++) assert.ok(store.getEntity(`model.p.m${i}`), `m${i}`);
      // At least the replacement of the timed-out worker; on a loaded machine the long parse can
      // also run out of memory before its budget ends, which replaces a worker once more.
      assert.ok(scanner.workersStarted >= 2, `workers started: ${scanner.workersStarted}`);
    } finally {
      if (previous === undefined) delete process.env['MALLARD_PARSE_TIMEOUT_MS'];
      else process.env['MALLARD_PARSE_TIMEOUT_MS'] = previous;
      await scanner.dispose();
      store.close();
      removeDir(ws);
      removeDir(dir);
    }
  });
});
