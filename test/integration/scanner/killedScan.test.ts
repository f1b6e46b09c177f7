import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { buildProjectSpec } from '../../../scripts/gen/generate';
import { renderProjectFiles } from '../../../scripts/gen/render';
import { canonicalCatalog, makeWorkspace, removeDir, tempStore } from './helpers';

/**
 * A scan whose process is killed in the middle of the parse keeps the parses it finished: results
 * are stored in the catalog's parse cache as each batch of the worker pool completes, in small
 * transactions of their own (the catalog's facts are still written in one transaction at the end).
 * A real child process runs the scan and gets SIGKILL once some parses are stored; the next scan
 * parses only the others, and its catalog equals a scan that was never interrupted.
 */

const child = path.join(__dirname, 'children', 'scanOnce.ts');

/** Parse cache rows committed so far (read on a connection of its own, as the UI would). */
function storedParses(db: string): number {
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return conn.prepare('SELECT count(*) FROM parse_cache').pluck().get() as number;
    } finally {
      conn.close();
    }
  } catch {
    return 0;
  }
}

describe('scanner: a killed scan resumes from the parses it finished', function () {
  this.timeout(600_000);
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) removeDir(d);
  });

  it('SIGKILL mid-parse; the next scan parses only the rest', async () => {
    const project = buildProjectSpec({ models: 400, seed: 5, name: 'killed' });
    const root = makeWorkspace(renderProjectFiles(project), 'mallard-killed-');
    const { store: first, dir } = tempStore();
    first.close();
    dirs.push(root, dir);
    const db = path.join(dir, 'catalog.db');
    const proc = spawn(process.execPath, ['--require', 'tsx/cjs', child, root, db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (b: Buffer) => (output += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    let atKill = 0;
    // Kill once a few batches are stored, well before the last one.
    for (let i = 0; i < 6000 && proc.exitCode === null; i++) {
      atKill = storedParses(db);
      if (atKill >= 32) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    await exited;
    assert.doesNotMatch(output, /scan finished/, `the scan ended before it was killed (${atKill} parses stored): ${output}`);
    const kept = storedParses(db);
    assert.ok(kept >= 32 && kept < project.models.length, `parses kept after the kill: ${kept}`);

    const store = CatalogStore.open(db);
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 0 });
    const b = tempStore();
    dirs.push(b.dir);
    const fresh = new WorkspaceScanner(b.store, { root, git: false, workers: 0 });
    try {
      const resumed = await scanner.scan();
      assert.equal(resumed.cacheHits, kept, 'every stored parse is used');
      assert.equal(resumed.parsed, project.models.length - kept, 'only the others are parsed');
      await fresh.scan();
      assert.deepEqual(canonicalCatalog(store), canonicalCatalog(b.store));
    } finally {
      await scanner.dispose();
      await fresh.dispose();
      store.close();
      b.store.close();
    }
  });
});
