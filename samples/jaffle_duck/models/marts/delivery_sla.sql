select
    deliveries.delivery_id,
    deliveries.order_id,
    orders.store_id,
    deliveries.courier_name,
    deliveries.delivery_minutes,
    deliveries.delivery_minutes <= 30 as met_sla,
    avg(deliveries.delivery_minutes) over (partition by orders.store_id) as store_avg_minutes
from {{ ref('stg_deliveries') }} as deliveries
inner join {{ ref('orders') }} as orders
    on deliveries.order_id = orders.order_id
