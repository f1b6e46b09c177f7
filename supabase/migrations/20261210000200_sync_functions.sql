-- Team sync, part 3 (issue 13): what the edge functions call besides plain (RLS-checked) SQL —
-- replica registry, scopes, the org-catalog writer, tombstone GC and replica retirement, restore
-- detection (epoch), request statistics and the health report. Security definer where they touch
-- what clients may not write; each checks the caller itself.

/* The scopes the current principal reads in `p_org_id` (catalog.read): the whole organization, or teams. */
create function private.sync_scopes(p_org_id uuid)
returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
begin
  if p_org_id = any (array(select private.org_ids_with('catalog.read'))) then
    return jsonb_build_array(jsonb_build_object('orgId', p_org_id, 'teamId', null));
  end if;
  return coalesce((select jsonb_agg(jsonb_build_object('orgId', s.org_id, 'teamId', s.team_id) order by s.team_id)
                   from private.team_scopes_with('catalog.read') s where s.org_id = p_org_id), '[]'::jsonb);
end
$$;

/*
 * Opens replica `p_replica` of organization `p_org_id` for the current principal: registers it on
 * first contact (members only), refuses a replica of another principal or organization (42501),
 * stamps its use and returns its state with the database epoch and the organization's GC floor.
 * A push locks the replica row until commit, so one replica's pushes apply one at a time.
 */
create function private.sync_open_replica(p_replica uuid, p_org_id uuid, p_schema_version integer, p_for_push boolean)
returns table (last_op bigint, max_op_seen bigint, retired boolean, scopes jsonb, cursor_epoch bigint, epoch bigint,
               floor_xid xid8, floor_seq bigint, member boolean)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_user uuid := private.acting_user_id();
  v_token uuid := private.current_token_id();
  v_member boolean := p_org_id = any (array(select private.member_org_ids()));
  v_row public.sync_replicas;
begin
  if p_replica is null or p_org_id is null or v_user is null then
    raise exception 'a replica needs an organization and a signed-in principal' using errcode = '42501';
  end if;
  if p_for_push then
    select * into v_row from public.sync_replicas r where r.replica_id = p_replica for update;
  else
    select * into v_row from public.sync_replicas r where r.replica_id = p_replica;
  end if;
  if v_row.replica_id is null then
    if not v_member then
      raise exception 'not a member of organization %', p_org_id using errcode = '42501';
    end if;
    insert into public.sync_replicas (replica_id, org_id, user_id, token_id, schema_version, last_used_at)
      values (p_replica, p_org_id, v_user, v_token, p_schema_version, now())
      returning * into v_row;
  elsif v_row.org_id <> p_org_id or v_row.user_id is distinct from v_user or v_row.token_id is distinct from v_token then
    raise exception 'replica % belongs to another principal or organization', p_replica using errcode = '42501';
  elsif p_for_push and not v_member then
    raise exception 'not a member of organization %', p_org_id using errcode = '42501';
  else
    update public.sync_replicas r set last_used_at = now(), schema_version = p_schema_version
      where r.replica_id = p_replica and (r.schema_version is distinct from p_schema_version or r.last_used_at < now() - interval '1 minute');
  end if;
  return query
    select v_row.last_op, v_row.max_op_seen, v_row.retired_at is not null, v_row.scopes, v_row.cursor_epoch, s.epoch,
           coalesce(o.floor_xid, '0'::xid8), coalesce(o.floor_seq, 0), v_member
    from private.sync_settings s left join private.sync_org_state o on o.org_id = p_org_id;
end
$$;

/* The database epoch and the organization's GC floor, read inside a pull's snapshot. */
create function private.sync_stream_bounds(p_org_id uuid)
returns table (epoch bigint, floor_xid xid8, floor_seq bigint)
language sql stable security definer set search_path = ''
as $$
  select s.epoch, coalesce(o.floor_xid, '0'::xid8), coalesce(o.floor_seq, 0)
  from private.sync_settings s left join private.sync_org_state o on o.org_id = p_org_id
$$;

/* Records a push: the last applied (or rejected) op number and the highest op number seen. */
create function private.sync_replica_pushed(p_replica uuid, p_last_op bigint, p_max_op_seen bigint)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
begin
  update public.sync_replicas r
    set last_op = greatest(r.last_op, p_last_op), max_op_seen = greatest(r.max_op_seen, p_max_op_seen, p_last_op)
  where r.replica_id = p_replica and r.user_id = private.acting_user_id() and r.token_id is not distinct from private.current_token_id()
    and (r.last_op < p_last_op or r.max_op_seen < greatest(p_max_op_seen, p_last_op));
end
$$;

