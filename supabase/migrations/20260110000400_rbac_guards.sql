-- Enterprise, part 5: invariants that RLS alone can't express (they hold for every writer,
-- service role included) and the RPCs clients call for multi-step operations.

/* An organization always keeps at least one owner: checked after any change that could remove one. */
create function private.guard_last_owner()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- Deleting the whole organization cascades here; there is nothing left to protect then. Deleting
  -- an account (auth.users) must not be blocked either: the org is left for an operator to
  -- reassign or delete, rather than keeping a person's data against an erasure request.
  if exists (select 1 from public.organizations o where o.id = old.org_id)
     and exists (select 1 from auth.users u where u.id = old.user_id)
     and not private.org_has_owner(old.org_id) then
    raise exception 'organization % must keep at least one owner', old.org_id
      using errcode = 'P0001', hint = 'Grant the owner role to someone else first.';
  end if;
  return null;
end
$$;

create trigger role_assignments_keep_owner after update or delete on public.role_assignments
  for each row execute function private.guard_last_owner();
create trigger organization_members_keep_owner after update or delete on public.organization_members
  for each row execute function private.guard_last_owner();

/* Seats: active members never exceed the organization's max_users. */
create function private.guard_max_users()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_max integer;
begin
  select o.max_users into v_max from public.organizations o where o.id = new.org_id for update;
  if (select count(*) from public.organization_members m where m.org_id = new.org_id and m.status = 'active') > v_max then
    raise exception 'organization % is full (max_users = %)', new.org_id, v_max using errcode = 'P0001';
  end if;
  return null;
end
$$;

create trigger organization_members_max_users after insert or update of status on public.organization_members
  for each row execute function private.guard_max_users();

/* Team parents must not form a cycle. */
create function private.guard_team_cycle()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.parent_id is not null and new.id in (select private.team_ancestors(new.parent_id)) then
    raise exception 'team % cannot be its own ancestor', new.id using errcode = 'P0001';
  end if;
  return new;
end
$$;

create trigger teams_no_cycle before insert or update of parent_id on public.teams
  for each row execute function private.guard_team_cycle();

/* role_permissions.org_id mirrors the role's organization, so policies filter without joins. */
create function private.role_permissions_fill_org()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  select r.org_id into new.org_id from public.roles r where r.id = new.role_id;
  return new;
end
$$;

create trigger role_permissions_fill_org before insert or update on public.role_permissions
  for each row execute function private.role_permissions_fill_org();

/* Built-in roles are the same for everyone: nobody edits them through the API. */
create function private.guard_builtin_roles()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if (tg_op <> 'INSERT' and old.is_builtin) or (tg_op <> 'DELETE' and new.is_builtin and auth.role() is not null) then
    raise exception 'built-in roles are read-only' using errcode = '42501';
  end if;
  return coalesce(new, old);
end
$$;

create trigger roles_builtin_read_only before insert or update or delete on public.roles
  for each row execute function private.guard_builtin_roles();

/* Creates an organization with the caller as its first member and owner. */
create function public.create_organization(p_name text, p_display_name text)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_org uuid;
begin
  if v_uid is null or private.current_token_id() is not null then
    raise exception 'only signed-in users can create organizations' using errcode = '42501';
  end if;
  insert into public.organizations (name, display_name, created_by) values (p_name, p_display_name, v_uid)
    returning id into v_org;
  insert into public.organization_members (org_id, user_id) values (v_org, v_uid);
  insert into public.role_assignments (org_id, user_id, role_id, granted_by)
    select v_org, v_uid, r.id, v_uid from public.roles r where r.is_builtin and r.key = 'owner';
  return v_org;
end
$$;

/*
 * Invites `p_email`; returns the one-time token (only its hash is stored). Runs as the caller, so
 * RLS decides: members.invite and the no-escalation rule for the offered role.
 */
create function public.create_invitation(p_org_id uuid, p_email text, p_role_id uuid, p_team_id uuid default null)
returns text
language plpgsql security invoker set search_path = ''
as $$
declare
  v_token text := 'mlinv_' || encode(extensions.gen_random_bytes(24), 'hex');
begin
  -- invited_by defaults to auth.uid() and is not client-writable (see the RLS migration).
  insert into public.invitations (org_id, email, role_id, team_id, token_hash)
  values (p_org_id, lower(p_email), p_role_id, p_team_id, extensions.digest(v_token, 'sha256'));
  return v_token;
end
$$;

/* Accepts an invitation addressed to the caller's e-mail: membership plus the offered role. */
create function public.accept_invitation(p_token text)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  v_inv public.invitations;
begin
  select * into v_inv from public.invitations i
  where i.token_hash = extensions.digest(p_token, 'sha256') for update;
  if not found or v_inv.accepted_at is not null or v_inv.expires_at <= now()
     or lower(coalesce(auth.email(), '')) <> lower(v_inv.email) or private.current_token_id() is not null then
    raise exception 'invitation is invalid, expired or not addressed to you' using errcode = '42501';
  end if;
  insert into public.organization_members (org_id, user_id) values (v_inv.org_id, auth.uid())
    on conflict (org_id, user_id) do update set status = 'active';
  insert into public.role_assignments (org_id, user_id, role_id, team_id, granted_by)
    values (v_inv.org_id, auth.uid(), v_inv.role_id, v_inv.team_id, v_inv.invited_by)
    on conflict do nothing;
  update public.invitations set accepted_at = now(), accepted_by = auth.uid() where id = v_inv.id;
  return v_inv.org_id;
end
$$;

/* Creates a service-account token; returns it once. RLS enforces tokens.manage and scopes ⊆ caller's. */
create function public.create_api_token(p_org_id uuid, p_name text, p_scopes text[], p_expires_at timestamptz default null)
returns text
language plpgsql security invoker set search_path = ''
as $$
declare
  v_token text := 'mlpat_' || encode(extensions.gen_random_bytes(24), 'hex');
begin
  -- created_by defaults to auth.uid() and is not client-writable (see the RLS migration).
  insert into public.api_tokens (org_id, name, token_hash, token_prefix, scopes, expires_at)
  values (p_org_id, p_name, extensions.digest(v_token, 'sha256'), left(v_token, 12), p_scopes, p_expires_at);
  return v_token;
end
$$;

/*
 * For edge functions (service role only): resolves a presented token to its id and org when it is
 * valid, and records its use. The function then runs the request with claims
 * {role: 'authenticated', sub: id, token_id: id}.
 */
create function private.resolve_api_token(p_token text)
returns table (token_id uuid, org_id uuid, scopes text[])
language sql volatile security definer set search_path = ''
as $$
  update public.api_tokens t set last_used_at = now()
  where t.token_hash = extensions.digest(p_token, 'sha256')
    and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())
  returning t.id, t.org_id, t.scopes
$$;

revoke all on function public.create_organization(text, text), public.create_invitation(uuid, text, uuid, uuid),
  public.accept_invitation(text), public.create_api_token(uuid, text, text[], timestamptz) from public, anon;
grant execute on function public.create_organization(text, text), public.create_invitation(uuid, text, uuid, uuid),
  public.accept_invitation(text), public.create_api_token(uuid, text, text[], timestamptz) to authenticated, service_role;
revoke all on function private.resolve_api_token(text) from public, anon, authenticated;
grant execute on function private.resolve_api_token(text) to service_role;
