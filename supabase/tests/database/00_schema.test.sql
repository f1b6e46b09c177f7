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
   where p.pronamespace = 'private'::regnamespace and p.prosecdef
     and not coalesce('search_path=""' = any(p.proconfig), false)),
  null, 'every security definer helper pins an empty search_path');

select is((select count(*)::int from public.permissions where key like '%.%'), (select count(*)::int from public.permissions),
  'permission keys are area.action');
select ok((select count(distinct area) from public.permissions) >= 18, 'the permission catalog covers every product area');

select * from finish();
rollback;