/* Records a pull: the cursor served (it holds the GC floor) and the scopes the replica now holds. */
create function private.sync_replica_pulled(p_replica uuid, p_epoch bigint, p_xid xid8, p_seq bigint, p_scopes jsonb)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
begin
  update public.sync_replicas r
    set cursor_epoch = p_epoch, cursor_xid = p_xid, cursor_seq = p_seq, scopes = coalesce(p_scopes, '[]'::jsonb)
  where r.replica_id = p_replica and r.user_id = private.acting_user_id() and r.token_id is not distinct from private.current_token_id()
    and (r.cursor_epoch is distinct from p_epoch or r.cursor_xid is distinct from p_xid or r.cursor_seq is distinct from p_seq
         or r.scopes is distinct from coalesce(p_scopes, '[]'::jsonb));
end
$$;

/* Retired replicas of an organization (their vector entries fold into the server entry `*`). Members only. */
create function private.sync_retired_replicas(p_org_id uuid)
returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not (p_org_id = any (array(select private.member_org_ids()))) then
    return '{}';
  end if;
  return coalesce((select array_agg(r.replica_id) from public.sync_replicas r where r.org_id = p_org_id and r.retired_at is not null), '{}');
end
$$;

-- The org catalog writer: server-side extraction and connectors write catalogEntity/catalogColumn rows
-- as one replica of their own (its id below), so their rows carry ordinary version vectors.
/* Writes (or restores) one org-catalog row; the payload replaces the previous one (the cloud is the authority). */
create function private.sync_put_catalog_row(p_org_id uuid, p_kind text, p_row_id text, p_team_id uuid, p_payload jsonb)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_writer constant text := '00000000-0000-4000-8000-00000000ca7a';
  v_vector jsonb;
begin
  if p_kind not in ('catalogEntity', 'catalogColumn') or p_payload is null then
    raise exception 'the org catalog holds catalogEntity and catalogColumn rows with a payload' using errcode = '22023';
  end if;
  select r.vector into v_vector from public.sync_rows r where r.org_id = p_org_id and r.kind = p_kind and r.row_id = p_row_id for update;
  v_vector := coalesce(v_vector, '{}'::jsonb) || jsonb_build_object(v_writer, coalesce((v_vector ->> v_writer)::bigint, 0) + 1);
  insert into public.sync_rows as r (org_id, kind, row_id, team_id, fields, provenance, vector, deleted)
  values (p_org_id, p_kind, p_row_id, p_team_id, jsonb_build_object('payload', p_payload),
          jsonb_build_object('payload', jsonb_build_object(v_writer, v_vector -> v_writer)), v_vector, null)
  on conflict (org_id, kind, row_id) do update
    set team_id = excluded.team_id, fields = excluded.fields, provenance = excluded.provenance, vector = excluded.vector, deleted = null;
end
$$;

/* Deletes one org-catalog row (a tombstone). */
create function private.sync_delete_catalog_row(p_org_id uuid, p_kind text, p_row_id text)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_writer constant text := '00000000-0000-4000-8000-00000000ca7a';
begin
  update public.sync_rows r
    set vector = r.vector || jsonb_build_object(v_writer, coalesce((r.vector ->> v_writer)::bigint, 0) + 1),
        deleted = jsonb_build_object(v_writer, coalesce((r.vector ->> v_writer)::bigint, 0) + 1),
        fields = '{}'::jsonb, provenance = '{}'::jsonb
  where r.org_id = p_org_id and r.kind = p_kind and r.row_id = p_row_id and r.kind in ('catalogEntity', 'catalogColumn')
    and r.deleted is null;
end
$$;

/*
 * Retirement and tombstone GC (run by a scheduled server job with the service role): replicas
 * silent for longer than the tombstone window are retired; each organization's floor becomes the
 * oldest cursor of its active replicas in the current epoch (or the newest stamp when none is
 * active), and tombstones at or below it are purged (every active replica has seen them). A
 * replica whose cursor is below the floor must resync from scratch (`cursor-expired`). Returns counts.
 */
create function private.sync_gc()
returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_settings private.sync_settings;
  v_retired integer;
  v_purged integer := 0;
  v_count integer;
  v_org record;
