-- Rollback of the enterprise migrations (20260110000000 … 20260110000600) and of the security
-- migrations on top of them (20261203000000 … 20261203000400) to the single-user schema of
-- 20240301000000.
--
-- Lossless or nothing: the single-user schema can only say "this row belongs to its author". The
-- script first checks that every piece of enterprise data is of that shape (catalog rows in their
-- author's personal organization, no shared organizations, no teams, grants beyond the personal
-- owner's, classifications, approvals, tokens, keys, connectors, flags, usage or compliance events,
-- no migration it does not know). If anything else exists it refuses with a report of what it
-- cannot carry back, changing nothing; resolve those rows (export, then delete) and run it again.
-- When it proceeds, every catalog row keeps its values and stays visible to exactly its author, as
-- it already was: access never widens.
--
-- The audit log (schema mallard_audit) is owned by a role `postgres` does not control, so it
-- stays as a read-only archive: the enterprise rows this script removes are deleted through the
-- audit triggers first, so the archive records the rollback. Re-applying the migrations reuses it.
--
-- Run as `postgres`:  psql "$SUPABASE_DB_URL" -v ON_ERROR_STOP=1 -f supabase/rollback/20260110000000_enterprise_down.sql
-- then remove (or keep out of the deploy) the enterprise migration files before the next `supabase db push`.

begin;

-- 1. What cannot be carried back ----------------------------------------------------------------
do $$
declare
  v_report text[] := '{}';
  v_count bigint;
  v_table text;
  v_known text[] := array['20240301000000', '20260110000000', '20260110000100', '20260110000200', '20260110000300',
    '20260110000400', '20260110000500', '20260110000600', '20261203000000', '20261203000100', '20261203000200',
    '20261203000300', '20261203000400'];
  v_unknown text;
