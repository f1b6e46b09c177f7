import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CatalogStore } from '../../../extension/catalog/catalogStore';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { stableStat } from '../../../extension/scanner/walker';
import { watchWorkspace, type WorkspaceWatcher } from '../../../extension/scanner/watcher';
import { makeWorkspace, removeDir, tempStore, teardown } from './helpers';

/**
 * `target/manifest.json` with real files, a real SQLite catalog and the real watcher: read only
 * once stable, never half-applied when truncated (located diagnostic, the previous good manifest
 * stays in use), watched although git-ignored, and part of the re-open signature.
 */

const PROJECT: Record<string, string> = {
  '.gitignore': 'target/\n',
  'dbt_project.yml': "name: p\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n",
  'models/a.sql': 'select 1 as id\n',
  'models/c.sql': 'select 2 as id\n',
  'models/b.sql': "select id from {{ ref('a') }}\n",
};

/** A manifest in which `b` depends on the given nodes. */
function manifest(bDependsOn: string[]): string {
  const node = (name: string, deps: string[]) => ({ resource_type: 'model', name, package_name: 'p', original_file_path: `models/${name}.sql`, depends_on: { nodes: deps }, config: { enabled: true } });
  return JSON.stringify({ metadata: { project_name: 'p' }, nodes: { 'model.p.a': node('a', []), 'model.p.c': node('c', []), 'model.p.b': node('b', bDependsOn) }, sources: {} }, null, 1);
}

/** Upstream ids of `b` with how each edge was found. */
function upstreamOfB(store: CatalogStore): string[] {
  return store.modelLineage('model.p.b', { direction: 'upstream', maxDepth: 1 }).edges.map((e) => `${e.from}:${e.kind}`).sort();
}

const manifestDiagnostics = (store: CatalogStore) => store.diagnostics().filter((d) => d.file === 'target/manifest.json');

async function until(check: () => boolean, watcher: WorkspaceWatcher): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  await watcher.idle();
}

