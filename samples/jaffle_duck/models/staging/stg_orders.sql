select
    id as order_id,
    customer_id,
    store_id,
    cast(ordered_at as timestamp) as ordered_at,
    status,
    status in ('cancelled', 'returned') as is_cancelled
from {{ source('shop', 'orders') }}
where ordered_at >= '{{ var("order_cutoff_date") }}'
