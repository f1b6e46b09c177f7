import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkspaceScanner } from '../../../extension/scanner/scanner';
import { buildProjectSpec } from '../../../scripts/gen/generate';
import { modelPath, renderProjectFiles } from '../../../scripts/gen/render';
import type { ModelSpec, ProjectSpec } from '../../../scripts/gen/spec';
import { canonicalCatalog, makeWorkspace, removeDir, tempStore } from './helpers';

/**
 * Renaming, deleting or adding one model changes which node files exist, so the dbt context of
 * every model changes; only the files whose render inputs changed are rendered or parsed again:
 * the file itself and the models that ref it (their refs now resolve differently). Real files, a
 * real SQLite catalog, a generated dbt project; the catalog afterwards equals a full scan's.
 */

/** The models that ref `name`. */
function dependentsOf(project: ProjectSpec, name: string): ModelSpec[] {
  return project.models.filter((m) => m.refs.includes(name));
}

describe('scanner: rename, delete or add one model re-renders only what depends on it', function () {
  this.timeout(300_000);
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) removeDir(d);
  });

  it('re-parses the moved file and the models that ref it, nothing else', async () => {
    const project = buildProjectSpec({ models: 60, seed: 11, name: 'ren' });
    const root = makeWorkspace(renderProjectFiles(project), 'mallard-rename-');
    const { store, dir } = tempStore();
    dirs.push(root, dir);
    // The staging model most others build on (several models ref it).
    const target = [...project.models].filter((m) => m.style === 'stage').sort((a, b) => dependentsOf(project, b.name).length - dependentsOf(project, a.name).length)[0];
    assert.ok(target && dependentsOf(project, target.name).length >= 2, 'a model with dependents');
    const dependents = dependentsOf(project, target.name).map(modelPath).sort();
    const scanner = new WorkspaceScanner(store, { root, git: false, workers: 0 });
    const full = async (): Promise<unknown> => {
      const b = tempStore();
      dirs.push(b.dir);
      const fresh = new WorkspaceScanner(b.store, { root, git: false, workers: 0 });
      try {
        await fresh.scan();
        return canonicalCatalog(b.store);
      } finally {
        await fresh.dispose();
        b.store.close();
      }
    };
    try {
      const cold = await scanner.scan();
      assert.equal(cold.parsed, project.models.length);

      // Rename: the new file is parsed; its dependents' refs no longer resolve (re-rendered).
      const from = modelPath(target);
      const to = from.replace(/\.sql$/, '_v2.sql');
      renameSync(path.join(root, from), path.join(root, to));
      const renamed = await scanner.update([from, to]);
      assert.deepEqual([...(renamed.parsedPaths ?? [])].sort(), [...dependents, to].sort());
      assert.equal(renamed.parsed, dependents.length + 1);
      assert.deepEqual(canonicalCatalog(store), await full());

      // Back to the old name: the same files again.
      renameSync(path.join(root, to), path.join(root, from));
      const back = await scanner.update([to, from]);
      assert.deepEqual([...(back.parsedPaths ?? [])].sort(), [...dependents, from].sort());
      assert.deepEqual(canonicalCatalog(store), await full());

      // Delete: only the dependents are rendered again; nothing is parsed for the gone file.
      const text = renderProjectFiles(project).get(from) ?? '';
      rmSync(path.join(root, from));
      const deleted = await scanner.update([from]);
      assert.deepEqual([...(deleted.parsedPaths ?? [])].sort(), dependents);
      assert.deepEqual(canonicalCatalog(store), await full());

      // Re-created: the file and its dependents.
      writeFileSync(path.join(root, from), text);
      const created = await scanner.update([from]);
      assert.deepEqual([...(created.parsedPaths ?? [])].sort(), [...dependents, from].sort());
      assert.deepEqual(canonicalCatalog(store), await full());
    } finally {
      await scanner.dispose();
      store.close();
    }
  });
});
