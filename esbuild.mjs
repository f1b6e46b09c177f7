// Builds every target with one esbuild context each. Type-checking is separate (`npm run typecheck`).
// Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { functionsBuildOptions } from './scripts/functionsBuild.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const quiet = process.argv.includes('--quiet');

/** Node-side entry points (extension host, CLI, worker threads). Only entries that exist are built. */
const nodeEntries = {
  'extension/main': 'extension/main.ts',
  'cli/mallard': 'extension/cli/mallard.ts',
  'extension/parseWorker': 'extension/scanner/parseWorker.ts',
  'extension/scanWorker': 'extension/ui/scanWorker.ts',
};

/** Browser-side webview apps: every `webviews/<app>/main.ts`. */
function webviewEntries() {
  if (!existsSync('webviews')) return {};
  const entries = {};
  for (const app of readdirSync('webviews')) {
    const main = path.join('webviews', app, 'main.ts');
    if (existsSync(main)) entries[`webviews/${app}`] = main;
  }
  return entries;
}

function existing(entries) {
  return Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: quiet ? 'warning' : 'info',
  outdir: 'dist',
};

const targets = [
  {
    ...common,
    entryPoints: existing(nodeEntries),
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // Native addons and the VS Code API are provided at run time, never bundled.
    external: ['vscode', 'better-sqlite3'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: webviewEntries(),
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
  },
  // Supabase edge functions: self-contained bundles in supabase/functions/<name>/index.js.
  functionsBuildOptions({ minify: false, logLevel: quiet ? 'warning' : 'info' }),
].filter((t) => Object.keys(t.entryPoints).length > 0);

/**
 * The codicon font and its stylesheet, served to every webview from `dist/webviews/codicons/` (the
 * webviews' only resource root besides media); `.vscodeignore` keeps them in the VSIX.
 */
function copyWebviewAssets() {
  const out = path.join('dist', 'webviews', 'codicons');
  mkdirSync(out, { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(path.join('node_modules', '@vscode', 'codicons', 'dist', file), path.join(out, file));
}

copyWebviewAssets();
const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
