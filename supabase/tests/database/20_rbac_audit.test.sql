-- Escalation attempts, invariants, secrets and the audit log, as in escalation.test.ts and
-- audit.test.ts. Actors switch with tests.as_actor(); tests.reset_actor() goes back to the runner.
-- Run with `supabase test db`.
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

create function tests.as_actor(p_actor text) returns void language plpgsql as $$
begin
  perform set_config('request.jwt.claims', tests.claims(p_actor)::text, true);
  perform set_config('role', tests.claims(p_actor) ->> 'role', true);
end
$$;
create function tests.reset_actor() returns void language plpgsql as $$
begin
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
end
$$;
grant usage on schema tests to anon, authenticated;
grant execute on all functions in schema tests to anon, authenticated;

-- Escalation ------------------------------------------------------------------------------------
select tests.as_actor('viewer');
select throws_ok($$ insert into public.role_assignments (org_id, user_id, role_id) values
  ('10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000003') $$,
  '42501', null, 'a viewer cannot grant themself admin');
select tests.reset_actor();

select tests.as_actor('admin');
select throws_ok($$ insert into public.role_assignments (org_id, user_id, role_id) values
  ('10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-000000000004') $$,
  '42501', null, 'an admin cannot grant owner');
select is_empty($$ delete from public.role_assignments where user_id = 'f0000000-0000-4000-8000-000000000001' returning id $$,
  'an admin cannot revoke the owner');
select is_empty($$ delete from public.organization_members where user_id = 'f0000000-0000-4000-8000-000000000001' returning user_id $$,
  'an admin cannot remove the owner from the organization');
select lives_ok($$ insert into public.roles (id, org_id, key, name) values
  ('30000000-0000-4000-8000-0000000000ff', '10000000-0000-4000-8000-00000000000a', 'superuser', 'Superuser') $$,
  'an admin may create a custom role');
select throws_ok($$ insert into public.role_permissions (role_id, permission_key) values ('30000000-0000-4000-8000-0000000000ff', 'org.delete') $$,
  '42501', null, 'an admin cannot put a permission they lack into a role');
select throws_ok($$ insert into public.roles (org_id, key, name, parent_role_id) values
  ('10000000-0000-4000-8000-00000000000a', 'heir', 'Heir', '00000000-0000-4000-8000-000000000004') $$,
  '42501', null, 'an admin cannot create a role inheriting owner');
select throws_ok($$ select public.create_invitation('10000000-0000-4000-8000-00000000000a', 'x@example.test', '00000000-0000-4000-8000-000000000004') $$,
  '42501', null, 'an admin cannot invite someone as owner');
select throws_ok($$ select public.create_api_token('10000000-0000-4000-8000-00000000000a', 'x', '{org.delete}') $$,
  '42501', null, 'an admin cannot mint a token with scopes they lack');
select tests.reset_actor();

select tests.as_actor('owner');
select throws_ok($$ delete from public.organization_members where user_id = 'f0000000-0000-4000-8000-000000000001' $$,
  'P0001', null, 'the last owner cannot leave');
select throws_ok($$ delete from public.role_assignments where user_id = 'f0000000-0000-4000-8000-000000000001' $$,
  'P0001', null, 'the last owner cannot drop the owner role');
select throws_ok($$ insert into public.role_permissions (role_id, permission_key) values ('00000000-0000-4000-8000-000000000001', 'org.delete') $$,
  '42501', null, 'built-in roles cannot be changed, even by owners');

-- Secrets ---------------------------------------------------------------------------------------
select throws_ok($$ select ciphertext from public.org_llm_keys $$, '42501', null, 'owners cannot read key ciphertext');
select throws_ok($$ select token_hash from public.api_tokens $$, '42501', null, 'owners cannot read token hashes');
select throws_ok($$ select secret_ciphertext from public.connectors $$, '42501', null, 'owners cannot read connector secrets');
select isnt_empty($$ select id, provider, key_version from public.org_llm_keys $$, 'key metadata stays readable');

-- Audit -----------------------------------------------------------------------------------------
select throws_ok($$ update public.audit_log set action = 'x' $$, '42501', null, 'owners cannot update the audit log');
select throws_ok($$ delete from public.audit_log $$, '42501', null, 'owners cannot delete from the audit log');
select throws_ok($$ truncate mallard_audit.log $$, '42501', null, 'owners cannot truncate the audit log');
select tests.reset_actor();