begin
  select * into v_settings from private.sync_settings;
  update public.sync_replicas r set retired_at = now()
    where r.retired_at is null and coalesce(r.last_used_at, r.created_at) < now() - v_settings.tombstone_window;
  get diagnostics v_retired = row_count;
  for v_org in
    select o.id,
           (select min(array[r.cursor_xid::text::numeric, r.cursor_seq::numeric]) from public.sync_replicas r
            where r.org_id = o.id and r.retired_at is null and r.cursor_epoch = v_settings.epoch) as oldest,
           (select array[max(x.txid)::text::numeric, 0] from public.sync_rows x where x.org_id = o.id) as newest
    from public.organizations o
  loop
    insert into private.sync_org_state as s (org_id, floor_xid, floor_seq, gc_at)
    values (v_org.id, coalesce(v_org.oldest[1], v_org.newest[1], 0)::text::xid8, coalesce(v_org.oldest[2], 0)::bigint, now())
    on conflict (org_id) do update
      set floor_xid = greatest(s.floor_xid, excluded.floor_xid),
          floor_seq = case when excluded.floor_xid > s.floor_xid then excluded.floor_seq
                           when excluded.floor_xid = s.floor_xid then greatest(s.floor_seq, excluded.floor_seq) else s.floor_seq end,
          gc_at = now();
    delete from public.sync_rows x using private.sync_org_state s
      where s.org_id = v_org.id and x.org_id = v_org.id and x.deleted is not null and (x.txid, x.seq) <= (s.floor_xid, s.floor_seq);
    get diagnostics v_count = row_count;
    v_purged := v_purged + v_count;
  end loop;
  delete from private.sync_request_stats where bucket < now() - interval '7 days';
  return jsonb_build_object('retired', v_retired, 'purgedTombstones', v_purged);
end
$$;

/*
 * After a restore (a dump does not keep transaction ids), rows can carry stamps at or above the
 * next transaction id, and new writes would stamp below cursors clients hold. Detects that, bumps
 * the epoch (clients get `epoch-changed` and resync from scratch) and re-stamps every stream row.
 * `p_force` bumps regardless (the runbook's manual step). Returns true when it bumped.
 */
create function private.sync_check_restore(p_force boolean default false)
returns boolean
language plpgsql volatile security definer set search_path = ''
as $$
begin
  if not p_force and not exists (select 1 from public.sync_rows r
      where r.txid >= pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())) then
    return false;
  end if;
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('mallard.sync.restore', 0));
  update private.sync_settings set epoch = epoch + 1, epoch_changed_at = now();
  update private.sync_org_state set floor_xid = '0'::xid8, floor_seq = 0;
  update public.sync_replicas set cursor_epoch = null, cursor_xid = null, cursor_seq = null where cursor_epoch is not null;
  -- Re-stamping is an update of the stamp only; the stamp trigger gives each row the current xid.
  update public.sync_rows set seq = seq;
  update public.sync_conflicts set seq = seq;
  update public.sync_losers set seq = seq;
  update public.sync_rejections set seq = seq;
  return true;
end
$$;

/* Counts one sync request of an organization for `health` (the edge functions call it after each request). */
create function private.sync_record_request(p_org_id uuid, p_fn text, p_error boolean, p_ops integer, p_rejected integer)
returns void
language sql volatile security definer set search_path = ''
as $$
  insert into private.sync_request_stats as s (org_id, fn, bucket, requests, errors, ops, rejected)
  values (coalesce(p_org_id, '00000000-0000-0000-0000-000000000000'::uuid), p_fn, date_trunc('minute', now()), 1,
          case when p_error then 1 else 0 end, coalesce(p_ops, 0), coalesce(p_rejected, 0))
  on conflict (org_id, fn, bucket) do update
    set requests = s.requests + 1, errors = s.errors + excluded.errors, ops = s.ops + excluded.ops, rejected = s.rejected + excluded.rejected
$$;

/*
 * The operations report behind the `health` edge function (service role only): per organization
 * the sync lag (rows written but not yet servable, and how long the quietest active replica has
 * not pulled), push/pull requests and error rates over the last hour, ops applied, rejected and
 * pending (seen but stopped at a gap), open conflicts and tombstones; for the database the epoch,
 * the settled horizon and the oldest open write transaction (it holds back every pull).
 */
create function private.sync_health()
returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_horizon xid8 := pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot());
  v_orgs jsonb;
  v_oldest record;
