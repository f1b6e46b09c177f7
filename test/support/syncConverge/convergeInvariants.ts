import { isDeepStrictEqual } from 'node:util';
import type { Sql } from 'postgres';
import type { SyncOp } from '../../../core/sync/ops';
import { fieldSpec } from '../../../core/sync/rowKinds';
import type { VersionVector } from '../../../core/sync/versionVector';
import { compareVectors } from '../../../core/sync/versionVector';
import type { ConvergeReplica, LocalRow } from './convergeReplica';
import type { WireLog } from './faultyFetch';

/**
 * The invariants of the convergence run (sync.md, "The test that proves it"), each returning
 * human-readable violations instead of throwing so a run reports all of them with its seed:
 *   - no row clock goes backwards on a replica (checked after every cycle);
 *   - every op a user made is applied — its value in the final state, or overwritten by an op that
 *     had seen it, or kept in a visible loser or conflict record — or visibly rejected;
 *   - replicas with access hold exactly the server's rows (fields, vectors) and open conflicts;
 *   - a replica whose access was revoked holds no row of the organization and no pending op.
 */

/** The server's state of one organization, read as a superuser. */
export interface ServerState {
  rows: Map<string, { fields: Record<string, unknown>; provenance: Record<string, VersionVector>; vector: VersionVector; deleted: boolean }>;
  losers: { key: string; field: string; value: unknown; reason: string }[];
  conflicts: { id: string; key: string; field: string; incoming: unknown; op: string; open: boolean }[];
  rejections: Set<string>;
  lastOp: Map<string, number>;
}

const keyOf = (kind: string, id: string) => `${kind}\u001f${id}`;
const opRef = (op: { replicaId: string; opNumber: number }) => `${op.replicaId}/${op.opNumber}`;

/** Reads the organization's rows, records and replicas. */
export async function readServer(admin: Sql, orgId: string): Promise<ServerState> {
  const rows = await admin<{ kind: string; row_id: string; fields: Record<string, unknown>; provenance: Record<string, VersionVector>; vector: VersionVector; deleted: boolean }[]>`
    select kind, row_id, fields, provenance, vector, deleted is not null as deleted from public.sync_rows where org_id = ${orgId}`;
  const losers = await admin<{ kind: string; row_id: string; field: string; value: unknown; reason: string }[]>`
    select kind, row_id, field, value, reason from public.sync_losers where org_id = ${orgId}`;
  const conflicts = await admin<{ id: string; kind: string; row_id: string; field: string; incoming_value: unknown; replica_id: string; op_number: string; status: string }[]>`
    select id::text, kind, row_id, field, incoming_value, replica_id::text, op_number::text, status from public.sync_conflicts where org_id = ${orgId}`;
  const rejections = await admin<{ replica_id: string; op_number: string }[]>`select replica_id::text, op_number::text from public.sync_rejections where org_id = ${orgId}`;
  const replicas = await admin<{ replica_id: string; last_op: string }[]>`select replica_id::text, last_op::text from public.sync_replicas where org_id = ${orgId}`;
  return {
    rows: new Map(rows.map((r) => [keyOf(r.kind, r.row_id), { fields: r.fields, provenance: r.provenance, vector: r.vector, deleted: r.deleted }])),
    losers: losers.map((l) => ({ key: keyOf(l.kind, l.row_id), field: l.field, value: l.value, reason: l.reason })),
    conflicts: conflicts.map((c) => ({ id: c.id, key: keyOf(c.kind, c.row_id), field: c.field, incoming: c.incoming_value, op: `${c.replica_id}/${c.op_number}`, open: c.status === 'open' })),
    rejections: new Set(rejections.map((r) => `${r.replica_id}/${r.op_number}`)),
    lastOp: new Map(replicas.map((r) => [r.replica_id, Number(r.last_op)])),
  };
}

/** Records each row's clock and reports any that went backwards (or sideways) since the last look. */
export function checkClocks(history: Map<string, VersionVector>, replica: string, rows: readonly LocalRow[], where: string): string[] {
  const out: string[] = [];
  for (const row of rows) {
    const key = `${replica}\u001f${keyOf(row.kind, row.id)}`;
    const before = history.get(key);
    const order = before === undefined ? 'dominates' : compareVectors(row.vector, before);
    if (order === 'dominated' || order === 'concurrent') {
      out.push(`${where}: ${replica} ${row.kind} ${row.id} clock went ${order === 'dominated' ? 'backwards' : 'sideways'}: ${JSON.stringify(before)} → ${JSON.stringify(row.vector)}`);
    }
    history.set(key, row.vector);
  }
  return out;
}

