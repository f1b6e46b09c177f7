{# One summed column per payment method listed in var('payment_methods'). #}
{% macro pivot_payment_methods(amount_column='amount') -%}
    {%- for method in var('payment_methods') %}
    sum(case when payment_method = '{{ method }}' then {{ amount_column }} else 0 end) as {{ method }}_amount
    {%- if not loop.last %},{% endif -%}
    {% endfor %}
{%- endmacro %}