begin
  if to_regclass('supabase_migrations.schema_migrations') is not null then
    select string_agg(m.version, ', ' order by m.version) into v_unknown
    from supabase_migrations.schema_migrations m where m.version > '20240301000000' and m.version <> all (v_known);
    if v_unknown is not null then
      v_report := v_report || format('migrations this script does not know how to undo: %s', v_unknown);
    end if;
  end if;

  select count(*) into v_count from public.organizations o where o.personal_owner_id is null;
  if v_count > 0 then
    v_report := v_report || format('%s shared organization(s): %s', v_count,
      (select string_agg(o.name, ', ' order by o.name) from (select name from public.organizations
       where personal_owner_id is null order by name limit 20) o));
  end if;
  select count(*) into v_count from public.organizations o
  where o.personal_owner_id is not null and (o.status <> 'active' or o.settings <> '{}'::jsonb or o.domain is not null
        or o.sso_provider is not null or o.sso_config <> '{}'::jsonb or o.plan <> 'free');
  if v_count > 0 then
    v_report := v_report || format('%s personal organization(s) with settings, plan, domain, SSO or status', v_count);
  end if;
  select count(*) into v_count from public.organization_members m join public.organizations o on o.id = m.org_id
  where m.user_id is distinct from o.personal_owner_id or m.status <> 'active';
  if v_count > 0 then
    v_report := v_report || format('%s membership(s) other than a personal organization''s own owner', v_count);
  end if;
  select count(*) into v_count from public.role_assignments ra join public.organizations o on o.id = ra.org_id
  where ra.user_id is distinct from o.personal_owner_id or ra.team_id is not null or ra.expires_at is not null
     or ra.role_id <> (select r.id from public.roles r where r.is_builtin and r.key = 'owner');
  if v_count > 0 then
    v_report := v_report || format('%s role assignment(s) beyond the personal owner''s', v_count);
  end if;

  foreach v_table in array array['teams', 'team_members', 'invitations', 'org_llm_keys', 'api_tokens', 'connectors',
    'feature_flags', 'usage_logs', 'compliance_events', 'catalog_classifications']
  loop
    execute format('select count(*) from public.%I', v_table) into v_count;
    if v_count > 0 then
      v_report := v_report || format('%s row(s) in %s', v_count, v_table);
    end if;
  end loop;
  select count(*) into v_count from public.roles r where not r.is_builtin;
  if v_count > 0 then
    v_report := v_report || format('%s custom role(s)', v_count);
  end if;

  foreach v_table in array array['catalog_entities', 'catalog_columns', 'lineage_edges', 'catalog_docs', 'catalog_tags'] loop
    execute format('select count(*) from public.%I x left join public.organizations o on o.id = x.org_id
                    where o.personal_owner_id is distinct from x.user_id', v_table) into v_count;
    if v_count > 0 then
      v_report := v_report || format('%s %s row(s) outside their author''s personal organization (others can see them now)', v_count, v_table);
    end if;
    execute format('select count(*) from public.%I where team_id is not null', v_table) into v_count;
    if v_count > 0 then
      v_report := v_report || format('%s %s row(s) scoped to a team', v_count, v_table);
    end if;
  end loop;
  select count(*) into v_count from public.catalog_docs d where d.status <> 'draft' or d.approved_by is not null;
  if v_count > 0 then
    v_report := v_report || format('%s approved doc(s)', v_count);
  end if;

  if cardinality(v_report) > 0 then
    raise exception 'rollback aborted: the single-user schema cannot carry back:%', E'\n  - ' || array_to_string(v_report, E'\n  - ')
      using errcode = 'P0001',
            hint = 'Nothing was changed. Export and delete these rows (or keep the enterprise schema), then run the rollback again.';
  end if;
end
$$;

-- 2. Catalog tables back to per-user rows ----------------------------------------------------------
drop policy if exists profiles_member_select on public.profiles;
do $$
declare
  v_table text;
  v_op text;
  v_trigger text;
  v_column record;
begin
  foreach v_table in array array['profiles', 'catalog_entities', 'catalog_columns', 'lineage_edges', 'catalog_docs', 'catalog_tags'] loop
    foreach v_op in array array['select', 'insert', 'update', 'delete'] loop
      execute format('drop policy if exists %I on public.%I', v_table || '_' || v_op, v_table);
    end loop;
    -- The single-user schema had no triggers on these tables.
    for v_trigger in select t.tgname from pg_trigger t where t.tgrelid = ('public.' || v_table)::regclass and not t.tgisinternal loop
      execute format('drop trigger %I on public.%I', v_trigger, v_table);
    end loop;
    -- Column grants of the security migration; the table-level grants are restored below.
    for v_column in select distinct c.column_name, c.privilege_type from information_schema.column_privileges c
                    where c.table_schema = 'public' and c.table_name = v_table and c.grantee = 'authenticated'
                      and c.privilege_type in ('INSERT', 'UPDATE') loop
      execute format('revoke %s (%I) on public.%I from authenticated', v_column.privilege_type, v_column.column_name, v_table);
    end loop;
  end loop;
end
$$;
grant select, insert, update on public.profiles to authenticated;
grant select, insert, update, delete on public.catalog_entities, public.catalog_columns, public.lineage_edges,
  public.catalog_docs, public.catalog_tags to authenticated;

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

drop table if exists public.catalog_classifications;

-- Children point at their entity by id again (the composite keys go with org_id below).
alter table public.catalog_columns drop constraint if exists catalog_columns_entity_id_id_key cascade;
alter table public.catalog_columns add constraint catalog_columns_entity_id_fkey
  foreign key (entity_id) references public.catalog_entities (id) on delete cascade;
alter table public.catalog_docs add constraint catalog_docs_entity_id_fkey
  foreign key (entity_id) references public.catalog_entities (id) on delete cascade;
alter table public.catalog_tags add constraint catalog_tags_entity_id_fkey
  foreign key (entity_id) references public.catalog_entities (id) on delete cascade;

-- Columns the enterprise migrations added (their indexes and constraints go with them).
alter table public.catalog_columns drop column if exists org_id, drop column if exists team_id;
alter table public.lineage_edges drop column if exists org_id, drop column if exists team_id;
alter table public.catalog_docs drop column if exists org_id, drop column if exists team_id,
  drop column if exists status, drop column if exists approved_by;
alter table public.catalog_tags drop column if exists org_id, drop column if exists team_id;
alter table public.catalog_entities drop constraint if exists catalog_entities_org_key;
alter table public.catalog_entities drop constraint if exists catalog_entities_team_fk;
drop index if exists public.catalog_entities_user_id_idx;
alter table public.catalog_entities drop column if exists org_id, drop column if exists team_id;
alter table public.catalog_entities add constraint catalog_entities_user_key unique (user_id, entity_key);

-- 3. Enterprise rows leave through the audit triggers, then the tables go -------------------------
-- Deleting the organizations cascades to memberships and grants (the owner guard allows deleting
-- a whole organization); built-in roles are read-only through the API, so their guard steps aside.
delete from public.organizations;
alter table public.roles disable trigger roles_builtin_read_only;
delete from public.role_permissions;
delete from public.roles;
delete from public.permissions;

drop view if exists public.audit_log;
drop table if exists public.compliance_events, public.usage_logs, public.feature_flags,
  public.connectors, public.api_tokens, public.org_llm_keys, public.invitations, public.role_assignments,
  public.role_permissions, public.roles, public.permissions, public.team_members, public.teams,
  public.organization_members, public.organizations;

drop function if exists public.create_organization(text, text);
drop function if exists public.create_invitation(uuid, text, uuid, uuid);
drop function if exists public.accept_invitation(text);
drop function if exists public.create_api_token(uuid, text, text[], timestamptz);
-- Default privileges as before the enterprise migrations (20260110000200, 20261203000000).
alter default privileges in schema private grant execute on functions to public;
alter default privileges for role postgres grant execute on functions to public;
-- The archive's owner role was allowed to use these helpers; the grants go with the schema.
drop schema if exists private cascade;

-- Forget the enterprise migrations so `supabase db push` would apply them again.
do $$
begin
  if to_regclass('supabase_migrations.schema_migrations') is not null then
    delete from supabase_migrations.schema_migrations
    where version between '20260110000000' and '20260110000600' or version between '20261203000000' and '20261203000400';
  end if;
end
$$;

commit;
