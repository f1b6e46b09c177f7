-- Singular test: no order should be out of balance by more than 1,000.
select order_id, balance_due
from {{ ref('orders') }}
where abs(balance_due) > 1000
