{# Resolves a staging model by its entity name, e.g. staged('orders') is ref('stg_orders').
   The ref is built from a string, which a regex over ref() cannot see. #}
{% macro staged(entity) -%}
    {{ ref('stg_' ~ entity) }}
{%- endmacro %}
