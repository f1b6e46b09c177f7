import assert from 'node:assert/strict';
import { loadDbtProject, renderDbtNode, type DbtTarget } from '../../../core/dbt/api';
import { scanInlineRelationConfig } from '../../../core/dbt/relationNames';
import { memoryFs } from '../pipeline/memoryFs';

/**
 * Golden tests of dbt's relation naming in compiled SQL: a `ref()` renders as the upstream's
 * configured database/schema/alias (folder config, YAML config, literal config() in its file,
 * versioned-model aliases, seed and snapshot configs, root `generate_*_name` overrides), not as
 * `<target schema>.<name>`.
 */

const PROJECT = [
  "name: acme",
  "version: '1.0'",
  'config-version: 2',
  "profile: acme",
  "model-paths: ['models']",
  "seed-paths: ['seeds']",
  "snapshot-paths: ['snapshots']",
  "macro-paths: ['macros']",
  'models:',
  '  acme:',
  '    finance:',
  '      +schema: finance',
  'seeds:',
  '  acme:',
  '    +schema: raw_seeds',
  '',
].join('\n');

const BASE: Record<string, string> = {
  'dbt_project.yml': PROJECT,
  'models/staging/stg_orders.sql': 'select 1 as id\n',
  'models/finance/revenue.sql': "{{ config(alias='fct_revenue') }}\nselect 1 as id\n",
  'models/finance/ledger.sql': 'select 1 as id\n',
  'models/elsewhere.sql': "{{ config(database='warehouse', schema='ops', materialized='table') }}\nselect 1 as id\n",
  'models/yaml_aliased.sql': 'select 1 as id\n',
  'models/customers_v1.sql': 'select 1 as id\n',
  'models/customers_v2.sql': 'select 1 as id\n',
  'models/props.yml': [
    'version: 2',
    'models:',
    '  - name: yaml_aliased',
    '    config:',
    '      alias: from_yaml',
    '  - name: customers',
    '    latest_version: 2',
    '    versions:',
    '      - v: 1',
    '      - v: 2',
    '',
  ].join('\n'),
  'seeds/countries.csv': 'code,name\nFR,France\n',
  'snapshots/orders_snap.sql': "{% snapshot orders_snap %}\n{{ config(target_schema='snapshots', unique_key='id', strategy='check', check_cols='all') }}\nselect 1 as id\n{% endsnapshot %}\n",
  'models/consumer.sql': [
    "select * from {{ ref('stg_orders') }}",
    "join {{ ref('revenue') }} using (id)",
    "join {{ ref('ledger') }} using (id)",
    "join {{ ref('elsewhere') }} using (id)",
    "join {{ ref('yaml_aliased') }} using (id)",
    "join {{ ref('customers') }} using (id)",
    "join {{ ref('customers', v=1) }} using (id)",
    "join {{ ref('countries') }} using (id)",
    "join {{ ref('orders_snap') }} using (id)",
    "join {{ ref('acme', 'ledger') }} using (id)",
    "join {{ this }} using (id)",
    '',
  ].join('\n'),
};

function compiled(files: Record<string, string>, target?: DbtTarget): string[] {
  const fs = memoryFs(files);
  const ctx = loadDbtProject(fs, '', target ? { target } : undefined);
  return renderDbtNode(ctx, 'models/consumer.sql', fs.read('models/consumer.sql') ?? '').rendered.compiledSql.split('\n');
}

describe('dbt relation naming in compiled SQL (ref → configured database/schema/alias)', () => {
  it('uses folder, YAML and in-file configs, version aliases, seed and snapshot configs', () => {
    assert.deepEqual(compiled(BASE), [
      'select * from public.stg_orders',
      'join public_finance.fct_revenue using (id)',
      'join public_finance.ledger using (id)',
      'join warehouse.public_ops.elsewhere using (id)',
      'join public.from_yaml using (id)',
      'join public.customers_v2 using (id)',
      'join public.customers_v1 using (id)',
      'join public_raw_seeds.countries using (id)',
      'join snapshots.orders_snap using (id)',
      'join public_finance.ledger using (id)',
      'join public.consumer using (id)',
      '',
    ]);
  });

  it('writes the target database when the profile has one, and an explicit database wins', () => {
    const lines = compiled(BASE, { name: 'prod', type: 'snowflake', schema: 'analytics', database: 'PROD' });
    assert.equal(lines[0], 'select * from PROD.analytics.stg_orders');
    assert.equal(lines[1], 'join PROD.analytics_finance.fct_revenue using (id)');
    assert.equal(lines[3], 'join warehouse.analytics_ops.elsewhere using (id)');
  });

  it('applies root generate_schema_name / generate_alias_name / generate_database_name overrides', () => {
    const files = {
      ...BASE,
      'macros/naming.sql': [
        '{% macro generate_schema_name(custom_schema_name, node) -%}',
        '{%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}',
        '{%- endmacro %}',
        '{% macro generate_alias_name(custom_alias_name=none, node=none) -%}',
        '{%- if custom_alias_name -%}{{ custom_alias_name }}{%- else -%}{{ node.name | upper }}{%- endif -%}',
        '{%- endmacro %}',
        '{% macro generate_database_name(custom_database_name=none, node=none) -%}',
        '{%- if custom_database_name is none -%}{{ target.database }}{%- else -%}{{ custom_database_name }}_dev{%- endif -%}',
        '{%- endmacro %}',
        '',
      ].join('\n'),
    };
    const lines = compiled(files, { name: 'dev', type: 'postgres', schema: 'dbt_me', database: 'db' });
    assert.equal(lines[0], 'select * from db.dbt_me.STG_ORDERS');
    assert.equal(lines[1], 'join db.finance.fct_revenue using (id)');
    assert.equal(lines[3], 'join warehouse_dev.ops.ELSEWHERE using (id)');
    assert.equal(lines[10], 'join db.dbt_me.CONSUMER using (id)');
  });

  it('an alias change in the upstream file changes the context (downstream caches are invalidated)', () => {
    const before = loadDbtProject(memoryFs(BASE), '').contextHash;
    const bodyOnly = loadDbtProject(memoryFs({ ...BASE, 'models/finance/revenue.sql': "{{ config(alias='fct_revenue') }}\nselect 2 as id\n" }), '').contextHash;
    const renamed = loadDbtProject(memoryFs({ ...BASE, 'models/finance/revenue.sql': "{{ config(alias='revenue_v2') }}\nselect 1 as id\n" }), '').contextHash;
    assert.equal(bodyOnly, before);
    assert.notEqual(renamed, before);
  });

  it('an unresolved ref keeps the target-schema spelling', () => {
    const lines = compiled({ ...BASE, 'models/consumer.sql': "select * from {{ ref('nowhere') }}\n" });
    assert.equal(lines[0], 'select * from public.nowhere');
  });

  it('scans only literal relation keys of config() calls; later calls win', () => {
    assert.deepEqual(scanInlineRelationConfig("{{ config(materialized='table', alias=\"a1\") }}\n{{ config(schema='s', alias='a2', tags=['x']) }}"), { alias: 'a2', schema: 's' });
    assert.deepEqual(scanInlineRelationConfig("{{ config(alias=var('x')) }}"), {});
  });
});
