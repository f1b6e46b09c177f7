import { z } from 'zod';

/**
 * Version vectors for synced rows: `{ replicaId: counter }`, one entry per replica that ever changed
 * the row, plus at most one server entry (`SERVER_ENTRY`) into which entries of retired replicas
 * are folded. Counter `n` of replica `r` means "the row has seen the first n changes `r` made to
 * it". A missing entry is 0; a stored vector never holds a 0 entry.
 *
 * Why a folded server entry keeps comparisons sound (README "The vector bound"): a retired replica
 * never writes again, and every other replica learns of its changes only through the server, so
 * any vector a client sends holds, for each retired replica, at most the server's counter. Folding
 * retired entries into one sum on both sides therefore preserves `≤` between a client vector and
 * the server's; what it loses is *which* folded change a client saw, so a field last written by a
 * folded change counts as seen only when the client saw every folded change (`coversField`). That
 * can report a conflict that a full vector would not, never the reverse: no edit is lost.
 */

/** Key of the entry into which retired replicas' entries fold. Replica ids are uuids, so it cannot clash. */
export const SERVER_ENTRY = '*';

/** Most entries a vector may carry on the wire; a row's vector stays far below this once retired replicas fold. */
export const MAX_VECTOR_ENTRIES = 256;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A replica id: a lower-case uuid, one per SQLite catalog file (or per server-side writer). */
export const ReplicaId = z.string().regex(UUID, 'a replica id is a lower-case uuid');

/** A version vector: replica id (or `SERVER_ENTRY`) → positive counter. */
export type VersionVector = Readonly<Record<string, number>>;

/** Zod schema of a version vector on the wire (bounded, positive safe-integer counters). */
export const VersionVectorSchema = z
  .record(z.union([ReplicaId, z.literal(SERVER_ENTRY)]), z.number().int().positive().max(Number.MAX_SAFE_INTEGER))
  .refine((v) => Object.keys(v).length <= MAX_VECTOR_ENTRIES, { message: `a version vector has at most ${MAX_VECTOR_ENTRIES} entries` });

/** One change: the `counter`-th change of `replica` to a row. */
export interface Dot {
  replica: string;
  counter: number;
}

/** How two vectors relate. */
export type VectorOrder = 'equal' | 'dominates' | 'dominated' | 'concurrent';

/** Counter of `replica` in `v` (0 when absent). */
export function counterOf(v: VersionVector, replica: string): number {
  return v[replica] ?? 0;
}

/** Compares `a` with `b`: `dominates` means `a` has seen everything `b` has and more. */
export function compareVectors(a: VersionVector, b: VersionVector): VectorOrder {
  let aAhead = false;
  let bAhead = false;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = counterOf(a, key);
    const y = counterOf(b, key);
    if (x > y) aAhead = true;
    else if (y > x) bAhead = true;
  }
  if (aAhead && bAhead) return 'concurrent';
  if (aAhead) return 'dominates';
  if (bAhead) return 'dominated';
  return 'equal';
}

/** True when `a` has seen every change `b` has (`equal` or `dominates`). */
export function vectorCovers(a: VersionVector, b: VersionVector): boolean {
  const order = compareVectors(a, b);
  return order === 'equal' || order === 'dominates';
}

/** Entry-wise maximum: everything either side has seen. Commutative, associative, idempotent. */
export function mergeVectors(a: VersionVector, b: VersionVector): VersionVector {
  const out: Record<string, number> = { ...a };
  for (const [key, n] of Object.entries(b)) {
    if (n > counterOf(out, key)) out[key] = n;
  }
  return sortedVector(out);
}

/** `v` with `replica`'s counter raised by one: the vector after `replica` makes one more change. */
export function incrementVector(v: VersionVector, replica: string): VersionVector {
  return sortedVector({ ...v, [replica]: counterOf(v, replica) + 1 });
}

/** The dot of the next change `replica` makes on a row whose vector is `v`. */
export function nextDot(v: VersionVector, replica: string): Dot {
  return { replica, counter: counterOf(v, replica) + 1 };
}

/** True when `v` has seen the change `dot`. */
export function vectorHasDot(v: VersionVector, dot: Dot): boolean {
  return counterOf(v, dot.replica) >= dot.counter;
}

/**
 * Folds the entries of retired replicas into `SERVER_ENTRY` (their counters are added to it).
 * Idempotent, and folding with a larger retired set later gives the same result as folding once
 * with it. The result has at most one entry per non-retired replica plus one.
 */
export function foldRetired(v: VersionVector, isRetired: (replica: string) => boolean): VersionVector {
  let folded = 0;
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(v)) {
    if (key !== SERVER_ENTRY && isRetired(key)) folded += n;
    else out[key] = n;
  }
  if (folded === 0) return v;
  out[SERVER_ENTRY] = counterOf(out, SERVER_ENTRY) + folded;
  return sortedVector(out);
}

/**
 * A field's provenance is a small vector of the changes that produced its current value (one entry
 * normally; two or more after a set union merged concurrent values). Folding maps entries of
 * retired replicas to the row's server entry, which `coversField` treats conservatively.
 */
export function foldFieldVector(field: VersionVector, isRetired: (replica: string) => boolean, rowServerCounter: number): VersionVector {
  let touched = false;
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(field)) {
    if (key !== SERVER_ENTRY && isRetired(key)) touched = true;
    else out[key] = n;
  }
  if (!touched) return field;
  out[SERVER_ENTRY] = Math.max(counterOf(out, SERVER_ENTRY), rowServerCounter, 1);
  return sortedVector(out);
}

/**
 * True when a client whose row vector is `base` had seen the value a field holds on the server,
 * given the field's provenance `field` and the server row's vector `serverRow` (all folded with the
 * same retired set). Entries of live replicas compare exactly; the server entry counts as seen only
 * when `base` has seen every folded change of the row, since a sum cannot tell which ones it saw.
 */
export function coversField(base: VersionVector, field: VersionVector, serverRow: VersionVector): boolean {
  for (const [key, n] of Object.entries(field)) {
    if (key === SERVER_ENTRY) {
      if (counterOf(base, SERVER_ENTRY) < counterOf(serverRow, SERVER_ENTRY)) return false;
    } else if (counterOf(base, key) < n) {
      return false;
    }
  }
  return true;
}

/** A vector of one dot. */
export function dotVector(dot: Dot): VersionVector {
  return { [dot.replica]: dot.counter };
}

/**
 * The canonical text of a vector: `key:counter` pairs sorted by key (code-unit order, which for
 * uuids and `*` equals Postgres `COLLATE "C"`), joined by commas; `` for the empty vector. Used by
 * checksums, so client and server must produce it byte for byte.
 */
export function canonicalVector(v: VersionVector): string {
  return Object.keys(v)
    .filter((k) => counterOf(v, k) > 0)
    .sort()
    .map((k) => `${k}:${counterOf(v, k)}`)
    .join(',');
}

/** A copy with keys in canonical order and zero entries dropped, so equal vectors serialize equally. */
export function sortedVector(v: Readonly<Record<string, number>>): VersionVector {
  const out: Record<string, number> = {};
  for (const key of Object.keys(v).sort()) {
    const n = v[key] ?? 0;
    if (n > 0) out[key] = n;
  }
  return out;
}
