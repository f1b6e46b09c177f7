import { z } from 'zod';
import { SYNC_LIMITS } from './limits';
import { Cursor, XidString } from './cursor';
import { JsonValueSchema, RowTarget } from './ops';
import { ConflictRecord, LoserRecord, RejectionRecord } from './records';
import { FieldPath } from './rowKinds';
import { ReplicaId, VersionVectorSchema } from './versionVector';
import type { VersionVector } from './versionVector';
import { CompactProvenanceSchema, CompactVectorSchema, ReplicaDictionary, ReplicaDictionaryBuilder, decodeRowClock, decodeVector, encodeRowClock, encodeVector } from './clockCodec';

/**
 * `sync-pull`: a replica asks for the changes after its cursor and gets one page: rows in their
 * current state (each target at most once per page), tombstones, scopes it gained or lost, the
 * records that concern it, and — on the last page — a checksum per scope. The client applies a page
 * and the new cursor in one SQLite transaction; a row with pending local ops keeps its local value
 * until those ops are confirmed (`txid` settled below `horizon`), merging the pulled row under them
 * with `mergePatch`.
 *
 * A cursor of another epoch, or one older than the tombstone GC floor, is answered with error
 * `epoch-changed` / `cursor-expired` (HTTP 410): the client pulls again from `cursor: null`.
 *
 * On the wire (schema version 2) rows and tombstones carry compact clocks (`clockCodec.ts`): `v`, `d`
 * and `p` against the page's `replicas` dictionary. `PullResponse.parse` decodes them, so everything past
 * the transport sees `vector` and `provenance` as before; full (version 1) rows parse unchanged.
 */

/** An organization, or one team of it: what access is granted on and what a revocation removes. */
export const Scope = z.looseObject({
  orgId: z.uuid(),
  /** `null` for organization-wide rows. */
  teamId: z.uuid().nullable(),
});
export type Scope = z.infer<typeof Scope>;

/** Body of a pull. */
export const PullRequest = z.looseObject({
  schemaVersion: z.number().int().positive(),
  orgId: z.uuid(),
  replicaId: ReplicaId,
  /** `null` for a full (initial or re-)sync. */
  cursor: Cursor.nullable(),
  /** Page size wanted; the server may send fewer. */
  limit: z.number().int().positive().max(SYNC_LIMITS.maxPageRows).optional(),
  /** Scopes the replica holds rows of, so the server can report which it lost. */
  scopes: z.array(Scope).max(10_000).optional(),
  /**
   * Only rows, tombstones, records and checksums of these scopes: a targeted resync after a checksum
   * mismatch, which pulls with a cursor of its own starting at `null` (added in schema version 1,
   * optional). A server that ignores it serves every scope; the client copes (it applies what it
   * gets and removes unseen rows only in the targeted scopes).
   */
  scopeFilter: z.array(Scope).min(1).max(100).optional(),
});
export type PullRequest = z.infer<typeof PullRequest>;

/** A row in its current server state. */
export const PulledRow = z.looseObject({
  target: RowTarget,
  /** The row's team, `null` for organization-wide rows; revoking the scope purges the row. */
  teamId: z.uuid().nullable(),
  /** Field path → value; unset fields are absent. Unknown paths are kept as they are. */
  fields: z.record(FieldPath, JsonValueSchema),
  /** Field path → provenance (the changes that produced the value); may list unset fields too. */
  provenance: z.record(FieldPath, VersionVectorSchema),
  vector: VersionVectorSchema,
});
export type PulledRow = z.infer<typeof PulledRow>;

/** A deleted row: the client removes it (and keeps nothing of it but the vector, if it tracks vectors). */
export const Tombstone = z.looseObject({
  target: RowTarget,
  teamId: z.uuid().nullable(),
  vector: VersionVectorSchema,
});
export type Tombstone = z.infer<typeof Tombstone>;

/** A row on the wire with a compact clock: `v` (its vector), `d` and `p` (provenance where it is not implied). */
export const CompactPulledRow = z.looseObject({
  target: RowTarget,
  teamId: z.uuid().nullable(),
  fields: z.record(FieldPath, JsonValueSchema),
  v: CompactVectorSchema,
  /** Provenance of the set fields `p` does not list (absent: the row vector). */
  d: z.union([z.number().int().nonnegative(), CompactVectorSchema]).optional(),
  p: z.record(FieldPath, CompactProvenanceSchema).optional(),
});

/** A tombstone on the wire with a compact vector `v`. */
export const CompactTombstone = z.looseObject({ target: RowTarget, teamId: z.uuid().nullable(), v: CompactVectorSchema });

/** Count and checksum of the live rows of one scope (`checksum.ts`); a mismatch triggers a targeted resync. */
export const ScopeChecksum = z.looseObject({
  scope: Scope,
  rows: z.number().int().nonnegative(),
  /** Sum of row digests modulo 2^64, decimal. */
  checksum: XidString,
});
export type ScopeChecksum = z.infer<typeof ScopeChecksum>;

