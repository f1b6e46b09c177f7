-- Security fix, part 5 (issue 12): an audit log the dashboard user cannot alter, covering every
-- table, with a hash chain and a verification function.
--   * The log moves to schema `mallard_audit` (`public.audit_log` stays as a security-invoker view
--     for the Data API). Schema, table, sequence and functions are owned by a NOLOGIN role
--     `mallard_audit_<database oid>` that nobody administers: it is created through a throw-away
--     setup role which is dropped at the end, so on Postgres 16+ `postgres` (CREATEROLE, not a
--     superuser) cannot grant itself that role, SET ROLE to it, alter it, or touch its objects.
--   * Rows are written only by `mallard_audit.record_change()` (AFTER ROW trigger, on every table in
--     public). No role has INSERT/UPDATE/DELETE/TRUNCATE on the log, the service role included.
--   * Each row carries row_hash = sha256(prev_hash || canonical row), chained per organization
--     (rows without an organization, e.g. profiles, share one chain). `mallard_audit.verify()`
--     recomputes the chains, checks the chain heads and optional external anchors, reports audited
--     tables whose trigger is missing or disabled, and compares every current row with its last
--     audited image, so changes made while a trigger was disabled show up.
-- What a superuser (and, on Postgres 15, any CREATEROLE role) can still do is in supabase/README.md.
--
-- The database may already have been through this migration once and then rolled back
-- (supabase/rollback/): the audit machinery cannot be dropped by `postgres`, so it stays as an
-- archive and is reused ("second life") instead of being created again.

-- 1. First life: the owner role and the machinery ------------------------------------------------
do $setup$
declare
  v_db oid := (select d.oid from pg_database d where d.datname = current_database());
  v_owner text := 'mallard_audit_' || v_db;
  v_setup text := 'mallard_audit_setup_' || v_db;
  v_legacy record;
  v_prev bytea;
  v_heads jsonb := '{}';
  v_chain uuid;
  v_hash bytea;
  v_fn regprocedure;