/** The dot (replica, counter) an op adds to its row. */
function dotOf(op: SyncOp): { replica: string; counter: number } {
  return { replica: op.replicaId, counter: (op.vector[op.replicaId] ?? 0) + 1 };
}

function valueIn(kind: string, field: string, wanted: unknown, final: unknown): boolean {
  const have = final === undefined ? null : final;
  if (fieldSpec(kind, field).policy === 'set-union' && Array.isArray(wanted)) {
    // A set holds the wanted elements (an unset set is empty).
    const set = Array.isArray(have) ? have : [];
    if (have === null || Array.isArray(have)) return wanted.every((w) => set.some((h) => isDeepStrictEqual(h, w)));
  }
  return isDeepStrictEqual(wanted, have);
}

/**
 * Every op made is accounted for: applied ops keep each field's value unless an op that had seen
 * them replaced it or a record keeps it; rejected ops are visible to their author.
 */
export function checkOps(server: ServerState, log: WireLog, replicas: readonly ConvergeReplica[]): { violations: string[]; applied: number; rejected: number; waiting: number; acknowledged: number } {
  const out: string[] = [];
  // Ops whose outcome reached the client in a push answer (the rest were settled by later answers or pulls).
  let acknowledged = 0;
  let applied = 0;
  let rejected = 0;
  let waiting = 0;
  // Ops the server received, by the dot they add to their row: who last wrote a field, and what it had seen.
  // Ops the server applied (received, numbered at or below the replica's last op, not rejected),
  // per row: who replaced a field having seen an op.
  const writers = new Map<string, SyncOp[]>();
  const byContent = new Map<string, SyncOp>();
  const content = (op: SyncOp) => JSON.stringify([op.target, op.action === 'patch' ? op.patch : null, op.createdAt, op.resolves ?? []]);
  for (const op of log.ops.values()) {
    byContent.set(content(op), op);
    if (server.rejections.has(opRef(op)) || (server.lastOp.get(op.replicaId) ?? 0) < op.opNumber) continue;
    const key = keyOf(op.target.kind, op.target.id);
    writers.set(key, [...(writers.get(key) ?? []), op]);
  }
  for (const replica of replicas) {
    const local = new Set(replica.engine.rejections().map((r) => opRef(r.op)));
    const pending = new Set(replica.store.syncStore().pendingOps(100_000).map((op) => content(op)));
    const status = replica.engine.status;
    for (const made of replica.made) {
      // A re-based op travelled under a new identity; find it by its content.
      const op = log.ops.get(opRef(made)) ?? byContent.get(content(made)) ?? made;
      const ref = opRef(op);
      if ((log.acked.get(op.replicaId) ?? 0) >= op.opNumber) acknowledged += 1;
      if (local.has(ref) || local.has(opRef(made))) {
        rejected += 1;
        continue;
      }
      // Still waiting, visibly: its replica's last cycle failed for lack of access (made while revoked).
      if (pending.has(content(made)) && status.reason?.code === 'forbidden') {
        waiting += 1;
        continue;
      }
      if (server.rejections.has(ref)) {
        out.push(`${replica.name}: op ${ref} was rejected by the server but its author does not list it`);
        continue;
      }
      if ((server.lastOp.get(op.replicaId) ?? 0) < op.opNumber || !log.ops.has(ref)) {
        out.push(`${replica.name}: op ${ref} on ${op.target.kind} ${op.target.id} was neither applied nor listed as rejected`);
        continue;
      }
      applied += 1;
      out.push(...checkApplied(op, server, writers, replica.name));
    }
  }
  return { violations: out, applied, rejected, waiting, acknowledged };
}

