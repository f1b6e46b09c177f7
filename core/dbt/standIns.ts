/**
 * Stand-ins for the most used macros of popular dbt packages, used when the package is declared but
 * not installed (a fresh clone before `dbt deps`, which is how most people first open a project).
 * Each stand-in is our own Jinja written from the package's documented behaviour, and renders what
 * the macro compiles to *for lineage*: `fivetran_utils.union_data` selects from the source it
 * would read, `dbt_utils.star` is a star over the relation, `generate_surrogate_key` a hash over
 * its fields. Exact SQL text does not matter; that it parses and keeps the lineage does. Macros of
 * a missing package that have no stand-in render as placeholders (`unknownSites.ts`).
 *
 * A package that is installed always wins: stand-ins are only consulted for a namespace that no
 * loaded project provides.
 */

/** Jinja source of the stand-in macros per package name. */
export const STAND_INS: Readonly<Record<string, string>> = {
  dbt_utils: `
{% macro star(from, relation_alias=False, except=[], prefix='', suffix='', quote_identifiers=True) -%}
{%- set all = (relation_alias ~ '.' if relation_alias else '') ~ '*' -%}
{%- if except and except | length > 0 -%}{{ all }} {{ 'exclude' if target.type == 'snowflake' else 'except' }} ({{ except | join(', ') }}){%- else -%}{{ all }}{%- endif -%}
{%- endmacro %}

{% macro generate_surrogate_key(field_list) -%}
md5(concat({% for f in field_list %}coalesce(cast({{ f }} as {{ dbt.type_string() }}), '_null_'){% if not loop.last %}, '-', {% endif %}{% endfor %}))
{%- endmacro %}

{% macro surrogate_key(field_list) -%}
{{ dbt_utils.generate_surrogate_key(field_list if field_list is sequence and field_list is not string else [field_list] + varargs) }}
{%- endmacro %}

{% macro date_spine(datepart, start_date, end_date) -%}
select cast({{ start_date }} as {{ dbt.type_timestamp() }}) as date_{{ datepart }}
{%- endmacro %}

{% macro union_relations(relations, column_override=none, include=[], exclude=[], source_column_name='_dbt_source_relation', where=none) -%}
{%- for r in relations -%}
select *, cast('{{ r.identifier }}' as {{ dbt.type_string() }}) as {{ source_column_name }} from {{ r }}{% if not loop.last %} union all {% endif %}
{%- endfor -%}
{%- endmacro %}

{% macro group_by(n) -%}
group by {% for i in range(1, n + 1) %}{{ i }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

{% macro deduplicate(relation, partition_by, order_by) -%}
select * from {{ relation }}
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
({{ numerator }}) / nullif(({{ denominator }}), 0)
{%- endmacro %}

{% macro safe_add(field_list) -%}
{% for f in (field_list if field_list is sequence and field_list is not string else [field_list] + varargs) %}coalesce({{ f }}, 0){% if not loop.last %} + {% endif %}{% endfor %}
{%- endmacro %}

{% macro safe_subtract(field_list) -%}
{% for f in field_list %}coalesce({{ f }}, 0){% if not loop.last %} - {% endif %}{% endfor %}
{%- endmacro %}

{% macro slugify(string) -%}
{{ return(string | lower | replace(' ', '_') | replace('-', '_')) }}
{%- endmacro %}

{% macro get_filtered_columns_in_relation(from, except=[]) -%}{{ return([]) }}{%- endmacro %}
{% macro get_relations_by_pattern(schema_pattern, table_pattern, exclude='', database=target.database) -%}{{ return([]) }}{%- endmacro %}
{% macro get_relations_by_prefix(schema, prefix, exclude='', database=target.database) -%}{{ return([]) }}{%- endmacro %}
{% macro pretty_time(format='%H:%M:%S') -%}{%- endmacro %}
{% macro log_info(message) -%}{%- endmacro %}
`,
  fivetran_utils: `
{% macro enabled_vars(vars) -%}
{%- for v in vars -%}{%- if not var(v, true) -%}{{ return(false) }}{%- endif -%}{%- endfor -%}
{{ return(true) }}
{%- endmacro %}

{% macro enabled_vars_one_true(vars) -%}
{%- for v in vars -%}{%- if var(v, false) -%}{{ return(true) }}{%- endif -%}{%- endfor -%}
{{ return(false) }}
{%- endmacro %}

{% macro union_data(table_identifier, database_variable, schema_variable, default_database, default_schema, default_variable, union_schema_variable='union_schemas', union_database_variable='union_databases') -%}
{%- set renamed = {'linkedin_company_pages': 'linkedin_pages', 'instagram_business_pages': 'instagram_business'} -%}
select * from {{ source(renamed.get(default_schema, default_schema), table_identifier) }}
{%- endmacro %}

{% macro union_connections(connection_dictionary, single_source_name, single_table_name, default_identifier=single_table_name) -%}
{%- set connections = var(connection_dictionary, []) -%}
{%- if connections | length > 0 -%}
{%- for c in connections -%}select * from {{ source(c.name, single_table_name) }}{% if not loop.last %} union all {% endif %}{%- endfor -%}
{%- else -%}select * from {{ source(single_source_name, single_table_name) }}{%- endif -%}
{%- endmacro %}

{% macro source_relation(union_schema_variable='union_schemas', union_database_variable='union_databases') -%}
, cast('' as {{ dbt.type_string() }}) as source_relation
{%- endmacro %}

{% macro apply_source_relation(package_name='', use_package_prefix=true) -%}
, cast('{{ package_name }}' as {{ dbt.type_string() }}) as source_relation
{%- endmacro %}

{% macro partition_by_source_relation(package_name=none, has_other_partitions='yes', alias=none) -%}{%- endmacro %}

{% macro fill_staging_columns(source_columns, staging_columns) -%}
{%- for column in staging_columns -%}
{{ fivetran_utils.quote_column(column) }}{% if column.alias %} as {{ column.alias }}{% endif %}{% if not loop.last %}, {% endif %}
{%- endfor -%}
{%- endmacro %}

{% macro quote_column(column) -%}
{%- if column.quote and target.type in ('bigquery', 'spark', 'databricks') -%}\`{{ column.name }}\`
{%- elif column.quote and target.type == 'snowflake' -%}"{{ column.name | upper }}"
{%- elif column.quote -%}"{{ column.name }}"
{%- else -%}{{ column.name }}{%- endif -%}
{%- endmacro %}

{% macro remove_prefix_from_columns(columns, prefix='', exclude=[]) -%}
{%- for col in columns if col.name not in exclude -%}{{ col.name }}{% if not loop.last %}, {% endif %}{%- endfor -%}
{%- endmacro %}

{% macro fill_pass_through_columns(pass_through_variable) -%}
{%- for field in var(pass_through_variable, []) -%}
{%- if field is mapping -%}
, {{ field.transform_sql if field.transform_sql else field.name }}{% if field.alias or field.transform_sql %} as {{ field.alias if field.alias else field.name }}{% endif %}
{%- else -%}, {{ field }}{%- endif -%}
{%- endfor -%}
{%- endmacro %}

{% macro persist_pass_through_columns(pass_through_variable, identifier=none, transform='') -%}
{%- for field in var(pass_through_variable, []) -%}
, {{ transform ~ '(' ~ (identifier ~ '.' if identifier else '') ~ (field.alias if field.alias else field.name) ~ ')' }} as {{ field.alias if field.alias else field.name }}
{%- endfor -%}
{%- endmacro %}

{% macro add_pass_through_columns(base_columns, pass_through_var) -%}
{%- for column in (pass_through_var or []) -%}
{%- if column is mapping -%}{%- do base_columns.append({'name': column.name, 'datatype': column.datatype or dbt.type_string(), 'alias': column.alias}) -%}
{%- else -%}{%- do base_columns.append({'name': column, 'datatype': dbt.type_string()}) -%}{%- endif -%}
{%- endfor -%}
{%- endmacro %}

{% macro calculated_fields(variable) -%}
{%- for field in var(variable, []) -%}, {{ field.transform_sql }} as {{ field.name }}{%- endfor -%}
{%- endmacro %}

{% macro string_agg(field_to_agg, delimiter) -%}string_agg({{ field_to_agg }}, {{ delimiter }}){%- endmacro %}
{% macro array_agg(field_to_agg) -%}array_agg({{ field_to_agg }}){%- endmacro %}
{% macro max_bool(boolean_field) -%}bool_or({{ boolean_field }}){%- endmacro %}
{% macro ceiling(num) -%}ceiling({{ num }}){%- endmacro %}
{% macro json_parse(string, string_path) -%}json_extract_path_text({{ string }}{% for p in string_path %}, '{{ p }}'{% endfor %}){%- endmacro %}
{% macro timestamp_add(datepart, interval, from_timestamp) -%}{{ dbt.dateadd(datepart, interval, from_timestamp) }}{%- endmacro %}
{% macro timestamp_diff(first_date, second_date, datepart) -%}{{ dbt.datediff(first_date, second_date, datepart) }}{%- endmacro %}
{% macro try_cast(field, type) -%}cast({{ field }} as {{ type }}){%- endmacro %}
{% macro empty_variable_warning(variable, downstream_model) -%}{%- endmacro %}
`,
};

/**
 * Names a stand-in package delegates to dbt's own cross-database macros: dbt_utils carried them
 * before 1.0 (`dbt_utils.dateadd`, `dbt_utils.type_string`, …), and old projects still call them.
 */
export const DELEGATES_TO_DBT: Readonly<Record<string, true>> = { dbt_utils: true };

/** Package names that have stand-ins, for messages. */
export function standInPackages(): string[] {
  return Object.keys(STAND_INS);
}