begin
  if to_regnamespace('mallard_audit') is not null then
    return;
  end if;
  if exists (select 1 from pg_roles r where r.rolname = v_owner) then
    raise exception 'role % exists but schema mallard_audit does not; a superuser must drop the role first', v_owner
      using errcode = 'P0001';
  end if;

  -- The setup role creates the owner role, so the setup role (not postgres) administers it; dropping
  -- the setup role at the end leaves the owner role administered by superusers only.
  execute format('create role %I nologin noinherit createrole', v_setup);
  execute format('grant %I to postgres', v_setup);
  execute format('set role %I', v_setup);
  execute format('create role %I nologin noinherit', v_owner);
  execute format('grant %I to postgres', v_owner);
  reset role;

  create schema mallard_audit;
  revoke all on schema mallard_audit from public;

  -- The existing log moves with its rows; the old guards go, new ones come after the chain is built.
  alter table public.audit_log set schema mallard_audit;
  alter table mallard_audit.audit_log rename to log;
  alter sequence mallard_audit.audit_log_id_seq rename to log_id_seq;
  drop trigger audit_log_no_update on mallard_audit.log;
  drop trigger audit_log_no_truncate on mallard_audit.log;
  drop policy audit_log_select on mallard_audit.log;
  alter table mallard_audit.log
    add column db_user text,
    add column chain_key uuid,
    add column prev_hash bytea,
    add column row_hash bytea,
    add column secrets_digest bytea;
  create index log_chain_idx on mallard_audit.log (chain_key, id);
  create index log_target_idx on mallard_audit.log (target_table, target_id, id);

  create table mallard_audit.chain_heads (
    chain_key uuid primary key,
    last_id bigint,
    last_hash bytea,
    updated_at timestamptz not null default now()
  );
  -- No policies: only the owner (through append) and BYPASSRLS readers (service role, postgres) see it.
  alter table mallard_audit.chain_heads enable row level security;

  execute $ddl$
    /* Canonical hash of one audit row, chained to the previous row of its chain. */
    create function mallard_audit.row_hash(p_prev bytea, p_id bigint, p_chain uuid, p_org uuid, p_actor uuid, p_token uuid,
      p_role text, p_db_user text, p_action text, p_table text, p_target text, p_before jsonb, p_after jsonb,
      p_secrets bytea, p_at timestamptz)
    returns bytea
    language sql immutable set search_path = ''
    as $f$
      -- jsonb text is canonical (key order, spacing); the time as epoch does not depend on TimeZone.
      select pg_catalog.sha256(coalesce(p_prev, '\x'::bytea) || pg_catalog.convert_to(pg_catalog.jsonb_build_array(
        p_id, p_chain, p_org, p_actor, p_token, p_role, p_db_user, p_action, p_table, p_target, p_before, p_after,
        pg_catalog.encode(p_secrets, 'hex'), extract(epoch from p_at))::text, 'UTF8'))
    $f$
  $ddl$;

  execute $ddl$
    /* Primary-key columns, secret (bytea) columns and telemetry columns of a table. */
    create function mallard_audit.table_meta(p_table regclass, out pk text[], out secrets text[], out volatile text[])
    language sql stable set search_path = ''
    as $f$
      select
        (select array_agg(a.attname::text order by k.n)
           from pg_catalog.pg_index i
           cross join lateral unnest(i.indkey::int2[]) with ordinality k(attnum, n)
           join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
           where i.indrelid = p_table and i.indisprimary),
        coalesce((select array_agg(a.attname::text order by a.attnum) from pg_catalog.pg_attribute a
           where a.attrelid = p_table and a.attnum > 0 and not a.attisdropped and a.atttypid = 'bytea'::regtype), '{}'),
        coalesce((select array_agg(a.attname::text order by a.attnum) from pg_catalog.pg_attribute a
           where a.attrelid = p_table and a.attnum > 0 and not a.attisdropped and a.attname = 'last_used_at'), '{}')
    $f$
  $ddl$;

  execute $ddl$
    /* The audit target id of a row: its primary key (parts joined with ':'). */
    create function mallard_audit.target_id(p_row jsonb, p_pk text[])
    returns text
    language sql immutable set search_path = ''
    as $f$
      select case
        when p_row is null then null
        when p_pk is null then pg_catalog.md5(p_row::text)
        when cardinality(p_pk) = 1 then p_row ->> p_pk[1]
        else (select string_agg(coalesce(p_row ->> u.c, ''), ':' order by u.n) from unnest(p_pk) with ordinality u(c, n))
      end
    $f$
  $ddl$;

  execute $ddl$
    /* sha256 over a row's secret columns (the secrets themselves never reach the log). */
    create function mallard_audit.secrets_digest(p_row jsonb, p_secrets text[])
    returns bytea
    language sql immutable set search_path = ''
    as $f$
      select case when p_row is null or cardinality(p_secrets) = 0 then null
        else pg_catalog.sha256(pg_catalog.convert_to(
          (select pg_catalog.jsonb_object_agg(s, p_row -> s) from unnest(p_secrets) s)::text, 'UTF8')) end
    $f$
  $ddl$;

  execute $ddl$
    /* Two row images agree on the columns both have (columns added or dropped later are DDL, not data). */
    create function mallard_audit.same_image(p_a jsonb, p_b jsonb)
    returns boolean
    language sql immutable set search_path = ''
    as $f$
      select coalesce((select pg_catalog.jsonb_object_agg(e.key, e.value) from pg_catalog.jsonb_each(p_a) e where p_b ? e.key), '{}')
           = coalesce((select pg_catalog.jsonb_object_agg(e.key, e.value) from pg_catalog.jsonb_each(p_b) e where p_a ? e.key), '{}')
    $f$
  $ddl$;

  execute $ddl$
    /* Appends one row to its chain. Only the owner role runs it (through record_change). */
    create function mallard_audit.append(p_org uuid, p_actor uuid, p_token uuid, p_role text, p_db_user text, p_action text,
      p_table text, p_target text, p_before jsonb, p_after jsonb, p_secrets bytea)
    returns bigint
    language plpgsql security definer set search_path = ''
    as $f$
    declare
      v_chain uuid := coalesce(p_org, '00000000-0000-0000-0000-000000000000'::uuid);
      v_prev bytea;
      v_id bigint;
      v_at timestamptz := now();
      v_hash bytea;
    begin
      -- The head row lock orders the chain: concurrent writers of one organization queue here until
      -- commit, so ids and hashes of a chain follow commit order.
      insert into mallard_audit.chain_heads (chain_key) values (v_chain) on conflict (chain_key) do nothing;
      select h.last_hash into v_prev from mallard_audit.chain_heads h where h.chain_key = v_chain for update;
      v_id := nextval('mallard_audit.log_id_seq');
      v_hash := mallard_audit.row_hash(v_prev, v_id, v_chain, p_org, p_actor, p_token, p_role, p_db_user, p_action, p_table,
                                       p_target, p_before, p_after, p_secrets, v_at);
      insert into mallard_audit.log (id, org_id, actor_id, actor_token_id, actor_role, db_user, action, target_table, target_id,
                                     before, after, occurred_at, chain_key, prev_hash, row_hash, secrets_digest)
        overriding system value
        values (v_id, p_org, p_actor, p_token, p_role, p_db_user, p_action, p_table, p_target, p_before, p_after, v_at,
                v_chain, v_prev, v_hash, p_secrets);
      update mallard_audit.chain_heads set last_id = v_id, last_hash = v_hash, updated_at = v_at where chain_key = v_chain;
      return v_id;
    end
    $f$
  $ddl$;

  execute $ddl$
    /*
     * AFTER ROW trigger on every table in public: records actor (the token's creator for a service
     * token), JWT role, database login, action, target and before/after images without secrets
     * (their sha256 goes to secrets_digest) and without telemetry columns; an update that changes
     * only telemetry is not recorded, one that changes nothing is a '.snapshot'.
     */
    create function mallard_audit.record_change()
    returns trigger
    language plpgsql security definer set search_path = ''
    as $f$
    declare
      v_meta record;
      v_old jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
      v_new jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
      v_row jsonb;
      v_action text := tg_table_name || '.' || lower(tg_op);
      v_claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb;
      v_token uuid;
    begin
      if tg_when <> 'AFTER' or tg_level <> 'ROW' or tg_table_schema <> 'public' then
        raise exception 'mallard_audit.record_change() audits rows of tables in public (AFTER … FOR EACH ROW) only'
          using errcode = '42501';
      end if;
      select * into v_meta from mallard_audit.table_meta(tg_relid);
      v_row := coalesce(v_new, v_old);
      if tg_op = 'UPDATE' then
        if v_old = v_new then
          v_action := tg_table_name || '.snapshot';
        elsif (v_old - v_meta.volatile) = (v_new - v_meta.volatile) then
          return null;
        end if;
      end if;
      if v_claims ->> 'token_id' is not null and v_claims ->> 'token_id' = v_claims ->> 'sub' then
        v_token := (v_claims ->> 'token_id')::uuid;
      end if;
      perform mallard_audit.append(
        (v_row ->> case when tg_table_name = 'organizations' then 'id' else 'org_id' end)::uuid,
        private.acting_user_id(), v_token, coalesce(v_claims ->> 'role', session_user::text), session_user::text,
        v_action, tg_table_name, mallard_audit.target_id(v_row, v_meta.pk),
        v_old - (v_meta.secrets || v_meta.volatile), v_new - (v_meta.secrets || v_meta.volatile),
        mallard_audit.secrets_digest(v_row, v_meta.secrets));
      return null;
    end
    $f$
  $ddl$;

  execute $ddl$
    /*
     * The same record as record_change(), for a whole statement at once: AFTER … FOR EACH STATEMENT
     * triggers, one per event (Postgres allows transition tables only on single-event triggers), with
     * transition tables `mallard_new` / `mallard_old`. A bulk write (a sync push of 1,000 rows) then
     * costs one table_meta lookup, one claims parse, one log insert and one chain-head lock and
     * update per organization instead of per row: the per-row form updated the head row once per audited row,
     * so each row of a large transaction cost more than the one before. Rows are chained per
     * organization in the order the statement changed them (an UPDATE's old and new transition rows
     * are paired by that order, the order in which Postgres fills both tables). Recorded rows,
     * actions, images and hashes are those of the per-row form.
     */
    create function mallard_audit.record_changes()
    returns trigger
    language plpgsql security definer set search_path = ''
    as $f$
    declare
      v_meta record;
      v_claims jsonb := coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb;
      v_token uuid;
      v_actor uuid;
      v_role text;
      v_org_key text := case when tg_table_name = 'organizations' then 'id' else 'org_id' end;
      v_none uuid := '00000000-0000-0000-0000-000000000000';
      v_cur refcursor;
      v_rec record;
      v_row jsonb;
      v_action text;
      v_head uuid;
      v_prev bytea;
      v_last bigint;
      v_id bigint;
      v_hash bytea;
      v_at timestamptz := now();
      a_id bigint[] := '{}'; a_org uuid[] := '{}'; a_action text[] := '{}'; a_target text[] := '{}';
      a_before jsonb[] := '{}'; a_after jsonb[] := '{}'; a_chain uuid[] := '{}'; a_prev bytea[] := '{}'; a_hash bytea[] := '{}'; a_sec bytea[] := '{}';
      v_target text; v_before jsonb; v_after jsonb; v_sec bytea;
    begin
      if tg_when <> 'AFTER' or tg_level <> 'STATEMENT' or tg_table_schema <> 'public' then
        raise exception 'mallard_audit.record_changes() audits statements on tables in public (AFTER … FOR EACH STATEMENT) only'
          using errcode = '42501';
      end if;
      select * into v_meta from mallard_audit.table_meta(tg_relid);
      if v_claims ->> 'token_id' is not null and v_claims ->> 'token_id' = v_claims ->> 'sub' then
        v_token := (v_claims ->> 'token_id')::uuid;
      end if;
      v_actor := private.acting_user_id();
      v_role := coalesce(v_claims ->> 'role', session_user::text);
      -- Each event has its own transition tables, so each query names only those its event has.
      -- Rows come grouped by chain, then in statement order: each chain's head is locked and written once.
      if tg_op = 'INSERT' then
        open v_cur for
          select null::jsonb as o, x.j as n, coalesce((x.j ->> v_org_key)::uuid, v_none) as chain
          from (select to_jsonb(t) as j, row_number() over () as ord from mallard_new t) x order by 3, x.ord;
      elsif tg_op = 'DELETE' then
        open v_cur for
          select x.j as o, null::jsonb as n, coalesce((x.j ->> v_org_key)::uuid, v_none) as chain
          from (select to_jsonb(t) as j, row_number() over () as ord from mallard_old t) x order by 3, x.ord;
      else
        open v_cur for
          select a.j as o, b.j as n, coalesce((b.j ->> v_org_key)::uuid, v_none) as chain
          from (select to_jsonb(t) as j, row_number() over () as ord from mallard_old t) a
          join (select to_jsonb(t) as j, row_number() over () as ord from mallard_new t) b on b.ord = a.ord
          order by 3, a.ord;
      end if;
      loop
        fetch v_cur into v_rec;
        exit when not found;
        v_action := tg_table_name || '.' || lower(tg_op);
        if tg_op = 'UPDATE' then
          if v_rec.o = v_rec.n then
            v_action := tg_table_name || '.snapshot';
          elsif (v_rec.o - v_meta.volatile) = (v_rec.n - v_meta.volatile) then
            continue;
          end if;
        end if;
        if v_rec.chain is distinct from v_head then
          if v_head is not null then
            update mallard_audit.chain_heads set last_id = v_last, last_hash = v_prev, updated_at = v_at where chain_key = v_head;
          end if;
          -- The head row lock orders the chain across transactions, as in append().
          insert into mallard_audit.chain_heads (chain_key) values (v_rec.chain) on conflict (chain_key) do nothing;
          select h.last_hash into v_prev from mallard_audit.chain_heads h where h.chain_key = v_rec.chain for update;
          v_head := v_rec.chain;
        end if;
        v_row := coalesce(v_rec.n, v_rec.o);
        v_id := nextval('mallard_audit.log_id_seq');
        v_target := mallard_audit.target_id(v_row, v_meta.pk);
        v_before := v_rec.o - (v_meta.secrets || v_meta.volatile);
        v_after := v_rec.n - (v_meta.secrets || v_meta.volatile);
        v_sec := mallard_audit.secrets_digest(v_row, v_meta.secrets);
        v_hash := mallard_audit.row_hash(v_prev, v_id, v_head, (v_row ->> v_org_key)::uuid, v_actor, v_token, v_role, session_user::text,
          v_action, tg_table_name, v_target, v_before, v_after, v_sec, v_at);
        a_id := a_id || v_id; a_org := a_org || (v_row ->> v_org_key)::uuid; a_action := a_action || v_action; a_target := a_target || v_target;
        a_before := a_before || v_before; a_after := a_after || v_after; a_chain := a_chain || v_head; a_prev := a_prev || v_prev;
        a_hash := a_hash || v_hash; a_sec := a_sec || v_sec;
        v_prev := v_hash;
        v_last := v_id;
      end loop;
      close v_cur;
      -- One insert for the statement's records: an insert per row from PL/pgSQL cost more than the
      -- hashing itself (about 0.3 ms a row on the benchmark machine).
      insert into mallard_audit.log (id, org_id, actor_id, actor_token_id, actor_role, db_user, action, target_table, target_id,
                                     before, after, occurred_at, chain_key, prev_hash, row_hash, secrets_digest)
        overriding system value
        select u.id, u.org, v_actor, v_token, v_role, session_user::text, u.action, tg_table_name, u.target, u.before, u.after, v_at,
               u.chain, u.prev, u.hash, u.sec
        from unnest(a_id, a_org, a_action, a_target, a_before, a_after, a_chain, a_prev, a_hash, a_sec)
          as u(id, org, action, target, before, after, chain, prev, hash, sec);
      if v_head is not null then
        update mallard_audit.chain_heads set last_id = v_last, last_hash = v_prev, updated_at = v_at where chain_key = v_head;
      end if;
      return null;
    end
    $f$
  $ddl$;

  execute $ddl$
    /* The log is append-only for every role, its owner included. */
    create function mallard_audit.refuse_change()
    returns trigger
    language plpgsql set search_path = ''
    as $f$
    begin
      raise exception 'the audit log is append-only (% refused)', tg_op using errcode = '42501';
    end
    $f$
  $ddl$;

  execute $ddl$
    /* Organizations whose log the current user may read (looked up at run time, so the policy
       survives `private` being dropped by a rollback and re-created). */
    create function mallard_audit.viewable_org_ids()
    returns setof uuid
    language plpgsql stable set search_path = ''
    as $f$
    begin
      return query select private.org_ids_with('audit.view');
    end
    $f$
  $ddl$;

  execute $ddl$
    /*
     * Tamper detection. Returns one row per finding (no rows: nothing detected):
     *   'chain link broken' / 'row altered' / 'chain head mismatch' / 'anchor missing': the log itself
     *     was changed (rows edited, removed or inserted; heads rewritten);
     *   'audit trigger missing or disabled': a table in public is not (fully) audited right now;
     *   'row without audit record' / 'row differs from its last audit record' / 'row deleted without
     *     audit record' / 'row re-created without audit record': data changed while unaudited.
     * p_anchors: [{"chain_key": …, "id": …, "row_hash": "<hex>"}] exported earlier from chain_heads.
     */
    create function mallard_audit.verify(p_anchors jsonb default '[]'::jsonb)
    returns table (problem text, chain_key uuid, log_id bigint, target_table text, target_id text)
    language plpgsql stable set search_path = ''
    as $f$
    declare
      v_table record;
      v_meta record;
    begin
      return query
      with w as (
        select l.*, lag(l.row_hash) over (partition by l.chain_key order by l.id) as expected_prev,
               row_number() over (partition by l.chain_key order by l.id) as n
        from mallard_audit.log l
      )
      select 'chain link broken', w.chain_key, w.id, w.target_table, w.target_id from w
      where (w.n = 1 and w.prev_hash is not null) or (w.n > 1 and w.prev_hash is distinct from w.expected_prev)
      union all
      select 'row altered', w.chain_key, w.id, w.target_table, w.target_id from w
      where w.row_hash is distinct from mallard_audit.row_hash(w.prev_hash, w.id, w.chain_key, w.org_id, w.actor_id,
        w.actor_token_id, w.actor_role, w.db_user, w.action, w.target_table, w.target_id, w.before, w.after,
        w.secrets_digest, w.occurred_at)
         or w.chain_key is distinct from coalesce(w.org_id, '00000000-0000-0000-0000-000000000000'::uuid);

      return query
      select 'chain head mismatch', c.chain_key, c.last_id, null::text, null::text
      from (select l.chain_key, max(l.id) as last_id from mallard_audit.log l group by l.chain_key) c
      full join mallard_audit.chain_heads h on h.chain_key = c.chain_key
      where h.chain_key is null or c.chain_key is null or h.last_id is distinct from c.last_id
         or h.last_hash is distinct from (select l.row_hash from mallard_audit.log l where l.id = c.last_id);

      return query
      select 'anchor missing', (a ->> 'chain_key')::uuid, (a ->> 'id')::bigint, null::text, null::text
      from jsonb_array_elements(coalesce(p_anchors, '[]'::jsonb)) a
      where not exists (select 1 from mallard_audit.log l where l.id = (a ->> 'id')::bigint
                        and l.chain_key = (a ->> 'chain_key')::uuid and l.row_hash = decode(a ->> 'row_hash', 'hex'));

      for v_table in
        select c.oid::regclass as rel, c.relname::text as name from pg_catalog.pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') order by c.relname
      loop
        if not exists (
          select 1 from pg_catalog.pg_trigger t
          where t.tgrelid = v_table.rel and t.tgfoid = 'mallard_audit.record_change()'::regprocedure
            and t.tgenabled in ('O', 'A') and t.tgqual is null and t.tgattr = ''::int2vector
            -- FOR EACH ROW, AFTER, on INSERT, DELETE and UPDATE.
            and (t.tgtype & 1) = 1 and (t.tgtype & 2) = 0 and (t.tgtype & 4) <> 0 and (t.tgtype & 8) <> 0
            and (t.tgtype & 16) <> 0)
        and (
          -- Or the statement form: AFTER … FOR EACH STATEMENT triggers covering INSERT, DELETE and
          -- UPDATE, each with the transition tables record_changes() reads.
          select count(distinct t.tgtype & 28) from pg_catalog.pg_trigger t
          where t.tgrelid = v_table.rel and t.tgfoid = 'mallard_audit.record_changes()'::regprocedure
            and t.tgenabled in ('O', 'A') and t.tgqual is null and t.tgattr = ''::int2vector
            and (t.tgtype & 1) = 0 and (t.tgtype & 2) = 0 and (t.tgtype & 64) = 0
            and (((t.tgtype & 28) = 4 and t.tgnewtable = 'mallard_new')
              or ((t.tgtype & 28) = 8 and t.tgoldtable = 'mallard_old')
              or ((t.tgtype & 28) = 16 and t.tgoldtable = 'mallard_old' and t.tgnewtable = 'mallard_new'))) < 3 then
          return query select 'audit trigger missing or disabled', null::uuid, null::bigint, v_table.name, null::text;
        end if;
        select * into v_meta from mallard_audit.table_meta(v_table.rel);
        return query execute format($q$
          with cur as (
            select mallard_audit.target_id(to_jsonb(x), $1) as target_id, to_jsonb(x) as img from %s x
          ), last as (
            select distinct on (l.target_id) l.target_id, l.action, l.after, l.secrets_digest
            from mallard_audit.log l where l.target_table = $2 order by l.target_id, l.id desc
          )
          select case
                   when l.target_id is null then 'row without audit record'
                   when c.target_id is null then 'row deleted without audit record'
                   when l.action like '%%.delete' then 'row re-created without audit record'
                   else 'row differs from its last audit record' end,
                 null::uuid, null::bigint, $2, coalesce(c.target_id, l.target_id)
          from cur c full join last l on l.target_id = c.target_id
          where (l.target_id is null)
             or (c.target_id is null and l.action not like '%%.delete')
             or (c.target_id is not null and l.target_id is not null
                 and (l.action like '%%.delete'
                      or not mallard_audit.same_image(c.img - ($3 || $4), l.after)
                      or mallard_audit.secrets_digest(c.img, $3) is distinct from l.secrets_digest))$q$, v_table.rel)
          using v_meta.pk, v_table.name, v_meta.secrets, v_meta.volatile;
      end loop;
    end
    $f$
  $ddl$;

  -- Chain the rows that predate this migration (they were unprotected until now).
  for v_legacy in select l.* from mallard_audit.log l order by l.id loop
    v_chain := coalesce(v_legacy.org_id, '00000000-0000-0000-0000-000000000000'::uuid);
    v_prev := decode(v_heads ->> v_chain::text, 'hex');
    v_hash := mallard_audit.row_hash(v_prev, v_legacy.id, v_chain, v_legacy.org_id, v_legacy.actor_id, v_legacy.actor_token_id,
      v_legacy.actor_role, null, v_legacy.action, v_legacy.target_table, v_legacy.target_id, v_legacy.before, v_legacy.after,
      null, v_legacy.occurred_at);
    update mallard_audit.log set chain_key = v_chain, prev_hash = v_prev, row_hash = v_hash where id = v_legacy.id;
    v_heads := v_heads || jsonb_build_object(v_chain::text, encode(v_hash, 'hex'));
  end loop;
  insert into mallard_audit.chain_heads (chain_key, last_id, last_hash)
  select l.chain_key, l.id, l.row_hash from mallard_audit.log l
  where l.id = (select max(x.id) from mallard_audit.log x where x.chain_key = l.chain_key);
  alter table mallard_audit.log alter column chain_key set not null, alter column row_hash set not null;

  create trigger log_no_update before update or delete on mallard_audit.log
    for each row execute function mallard_audit.refuse_change();
  create trigger log_no_truncate before truncate on mallard_audit.log
    for each statement execute function mallard_audit.refuse_change();
  alter table mallard_audit.log enable row level security;
  create policy log_select on mallard_audit.log for select to authenticated
    using (org_id = any (array(select mallard_audit.viewable_org_ids())));

  -- Privileges, explicitly: clients read their organizations' rows (through public.audit_log), the
  -- service role and postgres read everything and verify; nobody writes.
  revoke all on mallard_audit.log, mallard_audit.chain_heads from public, anon, authenticated, service_role;
  revoke all on sequence mallard_audit.log_id_seq from public, anon, authenticated, service_role;
  grant usage on schema mallard_audit to authenticated, service_role;
  grant select (id, org_id, actor_id, actor_token_id, actor_role, db_user, action, target_table, target_id, before, after,
                occurred_at, chain_key, prev_hash, row_hash) on mallard_audit.log to authenticated;
  grant select on mallard_audit.log, mallard_audit.chain_heads to service_role;
  for v_fn in select p.oid::regprocedure from pg_proc p where p.pronamespace = 'mallard_audit'::regnamespace loop
    execute format('revoke all on function %s from public, anon, authenticated, service_role', v_fn);
  end loop;
  grant execute on function mallard_audit.viewable_org_ids() to authenticated;
  grant execute on function mallard_audit.verify(jsonb), mallard_audit.row_hash(bytea, bigint, uuid, uuid, uuid, uuid, text, text,
    text, text, text, jsonb, jsonb, bytea, timestamptz), mallard_audit.table_meta(regclass), mallard_audit.target_id(jsonb, text[]),
    mallard_audit.secrets_digest(jsonb, text[]), mallard_audit.same_image(jsonb, jsonb) to service_role;

  -- Hand everything to the owner role, give postgres only what it needs (read, verify, attach the
  -- audit trigger to new tables), then let go of the owner role for good.
  execute format('alter schema mallard_audit owner to %I', v_owner);
  execute format('alter table mallard_audit.log owner to %I', v_owner);
  execute format('alter table mallard_audit.chain_heads owner to %I', v_owner);
  for v_fn in select p.oid::regprocedure from pg_proc p where p.pronamespace = 'mallard_audit'::regnamespace loop
    execute format('alter function %s owner to %I', v_fn, v_owner);
  end loop;
  execute format('set role %I', v_owner);
  grant usage on schema mallard_audit to postgres;
  grant select on mallard_audit.log, mallard_audit.chain_heads to postgres;
  grant execute on function mallard_audit.record_change(), mallard_audit.record_changes(), mallard_audit.verify(jsonb), mallard_audit.row_hash(bytea, bigint, uuid,
    uuid, uuid, uuid, text, text, text, text, text, jsonb, jsonb, bytea, timestamptz), mallard_audit.table_meta(regclass),
    mallard_audit.target_id(jsonb, text[]), mallard_audit.secrets_digest(jsonb, text[]), mallard_audit.same_image(jsonb, jsonb)
    to postgres;
  reset role;
  execute format('set role %I', v_setup);
  execute format('revoke %I from postgres', v_owner);
  reset role;
  execute format('drop role %I', v_setup);
