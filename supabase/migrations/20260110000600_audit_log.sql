-- Enterprise, part 7: the audit log. Triggers record every change to organizations, membership,
-- teams, roles, grants, invitations, keys, tokens, connectors and flags with actor, action, target,
-- before/after and time. Secret columns are stripped from the recorded images. The log is
-- append-only for everyone: no client privilege allows changing it, and guard triggers reject
-- UPDATE/DELETE/TRUNCATE even from the table owner and the service role.

create function private.audit_row()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_before jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
  v_after jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
  v_row jsonb := coalesce(v_after, v_before);
  v_secret text[] := array['ciphertext', 'secret_ciphertext', 'token_hash'];
begin
  insert into public.audit_log (org_id, actor_id, actor_token_id, actor_role, action, target_table, target_id, before, after)
  values (
    case when tg_table_name = 'organizations' then (v_row ->> 'id')::uuid else (v_row ->> 'org_id')::uuid end,
    private.acting_user_id(),
    private.current_token_id(),
    coalesce(auth.role(), session_user::text),
    tg_table_name || '.' || lower(tg_op),
    tg_table_name,
    coalesce(v_row ->> 'id', concat_ws(':', v_row ->> 'org_id', v_row ->> 'team_id', v_row ->> 'user_id',
                                       v_row ->> 'role_id', v_row ->> 'key', v_row ->> 'permission_key')),
    v_before - v_secret,
    v_after - v_secret);
  return null;
end
$$;

do $$
declare
  v_table text;
begin
  foreach v_table in array array['organizations', 'organization_members', 'teams', 'team_members', 'roles',
    'role_permissions', 'role_assignments', 'invitations', 'org_llm_keys', 'api_tokens', 'connectors', 'feature_flags']
  loop
    execute format('create trigger %1$s_audit after insert or update or delete on public.%1$I
      for each row execute function private.audit_row()', v_table);
  end loop;
end
$$;

create function private.audit_log_immutable()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  raise exception 'audit_log is append-only (% rejected)', tg_op using errcode = '42501';
end
$$;

create trigger audit_log_no_update before update or delete on public.audit_log
  for each row execute function private.audit_log_immutable();
create trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function private.audit_log_immutable();

revoke update, delete, truncate on public.audit_log from anon, authenticated, service_role;
