-- Enterprise, part 4: the shared catalog becomes organization-scoped, and every pre-existing
-- single-user account gets a personal organization that owns its rows.
--
-- Catalog tables keep `user_id` (now "author") and gain `org_id` (+ optional `team_id`). The sync
-- issue adds its stamps (xid8 + seq, version vectors, tombstones) to these same tables; nothing here
-- depends on row order or timestamps, so those columns can be added without rewriting policies.
-- Undo: supabase/rollback/20260110000000_enterprise_down.sql.

alter table public.catalog_entities add column org_id uuid references public.organizations (id) on delete cascade;
alter table public.catalog_entities add column team_id uuid;
alter table public.catalog_entities add constraint catalog_entities_team_fk
  foreign key (org_id, team_id) references public.teams (org_id, id) on delete set null (team_id);
alter table public.catalog_entities drop constraint catalog_entities_user_key;
alter table public.catalog_entities add constraint catalog_entities_org_key unique (org_id, entity_key);
create index catalog_entities_team_id_idx on public.catalog_entities (team_id);
create index catalog_entities_user_id_idx on public.catalog_entities (user_id);

alter table public.catalog_columns add column org_id uuid references public.organizations (id) on delete cascade;
alter table public.catalog_columns add column team_id uuid;
create index catalog_columns_org_id_idx on public.catalog_columns (org_id);
create index catalog_columns_team_id_idx on public.catalog_columns (team_id);

alter table public.lineage_edges add column org_id uuid references public.organizations (id) on delete cascade;
alter table public.lineage_edges add column team_id uuid;
create index lineage_edges_org_id_idx on public.lineage_edges (org_id);
create index lineage_edges_team_id_idx on public.lineage_edges (team_id);

alter table public.catalog_docs add column org_id uuid references public.organizations (id) on delete cascade;
alter table public.catalog_docs add column team_id uuid;
alter table public.catalog_docs add column status text not null default 'draft' check (status in ('draft', 'approved'));
alter table public.catalog_docs add column approved_by uuid references auth.users (id) on delete set null;
create index catalog_docs_org_id_idx on public.catalog_docs (org_id);
create index catalog_docs_team_id_idx on public.catalog_docs (team_id);

alter table public.catalog_tags add column org_id uuid references public.organizations (id) on delete cascade;
alter table public.catalog_tags add column team_id uuid;
create index catalog_tags_org_id_idx on public.catalog_tags (org_id);
create index catalog_tags_team_id_idx on public.catalog_tags (team_id);

create table public.catalog_classifications (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  team_id uuid,
  user_id uuid references auth.users (id) on delete set null,
  entity_id uuid not null references public.catalog_entities (id) on delete cascade,
  column_id uuid references public.catalog_columns (id) on delete cascade,
  classification text not null check (classification ~ '^[a-z][a-z0-9_.-]{0,60}$'),
  confidence real not null default 1 check (confidence >= 0 and confidence <= 1),
  source text not null default 'manual' check (source in ('manual', 'rule', 'ai')),
  updated_at timestamptz not null default now()
);
create index catalog_classifications_org_id_idx on public.catalog_classifications (org_id);
create index catalog_classifications_team_id_idx on public.catalog_classifications (team_id);
create index catalog_classifications_entity_id_idx on public.catalog_classifications (entity_id);
create index catalog_classifications_user_id_idx on public.catalog_classifications (user_id);
alter table public.catalog_classifications enable row level security;
revoke all on public.catalog_classifications from anon, authenticated;

/*
 * Gives every user without one a personal organization (owner role) and moves their unscoped rows
 * into it. Idempotent: a second run creates nothing and moves nothing.
 */
