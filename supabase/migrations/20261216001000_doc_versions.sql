-- Doc versions and approvals (issue 16, item 3). Design notes: cloud-functions/doc-versions/README.md.
--
--   * public.doc_versions keeps every published description change of a synced `entity` or `column`
--     row, numbered per row (1, 2, 3…), with its author, the text before and after (the diff) and
--     the time. A trigger on public.sync_rows writes it, so every published change is versioned
--     whatever wrote it: a sync push, an approval, a revert.
--   * Approval workflow: when the organization's feature flag `docs.approval` is on, a description
--     change by someone without `docs.approve` on the row's (org, team) is not applied: sync-push
--     strips it from the op and stores it here as `pending` (private.doc_submit_pending). An
--     approver publishes it (the text is written to sync_rows server-side, so it syncs to everyone,
--     and the pending version becomes the next published one) or rejects it with a reason.
--   * Nobody writes doc_versions directly: members with catalog.read on the row's scope read it
--     (RLS); writes come only from the trigger and the security-definer functions below, which
--     check docs.approve / catalog.write themselves. Audited like every table of public.

-- 1. The table ------------------------------------------------------------------------------------------
create table public.doc_versions (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  -- The synced row's team (copied from sync_rows), for RLS.
  team_id uuid,
  kind text not null check (kind in ('entity', 'column')),
  row_id text not null check (length(row_id) between 1 and 1024),
  field text not null default 'description' check (field = 'description'),
  -- Published versions are numbered per (org, kind, row, field); pending and rejected ones have none.
  version integer check (version > 0),
  status text not null check (status in ('published', 'pending', 'rejected')),
  -- The text before and after the change (null: unset). For a pending version `body_before` is the
  -- published text when it was submitted; on approval it becomes the text it replaced.
  body_before text,
  body_after text,
  author_id uuid references auth.users (id) on delete set null,
  -- Where a pending version came from: the op of a push (replica and op number), or a revert.
  replica_id uuid,
  op_number bigint check (op_number > 0),
  reverted_from uuid,
  created_at timestamptz not null default now(),
  reviewed_by uuid references auth.users (id) on delete set null,
  reviewed_at timestamptz,
  reason text check (reason is null or length(reason) between 1 and 2000),
  check ((status = 'published') = (version is not null)),
  check (status <> 'rejected' or reason is not null),
  unique (org_id, kind, row_id, field, version),
  unique (org_id, id),
  -- References stay inside the organization (composite keys, as everywhere since 20261203000000).
  foreign key (org_id, reverted_from) references public.doc_versions (org_id, id) on delete set null (reverted_from),
  foreign key (org_id, team_id) references public.teams (org_id, id) on delete set null (team_id)
);
create index doc_versions_row_idx on public.doc_versions (org_id, kind, row_id, field, created_at);
create index doc_versions_pending_idx on public.doc_versions (org_id, created_at) where status = 'pending';
create index doc_versions_team_id_idx on public.doc_versions (team_id);

-- 2. Helpers ----------------------------------------------------------------------------------------
/* Is the organization's approval workflow on? (Read as the owner: a token without flags.read must not skip it.) */
create function private.doc_approval_on(p_org_id uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.feature_flags f where f.org_id = p_org_id and f.key = 'docs.approval' and f.enabled)
$$;

/* Does a description change on (org, team) by the current principal need approval? */
create function private.doc_approval_required(p_org_id uuid, p_team_id uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.feature_flags f where f.org_id = p_org_id and f.key = 'docs.approval' and f.enabled)
     and not private.has_permission(p_org_id, 'docs.approve', p_team_id)
$$;

/* A synced row's team, or for a row not written yet its entity's (as the stamp trigger will set it). */
create function private.doc_row_team(p_org_id uuid, p_kind text, p_row_id text)
returns uuid
language sql stable security definer set search_path = ''
as $$
  select coalesce((select r.team_id from public.sync_rows r where r.org_id = p_org_id and r.kind = p_kind and r.row_id = p_row_id),
                  private.sync_entity_team(p_org_id, p_kind, p_row_id))
$$;

/*
 * The targets (jsonb array of {kind, id}) whose description changes need approval for the caller:
 * the team is the row's, or for a row not written yet its entity's (as the stamp trigger will set).
 */