begin
  select extract(epoch from now() - a.xact_start)::float8 as seconds, a.backend_xid::text as xid, a.state
    into v_oldest
    from pg_catalog.pg_stat_activity a
    where a.backend_xid is not null and a.datname = current_database() and a.pid <> pg_catalog.pg_backend_pid()
    order by a.xact_start limit 1;
  select coalesce(jsonb_agg(x.report order by x.name), '[]'::jsonb) into v_orgs from (
    select o.name, jsonb_build_object(
      'orgId', o.id,
      'name', o.name,
      'replicas', (select jsonb_build_object('active', count(*) filter (where r.retired_at is null),
                                             'retired', count(*) filter (where r.retired_at is not null))
                   from public.sync_replicas r where r.org_id = o.id),
      'lag', (select jsonb_build_object(
                'unsettledRows', count(*),
                'oldestUnsettledSeconds', extract(epoch from now() - min(x.updated_at))::float8)
              from public.sync_rows x where x.org_id = o.id and x.txid >= v_horizon)
             || (select jsonb_build_object('maxReplicaIdleSeconds', extract(epoch from now() - min(coalesce(r.last_used_at, r.created_at)))::float8)
                 from public.sync_replicas r where r.org_id = o.id and r.retired_at is null),
      'requests', (select jsonb_object_agg(f.fn, jsonb_build_object(
                     'requests', coalesce(s.requests, 0), 'errors', coalesce(s.errors, 0),
                     'errorRate', case when coalesce(s.requests, 0) = 0 then 0 else s.errors::float8 / s.requests end))
                   from (values ('sync-push'), ('sync-pull')) f(fn)
                   left join lateral (select sum(t.requests) as requests, sum(t.errors) as errors from private.sync_request_stats t
                                      where t.org_id = o.id and t.fn = f.fn and t.bucket > now() - interval '1 hour') s on true),
      'ops', jsonb_build_object(
        'appliedLastHour', (select coalesce(sum(t.ops - t.rejected), 0) from private.sync_request_stats t
                            where t.org_id = o.id and t.fn = 'sync-push' and t.bucket > now() - interval '1 hour'),
        'rejectedLastHour', (select count(*) from public.sync_rejections j where j.org_id = o.id and j.created_at > now() - interval '1 hour'),
        'rejectedTotal', (select count(*) from public.sync_rejections j where j.org_id = o.id),
        'pending', (select coalesce(sum(r.max_op_seen - r.last_op), 0) from public.sync_replicas r
                    where r.org_id = o.id and r.retired_at is null and r.max_op_seen > r.last_op)),
      'conflictsOpen', (select count(*) from public.sync_conflicts c where c.org_id = o.id and c.status = 'open'),
      'tombstones', (select jsonb_build_object('count', count(*),
                       'floor', (select jsonb_build_object('xid', s.floor_xid::text, 'seq', s.floor_seq::text, 'gcAt', s.gc_at)
                                 from private.sync_org_state s where s.org_id = o.id))
                     from public.sync_rows x where x.org_id = o.id and x.deleted is not null)
    ) as report
    from public.organizations o
    where exists (select 1 from public.sync_replicas r where r.org_id = o.id)
       or exists (select 1 from public.sync_rows x where x.org_id = o.id)
  ) x;
  return jsonb_build_object(
    'epoch', (select s.epoch::text from private.sync_settings s),
    'horizon', v_horizon::text,
    'oldestOpenWriteTransaction', case when v_oldest.xid is null then null
      else jsonb_build_object('seconds', v_oldest.seconds, 'xid', v_oldest.xid, 'state', v_oldest.state) end,
    'orgs', v_orgs);
end
$$;

-- Privileges: policy helpers for clients, the rest for the server. The sync functions call the
-- replica helpers inside the caller's transaction (role authenticated); postgres (the functions'
-- database login) runs the others.
revoke all on function private.sync_row_digest(text, text, jsonb), private.sync_entity_team(uuid, text, text), private.member_org_ids(),
  private.sync_stamp(), private.sync_guard(), private.sync_entity_team_moved(), private.sync_scopes(uuid),
  private.sync_open_replica(uuid, uuid, integer, boolean), private.sync_replica_pushed(uuid, bigint, bigint),
  private.sync_replica_pulled(uuid, bigint, xid8, bigint, jsonb), private.sync_retired_replicas(uuid), private.sync_stream_bounds(uuid),
  private.sync_put_catalog_row(uuid, text, text, uuid, jsonb), private.sync_delete_catalog_row(uuid, text, text), private.sync_gc(),
  private.sync_check_restore(boolean), private.sync_record_request(uuid, text, boolean, integer, integer), private.sync_health()
  from public, anon, authenticated, service_role;
grant execute on function private.member_org_ids(), private.sync_scopes(uuid), private.sync_open_replica(uuid, uuid, integer, boolean),
  private.sync_replica_pushed(uuid, bigint, bigint), private.sync_replica_pulled(uuid, bigint, xid8, bigint, jsonb),
  private.sync_retired_replicas(uuid), private.sync_stream_bounds(uuid)
  to authenticated;
grant execute on function private.sync_put_catalog_row(uuid, text, text, uuid, jsonb), private.sync_delete_catalog_row(uuid, text, text),
  private.sync_gc(), private.sync_check_restore(boolean), private.sync_health(), private.sync_row_digest(text, text, jsonb)
  to service_role;
