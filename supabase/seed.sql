-- Demo data for `supabase db reset` / local development: one organization ("duckworks") with an
-- owner, an admin, an editor and a viewer, a team hierarchy, a custom role, a few catalog rows and
-- flags. Passwords are "mallard-demo" (bcrypt via pgcrypto). Never run against production.

insert into auth.users (id, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
select v.id::uuid, v.email, extensions.crypt('mallard-demo', extensions.gen_salt('bf')), now(),
       '{"provider":"email","providers":["email"]}'::jsonb, jsonb_build_object('name', v.name)
from (values
  ('a0000000-0000-4000-8000-000000000001', 'olivia.owner@duckworks.test', 'Olivia Owner'),
  ('a0000000-0000-4000-8000-000000000002', 'adam.admin@duckworks.test', 'Adam Admin'),
  ('a0000000-0000-4000-8000-000000000003', 'erin.editor@duckworks.test', 'Erin Editor'),
  ('a0000000-0000-4000-8000-000000000004', 'victor.viewer@duckworks.test', 'Victor Viewer')
) as v(id, email, name)
on conflict (id) do nothing;

insert into public.profiles (id, display_name)
select u.id, u.raw_user_meta_data ->> 'name' from auth.users u where u.email like '%@duckworks.test'
on conflict (id) do nothing;

insert into public.organizations (id, name, display_name, domain, plan, max_users, settings, created_by)
values ('b0000000-0000-4000-8000-000000000001', 'duckworks', 'Duckworks Analytics', 'duckworks.test', 'team', 25,
        '{"defaultDialect":"postgresql"}', 'a0000000-0000-4000-8000-000000000001')
on conflict (id) do nothing;

insert into public.organization_members (org_id, user_id)
select 'b0000000-0000-4000-8000-000000000001', u.id from auth.users u where u.email like '%@duckworks.test'
on conflict do nothing;

insert into public.teams (id, org_id, parent_id, name) values
  ('c0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001', null, 'data-platform'),
  ('c0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', 'analytics-engineering')
on conflict do nothing;

insert into public.roles (id, org_id, key, name, description, parent_role_id) values
  ('d0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001', 'steward', 'Data steward',
   'Viewer who classifies data and approves docs', '00000000-0000-4000-8000-000000000001')
on conflict do nothing;
insert into public.role_permissions (role_id, permission_key) values
  ('d0000000-0000-4000-8000-000000000001', 'classification.manage'),
  ('d0000000-0000-4000-8000-000000000001', 'docs.approve')
on conflict do nothing;

insert into public.role_assignments (org_id, user_id, role_id, granted_by)
select 'b0000000-0000-4000-8000-000000000001', v.user_id::uuid, r.id, 'a0000000-0000-4000-8000-000000000001'
from (values
  ('a0000000-0000-4000-8000-000000000001', 'owner'),
  ('a0000000-0000-4000-8000-000000000002', 'admin'),
  ('a0000000-0000-4000-8000-000000000003', 'editor'),
  ('a0000000-0000-4000-8000-000000000004', 'viewer')
) as v(user_id, role_key)
join public.roles r on r.is_builtin and r.key = v.role_key
on conflict do nothing;

insert into public.catalog_entities (id, user_id, org_id, team_id, entity_key, kind, name, project, path, description) values
  ('e0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000001', null,
   'model.jaffle_shop.orders', 'model', 'orders', 'jaffle_shop', 'models/orders.sql', 'One row per order'),
  ('e0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002',
   'model.jaffle_shop.stg_orders', 'model', 'stg_orders', 'jaffle_shop', 'models/staging/stg_orders.sql', 'Staged orders')
on conflict do nothing;

insert into public.catalog_columns (entity_id, user_id, name, data_type, position) values
  ('e0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000003', 'order_id', 'integer', 0),
  ('e0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000003', 'amount', 'numeric', 1);

insert into public.lineage_edges (user_id, org_id, from_key, to_key, level, kind) values
  ('a0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000001',
   'model.jaffle_shop.stg_orders', 'model.jaffle_shop.orders', 'model', 'ref');

insert into public.feature_flags (org_id, key, enabled) values
  ('b0000000-0000-4000-8000-000000000001', 'ai.docs', true)
on conflict do nothing;
