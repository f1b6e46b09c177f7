-- Issue 15: what the `admin` edge function (cloud-functions/admin) needs beyond the enterprise
-- schema. Every function here runs the caller's own checks (claims from the request); the edge
-- function calls them inside `withClaims`, so nothing here widens what a member may do through the
-- Data API either.
--   * The member directory (e-mail addresses live in auth.users, which clients cannot read).
--   * The caller's own grants in one organization (for the UI to hide what they cannot do).
--   * Invitations with a chosen lapse time, and re-sending one (a fresh one-time token); tokens with
--     their id. Both wrap the existing RPCs, which keep every check (no escalation, quotas).
--   * A masked form of each LLM key, stored when the key is sealed (the plaintext never reaches
--     Postgres, so it cannot be masked later).

-- 1. Masked LLM keys ----------------------------------------------------------------------------
alter table public.org_llm_keys
  add column masked text not null default '••••' check (length(masked) <= 16);
grant insert (masked), update (masked) on public.org_llm_keys to authenticated;
grant select (masked) on public.org_llm_keys to authenticated;

-- 2. Member directory ---------------------------------------------------------------------------
/*
 * Members of `p_org_id` with their e-mail and display name, for a caller holding members.read there
 * organization-wide (anyone else: 42501, whether or not the organization exists).
 */
create function public.admin_member_directory(p_org_id uuid)
returns table (user_id uuid, email text, display_name text, status text, joined_at timestamptz)
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not (p_org_id = any (array(select private.org_ids_with('members.read')))) then
    raise exception 'members.read is needed to list members' using errcode = '42501';
  end if;
  return query
  select m.user_id, u.email::text, coalesce(p.display_name, ''), m.status, m.joined_at
  from public.organization_members m
  join auth.users u on u.id = m.user_id
  left join public.profiles p on p.id = m.user_id
  where m.org_id = p_org_id
  order by lower(coalesce(u.email, '')), m.user_id;
end
$$;

-- 3. The caller's grants --------------------------------------------------------------------------
/* The current principal's permissions in `p_org_id`: team null = organization-wide. */
create function public.admin_my_grants(p_org_id uuid)
returns table (team_id uuid, permission text)
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query select g.team_id, g.permission from private.current_grants() g where g.org_id = p_org_id
    order by g.team_id nulls first, g.permission;
end
$$;

-- 4. Invitations -----------------------------------------------------------------------------------
/*
 * Invites like public.create_invitation (same checks: members.invite, the role within the caller's
 * grant horizon, quotas, no service tokens) and lets the invitation lapse at `p_expires_at` (within
 * 30 days) instead of after 7 days. Returns the invitation id and its one-time token.
 */
create function public.admin_invite(p_org_id uuid, p_email text, p_role_id uuid, p_team_id uuid, p_expires_at timestamptz)
returns table (invitation_id uuid, token text)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_token text;
  v_id uuid;
begin
  if p_expires_at is not null and (p_expires_at <= now() or p_expires_at > now() + interval '30 days') then
    raise exception 'an invitation lapses within 30 days from now' using errcode = '22023';
  end if;
  v_token := public.create_invitation(p_org_id, p_email, p_role_id, p_team_id);
  select i.id into v_id from public.invitations i where i.token_hash = extensions.digest(v_token, 'sha256');
  if p_expires_at is not null then
    update public.invitations set expires_at = p_expires_at where id = v_id;
  end if;
  return query select v_id, v_token;
end
$$;

/*
 * Re-sends a pending invitation: a fresh one-time token (the old one stops working) and 7 more days.
 * Needs members.invite and, still, the right to offer its role (the grant horizon).
 */
create function public.admin_resend_invitation(p_org_id uuid, p_invitation_id uuid)
returns text
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_inv public.invitations;
  v_token text := 'mlinv_' || encode(extensions.gen_random_bytes(24), 'hex');
  v_until timestamptz;
begin
  if auth.uid() is null or private.current_token_id() is not null
     or not (p_org_id = any (array(select private.org_ids_with('members.invite')))) then
    raise exception 'not allowed to invite to this organization' using errcode = '42501';
  end if;
  select * into v_inv from public.invitations i where i.id = p_invitation_id and i.org_id = p_org_id for update;
  if v_inv.id is null then
    raise exception 'no such invitation in this organization' using errcode = 'P0002';
  end if;
  if v_inv.accepted_at is not null then
    raise exception 'the invitation was already accepted' using errcode = 'P0001';
  end if;
  v_until := private.grant_horizon(p_org_id, v_inv.role_id, v_inv.team_id);
  if v_until is null or v_until <= now() then
    raise exception 'not allowed to offer this role' using errcode = '42501';
  end if;
  update public.invitations set token_hash = extensions.digest(v_token, 'sha256'), expires_at = now() + interval '7 days'
    where id = v_inv.id;
  return v_token;
end
$$;

-- 5. API tokens with their id ------------------------------------------------------------------------
/* public.create_api_token (same checks) returning the new token's id beside the token itself. */
create function public.admin_create_api_token(p_org_id uuid, p_name text, p_scopes text[], p_expires_at timestamptz)
returns table (token_id uuid, token text)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_token text := public.create_api_token(p_org_id, p_name, p_scopes, p_expires_at);
begin
  return query select t.id, v_token from public.api_tokens t where t.token_hash = extensions.digest(v_token, 'sha256');
end
$$;

revoke all on function public.admin_member_directory(uuid), public.admin_my_grants(uuid),
  public.admin_invite(uuid, text, uuid, uuid, timestamptz), public.admin_resend_invitation(uuid, uuid),
  public.admin_create_api_token(uuid, text, text[], timestamptz)
  from public, anon, authenticated, service_role;
grant execute on function public.admin_member_directory(uuid), public.admin_my_grants(uuid),
  public.admin_invite(uuid, text, uuid, uuid, timestamptz), public.admin_resend_invitation(uuid, uuid),
  public.admin_create_api_token(uuid, text, text[], timestamptz)
  to authenticated;
