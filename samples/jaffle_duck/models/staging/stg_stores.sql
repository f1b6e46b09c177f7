select
    id as store_id,
    name as store_name,
    city,
    country_code,
    opened_at,
    is_test_store
from {{ source('shop', 'stores') }}
{% if not var('include_test_stores') %}
where not is_test_store
{% endif %}
