{{ config(materialized='incremental', unique_key='order_id') }}

with orders as (
    select * from {{ ref('stg_orders') }}
),

payments as (
    select * from {{ ref('int_order_payments') }}
),

items as (
    select
        order_id,
        sum(line_total) as items_total,
        sum(quantity) as item_count
    from {{ ref('int_order_items_enriched') }}
    group by order_id
)

select
    orders.order_id,
    orders.customer_id,
    orders.store_id,
    orders.ordered_at,
    orders.status,
    items.item_count,
    items.items_total,
    payments.total_paid,
    payments.card_amount,
    payments.voucher_amount,
    coalesce(payments.total_paid, 0) - coalesce(items.items_total, 0) as balance_due,
    case when payments.total_paid >= items.items_total then 'paid' else 'open' end as payment_status
from orders
left join items on orders.order_id = items.order_id
left join payments on orders.order_id = payments.order_id
where not orders.is_cancelled
{% if is_incremental() %}
  and orders.ordered_at > (select max(ordered_at) from {{ this }})
{% endif %}
