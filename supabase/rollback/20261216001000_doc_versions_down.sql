-- Rollback of the doc versions migration (20261216001000, issue 16).
--
-- Published versions are a history of descriptions whose current text stays in public.sync_rows,
-- but pending versions exist nowhere else: the rollback refuses while any version is pending
-- (approve or reject them first). It drops the triggers on sync_rows, the table and its functions,
-- and forgets the migration. The audit log keeps what it recorded.
--
-- Run as `postgres`:  psql "$SUPABASE_DB_URL" -v ON_ERROR_STOP=1 -f supabase/rollback/20261216001000_doc_versions_down.sql
-- Undeploy the function first (`supabase functions delete doc-versions`) and deploy the previous
-- sync-push build (it calls private.doc_approval_targets).

begin;

do $$
begin
  if to_regclass('public.doc_versions') is not null and exists (select 1 from public.doc_versions where status = 'pending') then
    raise exception 'doc versions are pending approval; approve or reject them before rolling back';
  end if;
end
$$;
drop trigger if exists sync_rows_doc_versions_insert on public.sync_rows;
drop trigger if exists sync_rows_doc_versions_update on public.sync_rows;
drop table if exists public.doc_versions cascade;
drop function if exists private.doc_approval_on(uuid), private.doc_row_team(uuid, text, text), private.doc_approval_required(uuid, uuid),
  private.doc_approval_targets(uuid, jsonb), private.doc_next_version(uuid, text, text), private.doc_versions_record(),
  private.doc_write_description(uuid, text, text, text), private.doc_submit_pending(uuid, jsonb),
  private.doc_version_for_update(uuid), private.doc_version_review(uuid, boolean, text), private.doc_version_revert(uuid),
  private.doc_people(uuid, uuid[]);
delete from supabase_migrations.schema_migrations where version = '20261216001000';

commit;
