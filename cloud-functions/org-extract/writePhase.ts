import type { TransactionSql } from 'postgres';

/**
 * The `write` chunks: staged org catalog rows go to the sync stream through
 * `private.sync_put_catalog_row` (the org-catalog writer replica) in batches of `limit`, skipping
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
  // One result row per row written (the function returns void).
  const changed = await tx`
    select private.sync_put_catalog_row(${run.org_id}, b.kind, b.row_id, ${run.team_id}, b.payload)
    from private.connector_run_rows b
    where b.run_id = ${run.id} and b.ord >= ${from} and b.ord < ${to}
      and not exists (select 1 from public.sync_rows s where s.org_id = ${run.org_id} and s.kind = b.kind and s.row_id = b.row_id
                      and s.deleted is null and s.team_id is not distinct from ${run.team_id}::uuid and s.fields -> 'payload' = b.payload)`;
  await tx`insert into private.connector_catalog_rows (org_id, connector_id, kind, row_id)
    select ${run.org_id}, ${run.connector_id}, b.kind, b.row_id from private.connector_run_rows b
    where b.run_id = ${run.id} and b.ord >= ${from} and b.ord < ${to}
    on conflict do nothing`;
  return { written: changed.length, next: to };
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
  await tx`
    select private.sync_delete_catalog_row(${run.org_id}, g.kind, g.row_id)
    from unnest(${tx.array(mine.map((g) => g.kind))}::text[], ${tx.array(mine.map((g) => g.row_id))}::text[]) as g(kind, row_id)`;
  return mine.length;
}
