import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WorkCancelled } from '../../../core/dbt/jinja/budget';
import { DEFAULT_CONFIG } from '../../../extension/config';
import { SIGNATURE_KEY, WorkspaceScanner } from '../../../extension/scanner/scanner';
import type { ScanProgress } from '../../../extension/scanner/scanTypes';
import type { Logger } from '../../../extension/ui/logger';
import { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';
import { makeWorkspace, removeDir, tempStore, writeFiles } from './helpers';

/**
 * Rendering on the scan thread (the first scan's model level, re-rendering after a context change,
 * small or `--workers 0` parses) is bounded per node and stops when the scan is cancelled, also
 * while a render or the plan is running. Real files, a real catalog, real threads.
 */

const PROJECT = "name: p\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n";
/** The two-line model of issue 10: a trillion iterations of an empty body. */
const RUNAWAY = "{% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}{% endfor %}\nselect id from {{ ref('m0') }}\n";

function project(models: number, extra: Record<string, string> = {}): Record<string, string> {
  const files: Record<string, string> = { 'dbt_project.yml': PROJECT, ...extra };
  for (let i = 0; i < models; i++) files[`models/m${i}.sql`] = i === 0 ? 'select 1 as id\n' : `select id from {{ ref('m${i - 1}') }}\n`;
  return files;
}

/** A thread that sets `flag[0]` to 1 after `ms`: a cancel request arriving while this thread is busy. */
function cancelFrom(flag: Int32Array, ms: number): Worker {
  const code = "const { workerData } = require('node:worker_threads'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms); Atomics.store(workerData.flag, 0, 1);";
  return new Worker(code, { eval: true, workerData: { flag, ms } });
}

describe('render budget and cancellation on the scan thread', function () {
  this.timeout(180_000);
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) removeDir(d);
  });

  it('a runaway model gets a located diagnostic; the model level, the parse and a re-render after a context change all finish with every model', async () => {
    const root = makeWorkspace(project(20, { 'models/runaway.sql': RUNAWAY }));
    const { store, dir } = tempStore();
    dirs.push(root, dir);
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 0 });
    try {
      let staged = false;
      // The first scan of an empty catalog renders every node on this thread before parsing (the model level).
      await scanner.scan({ onModelLevelStored: () => (staged = true) });
      assert.ok(staged);
      const check = (): void => {
        const diags = store.diagnostics('models/runaway.sql').filter((d) => d.code === 'jinja-budget');
        assert.deepEqual(diags.map((d) => [d.line, d.column, d.severity]), [[1, 30, 'warning']]);
        assert.match(diags[0]?.message ?? '', /^rendering stopped after 2,000,000 steps/);
        assert.deepEqual(store.modelLineage('model.p.runaway', { direction: 'upstream' }).edges.map((e) => e.from), ['model.p.m0'], 'its ref after the loop');
        for (let i = 0; i < 20; i++) assert.ok(store.getEntity(`model.p.m${i}`), `m${i}`);
      };
      check();
      // A macro edit changes what every render reads: every node is rendered again on this thread
      // (reused parses), the runaway one under its budget again. A description edit changes nothing
      // a render reads and re-renders nothing.
      writeFileSync(path.join(root, 'models/schema.yml'), 'version: 2\nmodels:\n  - name: m1\n    description: The second model.\n');
      writeFiles(root, { 'macros/noop.sql': '{% macro noop() %}{% endmacro %}\n' });
      const report = await scanner.update(['models/schema.yml', 'macros/noop.sql']);
      assert.ok((report.reusedParses ?? 0) > 0, 'nodes were re-rendered on the scan thread');
      check();
      assert.equal(store.getEntity('model.p.m1')?.description, 'The second model.');
    } finally {
      await scanner.dispose();
      store.close();
    }
  });

  it('a cancel request from another thread stops the renders on the scan thread; nothing is written', async () => {
    // Each model spends most of its budget (about 0.3 s); twenty of them render one after the other.
    const files = project(1);
    for (let i = 1; i <= 20; i++) files[`models/slow${i}.sql`] = `{% for i in range(1000000) %}{% endfor %}select ${i} as id\n`;
    const root = makeWorkspace(files);
    const { store, dir } = tempStore();
    dirs.push(root, dir);
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 0 });
    const canceller = cancelFrom(flag, 300);
    try {
      const phases: string[] = [];
      await assert.rejects(
        scanner.scan({ stopRequested: () => Atomics.load(flag, 0) === 1, onProgress: (p) => phases.push(p.phase) }),
        (err: unknown) => WorkCancelled.is(err),
      );
      assert.ok(phases.includes('parse'), 'it was parsing');
      assert.equal(store.getMeta(SIGNATURE_KEY), undefined, 'no complete scan recorded');
      assert.equal(store.stats().entities, 0, 'nothing written');
    } finally {
      await canceller.terminate();
      await scanner.dispose();
      store.close();
    }
  });

  it('in the extension, cancelling during the plan stops it there (the host sets a flag the scan worker reads)', async () => {
    // Enough YAML that loading the project takes a while: the cancel arrives while it is planned.
    const extra: Record<string, string> = {};
    for (let f = 0; f < 400; f++) {
      const models = Array.from({ length: 20 }, (_, i) => `  - name: y${f}_${i}\n    description: Model ${i} of file ${f}.\n    columns:\n${Array.from({ length: 10 }, (_, c) => `      - name: c${c}\n        description: Column ${c}.\n`).join('')}`).join('');
      extra[`models/yaml/s${f}.yml`] = `version: 2\nmodels:\n${models}`;
    }
    const root = makeWorkspace(project(5, extra));
    dirs.push(root);
    const ignore = (): void => undefined;
    const logger: Logger = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };
    const catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, logger);
    try {
      const abort = new AbortController();
      const phases: string[] = [];
      const onProgress = (p: ScanProgress): void => {
        phases.push(p.phase);
        if (p.phase === 'plan') abort.abort();
      };
      const outcome = await catalog.scan(onProgress, abort.signal).then(() => 'done', (err: { cancelled?: boolean }) => (err.cancelled === true ? 'cancelled' : `failed: ${String(err)}`));
      assert.equal(outcome, 'cancelled');
      assert.ok(!phases.includes('stage') && !phases.includes('parse'), `stopped in the plan, got phases ${phases.join(', ')}`);
      assert.equal(catalog.store.stats().entities, 0);
    } finally {
      await catalog.dispose();
    }
  });
});
