// Builds one VSIX per VS Code platform target, each with only that platform's better-sqlite3 binary.
// Usage: node scripts/package.mjs [--target linux-x64[,darwin-arm64,…] | --all] [--out-dir dist/vsix]
// Default target: the platform this script runs on. Prints the path of each VSIX it wrote.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** VS Code target → better-sqlite3 prebuild name (`prebuilds/<name>.node`). */
const PREBUILDS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'alpine-x64': 'linuxmusl-x64',
  'alpine-arm64': 'linuxmusl-arm64',
  'darwin-x64': 'darwin-x64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};

function hostTarget() {
  const platform = process.platform === 'linux' && isMusl() ? 'alpine' : process.platform;
  return `${platform}-${process.arch}`;
}

function isMusl() {
  try {
    return /\/ld-musl-[^/\s]*\.so/.test(readFileSync('/proc/self/maps', 'latin1'));
  } catch {
    return false;
  }
}

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const targets = process.argv.includes('--all')
  ? Object.keys(PREBUILDS)
  : (argValue('--target') ?? hostTarget()).split(',');
const outDir = path.resolve(repo, argValue('--out-dir') ?? 'dist/vsix');

for (const target of targets) {
  if (!(target in PREBUILDS)) {
    process.stderr.write(`unknown target ${target}; known: ${Object.keys(PREBUILDS).join(', ')}\n`);
    process.exit(2);
  }
  const binary = path.join(repo, 'node_modules/better-sqlite3/prebuilds', `${PREBUILDS[target]}.node`);
  if (!existsSync(binary)) {
    process.stderr.write(`missing ${binary}: run npm install first\n`);
    process.exit(2);
  }
}

// One production build serves every target; only the native binary differs between VSIX files.
execFileSync(process.execPath, ['esbuild.mjs', '--production', '--quiet'], { cwd: repo, stdio: 'inherit' });
mkdirSync(outDir, { recursive: true });

const manifest = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const allowList = readFileSync(path.join(repo, '.vscodeignore'), 'utf8');
const vsce = path.join(repo, 'node_modules/@vscode/vsce/vsce');
const scratch = path.join(repo, '.cache/package');
mkdirSync(scratch, { recursive: true });

for (const target of targets) {
  // The allow-list plus exactly one prebuilt binary; every other platform's binary stays ignored.
  const ignoreFile = path.join(scratch, `vscodeignore.${target}`);
  writeFileSync(ignoreFile, `${allowList}\n!node_modules/better-sqlite3/prebuilds/${PREBUILDS[target]}.node\n`);
  const vsix = path.join(outDir, `${manifest.name}-${target}-${manifest.version}.vsix`);
  rmSync(vsix, { force: true });
  try {
    execFileSync(
    process.execPath,
    [
      vsce,
      'package',
      '--target', target,
      '--ignoreFile', ignoreFile,
      '--out', vsix,
      '--skip-license',
      '--allow-missing-repository',
      // README links are repository-relative; the VSIX is installed locally, not published.
      '--no-rewrite-relative-links',
      '--no-update-package-json',
      '--no-git-tag-version',
    ],
    { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] },
    );
  } catch {
    process.stderr.write(`vsce failed for ${target} (its error is printed above)\n`);
    process.exit(1);
  }
  process.stdout.write(`${vsix}\n`);
}
