select
    product_id,
    product_name,
    category,
    sum(quantity) as units_sold,
    sum(line_total) as revenue,
    avg(unit_price) as average_price,
    rank() over (partition by category order by sum(line_total) desc) as category_rank
from {{ ref('int_order_items_enriched') }}
group by product_id, product_name, category
