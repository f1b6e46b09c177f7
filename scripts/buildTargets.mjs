// The esbuild targets of the repository and a build that skips the targets whose inputs did not
// change since their last build (see buildStamp.mjs). Used by esbuild.mjs (`npm run build`) and
// scripts/mallard.mjs (`npm run mallard`). Paths are relative to the repository root (the cwd).
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isFresh, writeStamp } from './buildStamp.mjs';
import { functionsBuildOptions } from './functionsBuild.mjs';

/** Node-side entry points (extension host, CLI, worker threads). Only entries that exist are built. */
const nodeEntries = {
  'extension/main': 'extension/main.ts',
  'cli/mallard': 'extension/cli/mallard.ts',
  // Loaded by the CLI for `scan` only: the read commands start without the scanner and parsers.
  'cli/scanCommand': 'extension/cli/scanCommand.ts',
  // Loaded by the CLI for login, logout and sync only: the other commands start without supabase-js.
  'cli/syncCommands': 'extension/cli/syncCommands.ts',
  'extension/parseWorker': 'extension/scanner/parseWorker.ts',
  'extension/scanWorker': 'extension/ui/scanWorker.ts',
  'extension/connectorWorker': 'extension/connectors/connectorWorker.ts',
  // Docs quality scores of a whole catalog (about a second at 5,000 models), off the extension host's thread.
  'extension/qualityWorker': 'extension/ui/qualityWorker.ts',
  'extension/governanceWorker': 'extension/ui/governanceWorker.ts',
  // Warehouse SDK drivers, loaded by extension/connectors/sqlDrivers.ts on first use (see driverSplit):
  // one copy next to the extension host bundle (shipped in the VSIX) and one next to the CLI.
  'extension/snowflakeDriver': 'extension/connectors/drivers/snowflakeDriver.ts',
  'extension/bigqueryDriver': 'extension/connectors/drivers/bigqueryDriver.ts',
  'cli/snowflakeDriver': 'extension/connectors/drivers/snowflakeDriver.ts',
  'cli/bigqueryDriver': 'extension/connectors/drivers/bigqueryDriver.ts',
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

/**
 * `./scanCommand.js` and `./syncCommands.js` imported by the CLI entry stay separate files (their
 * own entry points above) rather than being bundled into `cli/mallard.js`.
 */
const cliSplit = {
  name: 'cli-split',
  setup(build) {
    build.onResolve({ filter: /^\.\/(scanCommand|syncCommands)\.js$/ }, (args) => (args.importer.endsWith(path.join('extension', 'cli', 'mallard.ts')) ? { path: args.path, external: true } : undefined));
  },
};

/**
 * The warehouse drivers (`snowflake-sdk` is ~4 MB minified, `@google-cloud/bigquery` ~1 MB) stay
 * separate files: `require('./drivers/<name>.js')` in sqlDrivers.ts loads the sibling `<name>.js` of
 * whichever bundle it is in, so the extension host and the CLI start without them.
 */
const driverSplit = {
  name: 'driver-split',
  setup(build) {
    build.onResolve({ filter: /^\.\/drivers\/(snowflakeDriver|bigqueryDriver)\.js$/ }, (args) =>
      args.importer.endsWith(path.join('extension', 'connectors', 'sqlDrivers.ts')) ? { path: `./${args.path.slice('./drivers/'.length)}`, external: true } : undefined,
    );
  },
};

/** The build targets for these options (production: minified, no source maps). */
export function targetsOf({ production = false, quiet = false } = {}) {
  const common = {
    bundle: true,
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: quiet ? 'warning' : 'info',
    outdir: 'dist',
  };
  return [
    {
      name: 'node',
      ...common,
      entryPoints: existing(nodeEntries),
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      // Native addons and the VS Code API are provided at run time, never bundled.
      external: ['vscode', 'better-sqlite3'],
      banner: { js: '#!/usr/bin/env node' },
      plugins: [cliSplit, driverSplit],
    },
    {
      name: 'webviews',
      ...common,
      entryPoints: webviewEntries(),
      platform: 'browser',
      target: 'es2022',
      format: 'iife',
    },
    // Supabase edge functions: self-contained bundles in supabase/functions/<name>/index.js.
    { name: 'functions', ...functionsBuildOptions({ minify: false, logLevel: quiet ? 'warning' : 'info' }) },
  ].filter((t) => Object.keys(t.entryPoints).length > 0);
}

/** What a stamp records of a target's options (plugins are code: their name stands for them). */
export const optionsOf = ({ name: _name, plugins, logLevel: _logLevel, ...options }) => ({ ...options, plugins: (plugins ?? []).map((p) => p.name) });
/** The files a target writes. */
export const outputsOf = (t) => Object.keys(t.entryPoints).map((out) => path.join(t.outdir, `${out}.js`));

/** The targets (of `targetsOf(options)`) whose bundles are missing or older than their inputs. */
export function staleTargets(options = {}) {
  return targetsOf(options).filter((t) => !isFresh(t.name, optionsOf(t), outputsOf(t)));
}

/**
 * Builds `targets` (all of `targetsOf(options)` with `force`, else the stale ones) and stamps them;
 * with `watch`, keeps rebuilding. Returns the names of the targets built.
 */
export async function build({ watch = false, force = false, production = false, quiet = false } = {}) {
  copySqlEngine();
  copyWebviewAssets();
  const stale = watch || force ? targetsOf({ production, quiet }) : staleTargets({ production, quiet });
  if (stale.length === 0) return [];
  // Loaded only when something is built: a fresh check costs a few stat calls.
  const esbuild = await import('esbuild');
  const contexts = await Promise.all(stale.map(({ name: _name, ...t }) => esbuild.context({ ...t, metafile: true })));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return stale.map((t) => t.name);
  }
  const results = await Promise.all(contexts.map((c) => c.rebuild()));
  results.forEach((r, i) => {
    const t = stale[i];
    if (r.metafile && t) writeStamp(t.name, optionsOf(t), r.metafile);
  });
  await Promise.all(contexts.map((c) => c.dispose()));
  return stale.map((t) => t.name);
}

// The SQL parser (datafusion-sqlparser-rs compiled to WebAssembly) is loaded from dist/ at run time
// by extension/sqlEngineHost.ts; the package exports only its JS entry, so the file is found next to it.
const SQL_ENGINE_WASM = 'node_modules/@guanmingchiu/sqlparser-ts/wasm/sqlparser_rs_wasm_bg.wasm';

/** Copies the parser's `.wasm` into dist/ when it is missing or differs in size or age. */
function copySqlEngine() {
  const target = 'dist/sqlparser.wasm';
  const source = statSync(SQL_ENGINE_WASM);
  const current = existsSync(target) ? statSync(target) : undefined;
  if (current && current.size === source.size && current.mtimeMs >= source.mtimeMs) return;
  mkdirSync('dist', { recursive: true });
  copyFileSync(SQL_ENGINE_WASM, target);
}

/**
 * The codicon font and its stylesheet, served to every webview from `dist/webviews/codicons/` (the
 * webviews' only resource root besides media); `.vscodeignore` keeps them in the VSIX.
 */
function copyWebviewAssets() {
  const out = path.join('dist', 'webviews', 'codicons');
  mkdirSync(out, { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(path.join('node_modules', '@vscode', 'codicons', 'dist', file), path.join(out, file));
}
