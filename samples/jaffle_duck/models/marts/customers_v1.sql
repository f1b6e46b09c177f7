-- Version 1 of the customers mart, kept for consumers that still read `full_name`.
select
    customers.customer_id,
    customers.full_name,
    customers.email,
    history.first_order_at,
    history.order_count
from {{ ref('stg_customers') }} as customers
left join {{ ref('int_customer_order_history') }} as history
    on customers.customer_id = history.customer_id
