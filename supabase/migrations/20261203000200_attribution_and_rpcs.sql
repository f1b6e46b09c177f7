-- Security fix, part 3 (issue 12): server-set attribution, one-way state changes, secrets and
-- expiries only through RPCs, usage written only by the server, and quotas.
--   * Author, granter, approver, resolver and revoker columns are stamped by triggers from the
--     caller's identity (a service token writes as its creator); clients cannot name them (column
--     grants) and the API roles cannot rewrite them later. Operators (`postgres`, no JWT role) may.
--   * A revoked token stays revoked; a resolved or dismissed compliance event stays closed.
--   * Invitations and tokens are created only by their RPCs (security definer, explicit checks):
--     clients and the service role cannot insert them with a chosen hash or expiry, so there is no
--     hash-existence oracle either.
--   * Usage rows come only from the server (service role), with validated amounts and an active
--     member as user.
--   * Quotas: organizations created and invitations sent per user.

-- 1. Quotas ---------------------------------------------------------------------------------------
/* The quota limits, in one place (change them with a migration). */
create function private.quota(p_name text)
returns integer
language sql immutable set search_path = ''
as $$
  select case p_name
    when 'organizations_per_user' then 10
    when 'organizations_per_day' then 5
    when 'invitations_pending_per_user' then 50
    when 'invitations_per_day' then 100
  end
$$;

/* Creates an organization with the caller as its first member and owner (quota: see private.quota). */
create or replace function public.create_organization(p_name text, p_display_name text)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_org uuid;
begin
  if v_uid is null or private.current_token_id() is not null or auth.role() is distinct from 'authenticated' then
    raise exception 'only signed-in users can create organizations' using errcode = '42501';
  end if;
  -- Serialise one user's concurrent calls so the counts below cannot be raced.
  perform pg_advisory_xact_lock(hashtextextended('mallard.create_organization:' || v_uid::text, 0));
  if (select count(*) from public.organizations o
      where o.created_by = v_uid and o.personal_owner_id is null and o.status <> 'deleted') >= private.quota('organizations_per_user')
     or (select count(*) from public.organizations o
         where o.created_by = v_uid and o.created_at > now() - interval '1 day') >= private.quota('organizations_per_day') then
    raise exception 'organization quota reached' using errcode = 'P0001',
      hint = 'A user may create at most 10 organizations, 5 per day.';
  end if;
  insert into public.organizations (name, display_name, created_by) values (p_name, p_display_name, v_uid)
    returning id into v_org;
  insert into public.organization_members (org_id, user_id) values (v_org, v_uid);
  insert into public.role_assignments (org_id, user_id, role_id, granted_by)
    select v_org, v_uid, r.id, v_uid from public.roles r where r.is_builtin and r.key = 'owner';
  return v_org;
end
$$;

-- 2. Invitations and tokens only through their RPCs --------------------------------------------------
drop policy invitations_insert on public.invitations;
revoke insert on public.invitations from anon, authenticated, service_role;
drop policy api_tokens_insert on public.api_tokens;
revoke insert on public.api_tokens from anon, authenticated, service_role;

/*
 * Invites `p_email` with role `p_role_id` (optionally for team `p_team_id`); returns the one-time
 * token (only its sha256 is stored; the invitation expires after 7 days). Needs members.invite in
 * the organization and a grant horizon for the role there (no escalation); tokens cannot invite.
 */
create or replace function public.create_invitation(p_org_id uuid, p_email text, p_role_id uuid, p_team_id uuid default null)
returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_token text := 'mlinv_' || encode(extensions.gen_random_bytes(24), 'hex');
  v_until timestamptz;
begin
  if v_uid is null or private.current_token_id() is not null
     or not (p_org_id = any (array(select private.org_ids_with('members.invite')))) then
    raise exception 'not allowed to invite to this organization' using errcode = '42501';
  end if;
  v_until := private.grant_horizon(p_org_id, p_role_id, p_team_id);
  if v_until is null or v_until <= now() then
    raise exception 'not allowed to offer this role' using errcode = '42501';
  end if;
  if v_email !~ '^[^@[:space:]]+@[^@[:space:]]+$' then
    raise exception 'not an e-mail address: %', p_email using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('mallard.create_invitation:' || v_uid::text, 0));
  if (select count(*) from public.invitations i
      where i.invited_by = v_uid and i.accepted_at is null and i.expires_at > now()) >= private.quota('invitations_pending_per_user')
     or (select count(*) from public.invitations i
         where i.invited_by = v_uid and i.created_at > now() - interval '1 day') >= private.quota('invitations_per_day') then
    raise exception 'invitation quota reached' using errcode = 'P0001',
      hint = 'A user may have at most 50 pending invitations and send 100 per day.';
  end if;
  insert into public.invitations (org_id, email, role_id, team_id, token_hash, invited_by)
  values (p_org_id, v_email, p_role_id, p_team_id, extensions.digest(v_token, 'sha256'), v_uid);
  return v_token;
