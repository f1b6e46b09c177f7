// Build stamps: which source files (and versions of them) each esbuild target was last built from,
// so `node esbuild.mjs` and `npm run mallard` skip a build whose inputs did not change. A stamp
// lists every input esbuild read (its metafile: our sources and the bundled node_modules files)
// with size and modification time, plus the build options; any difference — an edited, added
// import, deleted or touched file, other options — means the target is built again.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const STAMP_DIR = path.join('dist', '.build');

/** Where the stamp of target `name` lives. */
function stampFile(name) {
  return path.join(STAMP_DIR, `${name}.json`);
}

/** Size and mtime of a file, or null when it is gone. */
function fileState(file) {
  try {
    const s = statSync(file);
    return [s.size, s.mtimeMs];
  } catch {
    return null;
  }
}

/**
 * True when target `name` was built with `options` from inputs that are all unchanged and its
 * `outputs` all exist. Reads only the stamp and stats the inputs (a few ms for ~1,000 files).
 */
export function isFresh(name, options, outputs) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile(name), 'utf8'));
  } catch {
    return false;
  }
  if (stamp.options !== JSON.stringify(options)) return false;
  if (!outputs.every((o) => existsSync(o))) return false;
  for (const [file, state] of Object.entries(stamp.inputs ?? {})) {
    const now = fileState(file);
    if (!now || now[0] !== state[0] || now[1] !== state[1]) return false;
  }
  return Object.keys(stamp.inputs ?? {}).length > 0;
}

/** Records the inputs of a build from its esbuild metafile. */
export function writeStamp(name, options, metafile) {
  const inputs = {};
  // The build scripts shape every output too.
  for (const file of [...Object.keys(metafile.inputs), 'scripts/buildTargets.mjs', 'scripts/buildStamp.mjs', 'package.json']) {
    const state = fileState(file);
    if (state) inputs[file] = state;
  }
  mkdirSync(STAMP_DIR, { recursive: true });
  writeFileSync(stampFile(name), JSON.stringify({ options: JSON.stringify(options), inputs }));
}
