import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm run mallard` starts the CLI from its built bundle and builds only when a source the bundle is
 * built from changed (build stamps, scripts/buildStamp.mjs); the read commands load neither the
 * scanner nor the parsers (`dist/cli/scanCommand.js` is a bundle of its own). Runs the real npm
 * script and the real esbuild; the bundle's modification time tells whether it was rebuilt.
 */

const repo = path.resolve(__dirname, '../../..');
const bundle = path.join(repo, 'dist/cli/mallard.js');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function npmMallard(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(npm, ['run', '--silent', 'mallard', '--', ...args], { cwd: repo, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run mallard: the built bundle, rebuilt only when sources changed', function () {
  this.timeout(600_000);

  before(() => {
    const build = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: repo, encoding: 'utf8' });
    assert.equal(build.status, 0, `esbuild failed: ${build.stderr}`);
  });

  it('runs a command twice without rebuilding, then rebuilds once after a source file changes', () => {
    const before = statSync(bundle).mtimeMs;
    for (let i = 0; i < 2; i++) {
      const r = npmMallard(['help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /mallard/);
      assert.doesNotMatch(r.stderr, /rebuilt/);
      assert.equal(statSync(bundle).mtimeMs, before, 'the bundle was not written again');
    }
    // A source of the CLI bundle is touched (its text is unchanged, its modification time is not).
    const source = path.join(repo, 'extension/cli/cliFormat.ts');
    const now = new Date();
    utimesSync(source, now, now);
    const rebuilt = npmMallard(['help']);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.match(rebuilt.stderr, /mallard: rebuilt node \(sources changed\)/);
    const after = statSync(bundle).mtimeMs;
    assert.ok(after > before, 'the bundle was built again');
    const again = npmMallard(['help']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(statSync(bundle).mtimeMs, after, 'and not a second time');
  });

  it('the CLI bundle holds the read commands only; scan and sync are bundles of their own', () => {
    const cli = readFileSync(bundle, 'utf8');
    const scan = readFileSync(path.join(repo, 'dist/cli/scanCommand.js'), 'utf8');
    const sync = readFileSync(path.join(repo, 'dist/cli/syncCommands.js'), 'utf8');
    // The scanner, the dbt renderer, the SQL engine's glue and supabase-js load only for the commands that use them.
    const markers = { scanner: /\bWorkspaceScanner = class\b|class WorkspaceScanner\b/, renderer: /function renderDbtNode\b/, sqlEngine: /function installSqlEngine\b/, supabase: /\bSupabaseClient = class\b|class SupabaseClient\b/ };
    for (const [what, marker] of Object.entries(markers)) assert.doesNotMatch(cli, marker, `dist/cli/mallard.js carries the ${what}`);
    for (const what of ['scanner', 'renderer', 'sqlEngine'] as const) assert.match(scan, markers[what], `dist/cli/scanCommand.js lacks the ${what}`);
    assert.match(sync, markers.supabase, 'dist/cli/syncCommands.js lacks supabase-js');
  });
});
