-- Org-level extraction (issue 15): connector schedules, runs and their chunk state. A run is a
-- sequence of chunk invocations of the `org-extract` edge function (each within the ~2 s CPU an
-- edge function gets); everything a later chunk needs lives here, so any chunk can crash and be
-- retried: the run row (phase, cursor, counts, errors, a lease), the staged source files with their
-- per-file step results, the staged org catalog rows, and which org catalog rows each connector
-- wrote (so rows that disappeared from the source are deleted). Members read runs through
-- `connectors.read` like connectors; staging is the server's only (schema private).

-- Schedules: every N minutes after the last run; null = on demand only.
alter table public.connectors add column schedule_minutes integer check (schedule_minutes between 15 and 44640);
grant select (schedule_minutes) on public.connectors to authenticated;
grant insert (schedule_minutes) on public.connectors to authenticated;
grant update (schedule_minutes) on public.connectors to authenticated;
-- Runs reference their connector within one organization.
alter table public.connectors add constraint connectors_org_id_id_key unique (org_id, id);

create table public.connector_runs (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  connector_id uuid not null,
  -- The connector's team when the run was queued (read scope, like the connector's).
  team_id uuid,
  trigger text not null check (trigger in ('manual', 'schedule')),
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  phase text not null default 'fetch' check (phase in ('fetch', 'parse', 'assemble', 'write', 'done')),
  chunks_done integer not null default 0 check (chunks_done >= 0),
  -- Consecutive failures of the current chunk; the run fails when it reaches the limit.
  attempts integer not null default 0 check (attempts >= 0),
  counts jsonb not null default '{}'::jsonb,
  errors jsonb not null default '[]'::jsonb,
  -- Milliseconds spent in chunks: total, the longest chunk, and per phase.
  timings jsonb not null default '{}'::jsonb,
  -- Internal chunk cursor (commit sha, files parsed, rows written); never shown as is.
  state jsonb not null default '{}'::jsonb,
  -- A chunk holds the run until then; a run whose lease ran out is picked up again by the scheduler.
  lease_until timestamptz,
  queued_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (org_id, id),
  foreign key (org_id, connector_id) references public.connectors (org_id, id) on delete cascade,
  foreign key (org_id, team_id) references public.teams (org_id, id) on delete set null (team_id)
);
create index connector_runs_org_id_idx on public.connector_runs (org_id);
create index connector_runs_team_id_idx on public.connector_runs (team_id);
create index connector_runs_connector_idx on public.connector_runs (connector_id, queued_at desc);
-- At most one queued or running run per connector.
create unique index connector_runs_one_active_idx on public.connector_runs (connector_id) where status in ('queued', 'running');
create index connector_runs_active_idx on public.connector_runs (lease_until) where status in ('queued', 'running');

-- Staging rows carry their organization and reference their run within it (a row cannot be moved to another tenant's run).
create table private.connector_run_files (
  org_id uuid not null,
  run_id uuid not null,
  path text not null,
  content text,
  -- The per-file step result (`FileStepResult` JSON) once parsed.
  result jsonb,
  primary key (run_id, path),
  foreign key (org_id, run_id) references public.connector_runs (org_id, id) on delete cascade
);
create index connector_run_files_org_idx on private.connector_run_files (org_id);

create table private.connector_run_rows (
  org_id uuid not null,
  run_id uuid not null,
  ord integer not null,
  kind text not null check (kind in ('catalogEntity', 'catalogColumn')),
  row_id text not null,
  payload jsonb not null,
  primary key (run_id, ord),
  unique (run_id, kind, row_id),
  foreign key (org_id, run_id) references public.connector_runs (org_id, id) on delete cascade
);
create index connector_run_rows_org_idx on private.connector_run_rows (org_id);

-- The org catalog rows each connector wrote last (a row no run of it produces again is deleted).
create table private.connector_catalog_rows (
  org_id uuid not null,
  connector_id uuid not null,
  kind text not null check (kind in ('catalogEntity', 'catalogColumn')),
  row_id text not null,
  primary key (connector_id, kind, row_id),
  foreign key (org_id, connector_id) references public.connectors (org_id, id) on delete cascade
);
create index connector_catalog_rows_row_idx on private.connector_catalog_rows (org_id, kind, row_id);

alter table public.connector_runs enable row level security;
alter table private.connector_run_files enable row level security;
alter table private.connector_run_rows enable row level security;
alter table private.connector_catalog_rows enable row level security;

revoke all on public.connector_runs from anon, authenticated, service_role;
revoke all on private.connector_run_files, private.connector_run_rows, private.connector_catalog_rows from public, anon, authenticated, service_role;
grant select on public.connector_runs to authenticated;
create policy connector_runs_select on public.connector_runs for select to authenticated
  using (org_id = any (array(select private.org_ids_with('connectors.read')))
         or (team_id = any (array(select s.team_id from private.team_scopes_with('connectors.read') s))
             and (org_id, team_id) in (select s.org_id, s.team_id from private.team_scopes_with('connectors.read') s)));

/*
 * The scheduler's selection (the `org-extract` function's `tick`, run by Supabase cron every
 * minute): queues a run for every active connector with a schedule whose last run was queued at
 * least `schedule_minutes` ago (or that never ran) and has none in progress, then returns every
 * queued or running run whose lease is absent or over (new ones, and chunks that crashed), oldest
 * first. Called by the functions' own login only.
 */
create function private.connector_due_runs(p_now timestamptz default now(), p_org_id uuid default null)
returns table (run_id uuid, org_id uuid)
language plpgsql volatile security definer set search_path = ''
as $$
begin
  insert into public.connector_runs (org_id, connector_id, team_id, trigger, queued_at, updated_at)
  select c.org_id, c.id, c.team_id, 'schedule', p_now, p_now
  from public.connectors c
  where c.status <> 'paused' and c.schedule_minutes is not null
    and (p_org_id is null or c.org_id = p_org_id)
    and not exists (select 1 from public.connector_runs r where r.connector_id = c.id and r.status in ('queued', 'running'))
    and coalesce((select max(r.queued_at) from public.connector_runs r where r.connector_id = c.id), '-infinity'::timestamptz)
        <= p_now - make_interval(mins => c.schedule_minutes)
  on conflict do nothing;
  return query
    select r.id, r.org_id from public.connector_runs r
    where r.status in ('queued', 'running') and (r.lease_until is null or r.lease_until < p_now)
      and (p_org_id is null or r.org_id = p_org_id)
    order by r.queued_at, r.id;
end
$$;

revoke all on function private.connector_due_runs(timestamptz, uuid) from public, anon, authenticated, service_role;
