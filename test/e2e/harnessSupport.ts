import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export { eventually } from '../support/eventually';

// Paths, waiting and file helpers of the e2e harness (`harness.ts`) and the extension bench.

export const REPO = path.resolve(__dirname, '../..');
export const ARTIFACTS = path.join(REPO, 'test-artifacts/e2e');

export interface E2ePaths {
  node: string;
  codeServerEntry: string;
  chromium: string;
}

export function readPaths(): E2ePaths {
  const file = path.join(REPO, '.cache/e2e/paths.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`bash scripts/e2e/setup.sh\` first`);
  const paths = JSON.parse(readFileSync(file, 'utf8')) as E2ePaths;
  for (const [key, value] of Object.entries(paths)) {
    if (!existsSync(value)) throw new Error(`${key} (${value}) is missing: run \`bash scripts/e2e/setup.sh\` again`);
  }
  return paths;
}

/** The VSIX `npm run package` built for this machine's platform. */
export function findVsix(): string {
  const dir = path.join(REPO, 'dist/vsix');
  const target = `${process.platform}-${process.arch}`;
  const vsix = existsSync(dir) ? readdirSync(dir).find((f) => f.includes(`-${target}-`) && f.endsWith('.vsix')) : undefined;
  if (!vsix) throw new Error(`no VSIX for ${target} in ${dir}: run \`npm run package\` first`);
  return path.join(dir, vsix);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function findFiles(dir: string, match: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findFiles(full, match));
    else if (match(full)) out.push(full);
  }
  return out;
}

export async function waitForHttp(url: string, timeoutMs: number, log: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms:\n${log.join('')}`);
}

/** The sample dbt project; e2e scenarios open a copy of it. */
export function sampleProject(): string {
  const dir = path.join(REPO, 'samples/jaffle_duck');
  if (!existsSync(dir)) throw new Error(`${dir} is missing`);
  return dir;
}
