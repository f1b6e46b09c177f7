-- Team sync, part 1 (issue 13): where synced rows live, their change stamps, records and replicas.
-- The wire format is core/sync/ (README there); design and measured pitfalls: shared/design/sync.md.
--
--   * public.sync_rows holds every synced row of an organization, one per (kind, id): user-authored
--     metadata (kinds `entity`, `column`: fields, per-field provenance, version vector, tombstone)
--     and the org catalog produced in the cloud (`catalogEntity`, `catalogColumn`: one `payload`
--     field, written only by server writers). The first-generation catalog_* tables are not synced.
--   * Every write is stamped by trigger with the writing transaction (`pg_current_xact_id()`, xid8)
--     and a sequence number; pulls serve only settled transactions (below
--     `pg_snapshot_xmin(pg_current_snapshot())`), so rows committed out of order are never skipped.
--   * Deletes are tombstones that keep their place in the stream; they are purged below the
--     organization's GC floor (the oldest active replica's cursor).
--   * Conflicts, losers and rejections are kept and visible to the people concerned (RLS).
--   * Replicas (one per SQLite file) with their last applied op number and last pulled cursor.
--   * Writes come only from the sync edge functions, which run each request under the caller's role
--     and claims (so RLS applies as for PostgREST) and set `mallard.sync_writer` in the transaction;
--     a Data API client cannot set that setting, so it cannot bypass the merge.
-- Every new table is audited (mallard_audit.record_change) like the rest of public.

-- 1. Database-wide sync state --------------------------------------------------------------------
create table private.sync_settings (
  id boolean primary key check (id),
  -- Bumped when the database is restored (xids of a dump do not survive): clients resync from scratch.
  epoch bigint not null default 1 check (epoch > 0),
  -- A replica silent for longer is retired (its vector entries fold, its cursor stops holding the floor).
  tombstone_window interval not null default interval '30 days' check (tombstone_window > interval '0'),
  epoch_changed_at timestamptz not null default now()
);
insert into private.sync_settings (id) values (true);

/* Per organization: the tombstone GC floor (cursors below it are expired: full resync). */
create table private.sync_org_state (
  org_id uuid primary key references public.organizations (id) on delete cascade,
  floor_xid xid8 not null default '0'::xid8,
  floor_seq bigint not null default 0,
  gc_at timestamptz
);

/* Request outcomes per organization and minute, for `health` (error rates). Unaudited telemetry. */
create table private.sync_request_stats (
  org_id uuid not null,
  -- 'sync-push' or 'sync-pull' (written only by private.sync_record_request).
  fn text not null,
  bucket timestamptz not null,
  requests integer not null default 0,
  errors integer not null default 0,
  ops integer not null default 0,
  rejected integer not null default 0,
  primary key (org_id, fn, bucket)
);
create index sync_request_stats_bucket_idx on private.sync_request_stats (bucket);

-- The change-stamp sequence: used only by the security-definer stamp trigger.
create sequence private.sync_seq as bigint;

