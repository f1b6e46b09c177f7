import type { TransactionSql } from 'postgres';

/**
 * The `write` chunks: staged org catalog rows go to the sync stream through
 * `private.sync_put_catalog_rows` (the org-catalog writer replica, one statement per batch) in batches of `limit`, skipping
 * rows whose payload and team are already there (so a re-run that found nothing new stamps nothing
 * and members pull nothing); the connector's ownership list grows with them. The last chunk
 * deletes (tombstones) the rows this connector wrote before and no longer produces, unless another
 * connector of the organization still writes them. Runs inside the chunk's commit transaction.
 */

/** Writes rows `from` ≤ ord < `from + limit`; returns how many changed and whether rows remain. */
export async function writeBatch(
  tx: TransactionSql,
  run: { id: string; org_id: string; connector_id: string; team_id: string | null },
  from: number,
  limit: number,
): Promise<{ written: number; next: number }> {
  const to = from + limit;
  // One statement for the batch (private.sync_put_catalog_rows): the audit triggers fire once per
  // batch, not once per row as with the per-row writer.
  const [changed] = await tx<{ written: number }[]>`
    select private.sync_put_catalog_rows(${run.org_id}::uuid, ${run.team_id}::uuid, coalesce((
      select jsonb_agg(jsonb_build_object('kind', b.kind, 'rowId', b.row_id, 'payload', b.payload) order by b.ord)
      from private.connector_run_rows b
      where b.run_id = ${run.id} and b.ord >= ${from} and b.ord < ${to}
        and not exists (select 1 from public.sync_rows s where s.org_id = ${run.org_id} and s.kind = b.kind and s.row_id = b.row_id
                        and s.deleted is null and s.team_id is not distinct from ${run.team_id}::uuid and s.fields -> 'payload' = b.payload)
    ), '[]'::jsonb)) as written`;
  await tx`insert into private.connector_catalog_rows (org_id, connector_id, kind, row_id)
    select ${run.org_id}, ${run.connector_id}, b.kind, b.row_id from private.connector_run_rows b
    where b.run_id = ${run.id} and b.ord >= ${from} and b.ord < ${to}
    on conflict do nothing`;
  return { written: changed?.written ?? 0, next: to };
}

/** Deletes the rows the connector no longer produces; returns how many were tombstoned. */
export async function deleteVanished(tx: TransactionSql, run: { id: string; org_id: string; connector_id: string }): Promise<number> {
  const gone = await tx<{ kind: string; row_id: string; shared: boolean }[]>`
    delete from private.connector_catalog_rows o
    where o.connector_id = ${run.connector_id}
      and not exists (select 1 from private.connector_run_rows b where b.run_id = ${run.id} and b.kind = o.kind and b.row_id = o.row_id)
    returning o.kind, o.row_id,
      exists (select 1 from private.connector_catalog_rows x where x.org_id = o.org_id and x.kind = o.kind and x.row_id = o.row_id
              and x.connector_id <> o.connector_id) as shared`;
  const mine = gone.filter((g) => !g.shared);
  if (mine.length === 0) return 0;
  await tx`select private.sync_delete_catalog_rows(${run.org_id}::uuid, ${tx.json(mine.map((g) => ({ kind: g.kind, rowId: g.row_id })))})`;
  return mine.length;
}
