import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Runs the built CLI (`node dist/cli/mallard.js`) as a user would: a child process with its own
 * working folder, stdout, stderr and exit code.
 */

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli/mallard.js');

/** What one run printed and its exit code. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Builds the bundle once per test file (esbuild, a second or two). */
export function buildCli(): void {
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: repo, encoding: 'utf8' });
  assert.equal(build.status, 0, `esbuild failed: ${build.stderr}`);
}

/** Runs `mallard <args>` in `cwd`. */
export function mallard(args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): CliRun {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000, ...(env ? { env } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The repository root (for the bundled sample project). */
export const repoRoot = repo;