end
$setup$;

-- 2. Second life: reuse the archive ------------------------------------------------------------
do $reuse$
begin
  if not exists (select 1 from pg_class c where c.oid = to_regclass('public.audit_log') and c.relkind = 'r') then
    return;
  end if;
  -- Re-applied enterprise migrations created a fresh public.audit_log; its rows could not be carried
  -- into the protected log (only the owner role writes there), so it must be empty.
  if exists (select 1 from public.audit_log) then
    raise exception 'public.audit_log has rows and mallard_audit.log exists: they cannot be merged without a superuser'
      using errcode = 'P0001';
  end if;
  drop table public.audit_log;
end
$reuse$;

-- 3. Both lives: the Data API view, the trigger on every table, the owner role's lookups -------------
create view public.audit_log with (security_invoker = true) as
  select id, org_id, actor_id, actor_token_id, actor_role, db_user, action, target_table, target_id, before, after,
         occurred_at, chain_key, prev_hash, row_hash
  from mallard_audit.log;
revoke all on public.audit_log from public, anon, authenticated, service_role;
grant select on public.audit_log to authenticated, service_role;

do $grants$
declare
  v_owner regrole := (select n.nspowner::regrole from pg_namespace n where n.nspname = 'mallard_audit');
begin
  -- record_change() (running as the owner role) resolves a service token to its creator.
  execute format('grant usage on schema private to %s', v_owner);
  execute format('grant execute on function private.acting_user_id(), private.current_token_id() to %s', v_owner);