/** One page of changes (HTTP 200), decoded: every clock is a full version vector. */
const DecodedPullResponse = z.looseObject({
  schemaVersion: z.number().int().positive(),
  /** Cursor to store with this page (and send next). */
  cursor: Cursor,
  rows: z.array(PulledRow),
  tombstones: z.array(Tombstone),
  /** Scopes gained since the cursor (pull their rows: they come in this and later pages) and lost (purge locally, in one transaction). */
  scopes: z.looseObject({ added: z.array(Scope), removed: z.array(Scope) }),
  /** Records changed since the cursor that concern this replica or its user. */
  records: z.looseObject({
    conflicts: z.array(ConflictRecord),
    losers: z.array(LoserRecord),
    /** Rejections of this replica's ops (also returned in push acks; here for a lost push response). */
    rejections: z.array(RejectionRecord),
  }),
  /** Settled horizon (xid8): every transaction below it is included up to `cursor`. */
  horizon: XidString,
  /** True when more pages follow immediately. */
  hasMore: z.boolean(),
  /** Per-scope checksums, on the last page (`hasMore: false`) only; empty otherwise. */
  checksums: z.array(ScopeChecksum),
});
/** One page of changes as the engine sees it (clocks decoded). */
export type PullResponse = z.infer<typeof DecodedPullResponse>;

/** One page on the wire: rows and tombstones with full or compact clocks, and the page's replica dictionary. */
const WirePullResponse = DecodedPullResponse.extend({
  /** Replica ids the page's compact clocks index (absent when every clock is full). */
  replicas: ReplicaDictionary.optional(),
  rows: z.array(z.union([PulledRow, CompactPulledRow])),
  tombstones: z.array(z.union([Tombstone, CompactTombstone])),
});
/** A page as the server sends it. */
export type PullResponseWire = z.input<typeof WirePullResponse>;

type WireRow = z.infer<typeof CompactPulledRow> | PulledRow;
type WireTombstone = z.infer<typeof CompactTombstone> | Tombstone;

/**
 * One page of changes (HTTP 200). Parsing decodes compact clocks against `replicas`; an index
 * outside the dictionary (or another malformed clock) fails the parse at the clock's path, so a
 * client never applies a page it cannot read.
 */
export const PullResponse = WirePullResponse.transform((wire, ctx): PullResponse => {
  const dict = wire.replicas ?? [];
  const { replicas: _dictionary, rows: wireRows, tombstones: wireTombstones, ...rest } = wire;
  const rows: PulledRow[] = [];
  for (const [i, row] of (wireRows as WireRow[]).entries()) {
    if (!('v' in row) || 'vector' in row) {
      rows.push(row as PulledRow);
      continue;
    }
    const { v, d, p, ...others } = row;
    const clock = decodeRowClock(row.fields, { v, d, p }, dict);
    if ('problem' in clock) {
      ctx.issues.push({ code: 'custom', message: clock.problem.message, input: row, path: ['rows', i, ...clock.problem.path] });
      return z.NEVER;
    }
    rows.push({ ...others, provenance: clock.provenance, vector: clock.vector });
  }
  const tombstones: Tombstone[] = [];
  for (const [i, t] of (wireTombstones as WireTombstone[]).entries()) {
    if (!('v' in t) || 'vector' in t) {
      tombstones.push(t as Tombstone);
      continue;
    }
    const { v, ...others } = t;
    const decoded = decodeVector(v, dict);
    if ('problem' in decoded) {
      ctx.issues.push({ code: 'custom', message: decoded.problem.message, input: t, path: ['tombstones', i, 'v', ...decoded.problem.path] });
      return z.NEVER;
    }
    tombstones.push({ ...others, vector: decoded.vector });
  }
  return { ...rest, rows, tombstones };
});

/** A row with a compact clock against `dict` (which gains the replicas it names). */
export function encodePulledRow(row: PulledRow, dict: ReplicaDictionaryBuilder): z.infer<typeof CompactPulledRow> {
  const { provenance, vector, ...rest } = row;
  return { ...rest, ...encodeRowClock(Object.keys(row.fields), provenance, vector, dict) };
}

/** A tombstone with a compact vector. */
export function encodeTombstone(t: Tombstone, dict: ReplicaDictionaryBuilder): z.infer<typeof CompactTombstone> {
  const { vector, ...rest } = t;
  return { ...rest, v: encodeVector(vector as VersionVector, dict) };
}

/** A decoded page in the compact wire form (the memory server's encoder; the edge function builds the same text). */
export function encodePullPage(page: PullResponse): PullResponseWire {
  const dict = new ReplicaDictionaryBuilder();
  const rows = page.rows.map((r) => encodePulledRow(r, dict));
  const tombstones = page.tombstones.map((t) => encodeTombstone(t, dict));
  return { ...page, replicas: dict.ids, rows, tombstones };
}
