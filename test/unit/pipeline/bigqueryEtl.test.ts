import assert from 'node:assert/strict';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { generateEtlRepo, scoreTableEdges, withWrittenTargets } from '../../../scripts/gen/bigqueryEtl';
import { memoryFs } from './memoryFs';

/**
 * Golden test on a generated repository in bigquery-etl's layout (`scripts/gen/bigqueryEtl.ts`):
 * the table-level lineage Mallard extracts is exactly the generator's truth — every bare query
 * builds the table its folder names, qualified cross-dataset and cross-project references keep
 * their qualifiers, same-named tables in different datasets stay apart, views named like the table
 * they read keep their edge — and the one ambiguous name is reported where it is written.
 */

describe('plain SQL: a generated bigquery-etl repository (golden)', () => {
  for (const seed of [11, 12, 13]) {
    it(`seed ${seed}: table edges and targets are exactly the truth; the ambiguous name is reported with its candidates`, () => {
      const repo = generateEtlRepo({ seed, tables: 40 });
      const { facts } = extractWorkspace(memoryFs(repo.files), { workspaceName: 'etl', dialect: 'bigquery' });
      const score = scoreTableEdges(facts, repo.edges);
      const name = new Map(facts.entities.map((e) => [e.id, [e.database, e.schema, e.name].filter(Boolean).join('.')]));
      const found = facts.modelEdges.map((e) => `${name.get(e.from)}>${name.get(e.to)}`).sort();
      assert.deepEqual(found, repo.edges, 'every edge of the truth, and nothing else');
      assert.deepEqual([score.precision, score.recall], [1, 1]);
      // Each file that builds a table names it by its path; the others (checks, clashing names) build none.
      const byRule = new Map(facts.entities.filter((e) => e.meta.targetRule !== undefined).map((e) => [name.get(e.id), e]));
      for (const [path, target] of Object.entries(repo.targets)) {
        if (target === null) {
          assert.ok(![...byRule.values()].some((e) => e.provenance.file === path), `${path} builds nothing`);
          continue;
        }
        const entity = byRule.get(target);
        assert.ok(entity, `${path} builds ${target}`);
        assert.equal(entity.kind, path.endsWith('view.sql') ? 'view' : 'table');
      }
      const ambiguous = facts.diagnostics.filter((d) => d.code === 'ambiguous-relation');
      assert.deepEqual(ambiguous.map((d) => d.file), repo.ambiguous.map((a) => a.file));
      for (const [i, a] of repo.ambiguous.entries()) {
        const d = ambiguous[i];
        const lines = (repo.files[a.file] ?? '').split('\n');
        const word = new RegExp(`\\b${a.name}\\b`);
        const line = lines.findIndex((l) => word.test(l)) + 1;
        assert.deepEqual([d?.line, d?.column], [line, (lines[line - 1] ?? '').search(word) + 1], 'at the name as written');
        for (const c of a.candidates) assert.ok(d?.message.includes(c), `${c} listed in: ${d?.message}`);
      }
      // Only the two scripts that share a file name say they build nothing.
      assert.deepEqual(facts.diagnostics.filter((d) => d.severity === 'info').map((d) => d.file).sort(), ['scripts/daily/summary.sql', 'scripts/weekly/summary.sql']);
      assert.deepEqual(facts.diagnostics.filter((d) => d.code === 'sql-parse'), [], 'the generated SQL parses');
    });
  }

  it('with every target written as CREATE … AS, names alone resolve to exactly the truth', () => {
    const repo = withWrittenTargets(generateEtlRepo({ seed: 11, tables: 60 }));
    const { facts } = extractWorkspace(memoryFs(repo.files), { workspaceName: 'etl', dialect: 'bigquery' });
    const name = new Map(facts.entities.map((e) => [e.id, [e.database, e.schema, e.name].filter(Boolean).join('.')]));
    assert.deepEqual(facts.modelEdges.map((e) => `${name.get(e.from)}>${name.get(e.to)}`).sort(), repo.edges);
    assert.deepEqual(facts.entities.filter((e) => e.meta.targetRule !== undefined).map((e) => e.name), [], 'no target left to a rule');
  });
});