end
$$;

/*
 * Creates a service-account token and returns it once (only its sha256 is stored). Needs
 * tokens.manage; every scope must be a permission the caller holds organization-wide; an expiry,
 * when given, must lie in the future. Tokens cannot mint tokens.
 */
create or replace function public.create_api_token(p_org_id uuid, p_name text, p_scopes text[], p_expires_at timestamptz default null)
returns text
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_token text := 'mlpat_' || encode(extensions.gen_random_bytes(24), 'hex');
begin
  if v_uid is null or private.current_token_id() is not null
     or not (p_org_id = any (array(select private.org_ids_with('tokens.manage'))))
     or p_scopes is null
     or exists (select 1 from unnest(p_scopes) s(scope)
                where s.scope is null or not exists (select 1 from public.permissions p where p.key = s.scope)
                   or not private.has_permission(p_org_id, s.scope)) then
    raise exception 'not allowed to create this token' using errcode = '42501';
  end if;
  if p_expires_at is not null and p_expires_at <= now() then
    raise exception 'a token must expire in the future' using errcode = '22023';
  end if;
  insert into public.api_tokens (org_id, name, token_hash, token_prefix, scopes, expires_at, created_by)
  values (p_org_id, p_name, extensions.digest(v_token, 'sha256'), left(v_token, 12), p_scopes, p_expires_at, v_uid);
  return v_token;
end
$$;

-- 3. Usage is written by the server --------------------------------------------------------------
drop policy usage_logs_insert on public.usage_logs;
revoke insert on public.usage_logs from anon, authenticated;
alter table public.usage_logs
  add constraint usage_logs_amounts_check check (cost_usd >= 0 and cost_usd <= 1000000
    and tokens_in <= 1000000000 and tokens_out <= 1000000000) not valid,
  add constraint usage_logs_text_check check (length(tool) <= 200 and (model is null or length(model) <= 200)) not valid;
-- Rows written through the old policy may carry negative costs: they stay (history), unvalidated.
do $$
begin
  if not exists (select 1 from public.usage_logs where not (cost_usd >= 0 and cost_usd <= 1000000
                 and tokens_in <= 1000000000 and tokens_out <= 1000000000)) then
    alter table public.usage_logs validate constraint usage_logs_amounts_check;
  else
    raise notice 'usage_logs holds rows with invalid amounts (written by clients before issue 12); the check applies to new rows';
  end if;
  if not exists (select 1 from public.usage_logs where not (length(tool) <= 200 and (model is null or length(model) <= 200))) then
    alter table public.usage_logs validate constraint usage_logs_text_check;
  end if;
end
$$;

/* A new usage row names an active member of its organization (or nobody); history of former members stays. */
create function private.guard_usage_user()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.user_id is not null and not exists (select 1 from public.organization_members m
     where m.org_id = new.org_id and m.user_id = new.user_id and m.status = 'active') then
    raise exception 'usage must be attributed to an active member of the organization' using errcode = '23503';
  end if;
  return null;
end
$$;
create trigger usage_logs_member after insert on public.usage_logs
  for each row execute function private.guard_usage_user();
create trigger usage_logs_member_changed after update on public.usage_logs
  for each row when (new.org_id is distinct from old.org_id or new.user_id is distinct from old.user_id)
  execute function private.guard_usage_user();

-- 4. Column grants: clients send data, the server sets attribution ---------------------------------
revoke insert, update on public.catalog_entities, public.catalog_columns, public.lineage_edges, public.catalog_docs,
  public.catalog_tags, public.catalog_classifications from authenticated;
grant insert (id, org_id, team_id, entity_key, kind, name, project, path, description, payload, updated_at)
  on public.catalog_entities to authenticated;
grant update (team_id, entity_key, kind, name, project, path, description, payload, updated_at)
  on public.catalog_entities to authenticated;
