-- Isolation matrix: every table × every actor × select/insert/update/delete, as in
-- test/integration/supabase/isolationMatrix.test.ts. Each attempt runs in a subtransaction that is
-- rolled back, as the actor (role + request.jwt.claims, like PostgREST). 'deny' means either a
-- 42501 error or zero rows seen/touched. Run with `supabase test db`.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select * from no_plan();

-- Fixture: org A with one user per role, an expired grant, a removed member, bystanders and two
-- service tokens; org B with its own owner.
insert into auth.users (id, email) select id::uuid, name || '@example.test' from (values
  ('f0000000-0000-4000-8000-000000000001', 'owner'), ('f0000000-0000-4000-8000-000000000002', 'admin'),
  ('f0000000-0000-4000-8000-000000000003', 'editor'), ('f0000000-0000-4000-8000-000000000004', 'viewer'),
  ('f0000000-0000-4000-8000-000000000005', 'expired'), ('f0000000-0000-4000-8000-000000000006', 'removed'),
  ('f0000000-0000-4000-8000-000000000007', 'outsider'), ('f0000000-0000-4000-8000-000000000008', 'otherOwner'),
  ('f0000000-0000-4000-8000-000000000009', 'bystander'), ('f0000000-0000-4000-8000-00000000000a', 'newcomer'),
  ('f0000000-0000-4000-8000-00000000000b', 'joiner')) as u(id, name);
insert into public.profiles (id, display_name) select id, split_part(email, '@', 1) from auth.users where email like '%@example.test';
insert into public.organizations (id, name, display_name, max_users) values
  ('10000000-0000-4000-8000-00000000000a', 'org-a', 'Org A', 50), ('10000000-0000-4000-8000-00000000000b', 'org-b', 'Org B', 50);
insert into public.organization_members (org_id, user_id)
select '10000000-0000-4000-8000-00000000000a', id from auth.users
where email in ('owner@example.test', 'admin@example.test', 'editor@example.test', 'viewer@example.test', 'expired@example.test',
                'removed@example.test', 'bystander@example.test', 'newcomer@example.test');
insert into public.organization_members (org_id, user_id) values ('10000000-0000-4000-8000-00000000000b', 'f0000000-0000-4000-8000-000000000008');
insert into public.role_assignments (id, org_id, user_id, role_id, expires_at, granted_by) values
  (gen_random_uuid(), '10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000004', null, 'f0000000-0000-4000-8000-000000000001'),
  (gen_random_uuid(), '10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003', null, 'f0000000-0000-4000-8000-000000000001'),
  (gen_random_uuid(), '10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', null, 'f0000000-0000-4000-8000-000000000001'),
  (gen_random_uuid(), '10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000001', null, 'f0000000-0000-4000-8000-000000000001'),
  (gen_random_uuid(), '10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000003', '2020-01-01', 'f0000000-0000-4000-8000-000000000001'),
  (gen_random_uuid(), '10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000006', '00000000-0000-4000-8000-000000000003', null, 'f0000000-0000-4000-8000-000000000001'),
  ('96000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000009', '00000000-0000-4000-8000-000000000001', null, 'f0000000-0000-4000-8000-000000000001'),
  (gen_random_uuid(), '10000000-0000-4000-8000-00000000000b', 'f0000000-0000-4000-8000-000000000008', '00000000-0000-4000-8000-000000000004', null, 'f0000000-0000-4000-8000-000000000001');
-- Removing the member ends their grant too (issue 12: grants reference their membership).
delete from public.organization_members where org_id = '10000000-0000-4000-8000-00000000000a' and user_id = 'f0000000-0000-4000-8000-000000000006';
insert into public.teams (id, org_id, parent_id, name) values
  ('20000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-00000000000a', null, 'platform'),
  ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-00000000000a', '20000000-0000-4000-8000-000000000001', 'analytics');
insert into public.team_members (team_id, org_id, user_id) values ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000009');
insert into public.roles (id, org_id, key, name, parent_role_id) values
  ('30000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-00000000000a', 'steward', 'Steward', '00000000-0000-4000-8000-000000000001');
insert into public.role_permissions (role_id, permission_key) values
  ('30000000-0000-4000-8000-000000000001', 'classification.manage'), ('30000000-0000-4000-8000-000000000001', 'docs.approve');
insert into public.invitations (id, org_id, email, role_id, token_hash, invited_by) values ('40000000-0000-4000-8000-000000000001',
  '10000000-0000-4000-8000-00000000000a', 'invitee@example.test', '00000000-0000-4000-8000-000000000001', extensions.digest('inv-token', 'sha256'), 'f0000000-0000-4000-8000-000000000002');
