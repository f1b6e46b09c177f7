-- Schema-level guarantees: RLS everywhere, policies only for `authenticated`, no anon grants,
-- secrets not selectable, helpers not exposed. Run with `supabase test db`.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select * from no_plan();

select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class c
   where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and not c.relrowsecurity),
  null, 'every table in public has row level security enabled');

select is_empty($$ select tablename, policyname from pg_policies
  where schemaname = 'public' and roles <> '{authenticated}'::name[] $$,
  'every policy is for authenticated only');

select is_empty($$ select table_name from information_schema.role_table_grants
  where table_schema = 'public' and grantee in ('anon', 'PUBLIC') $$,
  'nothing in public is granted to anon or PUBLIC');

select is_empty($$
  select c.relname, a.attname from pg_attribute a join pg_class c on c.oid = a.attrelid
  where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and not a.attisdropped
    and a.attname in ('org_id', 'team_id', 'user_id')
    and not exists (select 1 from pg_index i where i.indrelid = c.oid and i.indkey[0] = a.attnum) $$,
  'every org_id/team_id/user_id column (what policies filter on) leads an index');

select ok(not has_column_privilege('authenticated', 'public.org_llm_keys', 'ciphertext', 'select'), 'llm key ciphertext is not selectable');
select ok(not has_column_privilege('authenticated', 'public.api_tokens', 'token_hash', 'select'), 'api token hash is not selectable');
select ok(not has_column_privilege('authenticated', 'public.connectors', 'secret_ciphertext', 'select'), 'connector secret is not selectable');
select ok(not has_column_privilege('authenticated', 'public.invitations', 'token_hash', 'select'), 'invitation token hash is not selectable');
select ok(not has_table_privilege('authenticated', 'public.audit_log', 'update'), 'audit log is not updatable by clients');
select ok(not has_table_privilege('authenticated', 'public.audit_log', 'delete'), 'audit log is not deletable by clients');
select ok(not has_table_privilege('service_role', 'public.audit_log', 'delete'), 'audit log is not deletable by the service role');
select ok(not has_function_privilege('authenticated', 'private.user_grants(uuid)', 'execute'), 'per-user grant lookup is internal');
select ok(not has_function_privilege('authenticated', 'private.resolve_api_token(text)', 'execute'), 'token resolution is for the service role');
select ok(has_function_privilege('service_role', 'private.resolve_api_token(text)', 'execute'), 'the service role resolves tokens');

select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc p
   where p.pronamespace in ('private'::regnamespace, 'mallard_audit'::regnamespace, 'public'::regnamespace) and p.prosecdef
     and not coalesce('search_path=""' = any(p.proconfig), false)),
  null, 'every security definer helper pins an empty search_path');

-- Issue 12: functions, sequences, tenant keys and the audit log.
select is_empty($$ select p.oid::regprocedure from pg_proc p
  where p.pronamespace in ('private'::regnamespace, 'mallard_audit'::regnamespace, 'public'::regnamespace)
    and (has_function_privilege('anon', p.oid, 'execute')
         or exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a where a.grantee = 0)) $$,
  'no function of public, private or mallard_audit is executable by PUBLIC or anon');
select ok(not has_function_privilege('authenticated', 'private.migrate_single_user_data()', 'execute'), 'clients cannot run the single-user data move');
select is_empty($$ select c.oid::regclass from pg_class c cross join (values ('anon'), ('authenticated'), ('service_role')) r(role)
  where c.relkind = 'S' and c.relnamespace in ('public'::regnamespace, 'mallard_audit'::regnamespace)
    and (has_sequence_privilege(r.role, c.oid, 'usage') or has_sequence_privilege(r.role, c.oid, 'update')) $$,
  'no sequence is usable by the API roles');
select is_empty($$ select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
  and (select count(*) from pg_trigger t where t.tgrelid = c.oid and t.tgfoid = 'mallard_audit.record_changes()'::regprocedure
       and (t.tgtype & 1) = 0) <> 3 $$,
  'every table in public is audited (statement-level triggers on insert, update and delete)');
select isnt((select nspowner::regrole::text from pg_namespace where nspname = 'mallard_audit'), 'postgres', 'the audit schema is not owned by postgres');
select ok(not pg_has_role('postgres', (select nspowner from pg_namespace where nspname = 'mallard_audit'), 'member'),
  'postgres is not a member of the audit owner role');
select ok(not has_table_privilege('service_role', 'mallard_audit.log', 'insert'), 'the service role cannot append to the audit log');
select ok(not has_table_privilege('postgres', 'mallard_audit.log', 'insert'), 'postgres cannot append to the audit log');
select is_empty($$ select conrelid::regclass, conname from pg_constraint
  where contype = 'f' and connamespace = 'public'::regnamespace
    and confrelid in ('public.catalog_entities'::regclass, 'public.teams'::regclass)
    and not (select array_agg(a.attname::text) from pg_attribute a where a.attrelid = conrelid and a.attnum = any (conkey)) @> '{org_id}' $$,
  'every reference to an entity or a team carries org_id (composite key)');
select ok(not has_table_privilege('authenticated', 'public.organization_members', 'insert'), 'clients cannot insert members directly');
select ok(not has_table_privilege('authenticated', 'public.invitations', 'insert'), 'invitations only through create_invitation');
select ok(not has_table_privilege('authenticated', 'public.api_tokens', 'insert'), 'tokens only through create_api_token');
select ok(not has_table_privilege('authenticated', 'public.usage_logs', 'insert'), 'usage only from the server');
select ok(not has_column_privilege('authenticated', 'public.catalog_entities', 'user_id', 'update'), 'authors are set by the server');

select is((select count(*)::int from public.permissions where key like '%.%'), (select count(*)::int from public.permissions),
  'permission keys are area.action');
select ok((select count(distinct area) from public.permissions) >= 18, 'the permission catalog covers every product area');

select * from finish();
rollback;
