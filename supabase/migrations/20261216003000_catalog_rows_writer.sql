-- The set-based org-catalog writer (issue 15): `private.sync_put_catalog_rows` writes a batch of
-- org-catalog rows in one INSERT … ON CONFLICT statement with exactly the semantics of
-- `private.sync_put_catalog_row` (20261210000200_sync_functions.sql) applied to each row: the
-- payload replaces the previous one, the writer replica's vector entry counts up by one (from 1 for a
-- new row), the provenance names the writer's entry, a tombstone is restored, the team is the given
-- one. The stamp trigger still stamps and digests each row; the statement-level audit triggers fire
-- once per batch instead of once per row (the per-row writer ran one statement per row, about 8 ms a
-- row under load). `private.sync_delete_catalog_rows` does the same for tombstones. No new table: nothing to add to RLS or the audit attachments.

/*
 * Writes (or restores) the org-catalog rows of `p_rows` (a JSON array of `{kind, rowId, payload}`)
 * for organization `p_org_id` with team `p_team_id`; returns how many rows it wrote. A row id given
 * twice keeps its last payload (one write, as two calls in a row would leave the same payload, but
 * with one vector step).
 */
create function private.sync_put_catalog_rows(p_org_id uuid, p_team_id uuid, p_rows jsonb)
returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_writer constant text := '00000000-0000-4000-8000-00000000ca7a';
  v_count integer;
begin
  if p_org_id is null or jsonb_typeof(p_rows) is distinct from 'array' then
    raise exception 'the org catalog writer takes an organization and a JSON array of rows' using errcode = '22023';
  end if;
  if exists (select 1 from jsonb_array_elements(p_rows) e
             where e ->> 'kind' is null or e ->> 'kind' not in ('catalogEntity', 'catalogColumn') or e ->> 'rowId' is null
               or e -> 'payload' is null or jsonb_typeof(e -> 'payload') = 'null') then
    raise exception 'the org catalog holds catalogEntity and catalogColumn rows with a payload' using errcode = '22023';
  end if;
  with given as (
    select distinct on (e ->> 'kind', e ->> 'rowId') e ->> 'kind' as kind, e ->> 'rowId' as row_id, e -> 'payload' as payload
    from jsonb_array_elements(p_rows) with ordinality as x(e, n)
    order by e ->> 'kind', e ->> 'rowId', n desc
  ),
  -- The per-row writer locks the row before computing its vector; here the update computes the
  -- vector from the conflicting row itself, which ON CONFLICT has locked, so no separate lock is
  -- needed. Rows go in a fixed order so two writers of overlapping batches cannot deadlock.
  written as (
    insert into public.sync_rows as r (org_id, kind, row_id, team_id, fields, provenance, vector, deleted)
    select p_org_id, g.kind, g.row_id, p_team_id, jsonb_build_object('payload', g.payload),
           jsonb_build_object('payload', jsonb_build_object(v_writer, 1)), jsonb_build_object(v_writer, 1), null
    from given g
    order by g.kind, g.row_id
    on conflict (org_id, kind, row_id) do update
      set team_id = excluded.team_id, fields = excluded.fields,
          provenance = jsonb_build_object('payload', jsonb_build_object(v_writer, coalesce((r.vector ->> v_writer)::bigint, 0) + 1)),
          vector = r.vector || jsonb_build_object(v_writer, coalesce((r.vector ->> v_writer)::bigint, 0) + 1),
          deleted = null
    returning 1
  )
  select count(*)::integer into v_count from written;
  return v_count;
end
$$;

/*
 * Deletes (tombstones) the org-catalog rows of `p_rows` (a JSON array of `{kind, rowId}`) in one
 * statement, as `private.sync_delete_catalog_row` does each; returns how many it tombstoned (rows
 * already deleted or absent are left alone).
 */
create function private.sync_delete_catalog_rows(p_org_id uuid, p_rows jsonb)
returns integer
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_writer constant text := '00000000-0000-4000-8000-00000000ca7a';
  v_count integer;
begin
  if p_org_id is null or jsonb_typeof(p_rows) is distinct from 'array' then
    raise exception 'the org catalog writer takes an organization and a JSON array of rows' using errcode = '22023';
  end if;
  with gone as (
    update public.sync_rows r
      set vector = r.vector || jsonb_build_object(v_writer, coalesce((r.vector ->> v_writer)::bigint, 0) + 1),
          deleted = jsonb_build_object(v_writer, coalesce((r.vector ->> v_writer)::bigint, 0) + 1),
          fields = '{}'::jsonb, provenance = '{}'::jsonb
    from (select distinct e ->> 'kind' as kind, e ->> 'rowId' as row_id from jsonb_array_elements(p_rows) e) g
    where r.org_id = p_org_id and r.kind = g.kind and r.row_id = g.row_id and r.kind in ('catalogEntity', 'catalogColumn')
      and r.deleted is null
    returning 1
  )
  select count(*)::integer into v_count from gone;
  return v_count;
end
$$;

-- The same privileges as the per-row writer: the functions' own login (owner) and the service role.
revoke all on function private.sync_put_catalog_rows(uuid, uuid, jsonb), private.sync_delete_catalog_rows(uuid, jsonb)
  from public, anon, authenticated, service_role;
grant execute on function private.sync_put_catalog_rows(uuid, uuid, jsonb), private.sync_delete_catalog_rows(uuid, jsonb) to service_role;
