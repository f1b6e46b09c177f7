select customers.region, sum(orders.total_paid) as revenue
from {{ ref('orders') }} as orders
join {{ ref('customers', v=2) }} as customers on orders.customer_id = customers.customer_id
group by customers.region
