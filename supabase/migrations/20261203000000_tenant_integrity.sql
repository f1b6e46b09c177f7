-- Security fix, part 1 (issue 12): tenant integrity by construction. Every row can only point
-- inside its own organization: catalog child rows reference their entity through (org_id,
-- entity_id), every (org_id, team_id) pair references a team of that organization, custom roles are
-- usable only in their organization, and no row ever changes organization. Policies check team
-- grants as (org_id, team_id) pairs, so a team grant in one organization never reaches another.
--
-- Before adding the constraints the migration looks for rows written through the old policies that
-- already point outside their organization. It does not guess which side is right (moving an
-- attacker's row into the victim's organization would finish the attack, deleting it would lose
-- data): it refuses with a report, and an operator resolves the rows and runs it again.

-- Functions are executable by PUBLIC unless the creator's global default says otherwise; a default
-- set for one schema cannot take that away (see issue 12). From here on nothing `postgres` creates
-- is executable by PUBLIC: every migration grants execute explicitly, and
-- test/integration/supabase/functionGrants.test.ts lists every function with its grantees.
alter default privileges for role postgres revoke execute on functions from public;

-- 1. Refuse when rows already point outside their organization -----------------------------------
do $$
declare
  v_lines text[] := '{}';
  v_more text[];
  v_table text;
begin
  select coalesce(array_agg(format('%s %s (org %s) points at entity %s of org %s', t.tbl, t.id, t.org_id, t.entity_id, t.entity_org)), '{}')
  into v_more
  from (
    select 'catalog_columns' as tbl, c.id, c.org_id, c.entity_id, e.org_id as entity_org
      from public.catalog_columns c join public.catalog_entities e on e.id = c.entity_id where c.org_id <> e.org_id
    union all
    select 'catalog_docs', c.id, c.org_id, c.entity_id, e.org_id
      from public.catalog_docs c join public.catalog_entities e on e.id = c.entity_id where c.org_id <> e.org_id
    union all
    select 'catalog_tags', c.id, c.org_id, c.entity_id, e.org_id
      from public.catalog_tags c join public.catalog_entities e on e.id = c.entity_id where c.org_id <> e.org_id
    union all
    select 'catalog_classifications', c.id, c.org_id, c.entity_id, e.org_id
      from public.catalog_classifications c join public.catalog_entities e on e.id = c.entity_id where c.org_id <> e.org_id
  ) t;
  v_lines := v_lines || v_more;

  select coalesce(array_agg(format('catalog_classifications %s names column %s of another entity', c.id, c.column_id)), '{}')
  into v_more
  from public.catalog_classifications c join public.catalog_columns col on col.id = c.column_id
  where col.entity_id <> c.entity_id;
  v_lines := v_lines || v_more;

  -- Every table with both org_id and team_id: the team must belong to the row's organization.
  for v_table in
    select c.table_name from information_schema.columns c
    where c.table_schema = 'public' and c.column_name = 'team_id'
      and exists (select 1 from information_schema.columns o where o.table_schema = 'public'
                  and o.table_name = c.table_name and o.column_name = 'org_id')
      and exists (select 1 from information_schema.tables t where t.table_schema = 'public'
                  and t.table_name = c.table_name and t.table_type = 'BASE TABLE')
    order by 1
  loop
    execute format($q$select coalesce(array_agg(format('%%s row %%s (org %%s) is scoped to team %%s of another organization',
                        %L, to_jsonb(x) ->> 'id', x.org_id, x.team_id)), '{}')
                      from public.%I x where x.team_id is not null
                        and not exists (select 1 from public.teams t where t.id = x.team_id and t.org_id = x.org_id)$q$,
                   v_table, v_table)
    into v_more;
    v_lines := v_lines || v_more;
  end loop;

  select coalesce(array_agg(format('%s %s (org %s) uses custom role %s of org %s', t.tbl, t.id, t.org_id, t.role_id, t.role_org)), '{}')
  into v_more
  from (
    select 'role_assignments' as tbl, a.id, a.org_id, a.role_id, r.org_id as role_org
      from public.role_assignments a join public.roles r on r.id = a.role_id where r.org_id is not null and r.org_id <> a.org_id
    union all
    select 'invitations', i.id, i.org_id, i.role_id, r.org_id
      from public.invitations i join public.roles r on r.id = i.role_id where r.org_id is not null and r.org_id <> i.org_id
    union all
    select 'roles', c.id, c.org_id, c.parent_role_id, p.org_id
      from public.roles c join public.roles p on p.id = c.parent_role_id where p.org_id is not null and p.org_id is distinct from c.org_id
  ) t;
  v_lines := v_lines || v_more;

  if cardinality(v_lines) > 0 then
    raise exception 'migration 20261203000000_tenant_integrity refused: % row(s) point outside their own organization', cardinality(v_lines)
      using errcode = 'P0001',
            detail = array_to_string(v_lines[1:200], E'\n') || case when cardinality(v_lines) > 200 then E'\n…' else '' end,
            hint = 'They were written through the pre-fix policies (issue 12). Decide per row whether it belongs to its '
                   'org (re-point it there) or is foreign (delete it), then apply the migration again.';
  end if;
