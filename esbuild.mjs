// Builds every target with one esbuild context each. Type-checking is separate (`npm run typecheck`).
// A target whose inputs did not change since its last build (see scripts/buildStamp.mjs) is not
// built again, so `npm run mallard` and the tests that need the bundles start at once.
// Usage: node esbuild.mjs [--watch] [--production] [--quiet] [--force]
import { build } from './scripts/buildTargets.mjs';

const options = {
  watch: process.argv.includes('--watch'),
  production: process.argv.includes('--production'),
  quiet: process.argv.includes('--quiet'),
  force: process.argv.includes('--force'),
};
const built = await build(options);
if (built.length === 0 && !options.quiet) console.log('esbuild: every bundle is up to date (--force builds anyway)');
