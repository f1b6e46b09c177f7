-- Rollback of the org extraction migration (20261215001000, issue 15).
--
-- Runs and their staging hold nothing that exists nowhere else (a run can be started again; the
-- org catalog rows it wrote stay in the sync tables), so it proceeds whatever they hold: it drops
-- the runs, the staging and ownership tables, the scheduler's function and the connectors'
-- schedule column, and forgets the migration, so the sync rollback
-- (20261210000000_sync_down.sql) and the enterprise rollback can run after it. The audit log keeps
-- what it recorded.
--
-- Run as `postgres`:  psql "$SUPABASE_DB_URL" -v ON_ERROR_STOP=1 -f supabase/rollback/20261215001000_org_extract_down.sql
-- Undeploy the functions first (`supabase functions delete connectors org-extract`) and remove the
-- cron job that calls `org-extract`.

begin;

drop table if exists private.connector_run_files, private.connector_run_rows, private.connector_catalog_rows cascade;
drop table if exists public.connector_runs cascade;
drop function if exists private.connector_due_runs(timestamptz, uuid);
alter table public.connectors drop constraint if exists connectors_org_id_id_key;
alter table public.connectors drop column if exists schedule_minutes;
delete from supabase_migrations.schema_migrations where version = '20261215001000';

commit;
