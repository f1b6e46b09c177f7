select
    id as delivery_id,
    order_id,
    courier_name,
    picked_up_at,
    delivered_at,
    extract(epoch from delivered_at - picked_up_at) / 60 as delivery_minutes
from {{ source('shop', 'deliveries') }}
