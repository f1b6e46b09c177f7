// `npm run test:vscode`: runs the in-editor suite in a VS Code that @vscode/test-electron downloads.
// For machines with internet access; CI here uses the code-server e2e (`npm run test:e2e`) instead.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { runTests } from '@vscode/test-electron';

const repo = path.resolve(__dirname, '../../..');

async function main(): Promise<void> {
  const out = path.join(repo, '.cache/test-electron');
  mkdirSync(out, { recursive: true });
  // The suite runs inside the extension host, which loads plain JavaScript: bundle it first.
  await build({
    entryPoints: { suite: path.join(__dirname, 'suite.ts') },
    outdir: out,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  await runTests({
    extensionDevelopmentPath: repo,
    extensionTestsPath: path.join(out, 'suite.js'),
    launchArgs: [path.join(repo, 'samples/jaffle_duck'), '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
