{{ config(enabled=false) }}
-- Disabled: the legacy till export was retired. Kept so its history stays documented.
select * from {{ source('shop', 'orders') }}
where ordered_at < '{{ var("order_cutoff_date") }}'
