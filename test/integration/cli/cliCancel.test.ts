import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { SIGNATURE_KEY } from '../../../extension/scanner/scanner';
import { makeWorkspace, removeDir } from '../scanner/helpers';

/**
 * Ctrl-C during `mallard scan` (the built bundle, spawned, a real SIGINT): the scan stops within a
 * model's render, the CLI says so and exits with 130, and the catalog is left as it was.
 */

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli/mallard.js');

describe('mallard scan and Ctrl-C (built bundle, spawned)', function () {
  this.timeout(180_000);
  let root = '';

  before(() => {
    const build = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: repo, encoding: 'utf8' });
    assert.equal(build.status, 0, `esbuild failed: ${build.stderr}`);
    // Sixty models that each spend most of their render budget (about 0.25 s each on the scan
    // thread with --workers 0): the scan is still parsing when the signal arrives.
    const files: Record<string, string> = { 'dbt_project.yml': "name: p\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n" };
    for (let i = 0; i < 60; i++) files[`models/m${i}.sql`] = `{% for i in range(1000000) %}{% endfor %}select ${i} as id\n`;
    root = makeWorkspace(files, 'mallard-cli-cancel-');
  });
  after(() => removeDir(root));

  it('stops the scan, says so, exits with 130 and writes nothing', async () => {
    const child = spawn(process.execPath, [cli, 'scan', '.', '--no-git', '--workers', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let signalled = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      // Without a terminal, progress prints one line per finished phase: interrupt once the plan
      // is done, when the (slow) parse phase has begun.
      if (!signalled && /mallard: plan/.test(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.ok(signalled, `the scan never reached the parse phase: ${stderr}`);
    assert.equal(code, 130, stderr);
    assert.match(stderr, /mallard: stopping \(Ctrl-C again to quit at once\)/);
    assert.match(stderr, /mallard: scan cancelled; .*catalog\.db was not changed/);
    const store = CatalogStore.open(path.join(root, '.mallard/catalog.db'), { readonly: true });
    try {
      assert.equal(store.getMeta(SIGNATURE_KEY), undefined);
      assert.equal(store.stats().entities, 0);
    } finally {
      store.close();
    }
  });
});