end
$grants$;

/*
 * Attaches the audit trigger(s) to a table in public; later migrations call it for each table they
 * create. The statement form (record_changes(), three single-event triggers with transition tables)
 * where this database's audit machinery has it; else the per-row form of a database whose audit
 * machinery predates it (that machinery cannot be changed without a superuser: supabase/README.md).
 */
create or replace function private.attach_audit(p_table regclass)
returns void
language plpgsql set search_path = ''
as $$
declare
  v_name text := (select c.relname::text from pg_catalog.pg_class c where c.oid = p_table);
begin
  execute format('drop trigger if exists %I on %s', v_name || '_audit', p_table);
  if to_regprocedure('mallard_audit.record_changes()') is null then
    execute format('create trigger %I after insert or update or delete on %s for each row execute function mallard_audit.record_change()',
                   v_name || '_audit', p_table);
    return;
  end if;
  execute format('drop trigger if exists %I on %s', v_name || '_audit_insert', p_table);
  execute format('drop trigger if exists %I on %s', v_name || '_audit_update', p_table);
  execute format('drop trigger if exists %I on %s', v_name || '_audit_delete', p_table);
  execute format('create trigger %I after insert on %s referencing new table as mallard_new for each statement execute function mallard_audit.record_changes()',
                 v_name || '_audit_insert', p_table);
  execute format('create trigger %I after update on %s referencing old table as mallard_old new table as mallard_new for each statement execute function mallard_audit.record_changes()',
                 v_name || '_audit_update', p_table);
  execute format('create trigger %I after delete on %s referencing old table as mallard_old for each statement execute function mallard_audit.record_changes()',
                 v_name || '_audit_delete', p_table);
end
$$;
revoke all on function private.attach_audit(regclass) from public, anon, authenticated, service_role;

do $attach$
declare
  v_table text;
begin
  for v_table in
    select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') order by 1
  loop
    perform private.attach_audit(format('public.%I', v_table)::regclass);
  end loop;
end
$attach$;
drop function if exists private.audit_row();
drop function if exists private.audit_log_immutable();

-- 4. Record every current row once, so verify() has an image of each ----------------------------
do $snapshot$
declare
  v_table record;
  v_column text;
begin
  -- The only trigger that refuses a no-op update (built-in roles are read-only through the API).
  alter table public.roles disable trigger roles_builtin_read_only;
  for v_table in
    select c.oid, c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') order by 1
  loop
    select a.attname into v_column from pg_attribute a
    where a.attrelid = v_table.oid and a.attnum > 0 and not a.attisdropped and a.attidentity = '' and a.attgenerated = ''
    order by a.attnum limit 1;
    execute format('update public.%I set %I = %I', v_table.relname, v_column, v_column);
  end loop;
  alter table public.roles enable trigger roles_builtin_read_only;
end
$snapshot$;
