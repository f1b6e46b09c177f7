import assert from 'node:assert/strict';
import { planDbtProject, planWorkspace, relationConfigChanged } from '../../../core/pipeline/workspacePlan';
import { parseWorkspaceConfig } from '../../../core/pipeline/workspaceConfig';
import { memoryFs } from './memoryFs';

/**
 * The planner's side of `target/manifest.json` (a truncated file never half-applied; the previous
 * good manifest lent by the caller stays in use; the diagnostic lands in the project's facts so
 * every path stores it) and the check that tells an incremental update to re-plan when an edit
 * moves a model (literal `config(alias=…)`), since refs to it render that relation elsewhere.
 */

const PROJECT = {
  'dbt_project.yml': "name: p\nversion: '1.0'\nconfig-version: 2\nmodel-paths: ['models']\n",
  'models/a.sql': "{{ config(alias='fct_a', materialized='table') }}\nselect 1 as id\n",
  'models/b.sql': "select id from {{ ref('a') }}\n",
};
const MANIFEST = JSON.stringify({ metadata: { project_name: 'p' }, nodes: { 'model.p.b': { resource_type: 'model', name: 'b', package_name: 'p', depends_on: { nodes: ['model.p.a'] }, config: { enabled: true } } }, sources: {} });
const config = parseWorkspaceConfig(undefined).config;

describe('workspace plan: manifest safety and relation-config edits', () => {
  it('a good manifest is used; a truncated one keeps the previous manifest and reports where it broke', () => {
    const good = planDbtProject(memoryFs({ ...PROJECT, 'target/manifest.json': MANIFEST }), '', config).plan;
    assert.deepEqual(good.manifest?.nodes['model.p.b']?.dependsOn, ['model.p.a']);
    assert.deepEqual(good.ctx.facts.diagnostics.filter((d) => d.file === 'target/manifest.json'), []);

    const cut = memoryFs({ ...PROJECT, 'target/manifest.json': `${MANIFEST.slice(0, 60)}\n\n` });
    const kept = planDbtProject(cut, '', config, undefined, good.manifest).plan;
    assert.equal(kept.manifest, good.manifest, 'the previous good manifest stays in use');
    const [diag] = kept.ctx.facts.diagnostics.filter((d) => d.file === 'target/manifest.json');
    assert.equal(diag?.code, 'manifest-invalid');
    assert.ok((diag?.line ?? 0) >= 1 && (diag?.column ?? 0) >= 1);
    assert.match(diag?.message ?? '', /keeping the previous manifest/);

    const none = planDbtProject(cut, '', config).plan;
    assert.equal(none.manifest, undefined, 'no previous manifest: render instead');
    assert.match(none.ctx.facts.diagnostics.find((d) => d.file === 'target/manifest.json')?.message ?? '', /falling back to rendering/);

    const whole = planWorkspace(cut, { workspaceName: 'ws' }, { ...planWorkspace(memoryFs({ ...PROJECT, 'target/manifest.json': MANIFEST }), { workspaceName: 'ws' }) });
    assert.deepEqual(whole.dbt[0]?.manifest?.nodes['model.p.b']?.dependsOn, ['model.p.a'], 'planWorkspace lends each project its previous manifest');
    const removed = planDbtProject(memoryFs(PROJECT), '', config, undefined, good.manifest).plan;
    assert.equal(removed.manifest, undefined, 'a deleted manifest is not kept');
  });

  it('relationConfigChanged: only literal alias/schema/database edits of node files count', () => {
    const plan = planDbtProject(memoryFs(PROJECT), '', config).plan;
    const edit = (text: string) => relationConfigChanged(plan, memoryFs({ ...PROJECT, 'models/a.sql': text }), ['models/a.sql']);
    assert.equal(edit("{{ config(alias='fct_a', materialized='view') }}\nselect 2 as id, 3 as x\n"), false);
    assert.equal(edit("{{ config(alias='fct_a2') }}\nselect 1 as id\n"), true);
    assert.equal(edit('select 1 as id\n'), true, 'alias removed');
    assert.equal(relationConfigChanged(plan, memoryFs({ ...PROJECT, 'models/b.sql': "{{ config(schema='x') }}\nselect 1\n" }), ['models/b.sql']), true, 'schema added');
    assert.equal(relationConfigChanged(plan, memoryFs({ ...PROJECT, 'models/b.sql': 'select 2 as id\n' }), ['models/b.sql']), false);
  });
});
