import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm test` must pass on a fresh clone, where the shared corpora (`../shared/corpora`) are absent:
 * only the corpus suite (`test/corpora/`, `npm run test:corpora`) may read them. This keeps a new
 * corpus test from landing in the unit or integration suites, where it would fail every clone.
 */

const repo = path.resolve(__dirname, '../../..');
const READS_CORPORA = /corporaDir|readCorpus|corpusHarness|shared\/corpora|from '[./]*corpora\/corpora'/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : d.name.endsWith('.ts') ? [p] : [];
  });
}

describe('test suites', () => {
  it('no unit or integration test reads the shared corpora (those belong in test/corpora)', () => {
    const offenders = ['test/unit', 'test/integration']
      .flatMap((d) => filesUnder(path.join(repo, d)))
      .filter((f) => f !== __filename && READS_CORPORA.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(repo, f));
    assert.deepEqual(offenders, []);
  });

  it('the corpus suite exists beside them', () => {
    const corpus = filesUnder(path.join(repo, 'test/corpora')).filter((f) => f.endsWith('.test.ts'));
    assert.ok(corpus.length >= 8, `${corpus.length} corpus test files`);
  });
});