describe('target/manifest.json: read safely and watched (real files, SQLite, watcher)', function () {
  this.timeout(60_000);

  it('stableStat waits until a file being written stops changing', async () => {
    const root = makeWorkspace({ 'growing.json': '' });
    const file = path.join(root, 'growing.json');
    let chunks = 0;
    // The writer appends every 20 ms; two reads 150 ms apart can only agree once it has stopped.
    const writer = setInterval(() => {
      if (chunks++ < 12) appendFileSync(file, 'x'.repeat(1000));
      else clearInterval(writer);
    }, 20);
    try {
      await new Promise((r) => setTimeout(r, 30));
      const s = await stableStat(file, { quietMs: 0, intervalMs: 150 });
      assert.equal(s?.size, 12_000);
      assert.equal(await stableStat(path.join(root, 'missing.json')), undefined);
    } finally {
      clearInterval(writer);
      removeDir(root);
    }
  });

  it('a manifest change re-plans the project; a truncated one keeps the previous manifest and says where it broke', async () => {
    const root = makeWorkspace({ ...PROJECT, 'target/manifest.json': manifest(['model.p.a', 'model.p.c']) });
    const { store, dir } = tempStore();
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 0 });
    const watcher = watchWorkspace(scanner, {}, { stable: { intervalMs: 30 } });
    const target = path.join(root, 'target/manifest.json');
    try {
      await scanner.scan();
      await watcher.ready;
      assert.deepEqual(upstreamOfB(store), ['model.p.a:manifest', 'model.p.c:manifest'], "dbt's own depends_on wins");

      const good = manifest(['model.p.c']);
      writeFileSync(target, good);
      await until(() => upstreamOfB(store).join() === 'model.p.c:manifest', watcher);
      assert.deepEqual(upstreamOfB(store), ['model.p.c:manifest'], 'a manifest change is applied through the watcher');

      // dbt stopped half-way: the JSON is cut inside the nodes.
      writeFileSync(target, good.slice(0, Math.floor(good.length / 2)));
      await until(() => manifestDiagnostics(store).length > 0, watcher);
      const [diag] = manifestDiagnostics(store);
      assert.equal(diag?.code, 'manifest-invalid');
      assert.ok((diag?.line ?? 0) > 1, 'the diagnostic points into the file, not at its start');
      assert.match(diag?.message ?? '', /not valid JSON .*keeping the previous manifest/);
      assert.deepEqual(upstreamOfB(store), ['model.p.c:manifest'], 'nothing half-applied: the previous manifest stays in use');

      writeFileSync(target, manifest(['model.p.a']));
      await until(() => manifestDiagnostics(store).length === 0, watcher);
      assert.deepEqual(upstreamOfB(store), ['model.p.a:manifest']);

      rmSync(target);
      await until(() => upstreamOfB(store).join() === 'model.p.a:ref', watcher);
      assert.deepEqual(upstreamOfB(store), ['model.p.a:ref'], 'without a manifest the rendered refs are used');
    } finally {
      await teardown({ watcher, scanner, store, dirs: [root, dir] });
    }
  });

  it('a manifest written in chunks (dbt still writing) is applied once complete, never half-read', async () => {
    const root = makeWorkspace({ ...PROJECT, 'target/manifest.json': manifest(['model.p.a']) });
    const { store, dir } = tempStore();
    // Chunks arrive 250 ms apart, slower than the 100 ms debounce: only the stability wait (two
    // reads 500 ms apart must agree) keeps the watcher from reading the file between two chunks.
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 0, debounceMs: 100 });
    const seen: { paths: string[]; manifestDiagnostics: number }[] = [];
    const watcher = watchWorkspace(scanner, { onUpdate: (r) => seen.push({ paths: r.changedPaths, manifestDiagnostics: manifestDiagnostics(store).length }) }, { stable: { intervalMs: 500 } });
    const target = path.join(root, 'target/manifest.json');
    try {
      await scanner.scan();
      await watcher.ready;
      const text = manifest(['model.p.c']);
      const chunk = Math.ceil(text.length / 5);
      writeFileSync(target, '');
      await new Promise<void>((resolve) => {
        let i = 0;
        const writer = setInterval(() => {
          appendFileSync(target, text.slice(i * chunk, (i + 1) * chunk));
          if (++i >= 5) {
            clearInterval(writer);
            resolve();
          }
        }, 250);
      });
      await until(() => upstreamOfB(store).join() === 'model.p.c:manifest', watcher);
      assert.deepEqual(upstreamOfB(store), ['model.p.c:manifest']);
      assert.ok(seen.some((s) => s.paths.includes('target/manifest.json')), 'applied through the watcher');
      assert.deepEqual(seen.map((s) => s.manifestDiagnostics), seen.map(() => 0), 'no update ever saw a partial manifest');
    } finally {
      await teardown({ watcher, scanner, store, dirs: [root, dir] });
    }
  });

  it('a fresh scan with a truncated manifest renders instead, with a diagnostic; a later good manifest counts as a change on re-open', async () => {
    const full = manifest(['model.p.c']);
    const root = makeWorkspace({ ...PROJECT, 'target/manifest.json': full.slice(0, 40) });
    const { store, dir } = tempStore();
    try {
      const first = new WorkspaceScanner(store, { root, git: false, workers: 0 });
      await first.scan();
      await first.dispose();
      assert.deepEqual(upstreamOfB(store), ['model.p.a:ref']);
      assert.match(manifestDiagnostics(store)[0]?.message ?? '', /falling back to rendering/);
      // The manifest is listed by the walk (although git-ignored), so its content is in the signature.
      writeFileSync(path.join(root, 'target/manifest.json'), full);
      const second = new WorkspaceScanner(store, { root, git: false, workers: 0 });
      const report = await second.scan();
      await second.dispose();
      assert.equal(report.wrote, true, 're-open notices the new manifest');
      assert.deepEqual(upstreamOfB(store), ['model.p.c:manifest']);
      assert.deepEqual(manifestDiagnostics(store), []);
    } finally {
      store.close();
      removeDir(root);
      removeDir(dir);
    }
  });
});
