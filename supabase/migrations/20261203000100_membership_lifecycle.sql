-- Security fix, part 2 (issue 12): grants live and die with membership, and changing a grant is a
-- grant.
--   * A role assignment references its membership: removing a member deletes their grants (and
--     team memberships, tokens and pending invitations they created), all through audited deletes.
--     Suspending a member does the same; reactivating or re-inviting starts from nothing, so a
--     re-invited member holds exactly the invited role.
--   * Clients cannot insert members: people join by accepting an invitation addressed to their
--     confirmed e-mail (auth.users, never the JWT claim), or by creating an organization.
--   * Granting (insert) and changing a grant (expiry) follow the same rule: never on one's own
--     grants, only roles whose every permission the granter holds at that scope, and never beyond
--     the time the granter holds them (their "grant horizon"). An invitation carries the inviter's
--     horizon into the grant it creates.
--   * The owner invariant holds through time: every organization keeps an active member whose
--     organization-wide owner grant does not expire.

-- 1. Grants that outlived their membership already count for nothing; remove them --------------
do $$
declare
  v_count integer;
begin
  delete from public.role_assignments ra
  where not exists (select 1 from public.organization_members m
                    where m.org_id = ra.org_id and m.user_id = ra.user_id and m.status = 'active');
  get diagnostics v_count = row_count;
  if v_count > 0 then
    raise notice 'removed % role assignment(s) of removed or suspended members (they granted nothing; issue 12)', v_count;
  end if;
end
$$;

alter table public.role_assignments
  add constraint role_assignments_member_fk foreign key (org_id, user_id)
    references public.organization_members (org_id, user_id) on delete cascade;

-- 2. Leaving ends everything the membership carried ------------------------------------------------
/*
 * When a member is suspended or removed, their grants, team memberships, service tokens and pending
 * invitations end with it (revoked tokens stay listed, revoked). Nested deletes run through the
 * tables' audit triggers, so each ended grant is recorded with the actor who removed the member.
 */
create function private.end_membership()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and not (old.status = 'active' and new.status <> 'active') then
    return null;
  end if;
  delete from public.role_assignments where org_id = old.org_id and user_id = old.user_id;
  delete from public.team_members where org_id = old.org_id and user_id = old.user_id;
  update public.api_tokens set revoked_at = now()
    where org_id = old.org_id and created_by = old.user_id and revoked_at is null;
  delete from public.invitations where org_id = old.org_id and invited_by = old.user_id and accepted_at is null;
  return null;
end
$$;
create trigger organization_members_end_grants after update of status or delete on public.organization_members
  for each row execute function private.end_membership();

-- 3. Clients never insert members directly ---------------------------------------------------------
drop policy organization_members_insert on public.organization_members;
revoke insert on public.organization_members from anon, authenticated;

-- 4. Grants with their time horizon -----------------------------------------------------------------
/* Active grants of one user with the instant each stops counting ('infinity' when it does not expire). */
create function private.user_grant_expiries(p_user_id uuid)
returns table (org_id uuid, team_id uuid, permission text, expires_at timestamptz)
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
  with recursive chain (org_id, team_id, role_id, expires_at, depth) as (
    select ra.org_id, ra.team_id, ra.role_id, coalesce(ra.expires_at, 'infinity'::timestamptz), 0
    from public.role_assignments ra
    join public.organization_members m
      on m.org_id = ra.org_id and m.user_id = ra.user_id and m.status = 'active'
    join public.organizations o on o.id = ra.org_id and o.status = 'active'
    where ra.user_id = p_user_id
      and (ra.expires_at is null or ra.expires_at > now())
    union all
    select c.org_id, c.team_id, r.parent_role_id, c.expires_at, c.depth + 1
    from chain c join public.roles r on r.id = c.role_id
    where r.parent_role_id is not null and c.depth < 16
  )
  select c.org_id, c.team_id, rp.permission_key, max(c.expires_at)
  from chain c join public.role_permissions rp on rp.role_id = c.role_id
  group by c.org_id, c.team_id, rp.permission_key;
end
$$;

/*
 * Grants of a principal with expiries: a user's own, or a service token's scopes bounded by what
 * its creator holds organization-wide and by the token's own expiry.
 */
