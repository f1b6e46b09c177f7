-- Payments pivoted per order, one column per payment method.
select
    order_id,
    {{ pivot_payment_methods('amount') }},
    sum(amount) as total_paid,
    count(*) as payment_count
from {{ staged('payments') }}
group by order_id
