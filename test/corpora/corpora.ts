import { statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Where the corpus tests find the shared corpora: real dbt and SQL projects nobody here wrote, with
 * truth files, in `../shared/corpora` beside the repository (never copied into it). Only the tests
 * under `test/corpora/` (`npm run test:corpora`) read them, so `npm test` passes on a fresh clone.
 */

/** The shared corpora folder; throws (so the test fails, never skips) when it is missing. */
export function corporaDir(): string {
  const dir = path.resolve(__dirname, '../../../shared/corpora');
  try {
    statSync(dir);
  } catch {
    throw new Error(`corpora folder not found at ${dir}; npm run test:corpora needs the shared corpora there (see CONTRIBUTING.md)`);
  }
  return dir;
}