create function private.doc_approval_targets(p_org_id uuid, p_targets jsonb)
returns table (kind text, row_id text)
language sql stable security definer set search_path = ''
as $$
  select t.kind, t.id
  from jsonb_to_recordset(p_targets) as t(kind text, id text)
  left join public.sync_rows r on r.org_id = p_org_id and r.kind = t.kind and r.row_id = t.id
  where t.kind in ('entity', 'column')
    and private.doc_approval_required(p_org_id, coalesce(r.team_id, private.sync_entity_team(p_org_id, t.kind, t.id)))
$$;

/* The next published version number of a row's description (callers hold the organization's sync lock). */
create function private.doc_next_version(p_org_id uuid, p_kind text, p_row_id text)
returns integer
language sql stable security definer set search_path = ''
as $$
  select coalesce(max(v.version), 0) + 1 from public.doc_versions v
  where v.org_id = p_org_id and v.kind = p_kind and v.row_id = p_row_id and v.field = 'description'
$$;

-- 3. Every published change becomes a version (AFTER, security definer: clients cannot write the table) --
/*
 * A live entity/column row whose description changed gets the next published version, attributed
 * to the row's writer (updated_by, set by the stamp trigger). While an approval publishes a pending
 * version (setting `mallard.doc_publishing` to its id), that version is published instead of a new one.
 */
create function private.doc_versions_record()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_before text := case when tg_op = 'UPDATE' and old.deleted is null then old.fields ->> 'description' end;
  v_after text := new.fields ->> 'description';
  v_version integer;
  v_publishing uuid := nullif(current_setting('mallard.doc_publishing', true), '')::uuid;
  v_reverted uuid := nullif(current_setting('mallard.doc_reverting', true), '')::uuid;
begin
  if new.deleted is not null or v_after is not distinct from v_before then
    return null;
  end if;
  v_version := private.doc_next_version(new.org_id, new.kind, new.row_id);
  if v_publishing is not null then
    update public.doc_versions v
      set status = 'published', version = v_version, body_before = v_before, team_id = new.team_id
    where v.id = v_publishing and v.status = 'pending' and v.org_id = new.org_id and v.kind = new.kind
      and v.row_id = new.row_id and v.body_after is not distinct from v_after;
    if found then
      return null;
    end if;
  end if;
  insert into public.doc_versions (org_id, team_id, kind, row_id, version, status, body_before, body_after, author_id, reverted_from)
  values (new.org_id, new.team_id, new.kind, new.row_id, v_version, 'published', v_before, v_after, new.updated_by, v_reverted);
  return null;
end
$$;
create trigger sync_rows_doc_versions_insert after insert on public.sync_rows
  for each row when (new.kind in ('entity', 'column') and new.fields ? 'description')
  execute function private.doc_versions_record();
create trigger sync_rows_doc_versions_update after update on public.sync_rows
  for each row when (new.kind in ('entity', 'column')
                     and ((new.fields -> 'description') is distinct from (old.fields -> 'description')
                          or (new.deleted is null and old.deleted is not null)))
  execute function private.doc_versions_record();

-- 4. Writing a description server-side (approval, revert) -------------------------------------------
/*
 * Sets (or unsets, `p_text` null) a row's description as the docs server replica (its id below, like
 * the org catalog's writer): the row's vector gets that replica's next dot and the field's provenance
 * is that dot, so every replica pulls it as an ordinary change and a later edit that saw it replaces it.
 */
create function private.doc_write_description(p_org_id uuid, p_kind text, p_row_id text, p_text text)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_writer constant text := '00000000-0000-4000-8000-0000000000d0';
  v_row public.sync_rows;
  v_vector jsonb;
  v_dot jsonb;
begin
  select * into v_row from public.sync_rows r where r.org_id = p_org_id and r.kind = p_kind and r.row_id = p_row_id for update;
  v_vector := coalesce(v_row.vector, '{}'::jsonb);
  v_vector := v_vector || jsonb_build_object(v_writer, coalesce((v_vector ->> v_writer)::bigint, 0) + 1);
  v_dot := jsonb_build_object(v_writer, v_vector -> v_writer);
  insert into public.sync_rows as r (org_id, kind, row_id, fields, provenance, vector, deleted)
  values (p_org_id, p_kind, p_row_id,
          case when p_text is null then '{}'::jsonb else jsonb_build_object('description', p_text) end,
          jsonb_build_object('description', v_dot), v_vector, null)
  on conflict (org_id, kind, row_id) do update
    set fields = case when p_text is null then
                   (case when r.deleted is null then r.fields else '{}'::jsonb end) - 'description'
                 else (case when r.deleted is null then r.fields else '{}'::jsonb end) || jsonb_build_object('description', p_text) end,
        provenance = (case when r.deleted is null then r.provenance else '{}'::jsonb end) || jsonb_build_object('description', v_dot),
        vector = v_vector, deleted = null;
