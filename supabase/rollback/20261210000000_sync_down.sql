-- Rollback of the sync migrations (20261210000000 … 20261210000200, issue 13).
--
-- Lossless or nothing: it refuses, changing nothing, while any synced row, conflict, loser,
-- rejection or replica exists (they are the only copy of edits that replicas may have dropped from
-- their outboxes). Once clients have synced, roll forward with a fixing migration instead, or export
-- the sync tables first and delete their rows deliberately. When it proceeds it drops the sync
-- tables, their private state and functions, and forgets the three migrations, so the enterprise
-- rollback (20260110000000_enterprise_down.sql) can run after it. The audit log keeps what it
-- recorded (an archive `postgres` cannot change).
--
-- Run as `postgres`:  psql "$SUPABASE_DB_URL" -v ON_ERROR_STOP=1 -f supabase/rollback/20261210000000_sync_down.sql
-- Undeploy the sync edge functions first (`supabase functions delete sync-push sync-pull health`).

begin;

do $$
declare
  v_report text[] := '{}';
  v_count bigint;
  v_table text;
begin
  foreach v_table in array array['sync_rows', 'sync_conflicts', 'sync_losers', 'sync_rejections', 'sync_replicas'] loop
    if to_regclass('public.' || v_table) is not null then
      execute format('select count(*) from public.%I', v_table) into v_count;
      if v_count > 0 then
        v_report := v_report || format('%s row(s) in public.%s', v_count, v_table);
      end if;
    end if;
  end loop;
  if cardinality(v_report) > 0 then
    raise exception 'rollback aborted: the sync tables hold data:%', E'\n  ' || array_to_string(v_report, E'\n  ')
      using errcode = 'P0001', hint = 'Export and delete these rows deliberately, or roll forward with a fixing migration.';
  end if;
end
$$;

drop table if exists public.sync_conflicts, public.sync_losers, public.sync_rejections, public.sync_replicas, public.sync_rows cascade;
drop table if exists private.sync_settings, private.sync_org_state, private.sync_request_stats cascade;
drop sequence if exists private.sync_seq;
drop function if exists private.sync_row_digest(text, text, jsonb), private.sync_entity_team(uuid, text, text), private.member_org_ids(),
  private.sync_stamp(), private.sync_guard(), private.sync_entity_team_moved(), private.sync_scopes(uuid),
  private.sync_open_replica(uuid, uuid, integer, boolean), private.sync_stream_bounds(uuid), private.sync_replica_pushed(uuid, bigint, bigint),
  private.sync_replica_pulled(uuid, bigint, xid8, bigint, jsonb), private.sync_retired_replicas(uuid),
  private.sync_put_catalog_row(uuid, text, text, uuid, jsonb), private.sync_delete_catalog_row(uuid, text, text), private.sync_gc(),
  private.sync_check_restore(boolean), private.sync_record_request(uuid, text, boolean, integer, integer), private.sync_health();
delete from supabase_migrations.schema_migrations where version in ('20261210000000', '20261210000100', '20261210000200');

commit;