end
$$;

-- Child rows copy their entity's team; where an old cascade left one behind, the entity is right.
update public.catalog_columns c set team_id = e.team_id from public.catalog_entities e
  where e.id = c.entity_id and c.team_id is distinct from e.team_id;
update public.catalog_docs c set team_id = e.team_id from public.catalog_entities e
  where e.id = c.entity_id and c.team_id is distinct from e.team_id;
update public.catalog_tags c set team_id = e.team_id from public.catalog_entities e
  where e.id = c.entity_id and c.team_id is distinct from e.team_id;
update public.catalog_classifications c set team_id = e.team_id from public.catalog_entities e
  where e.id = c.entity_id and c.team_id is distinct from e.team_id;

-- 2. Composite keys: a reference can only land inside the row's organization ----------------------
alter table public.catalog_entities add constraint catalog_entities_org_id_id_key unique (org_id, id);
alter table public.catalog_columns add constraint catalog_columns_entity_id_id_key unique (entity_id, id);

alter table public.catalog_columns
  drop constraint catalog_columns_entity_id_fkey,
  add constraint catalog_columns_entity_fk foreign key (org_id, entity_id)
    references public.catalog_entities (org_id, id) on delete cascade,
  add constraint catalog_columns_team_fk foreign key (org_id, team_id)
    references public.teams (org_id, id) on delete set null (team_id);
alter table public.catalog_docs
  drop constraint catalog_docs_entity_id_fkey,
  add constraint catalog_docs_entity_fk foreign key (org_id, entity_id)
    references public.catalog_entities (org_id, id) on delete cascade,
  add constraint catalog_docs_team_fk foreign key (org_id, team_id)
    references public.teams (org_id, id) on delete set null (team_id);
alter table public.catalog_tags
  drop constraint catalog_tags_entity_id_fkey,
  add constraint catalog_tags_entity_fk foreign key (org_id, entity_id)
    references public.catalog_entities (org_id, id) on delete cascade,
  add constraint catalog_tags_team_fk foreign key (org_id, team_id)
    references public.teams (org_id, id) on delete set null (team_id);
alter table public.catalog_classifications
  drop constraint catalog_classifications_entity_id_fkey,
  drop constraint catalog_classifications_column_id_fkey,
  add constraint catalog_classifications_entity_fk foreign key (org_id, entity_id)
    references public.catalog_entities (org_id, id) on delete cascade,
  -- The classified column must be a column of the classified entity (and so of the same org).
  add constraint catalog_classifications_column_fk foreign key (entity_id, column_id)
    references public.catalog_columns (entity_id, id) on delete cascade,
  add constraint catalog_classifications_team_fk foreign key (org_id, team_id)
    references public.teams (org_id, id) on delete set null (team_id);
alter table public.lineage_edges
  add constraint lineage_edges_team_fk foreign key (org_id, team_id)
    references public.teams (org_id, id) on delete set null (team_id);
create index catalog_classifications_column_id_idx on public.catalog_classifications (column_id);

