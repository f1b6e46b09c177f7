import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fixturesDir } from '../../unit/dbt/helpers';
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

  // A fresh clone has no dbt_packages/: the fivetran packages' own macros then come from
  // Mallard's stand-ins (core/dbt/standIns.ts), and the edges must still match dbt's.
  for (const corpus of ['dbt_hubspot', 'dbt_github', 'dbt_salesforce', 'snowflake-dbt-demo']) {
    it(`${corpus} without its packages installed: every edge, no error`, () => {
      const a = measure(corpus, [{ root: '', key: '' }]);
      report(`${corpus} (no packages)`, a);
      assert.deepEqual(a.errors, []);
      assert.deepEqual(a.missingModels, []);
      assert.equal(a.fp, 0);
      assert.equal(a.fn, 0);
    });
  }

  it('dbt_shopify without its packages installed: recall ≥ 0.99, no error', () => {
    const a = measure('dbt_shopify', [{ root: '', key: '' }]);
    report('dbt_shopify (no packages)', a);
    assert.deepEqual(a.errors, []);
    assert.deepEqual(a.missingModels, []);
    assert.ok(a.recall >= 0.99, `recall ${a.recall}`);
    // Two groups of models have no upstream in the truth although their macros call ref()/source(),
    // which dbt records: the `*_metafields` models (shopify.get_metafields refs source_object and
    // lookup_object) and the GraphQL `*_tmp` models (shopify.shopify_union_data reads its source).
    // Every other extra edge would be a real false positive.
    const unexplained = a.diffs.filter((d) => d.startsWith('extra ') && !/_metafields <- /.test(d) && !/^extra stg_shopify_gql__\w+_tmp <- source:shopify_graphql\./.test(d));
    assert.deepEqual(unexplained, []);
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
