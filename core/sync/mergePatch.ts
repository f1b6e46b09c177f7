import type { FieldPatch, IncomingChange, JsonValue, RowTarget } from './ops';
import type { FieldConflict, FieldLoser, RejectionCode } from './records';
import type { VersionVector } from './versionVector';
import { jsonEqual } from './jsonEqual';
import { ROW_KINDS, fieldSpec, fieldValueProblem, isKnownKind, normalizeFieldValue } from './rowKinds';
import { SERVER_ENTRY, counterOf, coversField, dotVector, foldFieldVector, foldRetired, mergeVectors, nextDot, vectorHasDot } from './versionVector';

/**
 * The per-field merge both sides run. The server applies each pushed op to the stored row with it;
 * the client applies its pending ops over a pulled row with it to show what the server will hold.
 * Pure and deterministic: the same row and op give the same result on Node, Deno and the browser.
 *
 * For each field of the patch: if the op's base vector covers the field's provenance, the op had
 * seen the server value and simply replaces it; otherwise the field was changed concurrently and
 * its policy (`rowKinds.ts`) decides. A delete wins over concurrent edits, which become losers.
 */

/** A row as the server stores it (and the client mirrors it). */
export interface SyncRow {
  target: RowTarget;
  /** Field path → value; unset fields are absent. */
  fields: Readonly<Record<string, JsonValue>>;
  /** Field path → the changes that produced its value (kept for unset fields too). */
  provenance: Readonly<Record<string, VersionVector>>;
  vector: VersionVector;
  /** Set on a tombstone: the change(s) that deleted the row. */
  deleted?: VersionVector;
}

/** Options of a merge. */
export interface MergeOptions {
  /** Replicas retired below the GC floor; their entries fold into `SERVER_ENTRY` (default: none). */
  isRetired?: (replica: string) => boolean;
  /** True for the server's own writers (connectors, org extraction): they may write read-only kinds. */
  trusted?: boolean;
}

/** What a merge did. `vector` is `row.vector`, repeated for callers that store it apart. */
export type MergeResult =
  | { outcome: 'applied'; row: SyncRow; vector: VersionVector; conflicts: FieldConflict[]; losers: FieldLoser[] }
  /** The row had already seen this op's change (a retried push, or a confirmed pending op): unchanged. */
  | { outcome: 'duplicate'; row: SyncRow; vector: VersionVector; conflicts: []; losers: [] }
  | { outcome: 'rejected'; code: RejectionCode; message: string };

const NONE = (): boolean => false;

/** A row that does not exist yet. */
export function emptyRow(target: RowTarget): SyncRow {
  return { target, fields: {}, provenance: {}, vector: {} };
}

/** Merges one op into `server` (undefined when the row does not exist yet). */
export function mergePatch(server: SyncRow | undefined, op: IncomingChange, options: MergeOptions = {}): MergeResult {
  const refusal = refuse(op, options);
  if (refusal !== undefined) return refusal;
  const isRetired = options.isRetired ?? NONE;
  const stored = server ?? emptyRow(op.target);
  const row = foldRow(stored, isRetired);
  const base = foldRetired(op.vector, isRetired);
  const dot = nextDot(base, op.replicaId);
  if (vectorHasDot(row.vector, dot)) {
    return { outcome: 'duplicate', row: stored, vector: stored.vector, conflicts: [], losers: [] };
  }
  const mine = dotVector(dot);
  const vector = mergeVectors(mergeVectors(row.vector, base), mine);
  if (op.action === 'delete') return applyDelete(row, base, mine, vector);
  return applyPatch(row, op.patch, base, mine, vector);
}

function refuse(op: IncomingChange, options: MergeOptions): MergeResult | undefined {
  const kind = op.target.kind;
  if (!isKnownKind(kind)) return { outcome: 'rejected', code: 'unknown-kind', message: `Row kind ${kind} is not known to this server.` };
  if (!ROW_KINDS[kind].writable && options.trusted !== true) {
    return { outcome: 'rejected', code: 'read-only', message: `${kind} rows are read-only for clients (the org catalog is written in the cloud).` };
  }
  if ((options.isRetired ?? NONE)(op.replicaId)) {
    return { outcome: 'rejected', code: 'invalid-op', message: `Replica ${op.replicaId} is retired; it must re-base its ops on a new replica id.` };
  }
  if (op.action === 'patch') {
    for (const [path, value] of Object.entries(op.patch)) {
      const problem = fieldValueProblem(kind, path, value);
      if (problem !== undefined) return { outcome: 'rejected', code: 'invalid-op', message: `Invalid value: ${problem}.` };
    }
  }
  return undefined;
}

