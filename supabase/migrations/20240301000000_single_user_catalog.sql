-- Mallard cloud, first generation: one catalog per user. Every row belongs to exactly one user and
-- only that user may see it. Kept as a real migration so `supabase db push` works on fresh projects
-- and on projects that still run this schema; the enterprise migrations build on top of it.

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text not null default '',
  avatar_url text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.catalog_entities (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  entity_key text not null,
  kind text not null,
  name text not null,
  project text not null default '',
  path text not null default '',
  description text not null default '',
  payload jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint catalog_entities_user_key unique (user_id, entity_key)
);

create table public.catalog_columns (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  entity_id uuid not null references public.catalog_entities (id) on delete cascade,
  name text not null,
  data_type text,
  description text not null default '',
  position integer not null default 0,
  updated_at timestamptz not null default now()
);
create index catalog_columns_user_id_idx on public.catalog_columns (user_id);
create index catalog_columns_entity_id_idx on public.catalog_columns (entity_id);

create table public.lineage_edges (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  from_key text not null,
  to_key text not null,
  level text not null check (level in ('model', 'column')),
  kind text not null,
  updated_at timestamptz not null default now()
);
create index lineage_edges_user_id_idx on public.lineage_edges (user_id);

create table public.catalog_docs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  entity_id uuid not null references public.catalog_entities (id) on delete cascade,
  body text not null default '',
  updated_at timestamptz not null default now()
);
create index catalog_docs_user_id_idx on public.catalog_docs (user_id);
create index catalog_docs_entity_id_idx on public.catalog_docs (entity_id);

create table public.catalog_tags (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  entity_id uuid not null references public.catalog_entities (id) on delete cascade,
  tag text not null
);
create index catalog_tags_user_id_idx on public.catalog_tags (user_id);
create index catalog_tags_entity_id_idx on public.catalog_tags (entity_id);

-- Explicit privileges: behave the same whether or not the project auto-grants new tables.
revoke all on public.profiles, public.catalog_entities, public.catalog_columns, public.lineage_edges,
  public.catalog_docs, public.catalog_tags from anon, authenticated;
grant select, insert, update on public.profiles to authenticated;
grant select, insert, update, delete on public.catalog_entities, public.catalog_columns,
  public.lineage_edges, public.catalog_docs, public.catalog_tags to authenticated;
grant all on public.profiles, public.catalog_entities, public.catalog_columns, public.lineage_edges,
  public.catalog_docs, public.catalog_tags to service_role;

alter table public.profiles enable row level security;
alter table public.catalog_entities enable row level security;
alter table public.catalog_columns enable row level security;
alter table public.lineage_edges enable row level security;
alter table public.catalog_docs enable row level security;
alter table public.catalog_tags enable row level security;

create policy profiles_self_select on public.profiles for select to authenticated
  using (id = (select auth.uid()));
create policy profiles_self_insert on public.profiles for insert to authenticated
  with check (id = (select auth.uid()));
create policy profiles_self_update on public.profiles for update to authenticated
  using (id = (select auth.uid())) with check (id = (select auth.uid()));

create policy catalog_entities_owner on public.catalog_entities for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy catalog_columns_owner on public.catalog_columns for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy lineage_edges_owner on public.lineage_edges for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy catalog_docs_owner on public.catalog_docs for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy catalog_tags_owner on public.catalog_tags for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