grant insert (id, org_id, entity_id, name, data_type, description, position, updated_at) on public.catalog_columns to authenticated;
grant update (name, data_type, description, position, updated_at) on public.catalog_columns to authenticated;
grant insert (id, org_id, team_id, from_key, to_key, level, kind, updated_at) on public.lineage_edges to authenticated;
grant update (team_id, from_key, to_key, level, kind, updated_at) on public.lineage_edges to authenticated;
grant insert (id, org_id, entity_id, body, status, updated_at) on public.catalog_docs to authenticated;
grant update (body, status, updated_at) on public.catalog_docs to authenticated;
grant insert (id, org_id, entity_id, tag) on public.catalog_tags to authenticated;
grant update (tag) on public.catalog_tags to authenticated;
grant insert (id, org_id, entity_id, column_id, classification, confidence, source, updated_at)
  on public.catalog_classifications to authenticated;
grant update (classification, confidence, source, updated_at) on public.catalog_classifications to authenticated;
revoke update (revoked_by) on public.api_tokens from authenticated;
revoke update (resolved_by, resolved_at) on public.compliance_events from authenticated;

-- 5. Attribution ------------------------------------------------------------------------------------
-- These trigger functions are SECURITY INVOKER on purpose: `current_user` then tells a client's
-- statement (anon/authenticated) from one of our security-definer RPCs or triggers (postgres),
-- which set attribution themselves.

/* Stamps the acting user into the attribution columns of a client's write. */
create function private.stamp_attribution()
returns trigger
language plpgsql security invoker set search_path = ''
as $$
declare
  v_actor uuid;
begin
  if current_user not in ('anon', 'authenticated') then
    return new;
  end if;
  v_actor := private.acting_user_id();
  if tg_table_name in ('catalog_entities', 'catalog_columns', 'lineage_edges', 'catalog_docs', 'catalog_tags',
                       'catalog_classifications') then
    if tg_op = 'INSERT' then
      new.user_id := v_actor;
    end if;
  elsif tg_table_name = 'role_assignments' then
    -- Changing a grant re-grants it: the changer becomes its granter.
    new.granted_by := v_actor;
    new.granted_at := now();
  elsif tg_table_name = 'feature_flags' then
    new.updated_by := v_actor;
    new.updated_at := now();
  elsif tg_table_name in ('org_llm_keys', 'connectors') and tg_op = 'INSERT' then
    new.created_by := v_actor;
  end if;
  return new;
end
$$;

/*
 * Columns passed as arguments cannot be changed by a direct statement of an API role (anon,
 * authenticated, service_role). Nested updates (foreign-key actions such as ON DELETE SET NULL,
 * our own triggers) and operators are not affected.
 */
create function private.protect_columns()
returns trigger
language plpgsql security invoker set search_path = ''
as $$
declare
  v_old jsonb;
  v_new jsonb;
  v_column text;
begin
  if pg_trigger_depth() > 1 or current_user not in ('anon', 'authenticated', 'service_role') then
    return new;
  end if;
  v_old := to_jsonb(old);
  v_new := to_jsonb(new);
  foreach v_column in array tg_argv loop
    if (v_new -> v_column) is distinct from (v_old -> v_column) then
      raise exception '%.% is set by the server', tg_table_name, v_column using errcode = '42501';
    end if;
  end loop;
  return new;
end
$$;

do $$
declare
  v_table text;
  v_columns text[];
