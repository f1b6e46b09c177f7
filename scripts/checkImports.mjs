// Enforces the layering of ARCHITECTURE.md on every import of shipped code, so a wrong import fails
// `npm run typecheck` (and CI) instead of surfacing when the edge functions or a webview first run:
//
// - `core/`, `sync/` and `cloud-functions/` run in Node, Deno and the browser: no `vscode`, no Node
//   built-ins (`node:fs`, or a bare `fs`, `path`, `crypto`…), nothing from `extension/` or `webviews/`;
//   `core/` imports only `core/`; `sync/` only `core/` and `sync/`; `cloud-functions/` only `core/`
//   and `cloud-functions/`. npm packages must be on the folder's allow-list below (they must run in
//   all three runtimes); `core/sync/` (the wire contract) may use zod and nothing else.
// - `webviews/` run in the browser: no `vscode`, no Node built-ins, nothing from `extension/` or `sync/`.
// - Only the VS Code layer imports `vscode`: files under `extension/ui/` and the composition root
//   `extension/main.ts`.
//
// Usage: node scripts/checkImports.mjs [repoRoot]. Prints one line per violation
// (`file:line:column: reason`) and exits 1 when there is any. Type-only imports count too: a type
// from `vscode` in `core/` is a layering error even though it erases at build time.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

/** Folders whose code must run in every runtime (Node, Deno, browser). */
const NEUTRAL = ['core', 'sync', 'cloud-functions'];

/** Which repository folders each layer may import from (relative imports). */
const ALLOWED_FOLDERS = {
  core: ['core'],
  sync: ['core', 'sync'],
  'cloud-functions': ['core', 'cloud-functions'],
  webviews: ['core', 'webviews'],
};

/**
 * npm packages each neutral layer may import; the most specific prefix wins. Each must run in Node,
 * Deno and the browser. `core/sync/` is the wire contract both the client and the edge functions
 * bundle, so it keeps to zod.
 */
const ALLOWED_PACKAGES = [
  ['core/sync/', ['zod']],
  ['core/', ['zod', 'yaml', 'node-sql-parser', 'fflate']],
  ['sync/', ['zod']],
  // The warehouse SDKs run on Deno's Node compatibility, bundled into the functions that open warehouse sessions.
  ['cloud-functions/_shared/warehouseSessions.ts', ['zod', 'jose', 'postgres', 'snowflake-sdk', '@google-cloud/bigquery', 'google-auth-library']],
  ['cloud-functions/', ['zod', 'jose', 'postgres']],
];

/** Files allowed to import `vscode`: the VS Code layer and the composition root. */
const VSCODE_LAYER = [/^extension\/ui\//, /^extension\/main\.ts$/];

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]]));

/** All source files under `dir` (relative to `root`, forward slashes). */
function sourceFiles(root, dir) {
  const out = [];
  const walk = (rel) => {
    for (const name of readdirSync(path.join(root, rel))) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const child = `${rel}/${name}`;
      if (statSync(path.join(root, child)).isDirectory()) walk(child);
      else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(child);
    }
  };
  if (existsSync(path.join(root, dir))) walk(dir);
  return out;
}

/** The package name of a bare specifier (`@scope/name/x` → `@scope/name`). */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The reasons an import of `specifier` from repository file `file` breaks the layering. */
export function importProblems(file, specifier) {
  const layer = file.split('/')[0];
  const problems = [];
  const neutral = NEUTRAL.includes(layer);
  const browser = layer === 'webviews';
  if (specifier === 'vscode') {
    if (!VSCODE_LAYER.some((re) => re.test(file))) {
      problems.push(`'vscode' is imported outside the VS Code layer (extension/ui/, extension/main.ts)`);
    }
    return problems;
  }
  const isBuiltin = specifier.startsWith('node:') || NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(packageName(specifier));
  if (isBuiltin && (neutral || browser)) {
    problems.push(`Node built-in '${specifier}' is imported in ${layer}/, which must also run ${browser ? 'in the browser' : 'in Deno and the browser'}`);
    return problems;
  }
  if (specifier.startsWith('.')) {
    const allowed = ALLOWED_FOLDERS[layer];
    if (allowed === undefined) return problems;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
    const targetLayer = target.split('/')[0];
    if (!allowed.includes(targetLayer)) {
      problems.push(`${layer}/ may not import from ${targetLayer}/ ('${specifier}' resolves to ${target}); allowed: ${allowed.map((f) => `${f}/`).join(', ')}`);
    }
    return problems;
  }
  if (neutral) {
    const rule = ALLOWED_PACKAGES.find(([prefix]) => file.startsWith(prefix));
    const name = packageName(specifier);
    if (rule !== undefined && !rule[1].includes(name)) {
      problems.push(`package '${name}' is not on the allow-list of ${rule[0]} (${rule[1].join(', ')}); add it in scripts/checkImports.mjs only if it runs in Node, Deno and the browser`);
    }
  }
  return problems;
}

/** Every layering violation of the repository at `root`, as `file:line:column: reason` lines. */
export function checkImports(root) {
  const violations = [];
  for (const dir of [...NEUTRAL, 'webviews', 'extension']) {
    for (const file of sourceFiles(root, dir)) {
      const text = readFileSync(path.join(root, file), 'utf8');
      const info = ts.preProcessFile(text, true, true);
      for (const ref of info.importedFiles) {
        for (const problem of importProblems(file, ref.fileName)) {
          const { line, character } = ts.getLineAndCharacterOfPosition(ts.createSourceFile(file, text, ts.ScriptTarget.Latest), ref.pos);
          violations.push(`${file}:${line + 1}:${character + 1}: ${problem}`);
        }
      }
    }
  }
  return violations;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = path.resolve(process.argv[2] ?? '.');
  const violations = checkImports(root);
  for (const v of violations) process.stderr.write(`${v}\n`);
  if (violations.length > 0) {
    process.stderr.write(`checkImports: ${violations.length} layering violation(s); see ARCHITECTURE.md "Layout".\n`);
    process.exit(1);
  }
  process.stdout.write('checkImports: layering holds.\n');
}
