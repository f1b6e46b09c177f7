-- Enterprise, part 2: organization resources — LLM provider keys, API tokens for service accounts,
-- connectors, feature flags, usage logs, compliance events and the append-only audit log.
-- Secret columns (ciphertext, token hashes) are write-only for clients: see the column grants in
-- the RLS migration.

create table public.org_llm_keys (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  provider text not null check (provider in ('openai', 'anthropic', 'azure_openai', 'google', 'mistral', 'ollama', 'other')),
  label text not null default '',
  -- Encrypted by the edge function with the project key of version `key_version`; plaintext never reaches Postgres.
  ciphertext bytea not null,
  key_version integer not null default 1 check (key_version > 0),
  is_default boolean not null default false,
  status text not null default 'active' check (status in ('active', 'disabled', 'revoked')),
  last_used_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index org_llm_keys_org_id_idx on public.org_llm_keys (org_id);
create unique index org_llm_keys_one_default_idx on public.org_llm_keys (org_id, provider) where is_default;

create table public.api_tokens (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null,
  -- sha256 of the token; shown once at creation, never stored in clear.
  token_hash bytea not null unique,
  -- First characters of the token, so people can recognise it in a list.
  token_prefix text not null default '',
  scopes text[] not null default '{}',
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid references auth.users (id) on delete set null,
  created_by uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now()
);
create index api_tokens_org_id_idx on public.api_tokens (org_id);
create index api_tokens_created_by_idx on public.api_tokens (created_by);

create table public.connectors (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  team_id uuid,
  type text not null check (type in ('github', 'gitlab', 'postgres', 'snowflake', 'bigquery', 'redshift', 'databricks', 'looker', 'tableau', 'metabase', 'powerbi', 'dbt_cloud')),
  name text not null,
  -- Non-secret configuration (repository, host, database); credentials go to secret_ciphertext.
  config jsonb not null default '{}'::jsonb,
  secret_ciphertext bytea,
  key_version integer not null default 1,
  status text not null default 'active' check (status in ('active', 'paused', 'error')),
  last_run_at timestamptz,
  last_run_status text check (last_run_status in ('succeeded', 'failed', 'running')),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (org_id, name),
  foreign key (org_id, team_id) references public.teams (org_id, id) on delete set null (team_id)
);
create index connectors_org_id_idx on public.connectors (org_id);
create index connectors_team_id_idx on public.connectors (team_id);

create table public.feature_flags (
  org_id uuid not null references public.organizations (id) on delete cascade,
  key text not null check (key ~ '^[a-z][a-z0-9_.-]{1,60}$'),
  enabled boolean not null default false,
  payload jsonb not null default '{}'::jsonb,
  updated_by uuid references auth.users (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (org_id, key)
);

create table public.usage_logs (
  id bigint generated always as identity primary key,
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid references auth.users (id) on delete set null,
  kind text not null check (kind in ('ai', 'tool')),
  tool text not null,
  model text,
  tokens_in integer not null default 0 check (tokens_in >= 0),
  tokens_out integer not null default 0 check (tokens_out >= 0),
  cost_usd numeric(12, 6) not null default 0,
  created_at timestamptz not null default now()
);
create index usage_logs_org_id_idx on public.usage_logs (org_id, created_at);
create index usage_logs_user_id_idx on public.usage_logs (user_id);

create table public.compliance_events (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  entity_key text,
  rule text not null,
  severity text not null check (severity in ('info', 'low', 'medium', 'high', 'critical')),
  details jsonb not null default '{}'::jsonb,
  status text not null default 'open' check (status in ('open', 'resolved', 'dismissed')),
  resolution text,
  resolved_by uuid references auth.users (id) on delete set null,
  resolved_at timestamptz,
  created_at timestamptz not null default now(),
  check ((status = 'open') = (resolved_at is null))
);
create index compliance_events_org_id_idx on public.compliance_events (org_id, status);

create table public.audit_log (
  id bigint generated always as identity primary key,
  org_id uuid,
  actor_id uuid,
  actor_token_id uuid,
  actor_role text,
  action text not null,
  target_table text not null,
  target_id text,
  before jsonb,
  after jsonb,
  occurred_at timestamptz not null default now()
);
create index audit_log_org_id_idx on public.audit_log (org_id, occurred_at);

alter table public.org_llm_keys enable row level security;
alter table public.api_tokens enable row level security;
alter table public.connectors enable row level security;
alter table public.feature_flags enable row level security;
alter table public.usage_logs enable row level security;
alter table public.compliance_events enable row level security;
alter table public.audit_log enable row level security;

revoke all on public.org_llm_keys, public.api_tokens, public.connectors, public.feature_flags,
  public.usage_logs, public.compliance_events, public.audit_log from anon, authenticated;
