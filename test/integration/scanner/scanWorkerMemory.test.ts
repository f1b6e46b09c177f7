import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG } from '../../../extension/config';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import type { Logger } from '../../../extension/ui/logger';
import { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';

/**
 * The scan worker runs under V8 heap limits (`SCAN_HEAP_LIMITS`). A workspace that needs more must
 * still be scanned: the worker that ran out of memory is replaced by one with twice the heap and
 * the unanswered request is sent again. Real worker threads, a real catalog file.
 */
describe('scan worker heap limits', function () {
  this.timeout(180_000);
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function sampleCopy(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mallard-oom-'));
    dirs.push(dir);
    cpSync(path.resolve(__dirname, '../../../samples/jaffle_duck'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.mallard`) });
    return dir;
  }

  function recordingLogger(): Logger & { warnings: string[]; errors: string[] } {
    const warnings: string[] = [];
    const errors: string[] = [];
    const ignore = (): void => undefined;
    return { warnings, errors, trace: ignore, debug: ignore, info: ignore, warn: (m) => warnings.push(m), error: (m) => errors.push(String(m)) };
  }

  it('a worker that runs out of memory is restarted with a bigger heap and the scan completes', async function () {
    const root = sampleCopy();
    const logger = recordingLogger();
    // 8 MB of old generation cannot even load the worker's modules (under tsx): the first attempt must fail.
    const catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, logger, { heapLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 4 } });
    try {
      await catalog.scan();
      const scanned = catalog.store.stats();
      assert.ok(logger.warnings.some((w) => /ran out of memory; restarting it with a \d+ MB heap/.test(w)), `expected an out-of-memory restart, got warnings ${JSON.stringify(logger.warnings)}`);
      assert.deepEqual(logger.errors, []);
      // The catalog equals what the scanner writes without any limit.
      const ref = path.join(root, 'reference.db');
      const store = CatalogStore.open(ref);
      const scanner = new WorkspaceScanner(store, { root, git: false, workers: 0 });
      await scanner.scan();
      const expected = store.stats();
      await scanner.dispose();
      store.close();
      assert.equal(scanned.entities, expected.entities);
      assert.equal(scanned.columns, expected.columns);
      assert.equal(scanned.columnEdges, expected.columnEdges);
      assert.ok((scanned.entitiesByKind.model ?? 0) > 10, 'the sample project was scanned');
    } finally {
      await catalog.dispose();
    }
  });
});
