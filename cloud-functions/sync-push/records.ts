import type { TransactionSql } from 'postgres';
import type { ConflictRecord, FieldConflict, FieldLoser, RejectionCode } from '../../core/sync/records';
import type { RowTarget } from '../../core/sync/ops';
import { targetKey } from '../_shared/syncRows';

/**
 * Storing what a push produced besides rows: conflicts (returned in the op's ack and pulled by the
 * people concerned), losers (kept for one-click restore), rejections (shown to their author) and
 * resolutions. Inserted as the caller (RLS: members of the organization), stamped like rows.
 */

/** The conflicts and losers one applied op produced. */
export interface OpRecords {
  target: RowTarget;
  replicaId: string;
  opNumber: number;
  conflicts: FieldConflict[];
  losers: FieldLoser[];
}

/** One permanently refused op. */
export interface Rejection {
  target: RowTarget;
  replicaId: string;
  opNumber: number;
  code: RejectionCode;
  message: string;
}

const isoSql = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Inserts conflicts and losers; returns the stored conflict records per op number (for the acks). */
export async function insertRecords(
  tx: TransactionSql,
  orgId: string,
  teams: Map<string, string | null>,
  records: OpRecords[],
): Promise<Map<number, ConflictRecord[]>> {
  const byOp = new Map<number, ConflictRecord[]>();
  const conflicts = records.flatMap((r) =>
    r.conflicts.map((c) => ({
      id: crypto.randomUUID(), team: teams.get(targetKey(r.target.kind, r.target.id)) ?? null, kind: r.target.kind, rowId: r.target.id,
      field: c.field, serverValue: c.serverValue, serverProvenance: c.serverProvenance, incomingValue: c.incomingValue,
      incomingProvenance: c.incomingProvenance, replicaId: r.replicaId, opNumber: r.opNumber,
    })));
  const losers = records.flatMap((r) =>
    r.losers.map((l) => ({
      id: crypto.randomUUID(), team: teams.get(targetKey(r.target.kind, r.target.id)) ?? null, kind: r.target.kind, rowId: r.target.id,
      field: l.field, value: l.value, provenance: l.provenance, reason: l.reason, replicaId: r.replicaId, opNumber: r.opNumber,
    })));
  if (conflicts.length > 0) {
    const stored = await tx.unsafe<{ id: string; op_number: string; created_at: string }[]>(
      `insert into public.sync_conflicts (id, org_id, team_id, kind, row_id, field, server_value, server_provenance, incoming_value,
         incoming_provenance, replica_id, op_number)
       select x.id, $1::uuid, x.team, x.kind, x."rowId", x.field, coalesce(x."serverValue", 'null'), x."serverProvenance",
         coalesce(x."incomingValue", 'null'), x."incomingProvenance", x."replicaId", x."opNumber"
       from jsonb_to_recordset($2::text::jsonb) as x(id uuid, team uuid, kind text, "rowId" text, field text, "serverValue" jsonb,
         "serverProvenance" jsonb, "incomingValue" jsonb, "incomingProvenance" jsonb, "replicaId" uuid, "opNumber" bigint)
       returning id::text, op_number::text, ${isoSql('created_at')} as created_at`,
      [orgId, JSON.stringify(conflicts)],
    );
    const createdAt = new Map(stored.map((s) => [s.id, s.created_at]));
    for (const c of conflicts) {
      const record: ConflictRecord = {
        id: c.id, target: { kind: c.kind, id: c.rowId }, op: { replicaId: c.replicaId, opNumber: c.opNumber },
        createdAt: createdAt.get(c.id) ?? new Date().toISOString(), field: c.field, serverValue: c.serverValue,
        serverProvenance: c.serverProvenance, incomingValue: c.incomingValue, incomingProvenance: c.incomingProvenance,
        status: 'open', resolvedAt: null,
      };
      byOp.set(c.opNumber, [...(byOp.get(c.opNumber) ?? []), record]);
    }
  }
  if (losers.length > 0) {
    await tx.unsafe(
      `insert into public.sync_losers (id, org_id, team_id, kind, row_id, field, value, provenance, reason, replica_id, op_number)
       select x.id, $1::uuid, x.team, x.kind, x."rowId", x.field, coalesce(x.value, 'null'), x.provenance, x.reason, x."replicaId", x."opNumber"
       from jsonb_to_recordset($2::text::jsonb) as x(id uuid, team uuid, kind text, "rowId" text, field text, value jsonb,
         provenance jsonb, reason text, "replicaId" uuid, "opNumber" bigint)`,
      [orgId, JSON.stringify(losers)],
    );
  }
  return byOp;
}

/** Inserts rejections (the op numbers are consumed; their authors see them). */
export async function insertRejections(tx: TransactionSql, orgId: string, rejections: Rejection[]): Promise<void> {
  if (rejections.length === 0) return;
  await tx.unsafe(
    `insert into public.sync_rejections (org_id, kind, row_id, replica_id, op_number, code, message)
     select $1::uuid, x.kind, x.id, x."replicaId", x."opNumber", x.code, x.message
     from jsonb_to_recordset($2::text::jsonb) as x(kind text, id text, "replicaId" uuid, "opNumber" bigint, code text, message text)
     on conflict (replica_id, op_number) do nothing`,
    [orgId, JSON.stringify(rejections.map((r) => ({ kind: r.target.kind, id: r.target.id, replicaId: r.replicaId, opNumber: r.opNumber,
      code: r.code, message: r.message.slice(0, 2000) })))],
  );
}

/** The open or resolved conflicts among `ids` the caller can see, as id → target key. */
export async function knownConflicts(tx: TransactionSql, orgId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.unsafe<{ id: string; kind: string; row_id: string }[]>(
    `select c.id::text, c.kind, c.row_id from public.sync_conflicts c where c.org_id = $1::uuid and c.id = any ($2::text::uuid[])`,
    [orgId, `{${ids.join(',')}}`],
  );
  return new Map(rows.map((r) => [r.id, targetKey(r.kind, r.row_id)]));
}

/** Marks conflicts resolved (resolver and time are stamped by the server; a resolved one stays so). */
export async function resolveConflicts(tx: TransactionSql, orgId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.unsafe(`update public.sync_conflicts set status = 'resolved' where org_id = $1::uuid and id = any ($2::text::uuid[]) and status = 'open'`,
    [orgId, `{${ids.join(',')}}`]);
}
