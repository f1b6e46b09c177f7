-- Rollback of the enterprise migrations (20260110000000 … 20260110000600) to the single-user schema
-- of 20240301000000, restoring it exactly: same columns, constraints, indexes, policies and grants,
-- and every catalog row with its original values (the enterprise migrations only ever added
-- columns to pre-existing rows, so dropping them restores the old rows).
--
-- Run as `postgres`:  psql "$SUPABASE_DB_URL" -v ON_ERROR_STOP=1 -f supabase/rollback/20260110000000_enterprise_down.sql
-- then remove (or keep out of the deploy) the enterprise migration files before the next `supabase db push`.
--
-- Organizations, teams, roles, tokens, keys, connectors, flags, usage, compliance events and the
-- audit log are dropped. Catalog rows written after the migration stay, owned by their author
-- (user_id); if two of them now share an author and entity_key the script aborts with a message.

begin;

do $$
begin
  if exists (select 1 from public.catalog_entities group by user_id, entity_key having count(*) > 1) then
    raise exception 'rollback aborted: some users author several catalog entities with the same entity_key (created in shared organizations after the migration); resolve them first';
  end if;
end
$$;

-- Catalog policies of the enterprise model, then the original per-user ones.
drop policy if exists profiles_member_select on public.profiles;
do $$
declare
  v_table text;
  v_op text;
begin
  foreach v_table in array array['catalog_entities', 'catalog_columns', 'lineage_edges', 'catalog_docs', 'catalog_tags'] loop
    foreach v_op in array array['select', 'insert', 'update', 'delete'] loop
      execute format('drop policy if exists %I on public.%I', v_table || '_' || v_op, v_table);
    end loop;
    execute format('drop trigger if exists %I on public.%I', v_table || '_fill_scope', v_table);
    execute format('drop trigger if exists %I on public.%I', v_table || '_keep_scope', v_table);
  end loop;
end
$$;

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

-- Columns the enterprise migration added (their indexes and constraints go with them).
alter table public.catalog_entities drop constraint if exists catalog_entities_org_key;
alter table public.catalog_entities drop constraint if exists catalog_entities_team_fk;
drop index if exists public.catalog_entities_user_id_idx;
alter table public.catalog_entities drop column if exists org_id, drop column if exists team_id;
alter table public.catalog_entities add constraint catalog_entities_user_key unique (user_id, entity_key);
alter table public.catalog_columns drop column if exists org_id, drop column if exists team_id;
alter table public.lineage_edges drop column if exists org_id, drop column if exists team_id;
alter table public.catalog_docs drop column if exists org_id, drop column if exists team_id,
  drop column if exists status, drop column if exists approved_by;
alter table public.catalog_tags drop column if exists org_id, drop column if exists team_id;

-- Enterprise tables, children first (the audit log's guard triggers block TRUNCATE, not DROP).
drop table if exists public.audit_log, public.compliance_events, public.usage_logs, public.feature_flags,
  public.connectors, public.api_tokens, public.org_llm_keys, public.invitations, public.role_assignments,
  public.role_permissions, public.roles, public.permissions, public.team_members, public.teams,
  public.organization_members, public.organizations;

drop function if exists public.create_organization(text, text);
drop function if exists public.create_invitation(uuid, text, uuid, uuid);
drop function if exists public.accept_invitation(text);
drop function if exists public.create_api_token(uuid, text, text[], timestamptz);
alter default privileges in schema private grant execute on functions to public;
drop schema if exists private cascade;

-- Forget the enterprise migrations so `supabase db push` would apply them again.
do $$
begin
  if to_regclass('supabase_migrations.schema_migrations') is not null then
    delete from supabase_migrations.schema_migrations where version between '20260110000000' and '20260110000600';
  end if;
end
$$;

commit;
