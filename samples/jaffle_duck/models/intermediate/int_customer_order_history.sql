with orders as (
    select * from {{ ref('stg_orders') }}
    where not is_cancelled
),

ranked as (
    select
        customer_id,
        order_id,
        ordered_at,
        row_number() over (partition by customer_id order by ordered_at) as order_sequence
    from orders
)

select
    customer_id,
    min(ordered_at) as first_order_at,
    max(ordered_at) as most_recent_order_at,
    count(order_id) as order_count,
    max(order_sequence) as lifetime_orders
from ranked
group by customer_id