/** The row with retired replicas folded out of its vector, provenance and tombstone. */
function foldRow(row: SyncRow, isRetired: (replica: string) => boolean): SyncRow {
  const vector = foldRetired(row.vector, isRetired);
  if (vector === row.vector) return row;
  const serverCounter = counterOf(vector, SERVER_ENTRY);
  const provenance: Record<string, VersionVector> = {};
  for (const [path, p] of Object.entries(row.provenance)) provenance[path] = foldFieldVector(p, isRetired, serverCounter);
  const folded: SyncRow = { target: row.target, fields: row.fields, provenance, vector };
  if (row.deleted !== undefined) folded.deleted = foldFieldVector(row.deleted, isRetired, serverCounter);
  return folded;
}

function applyDelete(row: SyncRow, base: VersionVector, mine: VersionVector, vector: VersionVector): MergeResult {
  const losers: FieldLoser[] = [];
  if (row.deleted !== undefined) {
    const next: SyncRow = { target: row.target, fields: {}, provenance: {}, vector, deleted: mergeVectors(row.deleted, mine) };
    return { outcome: 'applied', row: next, vector, conflicts: [], losers };
  }
  // Edits the deleting replica had not seen lose against the delete but stay restorable.
  for (const [field, value] of Object.entries(row.fields)) {
    const provenance = row.provenance[field] ?? {};
    if (!coversField(base, provenance, row.vector)) losers.push({ field, value, provenance, reason: 'deleted' });
  }
  const next: SyncRow = { target: row.target, fields: {}, provenance: {}, vector, deleted: mine };
  return { outcome: 'applied', row: next, vector, conflicts: [], losers };
}

function applyPatch(row: SyncRow, patch: FieldPatch, base: VersionVector, mine: VersionVector, vector: VersionVector): MergeResult {
  const conflicts: FieldConflict[] = [];
  const losers: FieldLoser[] = [];
  if (row.deleted !== undefined && !coversField(base, row.deleted, row.vector)) {
    // Delete wins over an edit that had not seen it; the edit is kept so it can be restored.
    for (const [field, value] of Object.entries(patch)) losers.push({ field, value, provenance: mine, reason: 'deleted' });
    return { outcome: 'applied', row: { ...row, vector }, vector, conflicts, losers };
  }
  // A patch that had seen the delete restores the row, starting from no fields.
  const restoring = row.deleted !== undefined;
  const fields: Record<string, JsonValue> = restoring ? {} : { ...row.fields };
  const provenance: Record<string, VersionVector> = restoring ? {} : { ...row.provenance };
  const kind = row.target.kind;
  for (const [field, raw] of Object.entries(patch)) {
    const incoming = normalizeFieldValue(kind, field, raw) as JsonValue;
    const current = fields[field] ?? null;
    const seen = provenance[field];
    if (seen === undefined || coversField(base, seen, row.vector)) {
      setField(fields, field, incoming);
      provenance[field] = mine;
      continue;
    }
    if (jsonEqual(current, incoming)) {
      // Both sides wrote the same value: nothing to lose; the value now stems from both changes.
      provenance[field] = mergeVectors(seen, mine);
      continue;
    }
    switch (fieldSpec(kind, field).policy) {
      case 'last-writer-wins':
        losers.push({ field, value: current, provenance: seen, reason: 'overwritten' });
        setField(fields, field, incoming);
        provenance[field] = mine;
        break;
      case 'keep-server':
        conflicts.push({ field, serverValue: current, serverProvenance: seen, incomingValue: incoming, incomingProvenance: mine });
        break;
      case 'set-union': {
        const union = normalizeFieldValue(kind, field, [...asArray(current), ...asArray(incoming)]) as JsonValue[];
        if (!jsonEqual(union, asArray(incoming))) losers.push({ field, value: incoming, provenance: mine, reason: 'union' });
        setField(fields, field, union);
        provenance[field] = mergeVectors(seen, mine);
        break;
      }
    }
  }
  const next: SyncRow = { target: row.target, fields, provenance, vector };
  return { outcome: 'applied', row: next, vector, conflicts, losers };
}

function setField(fields: Record<string, JsonValue>, field: string, value: JsonValue): void {
  if (value === null) delete fields[field];
  else fields[field] = value;
}

function asArray(value: JsonValue): JsonValue[] {
  return Array.isArray(value) ? value : [];
}
