select
    items.order_item_id,
    items.order_id,
    items.product_id,
    products.product_name,
    products.category,
    items.quantity,
    items.unit_price,
    items.quantity * items.unit_price as line_total,
    items.unit_price < products.list_price as is_discounted
from {{ staged('order_items') }} as items
left join {{ staged('products') }} as products
    on items.product_id = products.product_id
