// `npm run mallard -- <args>`: runs the CLI from its built bundle (dist/cli/mallard.js) in this
// process. The bundles are built first only when a source they are built from changed since their
// last build (scripts/buildStamp.mjs): an unchanged checkout starts the command at once.
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from './buildTargets.mjs';

const repo = path.resolve(import.meta.dirname, '..');
// The build works in the repository (its paths are relative); the command in the caller's folder
// (npm runs scripts in the package folder, as `node dist/cli/mallard.js` did).
const cwd = process.cwd();
process.chdir(repo);
const built = await build({ quiet: true });
process.chdir(cwd);
if (built.length > 0) process.stderr.write(`mallard: rebuilt ${built.join(', ')} (sources changed)\n`);
const cli = path.join(repo, 'dist', 'cli', 'mallard.js');
// The CLI reads its arguments from process.argv, as when started as `node dist/cli/mallard.js …`.
process.argv = [process.argv[0] ?? process.execPath, cli, ...process.argv.slice(2)];
createRequire(import.meta.url)(cli);