end
$$;

-- 5. The workflow's entry points (security definer; each checks the caller's permission itself) ----
/*
 * Called by sync-push inside its transaction (which set `mallard.sync_writer`): stores description
 * changes that need approval as pending versions, attributed to the caller. `p_items` is a jsonb array
 * of {kind, id, text, replicaId, opNumber}. Returns the new versions' ids in order.
 */
create function private.doc_submit_pending(p_org_id uuid, p_items jsonb)
returns table (id uuid)
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_item record;
  v_team uuid;
  v_id uuid;
begin
  if coalesce(current_setting('mallard.sync_writer', true), '') <> 'on' then
    raise exception 'pending doc versions are submitted through sync-push only' using errcode = '42501';
  end if;
  for v_item in select * from jsonb_to_recordset(p_items) as t(kind text, id text, text text, "replicaId" uuid, "opNumber" bigint) loop
    select r.team_id into v_team from public.sync_rows r where r.org_id = p_org_id and r.kind = v_item.kind and r.row_id = v_item.id;
    v_team := coalesce(v_team, private.sync_entity_team(p_org_id, v_item.kind, v_item.id));
    if not private.has_permission(p_org_id, 'catalog.write', v_team) then
      raise exception 'editing % % needs catalog.write', v_item.kind, v_item.id using errcode = '42501';
    end if;
    insert into public.doc_versions (org_id, team_id, kind, row_id, status, body_before, body_after, author_id, replica_id, op_number)
    values (p_org_id, v_team, v_item.kind, v_item.id, 'pending',
            (select r.fields ->> 'description' from public.sync_rows r
             where r.org_id = p_org_id and r.kind = v_item.kind and r.row_id = v_item.id and r.deleted is null),
            v_item.text, private.acting_user_id(), v_item."replicaId", v_item."opNumber")
    returning doc_versions.id into v_id;
    id := v_id;
    return next;
  end loop;
end
$$;

/* A version the caller may see (member of its organization), locked; raises not-found otherwise. */
create function private.doc_version_for_update(p_id uuid)
returns public.doc_versions
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v public.doc_versions;
begin
  select * into v from public.doc_versions d where d.id = p_id;
  if not found or not (v.org_id = any (array(select private.member_org_ids()))) then
    raise exception 'doc version % does not exist (or is not visible to you)', p_id using errcode = 'P0002';
  end if;
  -- Reviews and reverts of one organization queue with its pushes (version numbers, merges).
  perform pg_advisory_xact_lock(hashtextextended('mallard.sync:' || v.org_id::text, 0));
  select * into v from public.doc_versions d where d.id = p_id for update;
  return v;
end
$$;

/*
 * Approves (`p_approve`) or rejects (with `p_reason`) a pending version; needs docs.approve on the
 * row's (org, team). Approving writes the text to sync_rows (it syncs to everyone) and the version
 * becomes the row's next published version. Returns the version as it is now.
 */
create function private.doc_version_review(p_id uuid, p_approve boolean, p_reason text default null)
returns public.doc_versions
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v public.doc_versions := private.doc_version_for_update(p_id);
  v_reason text := nullif(btrim(coalesce(p_reason, '')), '');
begin
  if not private.has_permission(v.org_id, 'docs.approve', v.team_id) then
    raise exception 'reviewing documentation needs docs.approve' using errcode = '42501';
  end if;
  if v.status <> 'pending' then
    raise exception 'doc version % is already %', p_id, v.status using errcode = '22023';
  end if;
  if p_approve then
    perform pg_catalog.set_config('mallard.doc_publishing', p_id::text, true);
    perform private.doc_write_description(v.org_id, v.kind, v.row_id, v.body_after);
    perform pg_catalog.set_config('mallard.doc_publishing', '', true);
    -- The text was already the published one (nothing changed): publish the version all the same.
    update public.doc_versions d set status = 'published', version = private.doc_next_version(v.org_id, v.kind, v.row_id)
    where d.id = p_id and d.status = 'pending';
    update public.doc_versions d set reviewed_by = private.acting_user_id(), reviewed_at = now(), reason = v_reason where d.id = p_id;
  else
    if v_reason is null then
      raise exception 'a rejection needs a reason' using errcode = '22023';
    end if;
    update public.doc_versions d set status = 'rejected', reviewed_by = private.acting_user_id(), reviewed_at = now(), reason = v_reason
    where d.id = p_id;
  end if;
  select * into v from public.doc_versions d where d.id = p_id;
  return v;
