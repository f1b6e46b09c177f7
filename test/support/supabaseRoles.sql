-- Cluster-level roles of a hosted Supabase project, reproduced for tests (run once per server as a
-- superuser). Idempotent so it also works against a server given by DATABASE_URL that already has them.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit password 'authenticator';
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'postgres') then
    create role postgres login password 'postgres';
  end if;
end
$$;

-- On hosted Supabase `postgres` is NOT a superuser: migrations that only pass as a superuser must fail here too.
alter role postgres nosuperuser createdb createrole bypassrls login password 'postgres';
alter role authenticator password 'authenticator';
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
