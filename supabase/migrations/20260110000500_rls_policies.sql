-- Enterprise, part 6: privileges and row-level security for every table. Explicit revoke/grant per
-- table (and per column where a secret lives), so the result is the same whether or not the project
-- auto-grants new tables. Policies are `to authenticated`; row checks go through the `private`
-- set-returning helpers (`org_id = any (array(select private.org_ids_with(...)))`) so they run once per
-- statement, not once per row.

/* Removing or suspending a member is allowed only if the actor could grant every role they hold. */
create function private.can_manage_member(p_org_id uuid, p_user_id uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.has_permission(p_org_id, 'members.manage')
    and not exists (
      select 1 from public.role_assignments ra
      where ra.org_id = p_org_id and ra.user_id = p_user_id
        and not private.can_grant_role(ra.org_id, ra.role_id, ra.team_id))
$$;
revoke all on function private.can_manage_member(uuid, uuid) from public, anon;
grant execute on function private.can_manage_member(uuid, uuid) to authenticated, service_role;

alter table public.role_assignments alter column granted_by set default auth.uid();
alter table public.invitations alter column invited_by set default auth.uid();
alter table public.org_llm_keys alter column created_by set default private.acting_user_id();
alter table public.connectors alter column created_by set default private.acting_user_id();
alter table public.api_tokens alter column created_by set default auth.uid();
alter table public.usage_logs alter column user_id set default auth.uid();

-- Service role bypasses RLS (edge functions); it still needs table privileges.
grant all on public.organizations, public.organization_members, public.teams, public.team_members,
  public.permissions, public.roles, public.role_permissions, public.role_assignments, public.invitations,
  public.org_llm_keys, public.api_tokens, public.connectors, public.feature_flags, public.usage_logs,
  public.compliance_events, public.catalog_classifications to service_role;
grant select, insert on public.audit_log to service_role;

-- organizations ---------------------------------------------------------------------------------
grant select, delete on public.organizations to authenticated;
grant update (display_name, domain, settings, sso_provider, sso_config, updated_at) on public.organizations to authenticated;
create policy organizations_select on public.organizations for select to authenticated
  using (id = any (array(select private.org_ids_with('org.read'))));
create policy organizations_update on public.organizations for update to authenticated
  using (id = any (array(select private.org_ids_with('org.manage')))) with check (id = any (array(select private.org_ids_with('org.manage'))));
create policy organizations_delete on public.organizations for delete to authenticated
  using (id = any (array(select private.org_ids_with('org.delete'))));

-- organization_members --------------------------------------------------------------------------
grant select, delete on public.organization_members to authenticated;
grant insert (org_id, user_id, status) on public.organization_members to authenticated;
grant update (status) on public.organization_members to authenticated;
create policy organization_members_select on public.organization_members for select to authenticated
  using (user_id = (select auth.uid()) or org_id = any (array(select private.org_ids_with('members.read'))));
create policy organization_members_insert on public.organization_members for insert to authenticated
  with check (org_id = any (array(select private.org_ids_with('members.manage'))));
create policy organization_members_update on public.organization_members for update to authenticated
  using (private.can_manage_member(org_id, user_id)) with check (private.can_manage_member(org_id, user_id));
create policy organization_members_delete on public.organization_members for delete to authenticated
  using (user_id = (select auth.uid()) or private.can_manage_member(org_id, user_id));

-- teams -----------------------------------------------------------------------------------------
grant select, delete on public.teams to authenticated;
grant insert (id, org_id, parent_id, name, description) on public.teams to authenticated;
grant update (parent_id, name, description) on public.teams to authenticated;
create policy teams_select on public.teams for select to authenticated
  using (org_id = any (array(select private.org_ids_with('teams.read'))) or id = any (array(select private.team_ids_with('teams.read'))));
create policy teams_insert on public.teams for insert to authenticated
  with check (private.has_permission(org_id, 'teams.manage', parent_id));
create policy teams_update on public.teams for update to authenticated
  using (private.has_permission(org_id, 'teams.manage', id))
  with check (private.has_permission(org_id, 'teams.manage', parent_id) and private.has_permission(org_id, 'teams.manage', id));
create policy teams_delete on public.teams for delete to authenticated
  using (private.has_permission(org_id, 'teams.manage', parent_id));

-- team_members ----------------------------------------------------------------------------------
grant select, delete on public.team_members to authenticated;
grant insert (team_id, org_id, user_id) on public.team_members to authenticated;
create policy team_members_select on public.team_members for select to authenticated
  using (user_id = (select auth.uid()) or org_id = any (array(select private.org_ids_with('teams.read')))
         or team_id = any (array(select private.team_ids_with('teams.read'))));
create policy team_members_insert on public.team_members for insert to authenticated
  with check (private.has_permission(org_id, 'teams.manage', team_id));
create policy team_members_delete on public.team_members for delete to authenticated
  using (private.has_permission(org_id, 'teams.manage', team_id));

-- permissions (catalog of keys, read-only) -------------------------------------------------------
grant select on public.permissions to authenticated;
create policy permissions_select on public.permissions for select to authenticated using (true);

-- roles -----------------------------------------------------------------------------------------
grant select, delete on public.roles to authenticated;
grant insert (id, org_id, key, name, description, parent_role_id) on public.roles to authenticated;
grant update (name, description, parent_role_id) on public.roles to authenticated;
create policy roles_select on public.roles for select to authenticated
  using (org_id is null or org_id = any (array(select private.org_ids_with('roles.read'))));
create policy roles_insert on public.roles for insert to authenticated
  with check (org_id = any (array(select private.org_ids_with('roles.manage')))
              and (parent_role_id is null or private.can_grant_role(org_id, parent_role_id)));
create policy roles_update on public.roles for update to authenticated
  using (org_id = any (array(select private.org_ids_with('roles.manage'))) and private.can_grant_role(org_id, id))
  with check (org_id = any (array(select private.org_ids_with('roles.manage')))
              and (parent_role_id is null or private.can_grant_role(org_id, parent_role_id)));
create policy roles_delete on public.roles for delete to authenticated
  using (org_id = any (array(select private.org_ids_with('roles.manage'))) and private.can_grant_role(org_id, id));

-- role_permissions ------------------------------------------------------------------------------
grant select, delete on public.role_permissions to authenticated;
grant insert (role_id, permission_key) on public.role_permissions to authenticated;
create policy role_permissions_select on public.role_permissions for select to authenticated
  using (org_id is null or org_id = any (array(select private.org_ids_with('roles.read'))));
create policy role_permissions_insert on public.role_permissions for insert to authenticated
  with check (org_id = any (array(select private.org_ids_with('roles.manage'))) and private.has_permission(org_id, permission_key));
create policy role_permissions_delete on public.role_permissions for delete to authenticated
  using (org_id = any (array(select private.org_ids_with('roles.manage'))) and private.has_permission(org_id, permission_key));

-- role_assignments ------------------------------------------------------------------------------
grant select, delete on public.role_assignments to authenticated;
grant insert (org_id, user_id, role_id, team_id, expires_at) on public.role_assignments to authenticated;
grant update (expires_at) on public.role_assignments to authenticated;
create policy role_assignments_select on public.role_assignments for select to authenticated
  using (user_id = (select auth.uid()) or org_id = any (array(select private.org_ids_with('members.read'))));
create policy role_assignments_insert on public.role_assignments for insert to authenticated
  with check (granted_by = (select auth.uid()) and private.can_grant_role(org_id, role_id, team_id));
create policy role_assignments_update on public.role_assignments for update to authenticated
  using (private.can_grant_role(org_id, role_id, team_id)) with check (private.can_grant_role(org_id, role_id, team_id));
create policy role_assignments_delete on public.role_assignments for delete to authenticated
  using (user_id = (select auth.uid()) or private.can_grant_role(org_id, role_id, team_id));

-- invitations (token_hash is write-only) ---------------------------------------------------------
grant select (id, org_id, email, role_id, team_id, expires_at, accepted_at, accepted_by, invited_by, created_at)
  on public.invitations to authenticated;
grant insert (org_id, email, role_id, team_id, token_hash, expires_at) on public.invitations to authenticated;
grant delete on public.invitations to authenticated;
create policy invitations_select on public.invitations for select to authenticated
  using (org_id = any (array(select private.org_ids_with('members.invite'))));
create policy invitations_insert on public.invitations for insert to authenticated
  with check (invited_by = (select auth.uid()) and org_id = any (array(select private.org_ids_with('members.invite')))
              and private.can_grant_role(org_id, role_id, team_id));
create policy invitations_delete on public.invitations for delete to authenticated
  using (org_id = any (array(select private.org_ids_with('members.invite'))));

-- org_llm_keys (ciphertext is write-only) --------------------------------------------------------
grant select (id, org_id, provider, label, key_version, is_default, status, last_used_at, created_by, created_at, updated_at)
  on public.org_llm_keys to authenticated;
grant insert (org_id, provider, label, ciphertext, key_version, is_default, status) on public.org_llm_keys to authenticated;
grant update (label, ciphertext, key_version, is_default, status, last_used_at, updated_at) on public.org_llm_keys to authenticated;
grant delete on public.org_llm_keys to authenticated;
create policy org_llm_keys_select on public.org_llm_keys for select to authenticated
  using (org_id = any (array(select private.org_ids_with('keys.read'))));
create policy org_llm_keys_insert on public.org_llm_keys for insert to authenticated
  with check (org_id = any (array(select private.org_ids_with('keys.manage'))));
create policy org_llm_keys_update on public.org_llm_keys for update to authenticated
  using (org_id = any (array(select private.org_ids_with('keys.manage')))) with check (org_id = any (array(select private.org_ids_with('keys.manage'))));
create policy org_llm_keys_delete on public.org_llm_keys for delete to authenticated
  using (org_id = any (array(select private.org_ids_with('keys.manage'))));

-- api_tokens (token_hash is write-only; a token never mints tokens) -------------------------------
grant select (id, org_id, name, token_prefix, scopes, expires_at, last_used_at, revoked_at, revoked_by, created_by, created_at)
  on public.api_tokens to authenticated;
grant insert (org_id, name, token_hash, token_prefix, scopes, expires_at) on public.api_tokens to authenticated;
grant update (name, revoked_at, revoked_by) on public.api_tokens to authenticated;
grant delete on public.api_tokens to authenticated;
create policy api_tokens_select on public.api_tokens for select to authenticated
  using (org_id = any (array(select private.org_ids_with('tokens.read'))));
create policy api_tokens_insert on public.api_tokens for insert to authenticated
  with check (created_by = (select auth.uid()) and private.current_token_id() is null
              and org_id = any (array(select private.org_ids_with('tokens.manage')))
              and scopes <@ array(select p.key from public.permissions p)
              and not exists (select 1 from unnest(scopes) s(scope) where not private.has_permission(org_id, s.scope)));
create policy api_tokens_update on public.api_tokens for update to authenticated
  using (org_id = any (array(select private.org_ids_with('tokens.manage')))) with check (org_id = any (array(select private.org_ids_with('tokens.manage'))));
create policy api_tokens_delete on public.api_tokens for delete to authenticated
  using (org_id = any (array(select private.org_ids_with('tokens.manage'))));

-- connectors (secret_ciphertext is write-only) ----------------------------------------------------
grant select (id, org_id, team_id, type, name, config, key_version, status, last_run_at, last_run_status, created_by, created_at, updated_at)
  on public.connectors to authenticated;
grant insert (org_id, team_id, type, name, config, secret_ciphertext, key_version, status) on public.connectors to authenticated;
grant update (team_id, name, config, secret_ciphertext, key_version, status, last_run_at, last_run_status, updated_at)
  on public.connectors to authenticated;
grant delete on public.connectors to authenticated;
create policy connectors_select on public.connectors for select to authenticated
  using (org_id = any (array(select private.org_ids_with('connectors.read'))) or team_id = any (array(select private.team_ids_with('connectors.read'))));
create policy connectors_insert on public.connectors for insert to authenticated
  with check (private.has_permission(org_id, 'connectors.manage', team_id));
create policy connectors_update on public.connectors for update to authenticated
  using (private.has_permission(org_id, 'connectors.manage', team_id))
  with check (private.has_permission(org_id, 'connectors.manage', team_id));
create policy connectors_delete on public.connectors for delete to authenticated
  using (private.has_permission(org_id, 'connectors.manage', team_id));

-- feature_flags -----------------------------------------------------------------------------------
grant select, delete on public.feature_flags to authenticated;
grant insert (org_id, key, enabled, payload) on public.feature_flags to authenticated;
grant update (enabled, payload, updated_at) on public.feature_flags to authenticated;
create policy feature_flags_select on public.feature_flags for select to authenticated
  using (org_id = any (array(select private.org_ids_with('flags.read'))));
create policy feature_flags_insert on public.feature_flags for insert to authenticated
  with check (org_id = any (array(select private.org_ids_with('flags.manage'))));
create policy feature_flags_update on public.feature_flags for update to authenticated
  using (org_id = any (array(select private.org_ids_with('flags.manage')))) with check (org_id = any (array(select private.org_ids_with('flags.manage'))));
create policy feature_flags_delete on public.feature_flags for delete to authenticated
  using (org_id = any (array(select private.org_ids_with('flags.manage'))));

-- usage_logs (append-only for clients: own rows in orgs they belong to) ---------------------------
grant select on public.usage_logs to authenticated;
grant insert (org_id, kind, tool, model, tokens_in, tokens_out, cost_usd) on public.usage_logs to authenticated;
create policy usage_logs_select on public.usage_logs for select to authenticated
  using (user_id = (select auth.uid()) or org_id = any (array(select private.org_ids_with('usage.view'))));
create policy usage_logs_insert on public.usage_logs for insert to authenticated
  with check (user_id = (select auth.uid()) and org_id = any (array(select private.org_ids_with('org.read'))));

-- compliance_events (resolved, never deleted) -----------------------------------------------------
grant select on public.compliance_events to authenticated;
grant insert (org_id, entity_key, rule, severity, details) on public.compliance_events to authenticated;
grant update (status, resolution, resolved_by, resolved_at) on public.compliance_events to authenticated;
create policy compliance_events_select on public.compliance_events for select to authenticated
  using (org_id = any (array(select private.org_ids_with('compliance.read'))));
create policy compliance_events_insert on public.compliance_events for insert to authenticated
  with check (org_id = any (array(select private.org_ids_with('compliance.manage'))));
create policy compliance_events_update on public.compliance_events for update to authenticated
  using (org_id = any (array(select private.org_ids_with('compliance.manage'))))
  with check (org_id = any (array(select private.org_ids_with('compliance.manage'))));

-- audit_log (read-only; rows come from triggers) --------------------------------------------------
grant select on public.audit_log to authenticated;
create policy audit_log_select on public.audit_log for select to authenticated
  using (org_id = any (array(select private.org_ids_with('audit.view'))));

-- profiles: besides self, fellow members visible to those who may read members --------------------
create policy profiles_member_select on public.profiles for select to authenticated
  using (id = any (array(select private.visible_user_ids())));

-- shared catalog ----------------------------------------------------------------------------------
drop policy catalog_entities_owner on public.catalog_entities;
drop policy catalog_columns_owner on public.catalog_columns;
drop policy lineage_edges_owner on public.lineage_edges;
drop policy catalog_docs_owner on public.catalog_docs;
drop policy catalog_tags_owner on public.catalog_tags;
grant select, insert, update, delete on public.catalog_classifications to authenticated;

do $$
declare
  v_table text;
  v_read text;
  v_write text;
  v_delete text;
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
    execute format($p$create policy %1$s_select on public.%1$I for select to authenticated
      using (org_id = any (array(select private.org_ids_with(%2$L))) or team_id = any (array(select private.team_ids_with(%2$L))))$p$, v_table, v_read);
    execute format($p$create policy %1$s_insert on public.%1$I for insert to authenticated
      with check (org_id = any (array(select private.org_ids_with(%2$L))) or team_id = any (array(select private.team_ids_with(%2$L))))$p$, v_table, v_write);
    execute format($p$create policy %1$s_update on public.%1$I for update to authenticated
      using (org_id = any (array(select private.org_ids_with(%2$L))) or team_id = any (array(select private.team_ids_with(%2$L))))
      with check (org_id = any (array(select private.org_ids_with(%2$L))) or team_id = any (array(select private.team_ids_with(%2$L))))$p$, v_table, v_write);
    execute format($p$create policy %1$s_delete on public.%1$I for delete to authenticated
      using (org_id = any (array(select private.org_ids_with(%2$L))) or team_id = any (array(select private.team_ids_with(%2$L))))$p$, v_table, v_delete);
  end loop;
end
$$;

-- Docs: editors draft (catalog.write or docs.generate); approving needs docs.approve.
create policy catalog_docs_select on public.catalog_docs for select to authenticated
  using (org_id = any (array(select private.org_ids_with('catalog.read'))) or team_id = any (array(select private.team_ids_with('catalog.read'))));
create policy catalog_docs_insert on public.catalog_docs for insert to authenticated
  with check ((org_id = any (array(select private.org_ids_with('docs.generate'))) or team_id = any (array(select private.team_ids_with('docs.generate'))))
              and (status = 'draft' or org_id = any (array(select private.org_ids_with('docs.approve')))));
create policy catalog_docs_update on public.catalog_docs for update to authenticated
  using (org_id = any (array(select private.org_ids_with('docs.generate'))) or team_id = any (array(select private.team_ids_with('docs.generate'))))
  with check ((org_id = any (array(select private.org_ids_with('docs.generate'))) or team_id = any (array(select private.team_ids_with('docs.generate'))))
              and (status = 'draft' or org_id = any (array(select private.org_ids_with('docs.approve')))));
create policy catalog_docs_delete on public.catalog_docs for delete to authenticated
  using (org_id = any (array(select private.org_ids_with('catalog.delete'))) or team_id = any (array(select private.team_ids_with('catalog.delete'))));