-- 3. Child rows follow their entity -------------------------------------------------------------
/*
 * Fills scope columns on insert (BEFORE, so RLS checks the filled values): rows of an older
 * single-user client that sends no org_id land in the author's personal organization; child rows
 * without org_id/team_id take their entity's. A supplied org_id is kept as sent, so a child that
 * names another org's entity fails the composite key exactly like one naming a missing entity (no
 * existence oracle). The author column is stamped by the attribution trigger of a later migration.
 */
create or replace function private.catalog_fill_scope()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_entity record;
begin
  if tg_table_name in ('catalog_columns', 'catalog_docs', 'catalog_tags', 'catalog_classifications') then
    select e.org_id, e.team_id into v_entity from public.catalog_entities e where e.id = new.entity_id;
    if found then
      new.org_id := coalesce(new.org_id, v_entity.org_id);
      if new.team_id is null and new.org_id = v_entity.org_id then
        new.team_id := v_entity.team_id;
      end if;
    end if;
  end if;
  if new.org_id is null then
    -- The author of a client's write is the acting user (stamped later by the attribution trigger).
    select o.id into new.org_id from public.organizations o
    where o.personal_owner_id = case when auth.role() = 'authenticated' then private.acting_user_id() else new.user_id end;
  end if;
  return new;
end
$$;

-- The entity → children propagation moves to an AFTER trigger, so a child's consistency check
-- (below) sees the entity's new team.
drop trigger catalog_entities_keep_scope on public.catalog_entities;
drop trigger catalog_columns_keep_scope on public.catalog_columns;
drop trigger lineage_edges_keep_scope on public.lineage_edges;
drop trigger catalog_docs_keep_scope on public.catalog_docs;
drop trigger catalog_tags_keep_scope on public.catalog_tags;
drop trigger catalog_classifications_keep_scope on public.catalog_classifications;
drop function private.catalog_keep_scope();

/* A moved entity takes its child rows along (they live in the same org by construction). */
create function private.catalog_entity_team_moved()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.catalog_columns set team_id = new.team_id where org_id = new.org_id and entity_id = new.id;
  update public.catalog_docs set team_id = new.team_id where org_id = new.org_id and entity_id = new.id;
  update public.catalog_tags set team_id = new.team_id where org_id = new.org_id and entity_id = new.id;
  update public.catalog_classifications set team_id = new.team_id where org_id = new.org_id and entity_id = new.id;
  return null;
end
$$;
create trigger catalog_entities_move_children after update of team_id on public.catalog_entities
  for each row when (new.team_id is distinct from old.team_id)
  execute function private.catalog_entity_team_moved();

/*
 * A child row written directly (not by the propagation above or a foreign-key action, which run
 * nested) must carry its entity's team. AFTER, so RLS has already refused foreign writers.
 */
create function private.catalog_child_consistent()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if pg_trigger_depth() = 1 and new.team_id is distinct from
     (select e.team_id from public.catalog_entities e where e.id = new.entity_id and e.org_id = new.org_id) then
    raise exception '% rows follow their entity''s team', tg_table_name using errcode = '23503';
  end if;
  return null;
end
$$;
create trigger catalog_columns_follow_entity after insert or update on public.catalog_columns
  for each row execute function private.catalog_child_consistent();
create trigger catalog_docs_follow_entity after insert or update on public.catalog_docs
  for each row execute function private.catalog_child_consistent();
create trigger catalog_tags_follow_entity after insert or update on public.catalog_tags
  for each row execute function private.catalog_child_consistent();
create trigger catalog_classifications_follow_entity after insert or update on public.catalog_classifications
  for each row execute function private.catalog_child_consistent();

-- 4. Nothing changes organization -----------------------------------------------------------------
/*
 * Rows never change organization, whoever writes (moving data between tenants would bypass the
 * destination's review). AFTER, so it judges the final values whatever BEFORE triggers did.
 */
