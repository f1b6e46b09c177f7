/**
 * A generated dbt project whose models call macros of packages that are declared in packages.yml but
 * not installed (a fresh clone before `dbt deps`): dbt_utils and fivetran_utils (Mallard has
 * stand-ins for their common macros) and dbt_date and audit_helper (it has none, so their calls
 * render as placeholders). Every model is SQL that dbt compiles once the packages are installed, so
 * the share of models with an error diagnostic should be 0. Used by `scripts/bench/missingPackages.ts`
 * and the integration test of package placeholders.
 */

/** Files of the project, path → text. */
export type ProjectFiles = Record<string, string>;

/** Builds a project of `models` models (at least 8), deterministic. */
export function missingPackagesProject(models = 500): ProjectFiles {
  const files: ProjectFiles = {
    'dbt_project.yml': 'name: shop\nversion: "1.0"\nconfig-version: 2\nprofile: shop\nmodels:\n  shop:\n    +materialized: view\n',
    'packages.yml': [
      'packages:',
      '  - package: dbt-labs/dbt_utils',
      '    version: [">=1.0.0", "<2.0.0"]',
      '  - package: fivetran/fivetran_utils',
      '    version: [">=0.4.0", "<0.5.0"]',
      '  - package: calogica/dbt_date',
      '    version: 0.10.0',
      '  - package: dbt-labs/audit_helper',
      '    version: 0.12.0',
      '',
    ].join('\n'),
  };
  const staging = Math.max(2, Math.floor(models * 0.2));
  const marts = Math.max(2, Math.floor(models * 0.2));
  const intermediate = Math.max(4, models - staging - marts);
  const sources: string[] = ['version: 2', 'sources:', '  - name: raw', '    tables:'];
  for (let i = 0; i < staging; i++) {
    // Half the source tables declare no columns: lineage then flows through stars over unknown schemas.
    sources.push(`      - name: orders_${i}`);
    if (i % 2 === 0) sources.push('        columns:', '          - name: id', '          - name: customer_id', '          - name: amount_cents', '          - name: created_at', '          - name: status', '          - name: _fivetran_deleted');
    files[`models/staging/stg_orders_${i}.sql`] = stagingModel(i);
  }
  files['models/staging/sources.yml'] = `${sources.join('\n')}\n`;
  for (let i = 0; i < intermediate; i++) files[`models/intermediate/int_orders_${i}.sql`] = intermediateModel(i, staging);
  for (let i = 0; i < marts; i++) files[`models/marts/fct_orders_${i}.sql`] = martModel(i, intermediate);
  return files;
}

function stagingModel(i: number): string {
  return `with source as (

    select {{ dbt_utils.star(from=source('raw', 'orders_${i}'), except=['_fivetran_deleted']) }}
    from {{ source('raw', 'orders_${i}') }}

), renamed as (

    select
        id as order_id,
        customer_id,
        amount_cents / 100.0 as amount,
        {{ dbt_date.convert_timezone('created_at', 'America/New_York') }} as created_at_local,
        status
        {{ fivetran_utils.source_relation() }}
    from source

)

select
    *,
    {{ dbt_utils.generate_surrogate_key(['order_id', 'source_relation']) }} as order_key
from renamed
`;
}

function intermediateModel(i: number, staging: number): string {
  const a = i % staging;
  const b = (i * 7 + 3) % staging;
  switch (i % 4) {
    case 0:
      return `select
    o.customer_id,
    {{ dbt_date.day_of_week('o.created_at_local') }} as order_weekday,
    count(*) as order_count,
    {{ dbt_utils.safe_divide('sum(o.amount)', 'count(*)') }} as avg_amount
from {{ ref('stg_orders_${a}') }} as o
{{ dbt_utils.group_by(2) }}
`;
    case 1:
      return `select
    o.order_key,
    o.amount,
    p.amount as other_amount,
    {{ dbt_date.date_part('year', 'o.created_at_local') }} as order_year
from {{ ref('stg_orders_${a}') }} as o
left join {{ ref('stg_orders_${b}') }} as p on o.order_id = p.order_id
`;
    case 2:
      return `with unioned as (
    {{ dbt_utils.union_relations(relations=[ref('stg_orders_${a}'), ref('stg_orders_${b}')]) }}
)

select order_id, amount, _dbt_source_relation
from unioned
`;
    default:
      return `with spine as (
    {{ dbt_utils.date_spine(datepart="day", start_date="cast('2020-01-01' as date)", end_date="cast('2021-01-01' as date)") }}
)

select
    spine.date_day,
    {{ fivetran_utils.string_agg('o.status', "', '") }} as statuses
from spine
left join {{ ref('stg_orders_${a}') }} as o on cast(o.created_at_local as date) = spine.date_day
group by 1
`;
  }
}

function martModel(i: number, intermediate: number): string {
  const base = (i * 4) % intermediate;
  const model = `int_orders_${base - (base % 4) + 1 < intermediate ? base - (base % 4) + 1 : 1}`;
  // audit_helper's macros render whole queries: the model is the macro call.
  if (i % 10 === 9) return `{{ audit_helper.compare_relations(a_relation=ref('${model}'), b_relation=ref('int_orders_1'), primary_key='order_key') }}\n`;
  return `select
    {{ dbt_utils.star(from=ref('${model}'), relation_alias='m') }},
    {{ dbt_date.n_days_ago(7) }} as week_ago
from {{ ref('${model}') }} as m
where m.amount > 0
`;
}
