-- Team sync, part 2 (issue 13): stamps, guards, privileges and row-level security of the sync tables.

-- 1. Helpers ----------------------------------------------------------------------------------------
/* core/sync/checksum.ts rowDigest in SQL: first 8 bytes of sha256(kind ␟ id ␟ canonical vector), unsigned. */
create function private.sync_row_digest(p_kind text, p_id text, p_vector jsonb)
returns numeric
language sql immutable set search_path = ''
as $$
  select case when d < 0 then d + 18446744073709551616 else d end
  from (select ('x' || left(encode(sha256(convert_to(p_kind || chr(31) || p_id || chr(31) ||
    (select coalesce(string_agg(e.key || ':' || e.value, ',' order by e.key collate "C"), '')
     from jsonb_each_text(p_vector) e where e.value::numeric > 0), 'UTF8')), 'hex'), 16))::bit(64)::bigint::numeric as d) s
$$;

/* The team of a synced row: its entity's team in the org catalog (entity id = id before the first '#'). */
create function private.sync_entity_team(p_org_id uuid, p_kind text, p_row_id text)
returns uuid
language sql stable security definer set search_path = ''
as $$
  select r.team_id from public.sync_rows r
  where r.org_id = p_org_id and r.kind = 'catalogEntity' and r.row_id = split_part(p_row_id, '#', 1)
    and p_kind <> 'catalogEntity'
$$;

/*
 * Organizations where the current principal is an active member (a service token: its organization,
 * while it is valid and its creator an active member). Rejections and one's own records are visible
 * through it, also to members whose only grant is team-scoped.
 */
create function private.member_org_ids()
returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_token uuid := private.current_token_id();
begin
  if v_token is not null then
    return query select t.org_id from public.api_tokens t
      join public.organization_members m on m.org_id = t.org_id and m.user_id = t.created_by and m.status = 'active'
      join public.organizations o on o.id = t.org_id and o.status = 'active'
      where t.id = v_token and t.revoked_at is null and (t.expires_at is null or t.expires_at > now());
    return;
  end if;
  return query select m.org_id from public.organization_members m
    join public.organizations o on o.id = m.org_id and o.status = 'active'
    where m.user_id = auth.uid() and m.status = 'active';
end
$$;

