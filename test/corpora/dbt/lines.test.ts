import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadDbtProject, renderDbtNode } from '../../../core/dbt/api';
import type { FileSource } from '../../../core/pipeline/contracts';
import { dirFileSource, fixturesDir, overlayFileSource } from '../../unit/dbt/helpers';
import { corporaDir } from '../corpora';

/** Line N of the rendered SQL is line N of the source, on real Jinja-heavy projects. */

function check(fs: FileSource): { placeholders: number; misplaced: string[]; files: number } {
  const ctx = loadDbtProject(fs, '');
  const misplaced: string[] = [];
  let placeholders = 0;
  for (const f of ctx.nodeFiles) {
    const text = fs.read(f.path) ?? '';
    const src = text.split('\n');
    const r = renderDbtNode(ctx, f.path, text);
    const out = r.rendered.lineageSql.split('\n');
    assert.equal(out.length, src.length, `${f.path}: line count`);
    assert.equal(r.rendered.compiledSql.split('\n').length, src.length, `${f.path}: compiled line count`);
    out.forEach((line, i) => {
      const hits = line.match(/mallard__rel\.r\d+/g) ?? [];
      placeholders += hits.length;
      // A placeholder can only come from Jinja written on that very line.
      if (hits.length > 0 && !(src[i] ?? '').includes('{{')) misplaced.push(`${f.path}:${i + 1}`);
    });
  }
  return { placeholders, misplaced, files: ctx.nodeFiles.length };
}

describe('dbt line alignment on corpora', () => {
  it('dbt_hubspot', () => {
    const fs = overlayFileSource(dirFileSource(path.join(corporaDir(), 'dbt_hubspot')), { 'dbt_packages/fivetran_utils': path.join(fixturesDir, 'shims/fivetran_utils') });
    const r = check(fs);
    console.log(`      ${r.files} files, ${r.placeholders} placeholders, ${r.misplaced.length} on a line without Jinja`);
    assert.ok(r.placeholders > 150);
    assert.deepEqual(r.misplaced, []);
  });

  it('dbt-project-evaluator', () => {
    const r = check(dirFileSource(path.join(corporaDir(), 'dbt-project-evaluator')));
    console.log(`      ${r.files} files, ${r.placeholders} placeholders, ${r.misplaced.length} on a line without Jinja`);
    assert.ok(r.placeholders > 40);
    assert.deepEqual(r.misplaced, []);
  });
});