end
$$;

/*
 * Reverts a row's description to the text of version `p_id` (needs catalog.write on the row's scope):
 * a new published version, or a pending one when the change needs approval. Returns that version.
 */
create function private.doc_version_revert(p_id uuid)
returns public.doc_versions
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v public.doc_versions := private.doc_version_for_update(p_id);
  v_new public.doc_versions;
  v_current text;
begin
  if not private.has_permission(v.org_id, 'catalog.write', v.team_id) then
    raise exception 'reverting documentation needs catalog.write' using errcode = '42501';
  end if;
  if v.status = 'rejected' then
    raise exception 'a rejected version cannot be restored; submit the text again' using errcode = '22023';
  end if;
  select r.fields ->> 'description' into v_current from public.sync_rows r
    where r.org_id = v.org_id and r.kind = v.kind and r.row_id = v.row_id and r.deleted is null;
  if v_current is not distinct from v.body_after then
    raise exception 'the description already is the text of that version' using errcode = '22023';
  end if;
  if private.doc_approval_required(v.org_id, v.team_id) then
    insert into public.doc_versions (org_id, team_id, kind, row_id, status, body_before, body_after, author_id, reverted_from)
    values (v.org_id, v.team_id, v.kind, v.row_id, 'pending', v_current, v.body_after, private.acting_user_id(), v.id)
    returning * into v_new;
    return v_new;
  end if;
  perform pg_catalog.set_config('mallard.doc_reverting', p_id::text, true);
  perform private.doc_write_description(v.org_id, v.kind, v.row_id, v.body_after);
  perform pg_catalog.set_config('mallard.doc_reverting', '', true);
  select * into v_new from public.doc_versions d
    where d.org_id = v.org_id and d.kind = v.kind and d.row_id = v.row_id and d.status = 'published'
    order by d.version desc limit 1;
  return v_new;
end
$$;

/* E-mail addresses of the authors and reviewers (members of `p_org_id`) for the caller, a member too. */
create function private.doc_people(p_org_id uuid, p_ids uuid[])
returns table (user_id uuid, email text)
language sql stable security definer set search_path = ''
as $$
  select u.id, u.email::text from auth.users u
  join public.organization_members m on m.user_id = u.id and m.org_id = p_org_id
  where u.id = any (p_ids) and p_org_id = any (array(select private.member_org_ids()))
$$;

-- 6. Privileges, RLS, audit ----------------------------------------------------------------------------
revoke all on public.doc_versions from public, anon, authenticated, service_role;
grant select on public.doc_versions to authenticated, service_role;
alter table public.doc_versions enable row level security;
-- Readers of the row's scope (org-wide or team catalog.read grant) see its versions; no write policy.
create policy doc_versions_select on public.doc_versions for select to authenticated
  using (org_id = any (array(select private.org_ids_with('catalog.read')))
         or (team_id = any (array(select s.team_id from private.team_scopes_with('catalog.read') s))
             and (org_id, team_id) in (select s.org_id, s.team_id from private.team_scopes_with('catalog.read') s)));
create trigger doc_versions_keep_org after update on public.doc_versions for each row execute function private.guard_org_immutable();
select private.attach_audit('public.doc_versions'::regclass);

revoke all on function private.doc_approval_on(uuid), private.doc_row_team(uuid, text, text), private.doc_approval_required(uuid, uuid), private.doc_approval_targets(uuid, jsonb),
  private.doc_next_version(uuid, text, text), private.doc_versions_record(), private.doc_write_description(uuid, text, text, text),
  private.doc_submit_pending(uuid, jsonb), private.doc_version_for_update(uuid), private.doc_version_review(uuid, boolean, text),
  private.doc_version_revert(uuid), private.doc_people(uuid, uuid[])
  from public, anon, authenticated, service_role;
-- The functions call these under the caller's claims (role authenticated); each checks permissions.
grant execute on function private.doc_approval_on(uuid), private.doc_row_team(uuid, text, text), private.doc_approval_required(uuid, uuid), private.doc_approval_targets(uuid, jsonb),
  private.doc_submit_pending(uuid, jsonb), private.doc_version_review(uuid, boolean, text), private.doc_version_revert(uuid),
  private.doc_people(uuid, uuid[])
  to authenticated;
