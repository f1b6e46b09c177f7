import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fixturesDir } from './helpers';
import { measure, type Accuracy } from './accuracy';

/**
 * Edge accuracy of the Jinja renderer against the corpora truth files.
 * Disabled models count like any other: the truth lists the refs each model renders to, disabled or
 * not, and `renderDbtNode` keeps the dependencies of disabled nodes (only the assembled facts drop
 * their edges), so all 154 hubspot models (29 disabled by default) are compared.
 */

function report(name: string, a: Accuracy): void {
  console.log(`      ${name}: precision ${a.precision.toFixed(3)} recall ${a.recall.toFixed(3)} (tp ${a.tp}, fp ${a.fp}, fn ${a.fn}, ${a.models} models)`);
  for (const d of a.diffs) console.log(`        ${d}`);
}

const FIVETRAN_SHIM = { 'dbt_packages/fivetran_utils': path.join(fixturesDir, 'shims/fivetran_utils') };

describe('dbt accuracy against corpora', () => {
  it('dbt_hubspot: edges match the rendered truth (fivetran_utils installed as a shim)', () => {
    const a = measure('dbt_hubspot', [{ root: '', key: '' }], FIVETRAN_SHIM);
    report('dbt_hubspot', a);
    assert.deepEqual(a.errors, []);
    assert.deepEqual(a.missingModels, []);
    assert.ok(a.precision >= 0.98, `precision ${a.precision}`);
    assert.ok(a.recall >= 0.98, `recall ${a.recall}`);
  });

  it('dbt_hubspot without its fivetran_utils package still has perfect precision', () => {
    const a = measure('dbt_hubspot', [{ root: '', key: '' }]);
    console.log(`      dbt_hubspot (no packages): precision ${a.precision.toFixed(3)} recall ${a.recall.toFixed(3)}`);
    assert.equal(a.fp, 0);
    assert.ok(a.recall > 0.5, `recall ${a.recall}`);
  });

  it('dbt-project-evaluator: six projects, versioned models, local packages, dispatch', () => {
    const a = measure('dbt-project-evaluator', [
      { root: '', key: 'dbt_project_evaluator' },
      { root: 'integration_tests', key: 'dbt_project_evaluator_integration_tests' },
      { root: 'integration_tests_2', key: 'dbt_project_evaluator_integration_tests_2' },
      { root: 'integration_tests_sl', key: 'dbt_project_evaluator_integration_tests@integration_tests_sl' },
      { root: 'integration_tests/exclude_package', key: 'exclude_package' },
      { root: 'integration_tests_sl/exclude_package', key: 'exclude_package@integration_tests_sl/exclude_package' },
    ]);
    report('dbt-project-evaluator', a);
    assert.deepEqual(a.errors, []);
    assert.deepEqual(a.missingModels, []);
    assert.ok(a.precision >= 0.98, `precision ${a.precision}`);
    assert.ok(a.recall >= 0.98, `recall ${a.recall}`);
  });
});