insert into public.org_llm_keys (id, org_id, provider, label, ciphertext, is_default, created_by) values ('50000000-0000-4000-8000-000000000001',
  '10000000-0000-4000-8000-00000000000a', 'anthropic', 'prod', '\xdeadbeef', true, 'f0000000-0000-4000-8000-000000000002');
insert into public.api_tokens (id, org_id, name, token_hash, token_prefix, scopes, created_by) values
  ('60000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-00000000000a', 'sync-bot', extensions.digest('secret-sync-bot', 'sha256'), 'mlpat_',
   '{catalog.read,catalog.write,lineage.read,lineage.write}', 'f0000000-0000-4000-8000-000000000002'),
  ('60000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-00000000000a', 'flags-bot', extensions.digest('secret-flags-bot', 'sha256'), 'mlpat_',
   '{flags.read}', 'f0000000-0000-4000-8000-000000000002'),
  ('60000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-00000000000a', 'ci', extensions.digest('secret-ci', 'sha256'), 'mlpat_',
   '{catalog.read}', 'f0000000-0000-4000-8000-000000000002');
insert into public.connectors (id, org_id, type, name, config, secret_ciphertext, created_by) values ('70000000-0000-4000-8000-000000000001',
  '10000000-0000-4000-8000-00000000000a', 'github', 'repo', '{"repo":"acme/dbt"}', '\xc0ffee', 'f0000000-0000-4000-8000-000000000002');
insert into public.connector_runs (id, org_id, connector_id, trigger, status) values ('71000000-0000-4000-8000-000000000001',
  '10000000-0000-4000-8000-00000000000a', '70000000-0000-4000-8000-000000000001', 'manual', 'succeeded');
insert into public.feature_flags (org_id, key, enabled) values ('10000000-0000-4000-8000-00000000000a', 'ai.docs', true);
insert into public.usage_logs (org_id, user_id, kind, tool, tokens_in) values ('10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000009', 'ai', 'docs.generate', 100);
insert into public.compliance_events (id, org_id, rule, severity) values ('80000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-00000000000a', 'pii-undocumented', 'high');
insert into public.catalog_entities (id, user_id, org_id, entity_key, kind, name) values
  ('90000000-0000-4000-8000-000000000001', 'f0000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-00000000000a', 'model.shop.orders', 'model', 'orders'),
  ('90000000-0000-4000-8000-00000000000b', 'f0000000-0000-4000-8000-000000000008', '10000000-0000-4000-8000-00000000000b', 'model.shop.orders', 'model', 'orders');
insert into public.catalog_columns (id, user_id, entity_id, name, position) values ('91000000-0000-4000-8000-000000000001', 'f0000000-0000-4000-8000-000000000003', '90000000-0000-4000-8000-000000000001', 'amount', 0);
insert into public.lineage_edges (id, user_id, org_id, from_key, to_key, level, kind) values ('92000000-0000-4000-8000-000000000001',
  'f0000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-00000000000a', 'model.shop.stg_orders', 'model.shop.orders', 'model', 'ref');
insert into public.catalog_docs (id, user_id, entity_id, body) values ('93000000-0000-4000-8000-000000000001', 'f0000000-0000-4000-8000-000000000003', '90000000-0000-4000-8000-000000000001', 'Orders');
insert into public.catalog_tags (id, user_id, entity_id, tag) values ('94000000-0000-4000-8000-000000000001', 'f0000000-0000-4000-8000-000000000003', '90000000-0000-4000-8000-000000000001', 'finance');
insert into public.catalog_classifications (id, user_id, org_id, entity_id, classification) values ('95000000-0000-4000-8000-000000000001',
  'f0000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-00000000000a', '90000000-0000-4000-8000-000000000001', 'pii.email');
-- Sync (issue 13): the editor's replica, a synced row and one record of each kind on it.
insert into public.sync_replicas (replica_id, org_id, user_id, last_op) values
  ('97000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000003', 3);
insert into public.sync_rows (org_id, kind, row_id, fields, provenance, vector, created_by) values ('10000000-0000-4000-8000-00000000000a',
  'entity', 'model.fixture.synced', '{"owners":["ann"]}', '{"owners":{"97000000-0000-4000-8000-000000000001":1}}',
  '{"97000000-0000-4000-8000-000000000001":1}', 'f0000000-0000-4000-8000-000000000003');