create function private.guard_org_immutable()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_column text := case when tg_table_name = 'organizations' then 'id' else 'org_id' end;
begin
  -- Through jsonb: plpgsql resolves record fields at run time, and organizations has no org_id.
  if (to_jsonb(new) ->> v_column) is distinct from (to_jsonb(old) ->> v_column) then
    raise exception '% rows cannot move to another organization', tg_table_name using errcode = '42501';
  end if;
  return null;
end
$$;

do $$
declare
  v_table text;
begin
  for v_table in
    select t.table_name from information_schema.tables t
    where t.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and (t.table_name = 'organizations' or exists (select 1 from information_schema.columns c
           where c.table_schema = 'public' and c.table_name = t.table_name and c.column_name = 'org_id'))
      and t.table_name <> 'audit_log'
    order by 1
  loop
    execute format('create trigger %I after update on public.%I for each row execute function private.guard_org_immutable()',
                   v_table || '_keep_org', v_table);
  end loop;
end
$$;

-- role_permissions.org_id is derived from the role: a writer that names another organization is
-- refused rather than silently corrected.
create or replace function private.role_permissions_fill_org()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_org uuid := (select r.org_id from public.roles r where r.id = new.role_id);
begin
  if new.org_id is distinct from v_org
     and (tg_op = 'INSERT' and new.org_id is not null or tg_op = 'UPDATE' and new.org_id is distinct from old.org_id) then
    raise exception 'role_permissions.org_id is the role''s organization' using errcode = '42501';
  end if;
  new.org_id := v_org;
  return new;
end
$$;

-- 5. Custom roles stay in their organization -------------------------------------------------------
/*
 * A grant, an invitation or a custom role's parent may name a built-in role or a custom role of the
 * same organization. AFTER, so RLS has refused foreign writers first; a missing role and a foreign
 * one get the same answer.
 */
create function private.guard_role_scope()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  -- Through jsonb: plpgsql resolves record fields at run time, and each table has only one of them.
  v_role uuid := (to_jsonb(new) ->> case when tg_table_name = 'roles' then 'parent_role_id' else 'role_id' end)::uuid;
begin
  if v_role is not null and not exists (
       select 1 from public.roles r where r.id = v_role and (r.org_id is null or r.org_id = new.org_id)) then
    raise exception 'role % is not available in organization %', v_role, new.org_id using errcode = '23503';
  end if;
  return null;
end
$$;
create trigger role_assignments_role_scope after insert or update on public.role_assignments
  for each row execute function private.guard_role_scope();
create trigger invitations_role_scope after insert or update on public.invitations
  for each row execute function private.guard_role_scope();
create trigger roles_parent_scope after insert or update on public.roles
  for each row execute function private.guard_role_scope();

-- 6. Team grants are (org, team) pairs -------------------------------------------------------------
/*
 * (org, team) pairs where the current principal holds `p_permission` through a team-scoped grant,
 * expanded to descendant teams of the same organization. Policies compare the row's own
 * (org_id, team_id) with these pairs, so a team grant never reaches a row of another organization.
 */
create function private.team_scopes_with(p_permission text)
returns table (org_id uuid, team_id uuid)
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
  with recursive granted as (
    select distinct g.org_id, g.team_id from private.current_grants() g
    where g.permission = p_permission and g.team_id is not null
  ), down (org_id, id, depth) as (
    select gr.org_id, gr.team_id, 0 from granted gr
    union
    select d.org_id, t.id, d.depth + 1 from public.teams t join down d on t.parent_id = d.id and t.org_id = d.org_id
    where d.depth < 64
  )
  select distinct d.org_id, d.id from down d;
end
$$;

-- The policy condition "holds <permission> for the row's (org, team)": an organization-wide grant, or
-- a team grant for exactly this (org_id, team_id) pair. The team_id = any(...) term is redundant
-- with the pair test but lets the planner use the team_id index (a BitmapOr with the org_id index)
-- instead of testing every row of every tenant: server p50 28 ms instead of 5 ms for a member's 10k-row read
-- among 100k (scripts/bench/rls.ts). `%1$s` is the team column, `%2$L` the permission.
create function pg_temp.scope_check(p_team_column text, p_permission text)
returns text
language sql immutable
as $f$
  select format('(org_id = any (array(select private.org_ids_with(%2$L)))
      or (%1$s = any (array(select s.team_id from private.team_scopes_with(%2$L) s))
          and (org_id, %1$s) in (select s.org_id, s.team_id from private.team_scopes_with(%2$L) s)))', p_team_column, p_permission)
