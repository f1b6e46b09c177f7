-- Per-database part of a Supabase-faithful bootstrap, run as a superuser in a fresh database before
-- any migration. It reproduces only what RLS and the migrations depend on (see
-- shared/design/supabase.md): schemas `auth` and `extensions`, `auth.users`, the claim readers
-- `auth.uid()/role()/jwt()`, pgcrypto, and the Supabase CLI's migration history table.

-- PG15+ leaves `public` owned by pg_database_owner; on Supabase `postgres` owns it.
alter schema public owner to postgres;
grant usage on schema public to anon, authenticated, service_role;
do $$ begin execute format('grant create, connect, temporary on database %I to postgres', current_database()); end $$;

create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;

create schema if not exists auth authorization supabase_auth_admin;
grant usage on schema auth to postgres, anon, authenticated, service_role;

create table if not exists auth.users (
  id uuid primary key,
  email text unique,
  encrypted_password text,
  email_confirmed_at timestamptz,
  raw_app_meta_data jsonb not null default '{}'::jsonb,
  raw_user_meta_data jsonb not null default '{}'::jsonb,
  is_anonymous boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table auth.users owner to supabase_auth_admin;
-- Supabase enables RLS on auth.users with no policies; API roles get no privileges at all.
alter table auth.users enable row level security;
revoke all on auth.users from anon, authenticated, public;
grant select, insert, update, delete, references on auth.users to postgres;
grant all on auth.users to service_role;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select nullif(auth.jwt() ->> 'sub', '')::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select nullif(auth.jwt() ->> 'role', '')
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select nullif(auth.jwt() ->> 'email', '')
$$;

alter function auth.jwt() owner to supabase_auth_admin;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
grant execute on function auth.jwt(), auth.uid(), auth.role(), auth.email() to anon, authenticated, service_role, postgres;

-- The Supabase CLI records applied migrations here; the rollback script removes its own rows.
create schema if not exists supabase_migrations authorization postgres;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);
alter table supabase_migrations.schema_migrations owner to postgres;
