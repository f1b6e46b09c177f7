select
    id as payment_id,
    order_id,
    method as payment_method,
    amount_cents / 100.0 as amount,
    created_at as paid_at
from {{ source('payments_api', 'payments') }}
