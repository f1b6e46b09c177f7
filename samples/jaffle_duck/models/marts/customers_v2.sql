with customers as (
    select * from {{ ref('stg_customers') }}
),

history as (
    select * from {{ ref('int_customer_order_history') }}
),

lifetime_value as (
    select customer_id, sum(total_paid) as lifetime_value
    from {{ ref('orders') }}
    group by customer_id
)

select
    customers.customer_id,
    customers.first_name,
    customers.last_name,
    customers.email,
    countries.region,
    history.first_order_at,
    history.most_recent_order_at,
    history.order_count,
    coalesce(lifetime_value.lifetime_value, 0) as lifetime_value
from customers
left join history on customers.customer_id = history.customer_id
left join lifetime_value on customers.customer_id = lifetime_value.customer_id
left join {{ ref('country_codes') }} as countries
    on customers.country_code = countries.country_code
