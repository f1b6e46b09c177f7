-- depends_on: {{ ref('stg_stores') }}
select
    stores.store_id,
    stores.store_name,
    stores.city,
    date_trunc('day', orders.ordered_at) as order_date,
    count(*) as order_count,
    sum(orders.total_paid) as revenue
from {{ ref('orders') }} as orders
inner join {{ ref('stg_stores') }} as stores
    on orders.store_id = stores.store_id
group by 1, 2, 3, 4