-- 2. Synced rows ---------------------------------------------------------------------------------
create table public.sync_rows (
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind text not null check (kind ~ '^[a-z][A-Za-z0-9]{0,63}$'),
  row_id text not null check (length(row_id) between 1 and 1024),
  -- The row's team: derived from its entity in the org catalog (never sent by clients).
  team_id uuid,
  -- Field path → value (unset fields absent), field path → provenance vector, the row's vector.
  fields jsonb not null default '{}'::jsonb check (jsonb_typeof(fields) = 'object'),
  provenance jsonb not null default '{}'::jsonb check (jsonb_typeof(provenance) = 'object'),
  vector jsonb not null default '{}'::jsonb check (jsonb_typeof(vector) = 'object'),
  -- Set on a tombstone: the change(s) that deleted the row.
  deleted jsonb,
  -- Checksum digest of (kind, id, vector) while live (core/sync/checksum.ts), kept by the stamp trigger.
  digest numeric(20, 0),
  -- Change stamp: writing transaction and sequence (set by trigger on every write).
  txid xid8 not null default '0'::xid8,
  seq bigint not null default 0,
  created_by uuid references auth.users (id) on delete set null,
  updated_by uuid references auth.users (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (org_id, kind, row_id),
  foreign key (org_id, team_id) references public.teams (org_id, id) on delete set null (team_id)
);
create index sync_rows_stream_idx on public.sync_rows (org_id, txid, seq);
create index sync_rows_team_id_idx on public.sync_rows (team_id);
create index sync_rows_txid_idx on public.sync_rows (txid);
-- A row's entity (the id before '#'): metadata and columns follow their catalog entity's team.
create index sync_rows_entity_idx on public.sync_rows (org_id, split_part(row_id, '#', 1));
create index sync_rows_tombstones_idx on public.sync_rows (org_id, txid, seq) where deleted is not null;

-- 3. Records: conflicts, losers, rejections -------------------------------------------------------
create table public.sync_conflicts (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  team_id uuid,
  kind text not null,
  row_id text not null,
  field text not null,
  server_value jsonb not null default 'null'::jsonb,
  server_provenance jsonb not null default '{}'::jsonb,
  incoming_value jsonb not null default 'null'::jsonb,
  incoming_provenance jsonb not null default '{}'::jsonb,
  replica_id uuid not null,
  op_number bigint not null check (op_number > 0),
  -- The op's author (a token's creator), stamped by the server.
  author_id uuid references auth.users (id) on delete set null,
  status text not null default 'open' check (status in ('open', 'resolved')),
  resolved_at timestamptz,
  resolved_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  txid xid8 not null default '0'::xid8,
  seq bigint not null default 0,
  foreign key (org_id, kind, row_id) references public.sync_rows (org_id, kind, row_id) on delete cascade,
  foreign key (org_id, team_id) references public.teams (org_id, id) on delete set null (team_id)
);
create index sync_conflicts_stream_idx on public.sync_conflicts (org_id, txid, seq);
create index sync_conflicts_row_idx on public.sync_conflicts (org_id, kind, row_id);
create index sync_conflicts_team_id_idx on public.sync_conflicts (team_id);

create table public.sync_losers (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  team_id uuid,
  kind text not null,
  row_id text not null,
  field text not null,
  value jsonb not null default 'null'::jsonb,
  provenance jsonb not null default '{}'::jsonb,
  reason text not null check (reason in ('overwritten', 'union', 'deleted')),
  replica_id uuid not null,
  op_number bigint not null check (op_number > 0),
  author_id uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  txid xid8 not null default '0'::xid8,
  seq bigint not null default 0,
  foreign key (org_id, kind, row_id) references public.sync_rows (org_id, kind, row_id) on delete cascade,
  foreign key (org_id, team_id) references public.teams (org_id, id) on delete set null (team_id)
);
create index sync_losers_stream_idx on public.sync_losers (org_id, txid, seq);
create index sync_losers_row_idx on public.sync_losers (org_id, kind, row_id);
create index sync_losers_team_id_idx on public.sync_losers (team_id);

create table public.sync_rejections (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind text not null,
  row_id text not null,
  replica_id uuid not null,
  op_number bigint not null check (op_number > 0),
  code text not null check (code in ('forbidden', 'invalid-op', 'not-found', 'read-only', 'unknown-kind', 'access-revoked')),
  message text not null,
  author_id uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  txid xid8 not null default '0'::xid8,
  seq bigint not null default 0,
  unique (replica_id, op_number)
);
create index sync_rejections_stream_idx on public.sync_rejections (org_id, txid, seq);

-- 4. Replicas ---------------------------------------------------------------------------------------
create table public.sync_replicas (
  replica_id uuid primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  -- Who syncs through it: the user (a token's creator) and, for service tokens, the token.
  user_id uuid references auth.users (id) on delete cascade,
  token_id uuid references public.api_tokens (id) on delete set null,
  -- Highest op number applied or rejected; the highest op number the server has seen.
  last_op bigint not null default 0 check (last_op >= 0),
  max_op_seen bigint not null default 0,
  -- Last cursor served (holds the tombstone GC floor) and the scopes the replica was told it holds.
  cursor_epoch bigint,
  cursor_xid xid8,
  cursor_seq bigint,
  scopes jsonb not null default '[]'::jsonb,
  schema_version integer,
  created_at timestamptz not null default now(),
  -- Telemetry (not audited on its own): the replica's last request.
  last_used_at timestamptz,
  retired_at timestamptz
);
create index sync_replicas_org_id_idx on public.sync_replicas (org_id);
create index sync_replicas_user_id_idx on public.sync_replicas (user_id);
create index sync_replicas_token_id_idx on public.sync_replicas (token_id);