select tests.as_actor('admin');
select lives_ok($$ update public.feature_flags set enabled = false where key = 'ai.docs' $$, 'an admin changes a flag');
select tests.reset_actor();
select results_eq(
  $$ select actor_id, (before ->> 'enabled')::boolean, (after ->> 'enabled')::boolean from public.audit_log
     where action = 'feature_flags.update' order by id desc limit 1 $$,
  $$ values ('f0000000-0000-4000-8000-000000000002'::uuid, true, false) $$,
  'the flag change is audited with actor and before/after');
select is((select count(*)::int from public.audit_log where (coalesce(before, '{}') || coalesce(after, '{}')) ?| array['ciphertext', 'token_hash', 'secret_ciphertext']),
  0, 'no secret reaches the audit log');
select throws_ok($$ delete from public.audit_log $$, '42501', null, 'postgres (the dashboard user) cannot delete audit rows either');
select throws_ok($$ delete from mallard_audit.log $$, '42501', null, 'postgres cannot delete from the log table itself');
select throws_ok($$ alter table mallard_audit.log disable trigger log_no_update $$, '42501', null, 'postgres cannot disable the log''s guards');
select is_empty($$ select * from mallard_audit.verify() $$, 'the audit chain verifies');

select tests.as_actor('editor');
select is_empty($$ select id from public.audit_log $$, 'editors cannot read the audit log');
select tests.reset_actor();

-- Team hierarchy and expiry ---------------------------------------------------------------------
insert into public.role_assignments (org_id, user_id, role_id, team_id) values
  ('10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001');
insert into public.catalog_entities (org_id, team_id, entity_key, kind, name, user_id) values
  ('10000000-0000-4000-8000-00000000000a', '20000000-0000-4000-8000-000000000002', 'model.shop.child', 'model', 'child', 'f0000000-0000-4000-8000-000000000003');
select tests.as_actor('newcomer');
select results_eq($$ select entity_key from public.catalog_entities $$, $$ values ('model.shop.child') $$,
  'a grant on a parent team covers child-team rows and nothing org-wide');
select tests.reset_actor();

insert into public.organization_members (org_id, user_id) values ('10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-00000000000b');
insert into public.role_assignments (org_id, user_id, role_id, expires_at) values
  ('10000000-0000-4000-8000-00000000000a', 'f0000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-000000000001', now() + interval '1 hour');
select tests.as_actor('joiner');
select isnt_empty($$ select id from public.catalog_entities where id = '90000000-0000-4000-8000-000000000001' $$, 'a time-bound grant works before expiry');
select tests.reset_actor();
update public.role_assignments set expires_at = now() - interval '1 second' where user_id = 'f0000000-0000-4000-8000-00000000000b';
select tests.as_actor('joiner');
select is_empty($$ select id from public.catalog_entities where id = '90000000-0000-4000-8000-000000000001' $$, 'and stops after it');
select tests.reset_actor();

-- Service tokens -------------------------------------------------------------------------------
select tests.as_actor('tokenScoped');
select isnt_empty($$ select id from public.catalog_entities where id = '90000000-0000-4000-8000-000000000001' $$, 'a scoped token reads the catalog');
select throws_ok($$ select public.create_api_token('10000000-0000-4000-8000-00000000000a', 'child', '{catalog.read}') $$,
  '42501', null, 'a token cannot mint tokens');
select tests.reset_actor();
update public.api_tokens set revoked_at = now() where id = '60000000-0000-4000-8000-000000000001';
select tests.as_actor('tokenScoped');
select is_empty($$ select id from public.catalog_entities $$, 'a revoked token reads nothing');
select tests.reset_actor();
select tests.as_actor('tokenUnscoped');
select is_empty($$ select id from public.catalog_entities $$, 'a token without catalog.read reads nothing');
select tests.reset_actor();
set local request.jwt.claims = '{"role":"authenticated","sub":"f0000000-0000-4000-8000-000000000007","token_id":"60000000-0000-4000-8000-000000000002"}';
set local role authenticated;
select is_empty($$ select key from public.feature_flags $$, 'a token id that does not match sub is ignored');
select tests.reset_actor();

-- Catalog scope -----------------------------------------------------------------------------------
select tests.as_actor('owner');
select throws_ok($$ update public.catalog_entities set org_id = '10000000-0000-4000-8000-00000000000b'
  where id = '90000000-0000-4000-8000-000000000001' $$, '42501', null, 'catalog rows cannot move to another organization');
select tests.reset_actor();

select * from finish();
rollback;
