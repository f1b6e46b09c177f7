-- Enterprise, part 3: RBAC evaluation. Security-definer helpers in the non-exposed `private`
-- schema, owned by `postgres` (BYPASSRLS), so policies can consult membership tables without
-- recursing into their own policies. Every helper pins `search_path = ''` and qualifies names.
--
-- A principal is either a user (JWT `sub` = auth.users.id) or a service token: the edge function
-- that verified an API token runs the request with claims `{role: authenticated, sub: <token id>,
-- token_id: <token id>}`. A token's grants are its scopes, org-wide, limited to what its creator
-- still holds, and only while it is neither revoked nor expired.

-- Functions are executable by PUBLIC by default; in `private` nothing is unless granted below.
alter default privileges in schema private revoke execute on functions from public;

-- All permissions of a role: its own plus its parent chain's (owner ⊃ admin ⊃ editor ⊃ viewer).
create function private.role_permission_keys(p_role_id uuid)
returns setof text
language sql stable security definer set search_path = ''
as $$
  with recursive chain (id, depth) as (
    select p_role_id, 0
    union all
    select r.parent_role_id, c.depth + 1
    from chain c join public.roles r on r.id = c.id
    where r.parent_role_id is not null and c.depth < 16
  )
  select distinct rp.permission_key from chain c join public.role_permissions rp on rp.role_id = c.id
$$;

-- The hot path below (grants → org_ids_with / team_ids_with / has_permission) is plpgsql, not SQL:
-- security-definer SQL functions are never inlined and are re-planned on every outer query,
-- while plpgsql caches its plans per connection. That took a permission check from ~1 ms to
-- tens of microseconds (scripts/bench/rls.ts).

-- Active grants of one user: active member of an active organization, grant not expired,
-- each role expanded through its parent chain.
create function private.user_grants(p_user_id uuid)
returns table (org_id uuid, team_id uuid, permission text)
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
  with recursive chain (org_id, team_id, role_id, depth) as (
    select ra.org_id, ra.team_id, ra.role_id, 0
    from public.role_assignments ra
    join public.organization_members m
      on m.org_id = ra.org_id and m.user_id = ra.user_id and m.status = 'active'
    join public.organizations o on o.id = ra.org_id and o.status = 'active'
    where ra.user_id = p_user_id
      and (ra.expires_at is null or ra.expires_at > now())
    union all
    select c.org_id, c.team_id, r.parent_role_id, c.depth + 1
    from chain c join public.roles r on r.id = c.role_id
    where r.parent_role_id is not null and c.depth < 16
  )
  select distinct c.org_id, c.team_id, rp.permission_key
  from chain c join public.role_permissions rp on rp.role_id = c.role_id;
end
$$;

/* The token id when the request runs as a service token (and the claims are consistent). */
create function private.current_token_id()
returns uuid
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_claims jsonb := auth.jwt();
begin
  if v_claims ->> 'token_id' is not null and v_claims ->> 'token_id' = v_claims ->> 'sub' then
    return (v_claims ->> 'token_id')::uuid;
  end if;
  return null;
end
$$;

-- The user a write is attributed to: the user, or the creator of the service token.
create function private.acting_user_id()
returns uuid
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_token uuid := private.current_token_id();
begin
  if v_token is null then
    return auth.uid();
  end if;
  return (select t.created_by from public.api_tokens t where t.id = v_token);
end
$$;

-- Grants of the current principal (user or service token).
create function private.current_grants()
returns table (org_id uuid, team_id uuid, permission text)
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_token uuid := private.current_token_id();
  v_uid uuid := auth.uid();
begin
  if v_token is null then
    if v_uid is not null then
      return query select g.org_id, g.team_id, g.permission from private.user_grants(v_uid) g;
    end if;
    return;
  end if;
  return query
  select t.org_id, null::uuid, s.scope
  from public.api_tokens t
  cross join lateral unnest(t.scopes) as s(scope)
  where t.id = v_token
    and t.revoked_at is null
    and (t.expires_at is null or t.expires_at > now())
    and s.scope in (select cg.permission from private.user_grants(t.created_by) cg
                    where cg.org_id = t.org_id and cg.team_id is null);
end
$$;

-- A team and all its ancestors (a grant on any of them covers the team).
create function private.team_ancestors(p_team_id uuid)
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  with recursive up (id, parent_id, depth) as (
    select t.id, t.parent_id, 0 from public.teams t where t.id = p_team_id
    union all
    select t.id, t.parent_id, up.depth + 1 from public.teams t join up on t.id = up.parent_id
    where up.depth < 64
  )
  select id from up
$$;

/* Does the current principal hold `p_permission` in `p_org_id` (optionally for team `p_team_id`)? */
create function private.has_permission(p_org_id uuid, p_permission text, p_team_id uuid default null)
returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (
    select 1 from private.current_grants() g
    where g.org_id = p_org_id and g.permission = p_permission
      and (g.team_id is null
           or (p_team_id is not null and g.team_id in (select private.team_ancestors(p_team_id)))));
end
$$;

/* Organizations where the current principal holds `p_permission` organization-wide (for RLS `in (select …)`). */
create function private.org_ids_with(p_permission text)
returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query select distinct g.org_id from private.current_grants() g
    where g.permission = p_permission and g.team_id is null;
end
$$;

/* Teams (team-scoped grants expanded to all descendants) where the principal holds `p_permission`. */
create function private.team_ids_with(p_permission text)
returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
  with recursive granted as (
    select g.team_id as id from private.current_grants() g
    where g.permission = p_permission and g.team_id is not null
  ), down (id, depth) as (
    select id, 0 from granted
    union
    select t.id, down.depth + 1 from public.teams t join down on t.parent_id = down.id
    where down.depth < 64
  )
  select distinct down.id from down;
end
$$;

/*
 * No escalation: the principal may grant role `p_role_id` at (org, team) only if it holds
 * `roles.assign` there and every permission the role carries. The owner role therefore can be
 * granted only by owners; a custom role only inside its own organization.
 */
create function private.can_grant_role(p_org_id uuid, p_role_id uuid, p_team_id uuid default null)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.has_permission(p_org_id, 'roles.assign', p_team_id)
    and exists (select 1 from public.roles r where r.id = p_role_id and (r.org_id is null or r.org_id = p_org_id))
    and not exists (
      select 1 from private.role_permission_keys(p_role_id) k(key)
      where not private.has_permission(p_org_id, k.key, p_team_id))
$$;

/* True when `p_org_id` has at least one active, unexpired, organization-wide owner. */
create function private.org_has_owner(p_org_id uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.role_assignments ra
    join public.roles r on r.id = ra.role_id and r.is_builtin and r.key = 'owner'
    join public.organization_members m on m.org_id = ra.org_id and m.user_id = ra.user_id and m.status = 'active'
    where ra.org_id = p_org_id and ra.team_id is null
      and (ra.expires_at is null or ra.expires_at > now()))
$$;

/*
 * Users whose profile the current user may see: fellow members of organizations where they hold
 * members.read. Set-returning so the profiles policy runs it once per statement, not per row.
 */
create function private.visible_user_ids()
returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
  select distinct m.user_id from public.organization_members m
  where m.org_id = any (array(select private.org_ids_with('members.read')));
end
$$;

revoke all on all functions in schema private from public, anon, authenticated;
grant execute on function private.current_token_id(), private.acting_user_id(),
  private.has_permission(uuid, text, uuid), private.org_ids_with(text), private.team_ids_with(text),
  private.can_grant_role(uuid, uuid, uuid), private.visible_user_ids()
  to authenticated;
grant execute on all functions in schema private to service_role;