create function private.principal_grant_expiries(p_user_id uuid, p_token_id uuid)
returns table (org_id uuid, team_id uuid, permission text, expires_at timestamptz)
language plpgsql stable security definer set search_path = ''
as $$
begin
  if p_token_id is null then
    return query select g.org_id, g.team_id, g.permission, g.expires_at from private.user_grant_expiries(p_user_id) g;
    return;
  end if;
  return query
  select t.org_id, null::uuid, g.permission, least(coalesce(t.expires_at, 'infinity'::timestamptz), g.expires_at)
  from public.api_tokens t
  cross join lateral private.user_grant_expiries(t.created_by) g
  where t.id = p_token_id and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())
    and g.org_id = t.org_id and g.team_id is null and g.permission = any (t.scopes);
end
$$;

/*
 * Until when a principal may grant role `p_role_id` at (org, team): it needs roles.assign and every
 * permission of the role there, each through some grant; the answer is the earliest of the latest
 * expiries ('infinity' when all are permanent), or null when it cannot grant the role at all.
 */
create function private.grant_horizon_for(p_user_id uuid, p_token_id uuid, p_org_id uuid, p_role_id uuid, p_team_id uuid)
returns timestamptz
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_until timestamptz;
  v_missing boolean;
begin
  -- Nothing is answered about an organization the principal holds no grant in (no role oracle).
  if p_org_id is null or p_role_id is null
     or not exists (select 1 from private.principal_grant_expiries(p_user_id, p_token_id) pg where pg.org_id = p_org_id)
     or not exists (select 1 from public.roles r where r.id = p_role_id and (r.org_id is null or r.org_id = p_org_id)) then
    return null;
  end if;
  with g as (
    select * from private.principal_grant_expiries(p_user_id, p_token_id) pg where pg.org_id = p_org_id
  ), covering as (
    select g.permission, g.expires_at from g
    where g.team_id is null
       or (p_team_id is not null and g.team_id in (select private.team_ancestors(p_team_id)))
  ), needed (key) as (
    select 'roles.assign'::text
    union
    select k.key from private.role_permission_keys(p_role_id) k(key)
  ), best as (
    select n.key, (select max(c.expires_at) from covering c where c.permission = n.key) as until from needed n
  )
  select bool_or(b.until is null), min(b.until) into v_missing, v_until from best b;
  return case when v_missing then null else v_until end;
end
$$;

/* The current principal's grant horizon (see grant_horizon_for). */
create function private.grant_horizon(p_org_id uuid, p_role_id uuid, p_team_id uuid default null)
returns timestamptz
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_token uuid := private.current_token_id();
begin
  return private.grant_horizon_for(case when v_token is null then auth.uid() end, v_token, p_org_id, p_role_id, p_team_id);
end
$$;

-- 5. Granting and changing grants --------------------------------------------------------------------
drop policy role_assignments_insert on public.role_assignments;
drop policy role_assignments_update on public.role_assignments;
create policy role_assignments_insert on public.role_assignments for insert to authenticated
  with check (user_id <> (select private.acting_user_id())
              and coalesce(expires_at, 'infinity'::timestamptz) <= private.grant_horizon(org_id, role_id, team_id));
-- Changing an expiry re-grants the role: the old grant must be one the actor could make, and the new
-- expiry must stay within the actor's horizon. Nobody changes their own grants.
create policy role_assignments_update on public.role_assignments for update to authenticated
  using (user_id <> (select private.acting_user_id()) and private.grant_horizon(org_id, role_id, team_id) is not null)
  with check (user_id <> (select private.acting_user_id())
              and coalesce(expires_at, 'infinity'::timestamptz) <= private.grant_horizon(org_id, role_id, team_id));

/*
 * Grants are for active members, whoever writes them (the service role included). AFTER, so RLS has
 * already refused writers who may not see the membership: no membership oracle.
 */
create function private.guard_grant_member()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select 1 from public.organization_members m
                 where m.org_id = new.org_id and m.user_id = new.user_id and m.status = 'active') then
    raise exception 'roles are granted to active members only' using errcode = 'P0001';
  end if;
  return null;
end
$$;
create trigger role_assignments_active_member after insert or update on public.role_assignments
  for each row execute function private.guard_grant_member();

-- 6. The owner invariant, through time ---------------------------------------------------------------
/* True when the organization has an active member holding a permanent, organization-wide owner grant. */
create function private.org_has_permanent_owner(p_org_id uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.role_assignments ra
    join public.roles r on r.id = ra.role_id and r.is_builtin and r.key = 'owner'
    join public.organization_members m on m.org_id = ra.org_id and m.user_id = ra.user_id and m.status = 'active'
    where ra.org_id = p_org_id and ra.team_id is null and ra.expires_at is null)
$$;

/*
 * An organization always keeps a permanent owner: checked after any change that takes a permanent
 * organization-wide owner grant away (delete, expiry, role or scope change). Membership changes end
 * grants through the cascade and end_membership(), which land here too.
 */
