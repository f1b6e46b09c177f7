-- Rollback of 20261216002000_compliance_open_events (issue 16): drops the one-open-event-per-rule-
-- and-target index and forgets the migration, so the earlier rollbacks can run after it. Events stay.
--
-- Run as `postgres`:  psql "$SUPABASE_DB_URL" -v ON_ERROR_STOP=1 -f supabase/rollback/20261216002000_compliance_open_events_down.sql
-- Undeploy the `compliance` function first (`supabase functions delete compliance`) and remove any
-- schedule that calls it.

begin;

drop index if exists public.compliance_events_open_key;
delete from supabase_migrations.schema_migrations where version = '20261216002000';

commit;