insert into public.sync_conflicts (id, org_id, kind, row_id, field, server_value, incoming_value, replica_id, op_number, author_id) values
  ('97100000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-00000000000a', 'entity', 'model.fixture.synced', 'owners', '["ann"]', '["bob"]',
   '97000000-0000-4000-8000-000000000001', 2, 'f0000000-0000-4000-8000-000000000003');
insert into public.sync_losers (id, org_id, kind, row_id, field, value, reason, replica_id, op_number, author_id) values
  ('97200000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-00000000000a', 'entity', 'model.fixture.synced', 'description', '"old"',
   'overwritten', '97000000-0000-4000-8000-000000000001', 2, 'f0000000-0000-4000-8000-000000000003');
insert into public.sync_rejections (id, org_id, kind, row_id, replica_id, op_number, code, message, author_id) values
  ('97300000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-00000000000a', 'entity', 'model.fixture.synced',
   '97000000-0000-4000-8000-000000000001', 3, 'invalid-op', 'bad value', 'f0000000-0000-4000-8000-000000000003');
-- Doc versions (issue 16): a published version of the synced row's description.
insert into public.doc_versions (id, org_id, kind, row_id, version, status, body_after, author_id) values
  ('97400000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-00000000000a', 'entity', 'model.fixture.synced', 1, 'published', 'Synced text',
   'f0000000-0000-4000-8000-000000000003');

-- Helpers (rolled back with the test).
create schema tests;
create function tests.claims(p_actor text) returns jsonb language sql immutable as $$
  select case p_actor
    when 'anon' then '{"role":"anon"}'::jsonb
    when 'tokenScoped' then '{"role":"authenticated","sub":"60000000-0000-4000-8000-000000000001","token_id":"60000000-0000-4000-8000-000000000001"}'::jsonb
    when 'tokenUnscoped' then '{"role":"authenticated","sub":"60000000-0000-4000-8000-000000000002","token_id":"60000000-0000-4000-8000-000000000002"}'::jsonb
    else jsonb_build_object('role', 'authenticated', 'sub', (select id from auth.users where email = p_actor || '@example.test'))
  end
$$;

-- 'allow' (exactly one row), 'deny' (42501 or zero rows) or what else happened. Always rolled back.
create function tests.try_as(p_actor text, p_query text) returns text language plpgsql as $$
declare
  v_claims jsonb := tests.claims(p_actor);
  v_count bigint;
begin
  begin
    perform set_config('request.jwt.claims', v_claims::text, true);
    perform set_config('role', v_claims ->> 'role', true);
    execute format('with q as (%s) select count(*) from q', p_query) into v_count;
    raise exception using errcode = 'MLRB1', message = v_count::text;
  exception
    when sqlstate 'MLRB1' then
      return case sqlerrm when '1' then 'allow' when '0' then 'deny' else 'rows:' || sqlerrm end;
    when insufficient_privilege then
      return 'deny';
    when others then
      return 'error ' || sqlstate || ': ' || sqlerrm;
  end;
end
$$;