-- 2. Stamps, attribution and scope (BEFORE, security definer: the sequence is the owner's only) -------
/*
 * Every write of a stream table gets the writing transaction's id and the next sequence number, so
 * a pull can serve exactly the settled transactions in (xid, seq) order. Synced rows also get their
 * team (from their entity in the org catalog, on insert), their live digest and attribution; records
 * get their author; a conflict's resolution its time and resolver.
 */
create function private.sync_stamp()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_client boolean := auth.role() = 'authenticated';
begin
  new.txid := pg_catalog.pg_current_xact_id();
  new.seq := pg_catalog.nextval('private.sync_seq');
  if tg_table_name = 'sync_rows' then
    if tg_op = 'INSERT' then
      if new.team_id is null and new.kind not in ('catalogEntity', 'catalogColumn') then
        new.team_id := private.sync_entity_team(new.org_id, new.kind, new.row_id);
      end if;
      if v_client or new.created_by is null then
        new.created_by := private.acting_user_id();
      end if;
    end if;
    new.digest := case when new.deleted is null then private.sync_row_digest(new.kind, new.row_id, new.vector) end;
    new.updated_at := now();
    if v_client or tg_op = 'INSERT' or new.updated_by is not distinct from old.updated_by then
      new.updated_by := private.acting_user_id();
    end if;
  elsif tg_op = 'INSERT' then
    if v_client or (to_jsonb(new) ->> 'author_id') is null then
      new := pg_catalog.jsonb_populate_record(new, pg_catalog.jsonb_build_object('author_id', private.acting_user_id()));
    end if;
    new := pg_catalog.jsonb_populate_record(new, pg_catalog.jsonb_build_object('created_at', now()));
  elsif tg_table_name = 'sync_conflicts' then
    -- Nested: plpgsql resolves new.status at run time, and only conflicts have it.
    if new.status is distinct from old.status then
      if old.status = 'resolved' then
        raise exception 'a resolved conflict stays resolved' using errcode = '42501';
      end if;
      new.resolved_at := now();
      new.resolved_by := private.acting_user_id();
    end if;
  end if;
  return new;
end
$$;

-- 3. Guards (BEFORE, security invoker: current_user tells an API role from our definer code) --------
/*
 * API roles write the stream tables only inside a sync edge function's transaction (which sets
 * `mallard.sync_writer`; the Data API cannot), and there: never delete, never write the org catalog
 * (server writers use private.sync_put_catalog_row), a tombstone needs catalog.delete and a
 * classification change classification.manage on the row's (org, team) — on top of RLS (catalog.write).
 */
create function private.sync_guard()
returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  if current_user not in ('anon', 'authenticated', 'service_role') then
    return coalesce(new, old);
  end if;
  if coalesce(current_setting('mallard.sync_writer', true), '') <> 'on' then
    raise exception 'public.% is written by the sync edge functions only', tg_table_name using errcode = '42501';
  end if;
  if tg_op = 'DELETE' then
    raise exception 'sync rows and records are never deleted by clients (a delete is a tombstone)' using errcode = '42501';
  end if;
  if tg_table_name <> 'sync_rows' then
    return new;
  end if;
  if new.kind in ('catalogEntity', 'catalogColumn') then
    raise exception '% rows are written in the cloud only', new.kind using errcode = '42501';
  end if;
  if new.deleted is not null and (tg_op = 'INSERT' or old.deleted is null) then
    if not private.has_permission(new.org_id, 'catalog.delete', new.team_id) then
      raise exception 'deleting % % needs catalog.delete', new.kind, new.row_id using errcode = '42501';
    end if;
  elsif (new.fields -> 'classification') is distinct from (case when tg_op = 'UPDATE' then old.fields -> 'classification' end)
        and not private.has_permission(new.org_id, 'classification.manage', new.team_id) then
    raise exception 'classifying % % needs classification.manage', new.kind, new.row_id using errcode = '42501';
  end if;
  return new;
end
$$;

/* A catalog entity's team is its metadata's and columns' team: they move with it. */
create function private.sync_entity_team_moved()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if (tg_op = 'UPDATE' and new.team_id is not distinct from old.team_id) or (tg_op = 'INSERT' and new.team_id is null) then
    return null;
  end if;
  -- split_part(row_id, '#', 1) is the entity id of every row kind (indexed below).
  update public.sync_rows r set team_id = new.team_id
  where r.org_id = new.org_id and split_part(r.row_id, '#', 1) = new.row_id and r.kind <> 'catalogEntity'
    and r.team_id is distinct from new.team_id;
  return null;
end
$$;

do $$
declare
  v_table text;
begin
  foreach v_table in array array['sync_rows', 'sync_conflicts', 'sync_losers', 'sync_rejections'] loop
    -- Alphabetical order of BEFORE triggers: stamp (fills team and stamps) first, then guard.
    execute format('create trigger %I before insert or update on public.%I for each row execute function private.sync_stamp()',
                   v_table || '_1_stamp', v_table);
    execute format('create trigger %I before insert or update or delete on public.%I for each row execute function private.sync_guard()',
                   v_table || '_2_guard', v_table);
  end loop;
  foreach v_table in array array['sync_rows', 'sync_conflicts', 'sync_losers', 'sync_rejections', 'sync_replicas'] loop
    execute format('create trigger %I after update on public.%I for each row execute function private.guard_org_immutable()',
                   v_table || '_keep_org', v_table);
    perform private.attach_audit(format('public.%I', v_table)::regclass);
  end loop;
end
$$;
create trigger sync_rows_entity_team after insert or update of team_id on public.sync_rows
  for each row when (new.kind = 'catalogEntity') execute function private.sync_entity_team_moved();

-- 4. Privileges ---------------------------------------------------------------------------------------
revoke all on public.sync_rows, public.sync_conflicts, public.sync_losers, public.sync_rejections, public.sync_replicas
  from public, anon, authenticated, service_role;
revoke all on private.sync_settings, private.sync_org_state, private.sync_request_stats from public, anon, authenticated, service_role;
revoke all on sequence private.sync_seq from public, anon, authenticated, service_role;

-- Clients write through the sync functions only (the guard); the server reads everything for health.
grant select on public.sync_rows, public.sync_conflicts, public.sync_losers, public.sync_rejections, public.sync_replicas
  to authenticated, service_role;
grant insert (org_id, kind, row_id, fields, provenance, vector, deleted) on public.sync_rows to authenticated;
grant update (fields, provenance, vector, deleted) on public.sync_rows to authenticated;
grant insert (id, org_id, team_id, kind, row_id, field, server_value, server_provenance, incoming_value, incoming_provenance,
  replica_id, op_number) on public.sync_conflicts to authenticated;
grant update (status) on public.sync_conflicts to authenticated;
grant insert (id, org_id, team_id, kind, row_id, field, value, provenance, reason, replica_id, op_number) on public.sync_losers to authenticated;
grant insert (id, org_id, kind, row_id, replica_id, op_number, code, message) on public.sync_rejections to authenticated;

alter table public.sync_rows enable row level security;
alter table public.sync_conflicts enable row level security;
alter table public.sync_losers enable row level security;
alter table public.sync_rejections enable row level security;
alter table public.sync_replicas enable row level security;
alter table private.sync_settings enable row level security;
alter table private.sync_org_state enable row level security;
alter table private.sync_request_stats enable row level security;

-- 5. Row-level security ---------------------------------------------------------------------------------
-- "Holds <permission> for the row's (org, team)", the same condition as the catalog tables (20261203000000).
create function pg_temp.scope_check(p_permission text)
returns text
language sql immutable
as $f$
  select format('(org_id = any (array(select private.org_ids_with(%1$L)))
      or (team_id = any (array(select s.team_id from private.team_scopes_with(%1$L) s))
          and (org_id, team_id) in (select s.org_id, s.team_id from private.team_scopes_with(%1$L) s)))', p_permission)
$f$;

do $$
declare
  v_table text;
begin
  -- Synced rows: readers see their scope; editors write it (the guard adds catalog.delete and
  -- classification.manage). No delete policy: a delete is a tombstone (an update).
  execute format('create policy sync_rows_select on public.sync_rows for select to authenticated using %s', pg_temp.scope_check('catalog.read'));
  execute format('create policy sync_rows_insert on public.sync_rows for insert to authenticated with check %s', pg_temp.scope_check('catalog.write'));
  execute format('create policy sync_rows_update on public.sync_rows for update to authenticated using %1$s with check %1$s',
                 pg_temp.scope_check('catalog.write'));

  -- Conflicts and losers: their author, and whoever may edit the row (and so resolve or restore).
  foreach v_table in array array['sync_conflicts', 'sync_losers'] loop
    execute format('create policy %1$s_select on public.%1$I for select to authenticated
      using ((author_id = (select private.acting_user_id()) and org_id = any (array(select private.member_org_ids()))) or %2$s)',
                   v_table, pg_temp.scope_check('catalog.write'));
    execute format('create policy %1$s_insert on public.%1$I for insert to authenticated with check (org_id = any (array(select private.member_org_ids())))',
                   v_table);
  end loop;
  execute format('create policy sync_conflicts_update on public.sync_conflicts for update to authenticated using %1$s with check %1$s',
                 pg_temp.scope_check('catalog.write'));
end
$$;
drop function pg_temp.scope_check(text);

-- Rejections: their author (while a member), and auditors of the organization.
create policy sync_rejections_select on public.sync_rejections for select to authenticated
  using ((author_id = (select private.acting_user_id()) and org_id = any (array(select private.member_org_ids())))
         or org_id = any (array(select private.org_ids_with('audit.view'))));
create policy sync_rejections_insert on public.sync_rejections for insert to authenticated
  with check (org_id = any (array(select private.member_org_ids())));

-- Replicas: their owner (a token's replicas: the token's creator), and members.manage holders.
create policy sync_replicas_select on public.sync_replicas for select to authenticated
  using (user_id = (select private.acting_user_id()) or org_id = any (array(select private.org_ids_with('members.manage'))));
