-- Security fix, part 4 (issue 12): every function's EXECUTE privilege is set explicitly, and no
-- sequence is usable by a client. `alter default privileges in schema private revoke execute …`
-- (20260110000200) never removed the global default that lets PUBLIC execute every new function,
-- so `private.migrate_single_user_data()` and the trigger helpers were callable by any signed-in
-- user; under Supabase's automatic grants anon and authenticated could also setval the audit
-- sequence. test/integration/supabase/functionGrants.test.ts lists every function with its
-- grantees and every sequence, under both grant defaults.

revoke all on all functions in schema private from public, anon, authenticated, service_role;
revoke all on all functions in schema public from public, anon, authenticated, service_role;

-- Called while the client's role is active: by policies, column defaults and invoker triggers.
grant execute on function private.current_token_id(), private.acting_user_id(), private.has_permission(uuid, text, uuid),
  private.org_ids_with(text), private.team_scopes_with(text), private.can_grant_role(uuid, uuid, uuid),
  private.can_manage_member(uuid, uuid), private.visible_user_ids(), private.grant_horizon(uuid, uuid, uuid)
  to authenticated;
-- The service role evaluates column defaults and invoker triggers that name the acting user, and
-- resolves presented service tokens.
grant execute on function private.acting_user_id(), private.current_token_id(), private.resolve_api_token(text) to service_role;

-- The RPCs clients call; each checks the caller itself (security definer) or runs as the caller.
grant execute on function public.create_organization(text, text), public.create_invitation(uuid, text, uuid, uuid),
  public.accept_invitation(text), public.create_api_token(uuid, text, text[], timestamptz) to authenticated;

-- Identity columns need no sequence privilege; nobody but the owner touches a sequence.
revoke all on all sequences in schema public from public, anon, authenticated, service_role;
