import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { TestKeys } from './jwtKeys';

/**
 * Serves the bundled edge functions with real Deno behind the gateway stand-in
 * (functionsGateway.mjs) for one test file or benchmark: the bundles are built once per process
 * with the same esbuild options as `npm run build` (scripts/functionsBuild.mjs), into a temporary
 * folder; Deno starts once per `startFunctions` call.
 */

const repoRoot = path.resolve(__dirname, '../..');
const denoBin = path.join(repoRoot, 'node_modules/.bin/deno');

/** A running gateway. */
export interface FunctionsServer {
  /** What supabase-js takes as the project URL (functions at `${url}/functions/v1/<name>`). */
  url: string;
  /** Everything Deno printed so far (stdout and stderr), for assertions that no secret is logged. */
  logs(): string;
  stop(): Promise<void>;
}

/** What the functions are started with. */
export interface FunctionsOptions {
  /** `SUPABASE_DB_URL`: the `postgres` login of the test database. */
  dbUrl: string;
  keys: TestKeys;
  /** New-style secret keys accepted as the service role. */
  secretKeys?: string[];
  /** `MALLARD_SECRET_KEYS` (versions to base64 AES keys) for secrets at rest; a fresh random key 1 when not given. */
  secretBoxKeys?: Record<string, string>;
  /** More environment variables of the functions (e.g. org-extract's chunk sizes). */
  env?: Record<string, string>;
  /** Gets everything Deno writes to stdout and stderr (to look for leaked secrets in the log). */
  onOutput?: (text: string) => void;
}

let bundles: Promise<string> | undefined;

/** Builds the function bundles once per process; returns their folder. */
export function buildBundles(): Promise<string> {
  bundles ??= (async () => {
    const outdir = await mkdtemp(path.join(tmpdir(), 'mallard-functions-'));
    const esbuild = await import('esbuild');
    const { functionsBuildOptions } = (await import(pathToFileURL(path.join(repoRoot, 'scripts/functionsBuild.mjs')).href)) as {
      functionsBuildOptions(o: { root: string; outdir: string; logLevel: string }): Parameters<typeof esbuild.build>[0];
    };
    await esbuild.build(functionsBuildOptions({ root: repoRoot, outdir, logLevel: 'warning' }));
    process.once('exit', () => {
      void rm(outdir, { recursive: true, force: true });
    });
    return outdir;
  })();
  return bundles;
}

function waitForPort(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`deno did not start within 60 s: ${stderr()}`)), 60_000);
    lines.on('line', (line) => {
      const m = /^listening (\d+)$/.exec(line.trim());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`deno exited with ${code}: ${stderr()}`));
    });
  });
}

/** Starts Deno serving every function of supabase/config.toml. */
export async function startFunctions(options: FunctionsOptions): Promise<FunctionsServer> {
  if (!existsSync(denoBin)) throw new Error('node_modules/.bin/deno is missing: run npm ci (the npm package "deno" ships the binary)');
  const dir = await buildBundles();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? tmpdir(),
    DENO_DIR: path.join(repoRoot, '.cache/deno'),
    DENO_NO_UPDATE_CHECK: '1',
    NO_COLOR: '1',
    FUNCTIONS_DIR: dir,
    FUNCTIONS_CONFIG: path.join(repoRoot, 'supabase/config.toml'),
    PORT: '0',
    SUPABASE_DB_URL: options.dbUrl,
    SUPABASE_URL: 'http://127.0.0.1',
    SUPABASE_JWKS: JSON.stringify(options.keys.jwks),
    SUPABASE_JWT_SECRET: options.keys.legacySecret,
    SUPABASE_SECRET_KEYS: JSON.stringify(options.secretKeys ?? []),
    MALLARD_SECRET_KEYS: JSON.stringify(options.secretBoxKeys ?? { '1': randomBytes(32).toString('base64') }),
    ...options.env,
  };
  const child = spawn(denoBin, ['run', '-A', '--no-prompt', path.join(__dirname, 'functionsGateway.mjs')], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errText = '';
  let allText = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errText = (errText + chunk.toString()).slice(-4000);
    allText += chunk.toString();
    options.onOutput?.(chunk.toString());
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    allText += chunk.toString();
  });
  if (options.onOutput !== undefined) {
    const onOutput = options.onOutput;
    child.stdout!.on('data', (chunk: Buffer) => onOutput(chunk.toString()));
  }
  const port = await waitForPort(child, () => errText);
  return {
    url: `http://127.0.0.1:${port}`,
    logs: () => allText,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
