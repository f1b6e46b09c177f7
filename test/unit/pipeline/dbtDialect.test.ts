import assert from 'node:assert/strict';
import { chooseDbtDialect } from '../../../core/pipeline/dbtDialect';
import { defaultConfig } from '../../../core/pipeline/workspaceConfig';
import { planWorkspace } from '../../../core/pipeline/workspacePlan';
import { memoryFs } from './memoryFs';

/**
 * The dialect of a dbt project comes from where dbt itself would learn it (the profile), then from
 * adapter hints in the repository, and only then from Mallard's setting; the reason is recorded.
 */

const PROJECT = 'name: shop\nprofile: shop\nversion: "1.0"\n';
const profile = (type: string): string => `shop:\n  target: dev\n  outputs:\n    dev:\n      type: ${type}\n      schema: analytics\n`;

describe('pipeline: dbt dialect selection', () => {
  it('reads the profile in the project, then DBT_PROFILES_DIR wins, then ~/.dbt is the last place', () => {
    const inProject = memoryFs({ 'dbt_project.yml': PROJECT, 'profiles.yml': profile('snowflake') });
    const home = { path: '~/.dbt/profiles.yml', text: profile('bigquery'), kind: 'home' as const };
    const env = { path: '/ci/profiles/profiles.yml', text: profile('redshift'), kind: 'env' as const };
    assert.equal(chooseDbtDialect(inProject, '', defaultConfig(), { external: [home] }).dialect, 'snowflake');
    const envChoice = chooseDbtDialect(inProject, '', defaultConfig(), { external: [env, home] });
    assert.equal(envChoice.dialect, 'redshift');
    assert.match(envChoice.reason, /\/ci\/profiles\/profiles\.yml/);
    const homeOnly = chooseDbtDialect(memoryFs({ 'dbt_project.yml': PROJECT }), '', defaultConfig(), { external: [home] });
    assert.equal(homeOnly.dialect, 'bigquery');
    assert.equal(homeOnly.target.schema, 'analytics');
    assert.match(homeOnly.reason, /profile 'shop' \(target dev, type bigquery\) in ~\/\.dbt\/profiles\.yml/);
  });

  it('skips a profiles.yml that lacks the project profile and reads env_var defaults', () => {
    const fs = memoryFs({ 'dbt_project.yml': PROJECT, 'profiles.yml': 'other:\n  target: dev\n  outputs:\n    dev: {type: postgres}\n' });
    const home = { path: '~/.dbt/profiles.yml', text: "shop:\n  target: \"{{ env_var('DBT_TARGET', 'ci') }}\"\n  outputs:\n    ci: {type: \"{{ env_var('ADAPTER', 'databricks') }}\", schema: s}\n", kind: 'home' as const };
    const choice = chooseDbtDialect(fs, '', defaultConfig(), { external: [home] });
    assert.equal(choice.dialect, 'hive');
    assert.equal(choice.target.name, 'ci');
  });

  it('without a profile, an adapter package decides; cross-database shims do not', () => {
    const shim = memoryFs({ 'dbt_project.yml': PROJECT, 'packages.yml': 'packages:\n  - package: dbt-labs/spark_utils\n    version: 0.3.0\n' });
    assert.equal(chooseDbtDialect(shim, '', { ...defaultConfig(), dialect: 'mysql' }).dialect, 'mysql');
    const monitoring = memoryFs({ 'dbt_project.yml': PROJECT, 'packages.yml': 'packages:\n  - package: get-select/dbt_snowflake_monitoring\n    version: 5.0.0\n' });
    const choice = chooseDbtDialect(monitoring, '', defaultConfig());
    assert.equal(choice.dialect, 'snowflake');
    assert.equal(choice.target.type, 'snowflake');
    assert.match(choice.reason, /dbt_snowflake_monitoring/);
    const installed = memoryFs({ 'dbt_project.yml': PROJECT, 'dbt_packages/redshift/dbt_project.yml': 'name: redshift\n' });
    assert.equal(chooseDbtDialect(installed, '', defaultConfig()).dialect, 'redshift');
  });

  it('without a profile or package, adapter-only configs in dbt_project.yml decide, then the setting', () => {
    const fs = memoryFs({ 'dbt_project.yml': `${PROJECT}models:\n  shop:\n    +copy_grants: true\n` });
    const choice = chooseDbtDialect(fs, '', defaultConfig());
    assert.equal(choice.dialect, 'snowflake');
    assert.match(choice.reason, /copy_grants/);
    const plain = chooseDbtDialect(memoryFs({ 'dbt_project.yml': PROJECT }), '', { ...defaultConfig(), dialect: 'trino' });
    assert.equal(plain.dialect, 'trino');
    assert.match(plain.reason, /configured default/);
    assert.equal(chooseDbtDialect(fs, '', defaultConfig(), { override: 'bigquery' }).dialect, 'bigquery');
  });

  it('the plan renders for that adapter and records the dialect and reason on the project entity', () => {
    const fs = memoryFs({
      'dbt_project.yml': `${PROJECT}models:\n  +snowflake_warehouse: wh\n`,
      'models/a.sql': "select {{ dbt.type_string() }} as t, {{ target.type }} as adapter from x",
    });
    const plan = planWorkspace(fs, { workspaceName: 'ws' });
    const project = plan.dbt[0];
    assert.equal(project?.dialect, 'snowflake');
    assert.equal(project?.ctx.target.type, 'snowflake');
    const entity = project?.ctx.facts.entities.find((e) => e.kind === 'project');
    assert.equal(entity?.meta.dialect, 'snowflake');
    assert.match(String(entity?.meta.dialectReason), /snowflake_warehouse/);
  });
});