$f$;

do $$
declare
  v_table text;
  v_read text;
  v_write text;
  v_delete text;
  v_op text;
begin
  for v_table, v_read, v_write, v_delete in
    select * from (values
      ('catalog_entities', 'catalog.read', 'catalog.write', 'catalog.delete'),
      ('catalog_columns', 'catalog.read', 'catalog.write', 'catalog.delete'),
      ('catalog_tags', 'catalog.read', 'catalog.write', 'catalog.write'),
      ('lineage_edges', 'lineage.read', 'lineage.write', 'lineage.write'),
      ('catalog_classifications', 'classification.read', 'classification.manage', 'classification.manage')
    ) as t(tbl, rd, wr, dl)
  loop
    foreach v_op in array array['select', 'insert', 'update', 'delete'] loop
      execute format('drop policy %I on public.%I', v_table || '_' || v_op, v_table);
    end loop;
    execute format('create policy %1$s_select on public.%1$I for select to authenticated using %2$s',
                   v_table, pg_temp.scope_check('team_id', v_read));
    execute format('create policy %1$s_insert on public.%1$I for insert to authenticated with check %2$s',
                   v_table, pg_temp.scope_check('team_id', v_write));
    execute format('create policy %1$s_update on public.%1$I for update to authenticated using %2$s with check %2$s',
                   v_table, pg_temp.scope_check('team_id', v_write));
    execute format('create policy %1$s_delete on public.%1$I for delete to authenticated using %2$s',
                   v_table, pg_temp.scope_check('team_id', v_delete));
  end loop;

  -- Docs: editors draft (docs.generate); approving needs docs.approve (org-wide).
  foreach v_op in array array['select', 'insert', 'update', 'delete'] loop
    execute format('drop policy catalog_docs_%s on public.catalog_docs', v_op);
  end loop;
  execute format('create policy catalog_docs_select on public.catalog_docs for select to authenticated using %s',
                 pg_temp.scope_check('team_id', 'catalog.read'));
  execute format($p$create policy catalog_docs_insert on public.catalog_docs for insert to authenticated
    with check (%s and (status = 'draft' or org_id = any (array(select private.org_ids_with('docs.approve')))))$p$,
                 pg_temp.scope_check('team_id', 'docs.generate'));
  execute format($p$create policy catalog_docs_update on public.catalog_docs for update to authenticated using %1$s
    with check (%1$s and (status = 'draft' or org_id = any (array(select private.org_ids_with('docs.approve')))))$p$,
                 pg_temp.scope_check('team_id', 'docs.generate'));
  execute format('create policy catalog_docs_delete on public.catalog_docs for delete to authenticated using %s',
                 pg_temp.scope_check('team_id', 'catalog.delete'));

  -- Teams, team members and connectors read through team grants the same way.
  drop policy teams_select on public.teams;
  execute format('create policy teams_select on public.teams for select to authenticated using %s',
                 pg_temp.scope_check('id', 'teams.read'));
  drop policy team_members_select on public.team_members;
  execute format('create policy team_members_select on public.team_members for select to authenticated
    using (user_id = (select auth.uid()) or %s)', pg_temp.scope_check('team_id', 'teams.read'));
  drop policy connectors_select on public.connectors;
  execute format('create policy connectors_select on public.connectors for select to authenticated using %s',
                 pg_temp.scope_check('team_id', 'connectors.read'));
end
$$;
drop function pg_temp.scope_check(text, text);

-- The old team-id helper is no longer used by any policy.
drop function private.team_ids_with(text);

revoke all on function private.catalog_fill_scope(), private.catalog_entity_team_moved(), private.catalog_child_consistent(),
  private.guard_org_immutable(), private.guard_role_scope(), private.team_scopes_with(text)
  from public, anon, authenticated, service_role;
grant execute on function private.team_scopes_with(text) to authenticated, service_role;
