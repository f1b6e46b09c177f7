import type { TransactionSql } from 'postgres';

/**
 * The queries of one pull page, run as the caller (RLS decides what is visible). Every stream
 * table is read after the cursor `(xid, seq)` and below the settled horizon, in stamp order, at
 * most `limit + 1` items each; rows and records come back as JSON text built by Postgres, so a
 * 5,000-row page is never parsed and re-serialized by the function.
 */

/**
 * One item of the change stream. Rows and tombstones come as their JSON without the clock (`json`
 * ends with `}`) and the clock's JSON apart (`vector`, and `provenance` for live rows), so the page
 * can send it full or compact (`servePull.ts`) without parsing the fields.
 */
export interface StreamItem {
  table: 'row' | 'tombstone' | 'conflict' | 'loser' | 'rejection';
  xid: bigint;
  seq: bigint;
  json: string;
  vector: string | null;
  provenance: string | null;
  /** Paths of a live row's set fields (its provenance is implied for them when it equals the vector). */
  fieldPaths: string[] | null;
}

/** Position after which to read. */
export interface StreamPosition {
  xid: string;
  seq: string;
}

const iso = (c: string) => `to_char(${c} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const target = `jsonb_build_object('kind', t.kind, 'id', t.row_id)`;
const op = `jsonb_build_object('replicaId', t.replica_id, 'opNumber', t.op_number)`;

/**
 * The page's synced rows and tombstones. They are picked first by stamp alone (so when the planner
 * sorts a large transaction's rows, it sorts tuple ids, not row images), then fetched by tuple id in
 * the same snapshot: JSON is built only for the rows served, never for rows the sort discards.
 */
function rowsQuery(where: string, order: string): string {
  return `select case when t.deleted is null then 'row' else 'tombstone' end as tbl, t.txid::text as xid, t.seq::text as seq,
      (case when t.deleted is null
        then jsonb_build_object('target', ${target}, 'teamId', t.team_id, 'fields', t.fields)
        else jsonb_build_object('target', ${target}, 'teamId', t.team_id) end)::text as json,
      t.vector::text as vector, (case when t.deleted is null then t.provenance::text end) as provenance,
      (case when t.deleted is null then array(select jsonb_object_keys(t.fields)) end) as field_paths
    from public.sync_rows t where t.ctid = any (array(select t.ctid from public.sync_rows t ${where} ${order}))`;
}

const QUERIES: Record<'conflicts' | 'losers' | 'rejections', string> = {
  conflicts: `select 'conflict' as tbl, t.txid::text as xid, t.seq::text as seq,
      jsonb_build_object('id', t.id, 'target', ${target}, 'op', ${op}, 'createdAt', ${iso('t.created_at')}, 'field', t.field,
        'serverValue', t.server_value, 'serverProvenance', t.server_provenance, 'incomingValue', t.incoming_value,
        'incomingProvenance', t.incoming_provenance, 'status', t.status, 'resolvedAt', ${iso('t.resolved_at')})::text as json, null::text as vector, null::text as provenance, null::text[] as field_paths
    from public.sync_conflicts t`,
  losers: `select 'loser' as tbl, t.txid::text as xid, t.seq::text as seq,
      jsonb_build_object('id', t.id, 'target', ${target}, 'op', ${op}, 'createdAt', ${iso('t.created_at')}, 'field', t.field,
        'value', t.value, 'provenance', t.provenance, 'reason', t.reason)::text as json, null::text as vector, null::text as provenance, null::text[] as field_paths
    from public.sync_losers t`,
  rejections: `select 'rejection' as tbl, t.txid::text as xid, t.seq::text as seq,
      jsonb_build_object('op', ${op}, 'target', ${target}, 'code', t.code, 'message', t.message, 'createdAt', ${iso('t.created_at')})::text as json, null::text as vector, null::text as provenance, null::text[] as field_paths
    from public.sync_rejections t`,
};

/**
 * Reads the next items of the stream after `after`, below `horizon`, at most `limit + 1` per
 * table, and merges them in stamp order. Rejections are only this replica's.
 */
export async function readStream(
  tx: TransactionSql,
  orgId: string,
  replicaId: string,
  after: StreamPosition,
  horizon: string,
  limit: number,
): Promise<StreamItem[]> {
  const where = `where t.org_id = $1::uuid and (t.txid, t.seq) > ($2::xid8, $3::bigint) and t.txid < $4::xid8`;
  const order = `order by t.txid, t.seq limit $5`;
  const sql = [
    `(${rowsQuery(where, order)})`,
    `(${QUERIES.conflicts} ${where} ${order})`,
    `(${QUERIES.losers} ${where} ${order})`,
    `(${QUERIES.rejections} ${where} and t.replica_id = $6::uuid ${order})`,
  ].join(' union all ');
  const rows = await tx.unsafe<{ tbl: StreamItem['table']; xid: string; seq: string; json: string; vector: string | null; provenance: string | null; field_paths: string[] | null }[]>(sql, [
    orgId, after.xid, after.seq, horizon, limit + 1, replicaId,
  ]);
  const items = rows.map((r) => ({ table: r.tbl, xid: BigInt(r.xid), seq: BigInt(r.seq), json: r.json, vector: r.vector, provenance: r.provenance, fieldPaths: r.field_paths }));
  items.sort((a, b) => (a.xid === b.xid ? (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0) : a.xid < b.xid ? -1 : 1));
  return items;
}

/** Live-row counts and digest sums per team of the caller's visible rows, and whether any is unsettled. */
export async function scopeTotals(tx: TransactionSql, orgId: string, horizon: string) {
  return await tx.unsafe<{ team_id: string | null; rows: string; sum: string; unsettled: boolean }[]>(
    `select t.team_id::text as team_id, count(*) filter (where t.deleted is null)::text as rows,
       (coalesce(sum(t.digest), 0) % 18446744073709551616)::text as sum, bool_or(t.txid >= $2::xid8) as unsettled
     from public.sync_rows t where t.org_id = $1::uuid group by t.team_id`,
    [orgId, horizon],
  );
}
