import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { makeWorkspace, removeDir, starChainProject } from '../scanner/helpers';

/**
 * The dialect of a dbt project comes from the user's dbt profile outside the workspace, read where
 * dbt reads it (`DBT_PROFILES_DIR`, else `~/.dbt/profiles.yml`), and `mallard stats` says which
 * dialect and why. Spawns the built CLI with its own HOME so the real environment does not count.
 */

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli/mallard.js');
const profile = (type: string): string => `chain:\n  target: dev\n  outputs:\n    dev:\n      type: ${type}\n      schema: analytics\n      password: "s3cret-never-printed"\n`;

function mallard(args: string[], cwd: string, env: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('mallard CLI: dbt dialect from profiles outside the workspace', function () {
  this.timeout(180_000);
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));

  before(() => {
    const build = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: repo, encoding: 'utf8' });
    assert.equal(build.status, 0, `esbuild failed: ${build.stderr}`);
  });

  it('reads ~/.dbt/profiles.yml, lets DBT_PROFILES_DIR win, and prints the reason without secrets', () => {
    const root = makeWorkspace(starChainProject(), 'mallard-dialect-');
    const home = makeWorkspace({ '.dbt/profiles.yml': profile('bigquery') }, 'mallard-home-');
    const envDir = makeWorkspace({ 'profiles.yml': profile('redshift') }, 'mallard-profiles-');
    dirs.push(root, home, envDir);
    const base = { PATH: process.env.PATH ?? '', HOME: home };

    assert.equal(mallard(['scan', '.', '--no-git', '--quiet'], root, base).code, 0);
    const stats = mallard(['stats'], root, base);
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /dialect of chain\s+bigquery \(profile 'chain' \(target dev, type bigquery\) in ~\/\.dbt\/profiles\.yml\)/);

    assert.equal(mallard(['scan', '.', '--no-git', '--quiet'], root, { ...base, DBT_PROFILES_DIR: envDir }).code, 0);
    const json = JSON.parse(mallard(['stats', '--json'], root, base).stdout) as { dialects: { project: string; dialect: string; reason: string }[] };
    assert.deepEqual(json.dialects.map((d) => [d.project, d.dialect]), [['chain', 'redshift']]);
    assert.ok(json.dialects[0]?.reason.includes(path.join(envDir, 'profiles.yml')));
    for (const out of [stats.stdout, JSON.stringify(json)]) assert.doesNotMatch(out, /s3cret/);
  });
});
