import type { TransactionSql } from 'postgres';
import type { SyncRow } from '../../core/sync/mergePatch';
import type { JsonValue } from '../../core/sync/ops';
import type { VersionVector } from '../../core/sync/versionVector';

/**
 * Reading and writing `public.sync_rows` in the contract's `SyncRow` shape. Always inside a
 * `withClaims` transaction: reads see only the caller's scope, writes meet RLS, the guard and the
 * stamp trigger like any client write.
 */

/** The key of a target within an organization. */
export function targetKey(kind: string, id: string): string {
  return `${kind}\u001f${id}`;
}

interface DbRow {
  kind: string;
  row_id: string;
  team_id: string | null;
  fields: Record<string, JsonValue>;
  provenance: Record<string, VersionVector>;
  vector: VersionVector;
  deleted: VersionVector | null;
}

/** The rows of `targets` the caller can see, by `targetKey`. */
export async function loadRows(tx: TransactionSql, orgId: string, targets: { kind: string; id: string }[]): Promise<Map<string, SyncRow>> {
  const out = new Map<string, SyncRow>();
  if (targets.length === 0) return out;
  const rows = await tx.unsafe<DbRow[]>(
    // LATERAL: one primary-key lookup per target, whatever the planner guesses about the list.
    `select r.kind, r.row_id, r.team_id::text as team_id, r.fields, r.provenance, r.vector, r.deleted
     from jsonb_to_recordset($2::text::jsonb) as t(kind text, id text)
     cross join lateral (select x.* from public.sync_rows x where x.org_id = $1::uuid and x.kind = t.kind and x.row_id = t.id) r`,
    [orgId, JSON.stringify(targets)],
  );
  for (const row of rows) {
    const syncRow: SyncRow = { target: { kind: row.kind, id: row.row_id }, fields: row.fields, provenance: row.provenance, vector: row.vector };
    if (row.deleted !== null) syncRow.deleted = row.deleted;
    out.set(targetKey(row.kind, row.row_id), syncRow);
  }
  return out;
}

/**
 * Writes rows in their merged state (insert or update; one statement) and returns each row's team.
 * A refusal (RLS 42501, a guard, a check) fails the whole statement.
 */
export async function writeRows(tx: TransactionSql, orgId: string, rows: SyncRow[]): Promise<Map<string, string | null>> {
  const teams = new Map<string, string | null>();
  if (rows.length === 0) return teams;
  const payload = rows.map((r) => ({
    kind: r.target.kind,
    id: r.target.id,
    fields: r.fields,
    provenance: r.provenance,
    vector: r.vector,
    deleted: r.deleted ?? null,
  }));
  const written = await tx.unsafe<{ kind: string; row_id: string; team_id: string | null }[]>(
    `insert into public.sync_rows as r (org_id, kind, row_id, fields, provenance, vector, deleted)
     select $1::uuid, x.kind, x.id, x.fields, x.provenance, x.vector, x.deleted
     from jsonb_to_recordset($2::text::jsonb) as x(kind text, id text, fields jsonb, provenance jsonb, vector jsonb, deleted jsonb)
     on conflict (org_id, kind, row_id) do update
       set fields = excluded.fields, provenance = excluded.provenance, vector = excluded.vector, deleted = excluded.deleted
     returning r.kind, r.row_id, r.team_id::text as team_id`,
    [orgId, JSON.stringify(payload)],
  );
  for (const w of written) teams.set(targetKey(w.kind, w.row_id), w.team_id);
  return teams;
}