create function private.migrate_single_user_data()
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.organizations (name, display_name, plan, max_users, personal_owner_id, created_by)
  select 'personal-' || replace(u.id::text, '-', ''),
         coalesce(nullif(p.display_name, ''), u.email, 'Personal'),
         'free', 1, u.id, u.id
  from auth.users u
  left join public.profiles p on p.id = u.id
  where not exists (select 1 from public.organizations o where o.personal_owner_id = u.id);

  insert into public.organization_members (org_id, user_id)
  select o.id, o.personal_owner_id from public.organizations o
  where o.personal_owner_id is not null
  on conflict do nothing;

  insert into public.role_assignments (org_id, user_id, role_id, granted_by)
  select o.id, o.personal_owner_id, r.id, o.personal_owner_id
  from public.organizations o join public.roles r on r.is_builtin and r.key = 'owner'
  where o.personal_owner_id is not null
    and not exists (select 1 from public.role_assignments ra
                    where ra.org_id = o.id and ra.user_id = o.personal_owner_id and ra.role_id = r.id and ra.team_id is null);

  update public.catalog_entities t set org_id = o.id
    from public.organizations o where t.org_id is null and o.personal_owner_id = t.user_id;
  update public.catalog_columns t set org_id = o.id
    from public.organizations o where t.org_id is null and o.personal_owner_id = t.user_id;
  update public.lineage_edges t set org_id = o.id
    from public.organizations o where t.org_id is null and o.personal_owner_id = t.user_id;
  update public.catalog_docs t set org_id = o.id
    from public.organizations o where t.org_id is null and o.personal_owner_id = t.user_id;
  update public.catalog_tags t set org_id = o.id
    from public.organizations o where t.org_id is null and o.personal_owner_id = t.user_id;
end
$$;

select private.migrate_single_user_data();

alter table public.catalog_entities alter column org_id set not null;
alter table public.catalog_columns alter column org_id set not null;
alter table public.lineage_edges alter column org_id set not null;
alter table public.catalog_docs alter column org_id set not null;
alter table public.catalog_tags alter column org_id set not null;
create index catalog_entities_org_id_idx on public.catalog_entities (org_id);

/*
 * Fills scope columns on insert: the author is the acting user (a token writes as its creator);
 * rows of an older single-user client that sends no org_id land in the author's personal org;
 * child rows inherit org and team from their entity, so they can't be filed under another org.
 */
create function private.catalog_fill_scope()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_entity record;
begin
  if auth.role() is not null and auth.role() <> 'service_role' then
    new.user_id := private.acting_user_id();
  end if;
  if tg_table_name in ('catalog_columns', 'catalog_docs', 'catalog_tags', 'catalog_classifications') then
    select e.org_id, e.team_id into v_entity from public.catalog_entities e where e.id = new.entity_id;
    if found then
      new.org_id := v_entity.org_id;
      new.team_id := v_entity.team_id;
    end if;
  end if;
  if new.org_id is null then
    select o.id into new.org_id from public.organizations o where o.personal_owner_id = new.user_id;
  end if;
  return new;
end
$$;

create trigger catalog_entities_fill_scope before insert on public.catalog_entities
  for each row execute function private.catalog_fill_scope();
create trigger catalog_columns_fill_scope before insert on public.catalog_columns
  for each row execute function private.catalog_fill_scope();
create trigger lineage_edges_fill_scope before insert on public.lineage_edges
  for each row execute function private.catalog_fill_scope();
create trigger catalog_docs_fill_scope before insert on public.catalog_docs
  for each row execute function private.catalog_fill_scope();
create trigger catalog_tags_fill_scope before insert on public.catalog_tags
  for each row execute function private.catalog_fill_scope();
create trigger catalog_classifications_fill_scope before insert on public.catalog_classifications
  for each row execute function private.catalog_fill_scope();

/*
 * Rows never change organization (moving catalog data between tenants would bypass the
 * destination's review and confuse sync), and child rows follow their entity's team.
 */
create function private.catalog_keep_scope()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.org_id is distinct from old.org_id then
    raise exception 'catalog rows cannot move to another organization' using errcode = '42501';
  end if;
  if tg_table_name = 'catalog_entities' and new.team_id is distinct from old.team_id then
    update public.catalog_columns set team_id = new.team_id where entity_id = new.id;
    update public.catalog_docs set team_id = new.team_id where entity_id = new.id;
    update public.catalog_tags set team_id = new.team_id where entity_id = new.id;
    update public.catalog_classifications set team_id = new.team_id where entity_id = new.id;
  end if;
  return new;
end
$$;

create trigger catalog_entities_keep_scope before update on public.catalog_entities
  for each row execute function private.catalog_keep_scope();
create trigger catalog_columns_keep_scope before update on public.catalog_columns
  for each row execute function private.catalog_keep_scope();
create trigger lineage_edges_keep_scope before update on public.lineage_edges
  for each row execute function private.catalog_keep_scope();
create trigger catalog_docs_keep_scope before update on public.catalog_docs
  for each row execute function private.catalog_keep_scope();
create trigger catalog_tags_keep_scope before update on public.catalog_tags
  for each row execute function private.catalog_keep_scope();
create trigger catalog_classifications_keep_scope before update on public.catalog_classifications
  for each row execute function private.catalog_keep_scope();
