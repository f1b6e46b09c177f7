-- Rollback of the set-based org-catalog writer (20261216003000, issue 15).
--
-- The migration adds two functions and no data: it drops them and forgets the migration, so the
-- org extraction rollback (20261215001000_org_extract_down.sql) and the ones before it can run
-- after it. Deploy an `org-extract` function that writes through `private.sync_put_catalog_row`
-- (the per-row writer, which stays) before running this, or org extraction's write chunks fail.
--
-- Run as `postgres`:  psql "$SUPABASE_DB_URL" -v ON_ERROR_STOP=1 -f supabase/rollback/20261216003000_catalog_rows_writer_down.sql

begin;

drop function if exists private.sync_put_catalog_rows(uuid, uuid, jsonb);
drop function if exists private.sync_delete_catalog_rows(uuid, jsonb);
delete from supabase_migrations.schema_migrations where version = '20261216003000';

commit;