create or replace function private.guard_last_owner()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_owner uuid := (select r.id from public.roles r where r.is_builtin and r.key = 'owner');
begin
  if not (old.role_id = v_owner and old.team_id is null and old.expires_at is null) then
    return null;
  end if;
  if tg_op = 'UPDATE' and new.role_id = v_owner and new.team_id is null and new.expires_at is null
     and new.org_id = old.org_id and new.user_id = old.user_id then
    return null;
  end if;
  -- Deleting the whole organization cascades here; there is nothing left to protect then. Deleting
  -- an account (auth.users) must not be blocked either: the org is left for an operator to
  -- reassign or delete, rather than keeping a person's data against an erasure request.
  if exists (select 1 from public.organizations o where o.id = old.org_id)
     and exists (select 1 from auth.users u where u.id = old.user_id)
     and not private.org_has_permanent_owner(old.org_id) then
    raise exception 'organization % must keep an owner whose grant does not expire', old.org_id
      using errcode = 'P0001', hint = 'Grant the owner role, without expiry, to someone else first.';
  end if;
  return null;
end
$$;
-- Membership changes reach the grant guard through the cascade; the member-level check is redundant.
drop trigger organization_members_keep_owner on public.organization_members;
drop function private.org_has_owner(uuid);

-- 7. Invitations: confirmed e-mail, inviter still entitled, exactly the invited role ---------------
/*
 * Accepts an invitation addressed to the caller: their account's e-mail in auth.users must be
 * confirmed and equal the invitation's (the JWT e-mail claim is not evidence of either). The inviter
 * must still be able to grant the role; the grant carries the inviter's horizon as its expiry. A
 * suspended member comes back with exactly the invited role.
 */
create or replace function public.accept_invitation(p_token text)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_inv public.invitations;
  v_email text;
  v_confirmed timestamptz;
  v_until timestamptz;
  v_status text;
begin
  if v_uid is null or private.current_token_id() is not null then
    raise exception 'invitation is invalid, expired or not addressed to you' using errcode = '42501';
  end if;
  select * into v_inv from public.invitations i
  where i.token_hash = extensions.digest(p_token, 'sha256') for update;
  select u.email, u.email_confirmed_at into v_email, v_confirmed from auth.users u where u.id = v_uid;
  if v_inv.id is null or v_inv.accepted_at is not null or v_inv.expires_at <= now()
     or v_confirmed is null or v_email is null or lower(v_email) <> lower(v_inv.email) then
    raise exception 'invitation is invalid, expired or not addressed to you' using errcode = '42501';
  end if;
  v_until := private.grant_horizon_for(v_inv.invited_by, null, v_inv.org_id, v_inv.role_id, v_inv.team_id);
  if v_until is null or v_until <= now() then
    raise exception 'invitation is no longer backed by its inviter' using errcode = '42501';
  end if;

  select m.status into v_status from public.organization_members m
  where m.org_id = v_inv.org_id and m.user_id = v_uid for update;
  if v_status is null then
    insert into public.organization_members (org_id, user_id) values (v_inv.org_id, v_uid);
  elsif v_status <> 'active' then
    -- Suspension already ended every grant; clear anything an operator restored meanwhile.
    delete from public.role_assignments where org_id = v_inv.org_id and user_id = v_uid;
    delete from public.team_members where org_id = v_inv.org_id and user_id = v_uid;
    update public.organization_members set status = 'active' where org_id = v_inv.org_id and user_id = v_uid;
  end if;
  insert into public.role_assignments (org_id, user_id, role_id, team_id, expires_at, granted_by)
    values (v_inv.org_id, v_uid, v_inv.role_id, v_inv.team_id, nullif(v_until, 'infinity'::timestamptz), v_inv.invited_by)
    on conflict do nothing;
  update public.invitations set accepted_at = now(), accepted_by = v_uid where id = v_inv.id;
  return v_inv.org_id;
end
$$;

revoke all on function private.end_membership(), private.user_grant_expiries(uuid), private.principal_grant_expiries(uuid, uuid),
  private.grant_horizon_for(uuid, uuid, uuid, uuid, uuid), private.grant_horizon(uuid, uuid, uuid), private.guard_grant_member(),
  private.org_has_permanent_owner(uuid), private.guard_last_owner(), public.accept_invitation(text)
  from public, anon, authenticated, service_role;
grant execute on function private.grant_horizon(uuid, uuid, uuid) to authenticated, service_role;
grant execute on function public.accept_invitation(text) to authenticated;