-- Since issue 12: members join only through accept_invitation, invitations and tokens are created only
-- by their RPCs, usage rows only by the server, and resolved_at is stamped by the server.
create temp table matrix_cases (tbl text, op text, query text, allowed text[]);
insert into matrix_cases values
  ('organizations', 'select', $q$select id from public.organizations where id = '10000000-0000-4000-8000-00000000000a'$q$, '{viewer,editor,admin,owner}'),
  ('organizations', 'insert', $q$insert into public.organizations (name, display_name) values ('new-org', 'New') returning id$q$, '{}'),
  ('organizations', 'update', $q$update public.organizations set display_name = 'Renamed' where id = '10000000-0000-4000-8000-00000000000a' returning id$q$, '{owner}'),
  ('organizations', 'delete', $q$delete from public.organizations where id = '10000000-0000-4000-8000-00000000000a' returning id$q$, '{owner}'),
  ('organization_members', 'select', $q$select user_id from public.organization_members where user_id = 'f0000000-0000-4000-8000-000000000009'$q$, '{viewer,editor,admin,owner}'),
  ('organization_members', 'insert', $q$insert into public.organization_members (org_id, user_id) values ('10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-00000000000b') returning user_id$q$, '{}'),
  ('organization_members', 'update', $q$update public.organization_members set status = 'suspended' where user_id = 'f0000000-0000-4000-8000-000000000009' returning user_id$q$, '{admin,owner}'),
  ('organization_members', 'delete', $q$delete from public.organization_members where user_id = 'f0000000-0000-4000-8000-000000000009' returning user_id$q$, '{admin,owner}'),
  ('teams', 'select', $q$select id from public.teams where id = '20000000-0000-4000-8000-000000000002'$q$, '{viewer,editor,admin,owner}'),
  ('teams', 'insert', $q$insert into public.teams (org_id, parent_id, name) values ('10000000-0000-4000-8000-00000000000a', '20000000-0000-4000-8000-000000000001', 'new-team') returning id$q$, '{admin,owner}'),
  ('teams', 'update', $q$update public.teams set description = 'x' where id = '20000000-0000-4000-8000-000000000002' returning id$q$, '{admin,owner}'),
  ('teams', 'delete', $q$delete from public.teams where id = '20000000-0000-4000-8000-000000000002' returning id$q$, '{admin,owner}'),
  ('team_members', 'select', $q$select user_id from public.team_members where user_id = 'f0000000-0000-4000-8000-000000000009'$q$, '{viewer,editor,admin,owner}'),
  ('team_members', 'insert', $q$insert into public.team_members (team_id, org_id, user_id) values ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-00000000000a') returning user_id$q$, '{admin,owner}'),
  ('team_members', 'update', $q$update public.team_members set added_at = now() where user_id = 'f0000000-0000-4000-8000-000000000009' returning user_id$q$, '{}'),
  ('team_members', 'delete', $q$delete from public.team_members where user_id = 'f0000000-0000-4000-8000-000000000009' returning user_id$q$, '{admin,owner}'),
  ('permissions', 'select', $q$select key from public.permissions where key = 'catalog.read'$q$, '{outsider,viewer,editor,admin,owner,expired,removed,otherOwner,tokenScoped,tokenUnscoped}'),
  ('permissions', 'insert', $q$insert into public.permissions (key, area, description) values ('x.y', 'x', 'x') returning key$q$, '{}'),
  ('permissions', 'update', $q$update public.permissions set description = 'x' where key = 'catalog.read' returning key$q$, '{}'),
  ('permissions', 'delete', $q$delete from public.permissions where key = 'usage.view' returning key$q$, '{}'),
  ('roles', 'select', $q$select id from public.roles where id = '30000000-0000-4000-8000-000000000001'$q$, '{viewer,editor,admin,owner}'),
  ('roles', 'insert', $q$insert into public.roles (org_id, key, name) values ('10000000-0000-4000-8000-00000000000a', 'auditor', 'Auditor') returning id$q$, '{admin,owner}'),
  ('roles', 'update', $q$update public.roles set description = 'x' where id = '30000000-0000-4000-8000-000000000001' returning id$q$, '{admin,owner}'),
  ('roles', 'delete', $q$delete from public.roles where id = '30000000-0000-4000-8000-000000000001' returning id$q$, '{admin,owner}'),
  ('role_permissions', 'select', $q$select role_id from public.role_permissions where role_id = '30000000-0000-4000-8000-000000000001' and permission_key = 'docs.approve'$q$, '{viewer,editor,admin,owner}'),
  ('role_permissions', 'insert', $q$insert into public.role_permissions (role_id, permission_key) values ('30000000-0000-4000-8000-000000000001', 'flags.manage') returning role_id$q$, '{admin,owner}'),
  ('role_permissions', 'update', $q$update public.role_permissions set permission_key = 'flags.manage' where role_id = '30000000-0000-4000-8000-000000000001' and permission_key = 'docs.approve' returning role_id$q$, '{}'),
  ('role_permissions', 'delete', $q$delete from public.role_permissions where role_id = '30000000-0000-4000-8000-000000000001' and permission_key = 'docs.approve' returning role_id$q$, '{admin,owner}'),
  ('role_assignments', 'select', $q$select id from public.role_assignments where id = '96000000-0000-4000-8000-000000000001'$q$, '{viewer,editor,admin,owner}'),
  ('role_assignments', 'insert', $q$insert into public.role_assignments (org_id, user_id, role_id) values ('10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-000000000001') returning id$q$, '{admin,owner}'),
  ('role_assignments', 'update', $q$update public.role_assignments set expires_at = now() + interval '1 day' where id = '96000000-0000-4000-8000-000000000001' returning id$q$, '{admin,owner}'),
  ('role_assignments', 'delete', $q$delete from public.role_assignments where id = '96000000-0000-4000-8000-000000000001' returning id$q$, '{admin,owner}'),
  ('invitations', 'select', $q$select id from public.invitations where id = '40000000-0000-4000-8000-000000000001'$q$, '{admin,owner}'),
  ('invitations', 'insert', $q$insert into public.invitations (org_id, email, role_id, token_hash) values ('10000000-0000-4000-8000-00000000000a', 'new@example.test', '00000000-0000-4000-8000-000000000001', '\x01') returning id$q$, '{}'),
  ('invitations', 'update', $q$update public.invitations set expires_at = now() where id = '40000000-0000-4000-8000-000000000001' returning id$q$, '{}'),
  ('invitations', 'delete', $q$delete from public.invitations where id = '40000000-0000-4000-8000-000000000001' returning id$q$, '{admin,owner}'),
  ('org_llm_keys', 'select', $q$select id from public.org_llm_keys where id = '50000000-0000-4000-8000-000000000001'$q$, '{admin,owner}'),
  ('org_llm_keys', 'insert', $q$insert into public.org_llm_keys (org_id, provider, ciphertext) values ('10000000-0000-4000-8000-00000000000a', 'openai', '\x02') returning id$q$, '{admin,owner}'),
  ('org_llm_keys', 'update', $q$update public.org_llm_keys set label = 'rotated', key_version = 2 where id = '50000000-0000-4000-8000-000000000001' returning id$q$, '{admin,owner}'),
  ('org_llm_keys', 'delete', $q$delete from public.org_llm_keys where id = '50000000-0000-4000-8000-000000000001' returning id$q$, '{admin,owner}'),
  ('api_tokens', 'select', $q$select id from public.api_tokens where id = '60000000-0000-4000-8000-000000000003'$q$, '{admin,owner}'),
  ('api_tokens', 'insert', $q$insert into public.api_tokens (org_id, name, token_hash, scopes) values ('10000000-0000-4000-8000-00000000000a', 'new', '\x03', '{catalog.read}') returning id$q$, '{}'),
  ('api_tokens', 'update', $q$update public.api_tokens set revoked_at = now() where id = '60000000-0000-4000-8000-000000000003' returning id$q$, '{admin,owner}'),
  ('api_tokens', 'delete', $q$delete from public.api_tokens where id = '60000000-0000-4000-8000-000000000003' returning id$q$, '{admin,owner}'),
  ('connectors', 'select', $q$select id from public.connectors where id = '70000000-0000-4000-8000-000000000001'$q$, '{viewer,editor,admin,owner}'),
  ('connectors', 'insert', $q$insert into public.connectors (org_id, type, name) values ('10000000-0000-4000-8000-00000000000a', 'snowflake', 'wh') returning id$q$, '{admin,owner}'),
  ('connectors', 'update', $q$update public.connectors set status = 'paused' where id = '70000000-0000-4000-8000-000000000001' returning id$q$, '{admin,owner}'),
  ('connectors', 'delete', $q$delete from public.connectors where id = '70000000-0000-4000-8000-000000000001' returning id$q$, '{admin,owner}'),
  ('connector_runs', 'select', $q$select id from public.connector_runs where id = '71000000-0000-4000-8000-000000000001'$q$, '{viewer,editor,admin,owner}'),
  ('connector_runs', 'insert', $q$insert into public.connector_runs (org_id, connector_id, trigger) values ('10000000-0000-4000-8000-00000000000a', '70000000-0000-4000-8000-000000000001', 'manual') returning id$q$, '{}'),
  ('connector_runs', 'update', $q$update public.connector_runs set status = 'failed' where id = '71000000-0000-4000-8000-000000000001' returning id$q$, '{}'),
  ('connector_runs', 'delete', $q$delete from public.connector_runs where id = '71000000-0000-4000-8000-000000000001' returning id$q$, '{}'),
  ('feature_flags', 'select', $q$select key from public.feature_flags where key = 'ai.docs'$q$, '{viewer,editor,admin,owner,tokenUnscoped}'),
  ('feature_flags', 'insert', $q$insert into public.feature_flags (org_id, key, enabled) values ('10000000-0000-4000-8000-00000000000a', 'lineage.v2', true) returning key$q$, '{admin,owner}'),
  ('feature_flags', 'update', $q$update public.feature_flags set enabled = false where key = 'ai.docs' returning key$q$, '{admin,owner}'),
  ('feature_flags', 'delete', $q$delete from public.feature_flags where key = 'ai.docs' returning key$q$, '{admin,owner}'),
  ('usage_logs', 'select', $q$select id from public.usage_logs where user_id = 'f0000000-0000-4000-8000-000000000009'$q$, '{admin,owner}'),
  ('usage_logs', 'insert', $q$insert into public.usage_logs (org_id, kind, tool) values ('10000000-0000-4000-8000-00000000000a', 'tool', 'scan') returning id$q$, '{}'),
  ('usage_logs', 'update', $q$update public.usage_logs set tokens_in = 0 where user_id = 'f0000000-0000-4000-8000-000000000009' returning id$q$, '{}'),
  ('usage_logs', 'delete', $q$delete from public.usage_logs where user_id = 'f0000000-0000-4000-8000-000000000009' returning id$q$, '{}'),
  ('compliance_events', 'select', $q$select id from public.compliance_events where id = '80000000-0000-4000-8000-000000000001'$q$, '{viewer,editor,admin,owner}'),
  ('compliance_events', 'insert', $q$insert into public.compliance_events (org_id, rule, severity) values ('10000000-0000-4000-8000-00000000000a', 'r', 'low') returning id$q$, '{admin,owner}'),
  ('compliance_events', 'update', $q$update public.compliance_events set status = 'resolved', resolution = 'ok' where id = '80000000-0000-4000-8000-000000000001' returning id$q$, '{admin,owner}'),
  ('compliance_events', 'delete', $q$delete from public.compliance_events where id = '80000000-0000-4000-8000-000000000001' returning id$q$, '{}'),
  ('audit_log', 'select', $q$select id from public.audit_log where org_id = '10000000-0000-4000-8000-00000000000a' limit 1$q$, '{admin,owner}'),
  ('audit_log', 'insert', $q$insert into public.audit_log (org_id, action, target_table) values ('10000000-0000-4000-8000-00000000000a', 'forged', 'x') returning id$q$, '{}'),
  ('audit_log', 'update', $q$update public.audit_log set action = 'tampered' where org_id = '10000000-0000-4000-8000-00000000000a' returning id$q$, '{}'),
  ('audit_log', 'delete', $q$delete from public.audit_log where org_id = '10000000-0000-4000-8000-00000000000a' returning id$q$, '{}'),
  ('profiles', 'select', $q$select id from public.profiles where id = 'f0000000-0000-4000-8000-000000000009'$q$, '{viewer,editor,admin,owner}'),
  ('profiles', 'insert', $q$insert into public.profiles (id, display_name) values ('f0000000-0000-4000-8000-000000000009', 'dup') returning id$q$, '{}'),
  ('profiles', 'update', $q$update public.profiles set display_name = 'hijacked' where id = 'f0000000-0000-4000-8000-000000000009' returning id$q$, '{}'),
  ('profiles', 'delete', $q$delete from public.profiles where id = 'f0000000-0000-4000-8000-000000000009' returning id$q$, '{}'),
  ('catalog_entities', 'select', $q$select id from public.catalog_entities where id = '90000000-0000-4000-8000-000000000001'$q$, '{viewer,editor,admin,owner,tokenScoped}'),
  ('catalog_entities', 'insert', $q$insert into public.catalog_entities (org_id, entity_key, kind, name) values ('10000000-0000-4000-8000-00000000000a', 'model.shop.new', 'model', 'new') returning id$q$, '{editor,admin,owner,tokenScoped}'),
  ('catalog_entities', 'update', $q$update public.catalog_entities set description = 'x' where id = '90000000-0000-4000-8000-000000000001' returning id$q$, '{editor,admin,owner,tokenScoped}'),
  ('catalog_entities', 'delete', $q$delete from public.catalog_entities where id = '90000000-0000-4000-8000-000000000001' returning id$q$, '{editor,admin,owner}'),
  ('catalog_columns', 'select', $q$select id from public.catalog_columns where id = '91000000-0000-4000-8000-000000000001'$q$, '{viewer,editor,admin,owner,tokenScoped}'),
  ('catalog_columns', 'insert', $q$insert into public.catalog_columns (entity_id, name, position) values ('90000000-0000-4000-8000-000000000001', 'status', 1) returning id$q$, '{editor,admin,owner,tokenScoped}'),
  ('catalog_columns', 'update', $q$update public.catalog_columns set description = 'x' where id = '91000000-0000-4000-8000-000000000001' returning id$q$, '{editor,admin,owner,tokenScoped}'),
  ('catalog_columns', 'delete', $q$delete from public.catalog_columns where id = '91000000-0000-4000-8000-000000000001' returning id$q$, '{editor,admin,owner}'),
  ('lineage_edges', 'select', $q$select id from public.lineage_edges where id = '92000000-0000-4000-8000-000000000001'$q$, '{viewer,editor,admin,owner,tokenScoped}'),
  ('lineage_edges', 'insert', $q$insert into public.lineage_edges (org_id, from_key, to_key, level, kind) values ('10000000-0000-4000-8000-00000000000a', 'a', 'b', 'model', 'ref') returning id$q$, '{editor,admin,owner,tokenScoped}'),
  ('lineage_edges', 'update', $q$update public.lineage_edges set kind = 'sql' where id = '92000000-0000-4000-8000-000000000001' returning id$q$, '{editor,admin,owner,tokenScoped}'),
  ('lineage_edges', 'delete', $q$delete from public.lineage_edges where id = '92000000-0000-4000-8000-000000000001' returning id$q$, '{editor,admin,owner,tokenScoped}'),
  ('catalog_docs', 'select', $q$select id from public.catalog_docs where id = '93000000-0000-4000-8000-000000000001'$q$, '{viewer,editor,admin,owner,tokenScoped}'),
  ('catalog_docs', 'insert', $q$insert into public.catalog_docs (entity_id, body) values ('90000000-0000-4000-8000-000000000001', 'draft') returning id$q$, '{editor,admin,owner}'),
  ('catalog_docs', 'update', $q$update public.catalog_docs set body = 'edited' where id = '93000000-0000-4000-8000-000000000001' returning id$q$, '{editor,admin,owner}'),
  ('catalog_docs', 'delete', $q$delete from public.catalog_docs where id = '93000000-0000-4000-8000-000000000001' returning id$q$, '{editor,admin,owner}'),
  ('catalog_tags', 'select', $q$select id from public.catalog_tags where id = '94000000-0000-4000-8000-000000000001'$q$, '{viewer,editor,admin,owner,tokenScoped}'),
  ('catalog_tags', 'insert', $q$insert into public.catalog_tags (entity_id, tag) values ('90000000-0000-4000-8000-000000000001', 'core') returning id$q$, '{editor,admin,owner,tokenScoped}'),
  ('catalog_tags', 'update', $q$update public.catalog_tags set tag = 'revenue' where id = '94000000-0000-4000-8000-000000000001' returning id$q$, '{editor,admin,owner,tokenScoped}'),
  ('catalog_tags', 'delete', $q$delete from public.catalog_tags where id = '94000000-0000-4000-8000-000000000001' returning id$q$, '{editor,admin,owner,tokenScoped}'),
  -- Sync tables (issue 13): written only by the sync edge functions (mallard.sync_writer), so every write is denied here.
  ('sync_rows', 'select', $q$select row_id from public.sync_rows where row_id = 'model.fixture.synced'$q$, '{viewer,editor,admin,owner,tokenScoped}'),
  ('sync_rows', 'insert', $q$insert into public.sync_rows (org_id, kind, row_id, fields) values ('10000000-0000-4000-8000-00000000000a', 'entity', 'model.x.forged', '{}') returning row_id$q$, '{}'),
  ('sync_rows', 'update', $q$update public.sync_rows set fields = '{"owners":["mallory"]}' where row_id = 'model.fixture.synced' returning row_id$q$, '{}'),
  ('sync_rows', 'delete', $q$delete from public.sync_rows where row_id = 'model.fixture.synced' returning row_id$q$, '{}'),
  ('sync_conflicts', 'select', $q$select id from public.sync_conflicts where id = '97100000-0000-4000-8000-000000000001'$q$, '{editor,admin,owner,tokenScoped}'),
  ('sync_conflicts', 'insert', $q$insert into public.sync_conflicts (org_id, kind, row_id, field, replica_id, op_number) values ('10000000-0000-4000-8000-00000000000a', 'entity', 'model.fixture.synced', 'owners', '97000000-0000-4000-8000-000000000001', 9) returning id$q$, '{}'),
  ('sync_conflicts', 'update', $q$update public.sync_conflicts set status = 'resolved' where id = '97100000-0000-4000-8000-000000000001' returning id$q$, '{}'),
  ('sync_conflicts', 'delete', $q$delete from public.sync_conflicts where id = '97100000-0000-4000-8000-000000000001' returning id$q$, '{}'),
  ('sync_losers', 'select', $q$select id from public.sync_losers where id = '97200000-0000-4000-8000-000000000001'$q$, '{editor,admin,owner,tokenScoped}'),
  ('sync_losers', 'insert', $q$insert into public.sync_losers (org_id, kind, row_id, field, reason, replica_id, op_number) values ('10000000-0000-4000-8000-00000000000a', 'entity', 'model.fixture.synced', 'description', 'overwritten', '97000000-0000-4000-8000-000000000001', 9) returning id$q$, '{}'),
  ('sync_losers', 'update', $q$update public.sync_losers set value = '"x"' where id = '97200000-0000-4000-8000-000000000001' returning id$q$, '{}'),
  ('sync_losers', 'delete', $q$delete from public.sync_losers where id = '97200000-0000-4000-8000-000000000001' returning id$q$, '{}'),
  ('sync_rejections', 'select', $q$select id from public.sync_rejections where id = '97300000-0000-4000-8000-000000000001'$q$, '{editor,admin,owner}'),
  ('sync_rejections', 'insert', $q$insert into public.sync_rejections (org_id, kind, row_id, replica_id, op_number, code, message) values ('10000000-0000-4000-8000-00000000000a', 'entity', 'model.fixture.synced', '97000000-0000-4000-8000-000000000001', 9, 'forbidden', 'x') returning id$q$, '{}'),
  ('sync_rejections', 'update', $q$update public.sync_rejections set message = 'edited' where id = '97300000-0000-4000-8000-000000000001' returning id$q$, '{}'),
  ('sync_rejections', 'delete', $q$delete from public.sync_rejections where id = '97300000-0000-4000-8000-000000000001' returning id$q$, '{}'),
  -- Doc versions (issue 16): readers of the row's scope; written only by the sync_rows trigger and the review functions.
  ('doc_versions', 'select', $q$select id from public.doc_versions where id = '97400000-0000-4000-8000-000000000001'$q$, '{viewer,editor,admin,owner,tokenScoped}'),
  ('doc_versions', 'insert', $q$insert into public.doc_versions (org_id, kind, row_id, version, status, body_after) values ('10000000-0000-4000-8000-00000000000a', 'entity', 'model.fixture.synced', 7, 'published', 'forged') returning id$q$, '{}'),
  ('doc_versions', 'update', $q$update public.doc_versions set body_after = 'forged' where id = '97400000-0000-4000-8000-000000000001' returning id$q$, '{}'),
  ('doc_versions', 'delete', $q$delete from public.doc_versions where id = '97400000-0000-4000-8000-000000000001' returning id$q$, '{}'),
  ('sync_replicas', 'select', $q$select replica_id from public.sync_replicas where replica_id = '97000000-0000-4000-8000-000000000001'$q$, '{editor,admin,owner}'),
  ('sync_replicas', 'insert', $q$insert into public.sync_replicas (replica_id, org_id) values (gen_random_uuid(), '10000000-0000-4000-8000-00000000000a') returning replica_id$q$, '{}'),
  ('sync_replicas', 'update', $q$update public.sync_replicas set last_op = 0 where replica_id = '97000000-0000-4000-8000-000000000001' returning replica_id$q$, '{}'),
  ('sync_replicas', 'delete', $q$delete from public.sync_replicas where replica_id = '97000000-0000-4000-8000-000000000001' returning replica_id$q$, '{}'),
  ('catalog_classifications', 'select', $q$select id from public.catalog_classifications where id = '95000000-0000-4000-8000-000000000001'$q$, '{viewer,editor,admin,owner}'),
  ('catalog_classifications', 'insert', $q$insert into public.catalog_classifications (entity_id, classification) values ('90000000-0000-4000-8000-000000000001', 'pii.name') returning id$q$, '{editor,admin,owner}'),
  ('catalog_classifications', 'update', $q$update public.catalog_classifications set confidence = 0.5 where id = '95000000-0000-4000-8000-000000000001' returning id$q$, '{editor,admin,owner}'),
  ('catalog_classifications', 'delete', $q$delete from public.catalog_classifications where id = '95000000-0000-4000-8000-000000000001' returning id$q$, '{editor,admin,owner}');

select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'v')),
  (select array_agg(distinct tbl order by tbl) from matrix_cases),
  'the matrix covers every table and view in public');

-- Ordered in a subquery so TAP numbers come out in sequence.
select is(tests.try_as(s.actor, s.query), s.expected, s.description)
from (
  select a.actor, c.query,
         case when a.actor = any (c.allowed) then 'allow' else 'deny' end as expected,
         format('%s %s by %s', c.tbl, c.op, a.actor) as description
  from matrix_cases c
  cross join unnest(array['anon', 'outsider', 'viewer', 'editor', 'admin', 'owner', 'expired', 'removed', 'otherOwner',
                          'tokenScoped', 'tokenUnscoped']) with ordinality as a(actor, n)
  order by c.tbl, c.op, a.n
  offset 0
) s;

select * from finish();
rollback;
