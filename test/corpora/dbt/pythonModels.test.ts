import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { assembleDbtProject, loadDbtProject, renderDbtNode } from '../../../core/dbt/api';
import type { FileSource } from '../../../core/pipeline/contracts';
import { dirFileSource } from '../../unit/dbt/helpers';
import { corporaDir } from '../corpora';

/** dbt Python models of a real project (snowflake-dbt-demo) against its truth file. */

function extract(fs: FileSource, root = '') {
  const ctx = loadDbtProject(fs, root);
  const results = ctx.nodeFiles.map((f) => renderDbtNode(ctx, f.path, fs.read(f.path) ?? ''));
  return { ctx, results, facts: assembleDbtProject(ctx, results) };
}

describe('dbt Python models on a corpus', () => {
  it('snowflake-dbt-demo: both Python models with the edges of the truth file', () => {
    const corpus = path.join(corporaDir(), 'snowflake-dbt-demo');
    const truth = JSON.parse(readFileSync(path.join(corporaDir(), 'snowflake-dbt-demo.truth.json'), 'utf8')) as Record<string, string[]>;
    const { results, facts } = extract(dirFileSource(corpus));
    const python = results.filter((r) => r.path.endsWith('.py'));
    assert.deepEqual(python.map((r) => r.entity.name).sort(), ['async_bulk_operations', 'customer_clustering']);
    for (const r of python) {
      const got = facts.modelEdges.filter((e) => e.to === r.entity.id).map((e) => e.from.split('.').slice(2).join('.')).sort();
      assert.deepEqual(got, [...(truth[r.entity.name] ?? ['<missing from truth>'])].sort(), r.entity.name);
      assert.equal(r.entity.materialized, 'table');
      assert.equal(r.entity.meta.language, 'python');
      assert.deepEqual(r.diagnostics, [], r.path);
    }
    assert.ok(python.find((r) => r.entity.name === 'customer_clustering')?.entity.tags.includes('ml'));
  });
});
