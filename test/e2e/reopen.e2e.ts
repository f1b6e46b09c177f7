import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { VsCodeSession, eventually, sampleProject } from './harness';

/**
 * A window closed and opened again, as a user does: one VS Code state and browser profile for both
 * sessions. The second window serves the catalog of the first, parses nothing again, and builds
 * the warm state (then watches the files) after the deferred warm-up.
 */
describe('e2e: re-opening a window', function () {
  const state = mkdtempSync(path.join(os.tmpdir(), 'mallard-reopen-'));
  let session: VsCodeSession | undefined;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      const name = `failed-${this.currentTest.title.replace(/\W+/g, '-')}`.slice(0, 80);
      await session.screenshot(name);
      session.saveLogs(name);
    }
  });

  after(async function () {
    await session?.close();
    rmSync(state, { recursive: true, force: true });
  });

  const scanLine = (s: VsCodeSession): string | undefined => s.mallardLog().split('\n').find((l) => /Scanned \d+ files \(\d+ parsed/.test(l));

  it('the second window parses nothing again, lists the models, and later watches the files', async function () {
    this.timeout(300_000);
    session = await VsCodeSession.start({ workspace: sampleProject(), settings: { 'mallard.tree.groupBy': 'none' }, stateDir: state });
    const first = await eventually('the first scan', () => scanLine(session as VsCodeSession), 120_000);
    assert.ok(Number(/\((\d+) parsed/.exec(first)?.[1]) > 0, `the first window parses the project: ${first}`);
    const catalogFile = path.join(session.workspaceDir, '.mallard/catalog.db');
    await session.close();
    session = undefined;

    // Closing the folder deactivated Mallard, which closed its catalog: no write-ahead log is left to replay.
    const wal = `${catalogFile}-wal`;
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, `the closed window left ${existsSync(wal) ? statSync(wal).size : 0} bytes of WAL`);

    session = await VsCodeSession.start({ workspace: sampleProject(), settings: { 'mallard.tree.groupBy': 'none' }, stateDir: state });
    const second = await eventually('the re-open check', () => scanLine(session as VsCodeSession), 120_000);
    assert.match(second, /\(0 parsed, 0 cached\)/, 'nothing changed, so nothing is parsed or even looked up');

    await session.runCommand('View: Show Mallard');
    await session.collapsePane('Diagnostics');
    const store = CatalogStore.open(catalogFile, { readonly: true });
    let expected: string[];
    try {
      expected = store.listEntities({ kind: 'model', limit: 1000 }).items.map((e) => {
        const version = store.getEntity(e.id)?.version;
        return version ? `${e.name} v${version}` : e.name;
      });
    } finally {
      store.close();
    }
    assert.ok(expected.length > 10, 'the catalog kept the sample models');
    const models = await eventually('model rows in the Catalog tree', async () => {
      const rows = await (session as VsCodeSession).treeChildren('Catalog', 'Models');
      return rows.length >= expected.length ? rows : undefined;
    });
    assert.deepEqual([...models].sort(), [...expected].sort());

    // The warm state is built after the deferred warm-up (10 s), then the watcher starts.
    await eventually('the watcher', () => ((session as VsCodeSession).mallardLog().includes('Watching the workspace for file changes') ? true : undefined), 90_000);
    await session.screenshot('reopen');
  });
});
