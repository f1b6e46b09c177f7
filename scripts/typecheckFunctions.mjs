// Type-checks the Supabase edge functions (`cloud-functions/`) with Deno, their runtime: `tsc` with
// Node types would accept code Deno rejects. Run by `npm run typecheck`. Until the folder holds
// TypeScript there is nothing to check; once it does, `deno` must be installed (npm package `deno`)
// and `cloud-functions/deno.json` configures it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = 'cloud-functions';

/** Entry points: `cloud-functions/<name>/index.ts` (shared code is checked through them). */
function entries() {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((name) => path.join(root, name, 'index.ts'))
    .filter((file) => existsSync(file) && statSync(file).isFile());
}

const files = entries();
if (files.length === 0) {
  process.stdout.write('typecheck: cloud-functions/ has no functions yet; nothing to check with Deno.\n');
  process.exit(0);
}
const local = path.join('node_modules', '.bin', process.platform === 'win32' ? 'deno.cmd' : 'deno');
const deno = existsSync(local) ? local : 'deno';
const config = path.join(root, 'deno.json');
const args = ['check', ...(existsSync(config) ? ['--config', config] : []), ...files];
const result = spawnSync(deno, args, { stdio: 'inherit' });
if (result.error !== undefined) {
  process.stderr.write(`typecheck: cannot run deno (${result.error.message}); install the npm package "deno".\n`);
  process.exit(1);
}
process.exit(result.status ?? 1);