function checkApplied(op: SyncOp, server: ServerState, writers: Map<string, SyncOp[]>, who: string): string[] {
  const key = keyOf(op.target.kind, op.target.id);
  const row = server.rows.get(key);
  const dot = dotOf(op);
  const ref = opRef(op);
  if (row === undefined) return [`${who}: applied op ${ref} but the server has no row ${op.target.id}`];
  if ((row.vector[dot.replica] ?? 0) < dot.counter) return [`${who}: applied op ${ref} is missing from the clock of ${op.target.id}: ${JSON.stringify(row.vector)}`];
  if (op.action !== 'patch') return [];
  const out: string[] = [];
  for (const [field, wanted] of Object.entries(op.patch)) {
    if (valueIn(op.target.kind, field, wanted, row.fields[field])) continue;
    // Replaced on purpose: an applied op that had seen this one wrote the field afterwards.
    const replaced = (writers.get(key) ?? []).some(
      (w) => w !== op && (w.action === 'delete' || field in w.patch) && (w.vector[dot.replica] ?? 0) >= dot.counter,
    );
    if (replaced) continue;
    // Kept for restore: a record holds the value (for a set, a set holding its elements).
    const kept =
      server.losers.some((l) => l.key === key && l.field === field && valueIn(op.target.kind, field, wanted, l.value)) ||
      server.conflicts.some((c) => c.key === key && c.field === field && valueIn(op.target.kind, field, wanted, c.incoming));
    if (kept) continue;
    const provenance = row.provenance[field] ?? {};
    if (process.env.CONVERGE_DEBUG) {
      const short = (id: string) => id.slice(0, 4);
      const history = (writers.get(key) ?? []).map((w) => `${short(w.replicaId)}/${w.opNumber} ${w.action} ${w.action === 'patch' ? Object.keys(w.patch).join('+') : ''} base ${JSON.stringify(Object.fromEntries(Object.entries(w.vector).map(([k, v]) => [short(k), v])))}`);
      out.push(`  debug ${key}: server vector ${JSON.stringify(row.vector)} fields ${JSON.stringify(row.fields)}; applied ops: ${history.join('; ')}`);
    }
    out.push(`${who}: op ${ref} set ${op.target.id}.${field} = ${JSON.stringify(wanted)}; the server holds ${JSON.stringify(row.fields[field])} (provenance ${JSON.stringify(provenance)}) and no op that saw it replaced it, no record keeps it (row ${row.deleted ? 'deleted' : 'live'}; records of the field: ${JSON.stringify(server.losers.filter((l) => l.key === key && l.field === field).map((l) => [l.reason, l.value]))})`);
  }
  return out;
}

/** A replica with access equals the server: rows, clocks, no pending views, the open conflicts. */
export function checkEqualsServer(server: ServerState, replica: ConvergeReplica): string[] {
  const out: string[] = [];
  const local = new Map(replica.rows().map((r) => [keyOf(r.kind, r.id), r]));
  for (const [key, row] of server.rows) {
    const mine = local.get(key);
    const label = key.replace('\u001f', ' ');
    if (mine === undefined) {
      if (!row.deleted) out.push(`${replica.name}: missing ${label} (server ${JSON.stringify(row.fields)})`);
      continue;
    }
    if (mine.deleted !== row.deleted) out.push(`${replica.name}: ${label} deleted=${mine.deleted}, server deleted=${row.deleted}`);
    if (!isDeepStrictEqual(mine.fields, row.fields)) out.push(`${replica.name}: ${label} fields ${JSON.stringify(mine.fields)} ≠ server ${JSON.stringify(row.fields)}`);
    if (!isDeepStrictEqual(mine.vector, row.vector)) out.push(`${replica.name}: ${label} clock ${JSON.stringify(mine.vector)} ≠ server ${JSON.stringify(row.vector)}`);
    if (mine.view !== null) out.push(`${replica.name}: ${label} still shows a pending view after quiescence`);
  }
  for (const [key, mine] of local) if (!server.rows.has(key) && !mine.deleted) out.push(`${replica.name}: holds ${key.replace('\u001f', ' ')}, which the server does not have`);
  const open = new Set(server.conflicts.filter((c) => c.open).map((c) => c.id));
  const mineOpen = new Set(replica.engine.conflicts().filter((c) => c.status === 'open').map((c) => c.id));
  if (!isDeepStrictEqual([...open].sort(), [...mineOpen].sort())) out.push(`${replica.name}: open conflicts ${JSON.stringify([...mineOpen].sort())} ≠ server ${JSON.stringify([...open].sort())}`);
  const counts = replica.store.syncStore().counts();
  if (counts.pending + counts.unconfirmed > 0) out.push(`${replica.name}: ${counts.pending} pending and ${counts.unconfirmed} unconfirmed ops after quiescence`);
  return out;
}

/**
 * A replica whose member lost access holds nothing of the organization. (Ops pending when the
 * removal arrived are checked by the run, which knows when it arrived; edits made afterwards wait,
 * visibly, behind a `forbidden` status.)
 */
export function checkRevoked(replica: ConvergeReplica, where: string): string[] {
  const out: string[] = [];
  const rows = replica.rows();
  if (rows.length > 0) out.push(`${where}: revoked ${replica.name} still holds ${rows.length} rows (${rows.slice(0, 3).map((r) => r.id).join(', ')}…)`);
  return out;
}
