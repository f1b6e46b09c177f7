-- Rollback of the admin function's migration (20261215000000, issue 15): drops its RPCs and the
-- masked form of LLM keys (derived data: the sealed keys stay and still decrypt; re-adding the
-- column shows `••••` until a key is rotated), and forgets the migration. Run it before the sync
-- rollback (20261210000000_sync_down.sql), which runs before the enterprise rollback. The audit log
-- keeps what it recorded.
--
-- Run as `postgres`:  psql "$SUPABASE_DB_URL" -v ON_ERROR_STOP=1 -f supabase/rollback/20261215000000_admin_down.sql
-- Undeploy the admin edge function first (`supabase functions delete admin`).

begin;

drop function if exists public.admin_member_directory(uuid), public.admin_my_grants(uuid),
  public.admin_invite(uuid, text, uuid, uuid, timestamptz), public.admin_resend_invitation(uuid, uuid),
  public.admin_create_api_token(uuid, text, text[], timestamptz);
alter table public.org_llm_keys drop column if exists masked;
delete from supabase_migrations.schema_migrations where version = '20261215000000';

commit;
