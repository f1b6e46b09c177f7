-- Rollback of the `ai` function's migration (20261216000000, issue 16): drops the LLM keys' endpoint
-- columns (base URL, model allow-list, api-version) and the usage index, and forgets the migration,
-- so the admin, org-extract, sync and enterprise rollbacks can run after it. Sealed keys and usage
-- rows stay; an admin re-enters endpoints if the migration is applied again.
--
-- Run as `postgres`:  psql "$SUPABASE_DB_URL" -v ON_ERROR_STOP=1 -f supabase/rollback/20261216000000_ai_function_down.sql
-- Undeploy the function first (`supabase functions delete ai`).

begin;

drop index if exists public.usage_logs_org_kind_created_idx;
alter table public.org_llm_keys drop column if exists base_url, drop column if exists models, drop column if exists api_version;
delete from supabase_migrations.schema_migrations where version = '20261216000000';

commit;
