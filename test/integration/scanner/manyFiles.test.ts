import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import type { ScanProgress } from '../../../extension/scanner/scanTypes';
import { writeManyFiles } from '../../../scripts/gen/manyFiles';
import { removeDir, tempStore } from './helpers';

/**
 * A workspace of 100,000 small files (90,000 dbt models, 10,000 plain SQL files) scanned through
 * the real worker pool finishes, with every file accounted for. It used to stop after "parse
 * 16/100000": the dbt context of 90,000 models did not fit in a parse worker's heap, so every
 * batch killed a worker that was still receiving it, and each batch then cost a new worker, a new
 * copy of the context and an inline run. Timings are in `npm run bench -- manyFiles`.
 * `MALLARD_MANY_FILES=N` scans N files instead (for a quick local run).
 */

const TOTAL = Number(process.env['MALLARD_MANY_FILES'] ?? 100_000);
const MODELS = Math.round(TOTAL * 0.9);
const SQL_FILES = TOTAL - MODELS;

describe(`a workspace of ${TOTAL.toLocaleString('en-US')} files (real worker pool, real SQLite)`, function () {
  this.timeout(900_000);
  let root = '';
  let db = '';
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'mallard-many-'));
  });
  after(() => {
    removeDir(root);
    if (db) removeDir(db);
  });

  it('finishes with every file, model, table and edge in the catalog, on the worker threads', async () => {
    const layout = writeManyFiles(root, { models: MODELS, sqlFiles: SQL_FILES });
    assert.equal(layout.parsed, TOTAL);
    const { store, dir } = tempStore();
    db = dir;
    // Two workers, as on a 3-core machine: batches interleave and both must hold the context.
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 2 });
    try {
      const parse: ScanProgress[] = [];
      const report = await scanner.scan({ onProgress: (p) => p.phase === 'parse' && parse.push(p) });
      assert.equal(report.parsed, TOTAL);
      assert.equal(report.files, layout.files);
      assert.deepEqual(parse.at(-1), { phase: 'parse', done: TOTAL, total: TOTAL });
      assert.equal(scanner.workersStarted, 2, 'no worker died: each holds the whole context');
      assert.equal(scanner.inlineBatches, 0, 'nothing fell back to this thread');
      assert.equal(store.listFiles().length, layout.files);
      const stats = store.stats();
      assert.equal(stats.entities, layout.entities);
      assert.equal(stats.entitiesByKind.model, MODELS);
      assert.equal(stats.modelEdges, MODELS - 1 + (SQL_FILES - Math.ceil(SQL_FILES / 10)), 'a ref per model but the root; a CTAS source per chained SQL file');
      // Spot checks at both ends of the tree and of the SQL chains.
      const last = `model.many.m${MODELS - 1}`;
      assert.deepEqual(store.modelLineage(last, { direction: 'upstream', maxDepth: 1 }).edges.map((e) => e.from), [`model.many.m${Math.floor((MODELS - 2) / 2)}`]);
      assert.ok(store.columnLineage(`${last}#id`, { direction: 'upstream' }).nodes.some((n) => n.id === 'model.many.m0#id'), 'column lineage reaches the root');
      assert.equal(store.diagnostics().filter((d) => d.severity === 'error').length, 0);
    } finally {
      await scanner.dispose();
      store.close();
    }
  });
});