begin
  for v_table, v_columns in
    select * from (values
      ('profiles', array['created_at']),
      ('organizations', array['created_by', 'personal_owner_id', 'created_at']),
      ('organization_members', array['user_id', 'joined_at']),
      ('teams', array['created_at']),
      ('team_members', array['team_id', 'user_id', 'added_at']),
      ('roles', array['is_builtin', 'created_at']),
      ('role_assignments', array['user_id', 'role_id', 'team_id', 'granted_by', 'granted_at']),
      ('invitations', array['email', 'role_id', 'team_id', 'token_hash', 'expires_at', 'accepted_at', 'accepted_by', 'invited_by', 'created_at']),
      ('org_llm_keys', array['created_by', 'created_at']),
      ('api_tokens', array['token_hash', 'token_prefix', 'scopes', 'expires_at', 'created_by', 'created_at']),
      ('connectors', array['created_by', 'created_at']),
      ('feature_flags', array['updated_by']),
      ('usage_logs', array['user_id', 'kind', 'tool', 'model', 'tokens_in', 'tokens_out', 'cost_usd', 'created_at']),
      ('compliance_events', array['created_at']),
      ('catalog_entities', array['user_id', 'created_at']),
      ('catalog_columns', array['user_id', 'entity_id']),
      ('lineage_edges', array['user_id']),
      ('catalog_docs', array['user_id', 'entity_id']),
      ('catalog_tags', array['user_id', 'entity_id']),
      ('catalog_classifications', array['user_id', 'entity_id'])
    ) as t(tbl, cols)
  loop
    execute format('create trigger %I before update on public.%I for each row execute function private.protect_columns(%s)',
                   v_table || '_protect', v_table, (select string_agg(quote_literal(c), ', ') from unnest(v_columns) c));
  end loop;
  foreach v_table in array array['catalog_entities', 'catalog_columns', 'lineage_edges', 'catalog_docs', 'catalog_tags',
    'catalog_classifications', 'role_assignments', 'feature_flags', 'org_llm_keys', 'connectors']
  loop
    execute format('create trigger %I before insert or update on public.%I for each row execute function private.stamp_attribution()',
                   v_table || '_stamp', v_table);
  end loop;
end
$$;

-- 6. One-way state changes ------------------------------------------------------------------------
/* Revocation is one-way for every writer; revoking stamps the time and the revoker. */
create function private.token_revocation()
returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  if old.revoked_at is not null then
    if new.revoked_at is distinct from old.revoked_at
       or (new.revoked_by is distinct from old.revoked_by and pg_trigger_depth() = 1) then
      raise exception 'a revoked token stays revoked' using errcode = '42501';
    end if;
  elsif new.revoked_at is not null then
    new.revoked_at := now();
    if current_user in ('anon', 'authenticated') or new.revoked_by is null then
      new.revoked_by := private.acting_user_id();
    end if;
  elsif new.revoked_by is not null and pg_trigger_depth() = 1 then
    raise exception 'revoked_by is set when a token is revoked' using errcode = '42501';
  end if;
  return new;
end
$$;
create trigger api_tokens_revocation before update on public.api_tokens
  for each row execute function private.token_revocation();

/* A compliance event goes from open to resolved or dismissed once; closing stamps time and resolver. */
create function private.compliance_resolution()
returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  if new.status is distinct from old.status then
    if old.status <> 'open' then
      raise exception 'a closed compliance event stays closed; record a new one' using errcode = '42501';
    end if;
    new.resolved_at := now();
    if current_user in ('anon', 'authenticated') or new.resolved_by is null then
      new.resolved_by := private.acting_user_id();
    end if;
  elsif pg_trigger_depth() = 1 and current_user in ('anon', 'authenticated', 'service_role')
        and (new.resolved_by is distinct from old.resolved_by or new.resolved_at is distinct from old.resolved_at
             or (old.status <> 'open' and new.resolution is distinct from old.resolution)) then
    raise exception 'the resolution of a compliance event is set when it is closed' using errcode = '42501';
  end if;
  return new;
end
$$;
create trigger compliance_events_resolution before update on public.compliance_events
  for each row execute function private.compliance_resolution();

/* Approving a doc stamps the approver; returning it to draft clears it. */
create function private.doc_approval()
returns trigger
language plpgsql security invoker set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    if new.status = 'approved' then
      if current_user in ('anon', 'authenticated') or new.approved_by is null then
        new.approved_by := private.acting_user_id();
      end if;
    else
      new.approved_by := null;
    end if;
  elsif new.approved_by is distinct from old.approved_by and pg_trigger_depth() = 1
        and current_user in ('anon', 'authenticated', 'service_role') then
    raise exception 'catalog_docs.approved_by is set when a doc is approved' using errcode = '42501';
  end if;
  return new;
end
$$;
create trigger catalog_docs_approval before insert or update on public.catalog_docs
  for each row execute function private.doc_approval();

revoke all on function private.quota(text), public.create_organization(text, text),
  public.create_invitation(uuid, text, uuid, uuid), public.create_api_token(uuid, text, text[], timestamptz),
  private.guard_usage_user(), private.stamp_attribution(), private.protect_columns(), private.token_revocation(),
  private.compliance_resolution(), private.doc_approval()
  from public, anon, authenticated, service_role;
grant execute on function public.create_organization(text, text), public.create_invitation(uuid, text, uuid, uuid),
  public.create_api_token(uuid, text, text[], timestamptz) to authenticated;
