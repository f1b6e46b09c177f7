import { z } from 'zod';
import { SYNC_LIMITS } from './limits';
import { MAX_VECTOR_ENTRIES, ReplicaId, SERVER_ENTRY } from './versionVector';
import type { VersionVector } from './versionVector';

/**
 * The compact clock encoding of the wire (schema version 2). Replica ids are 36-character uuids, so
 * a row vector `{ "<uuid>": 1 }` plus one per-field provenance costs more than a small metadata row's
 * fields (the sync benchmark measured 52 % of the bytes of pulled metadata rows). A message therefore
 * carries one **replica dictionary** (`replicas`: the ids it mentions, each once) and every vector in
 * it is a flat array of `[index, counter, index, counter, …]` pairs into that dictionary.
 *
 * A row's provenance is sent only where it says something the row does not imply (`encodeRowClock`):
 * a set field's provenance is implied to be `d`, the row's common provenance (absent: the row
 * vector, which is what a row written by one replica has), and only fields that differ are listed in
 * `p`. A provenance that is a single change which is also the row's latest change of that replica
 * is that replica's index alone; anything else is a compact vector; a set field without provenance
 * is `null`. Decoding restores exactly the vectors that were encoded (tested), so the merge rules
 * see what they always saw.
 */

/** A vector on the wire: `[index, counter, …]` into the message's replica dictionary. */
export type CompactVector = readonly number[];

/** One provenance entry on the wire: a dictionary index (a single dot at the row's counter), a compact vector, or `null` (no provenance). */
export type CompactProvenance = number | number[] | null;

/** Zod schema of a compact vector (the pairs are checked against the dictionary when decoding). */
export const CompactVectorSchema = z.array(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)).max(2 * MAX_VECTOR_ENTRIES);

/** Zod schema of one provenance entry of a compact row. */
export const CompactProvenanceSchema = z.union([z.number().int().nonnegative(), CompactVectorSchema, z.null()]);

/** Zod schema of a message's replica dictionary: replica ids (or the fold entry `*`), each once. */
export const ReplicaDictionary = z
  .array(z.union([ReplicaId, z.literal(SERVER_ENTRY)]))
  .max(SYNC_LIMITS.maxDictionaryEntries)
  .refine((ids) => new Set(ids).size === ids.length, { message: 'a replica dictionary lists each replica once' });

/** Builds a message's replica dictionary while its vectors are encoded. */
export class ReplicaDictionaryBuilder {
  readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  /** The index of `replica`, adding it on first use. */
  indexOf(replica: string): number {
    let at = this.index.get(replica);
    if (at === undefined) {
      at = this.ids.length;
      this.ids.push(replica);
      this.index.set(replica, at);
    }
    return at;
  }
}

/** `v` as `[index, counter, …]` (entries in the vector's own order; zero entries dropped). */
export function encodeVector(v: VersionVector, dict: ReplicaDictionaryBuilder): number[] {
  const out: number[] = [];
  for (const [replica, counter] of Object.entries(v)) {
    if (counter > 0) out.push(dict.indexOf(replica), counter);
  }
  return out;
}

/** A decoding problem: where (path below the vector) and what. */
export interface ClockProblem {
  path: (string | number)[];
  message: string;
}

/** Decoded vector, or the first problem: an odd length, an index outside the dictionary, a repeated replica, a zero counter. */
export function decodeVector(c: CompactVector, dict: readonly string[]): { vector: VersionVector } | { problem: ClockProblem } {
  if (c.length % 2 !== 0) return { problem: { path: [], message: `a compact vector is [index, counter] pairs; it has ${c.length} numbers` } };
  const out: Record<string, number> = {};
  for (let i = 0; i < c.length; i += 2) {
    const at = c[i] as number;
    const counter = c[i + 1] as number;
    const replica = dict[at];
    if (replica === undefined) {
      return { problem: { path: [i], message: `replica index ${at} is not in the message's replica dictionary (${dict.length} ${dict.length === 1 ? 'entry' : 'entries'})` } };
    }
    if (counter < 1) return { problem: { path: [i + 1], message: `the counter of replica index ${at} must be positive, got ${counter}` } };
    if (out[replica] !== undefined) return { problem: { path: [i], message: `replica index ${at} appears twice in one vector` } };
    out[replica] = counter;
  }
  return { vector: out };
}

/**
 * A row's clock on the wire: `v` (row vector), `d` (the provenance of set fields `p` does not list;
 * absent: the row vector) and `p` (provenance exceptions, absent when none).
 */
export interface CompactRowClock {
  v: number[];
  d?: number | number[];
  p?: Record<string, CompactProvenance>;
}

function sameVector(a: VersionVector, b: VersionVector): boolean {
  const keys = Object.keys(a).filter((k) => (a[k] ?? 0) > 0);
  return keys.length === Object.keys(b).filter((k) => (b[k] ?? 0) > 0).length && keys.every((k) => a[k] === b[k]);
}

/** One provenance vector: its replica's index when it is a single dot at the row's counter, else a compact vector. */
function encodeProvenance(prov: VersionVector, vector: VersionVector, dict: ReplicaDictionaryBuilder): number | number[] {
  const entries = Object.entries(prov).filter(([, n]) => n > 0);
  const single = entries.length === 1 ? entries[0] : undefined;
  return single !== undefined && vector[single[0]] === single[1] ? dict.indexOf(single[0]) : encodeVector(prov, dict);
}

/**
 * The provenance most set fields share, when that is not the row vector and at least two fields
 * share it (a row edited by a second replica: the fields of its last op share one dot).
 */
function commonProvenance(setPaths: readonly string[], provenance: Readonly<Record<string, VersionVector>>, vector: VersionVector): VersionVector | undefined {
  const counts = new Map<string, { prov: VersionVector; n: number }>();
  for (const path of setPaths) {
    const prov = provenance[path];
    if (prov === undefined || sameVector(prov, vector)) continue;
    const key = JSON.stringify(Object.entries(prov).filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const seen = counts.get(key) ?? { prov, n: 0 };
    seen.n += 1;
    counts.set(key, seen);
  }
  let best: { prov: VersionVector; n: number } | undefined;
  for (const c of counts.values()) if (best === undefined || c.n > best.n) best = c;
  return best !== undefined && best.n >= 2 ? best.prov : undefined;
}

/** Encodes a row's vector and provenance against the message's dictionary; `setPaths` are the row's set fields (see the file comment). */
export function encodeRowClock(
  setPaths: readonly string[],
  provenance: Readonly<Record<string, VersionVector>>,
  vector: VersionVector,
  dict: ReplicaDictionaryBuilder,
): CompactRowClock {
  const out: CompactRowClock = { v: encodeVector(vector, dict) };
  const common = commonProvenance(setPaths, provenance, vector);
  if (common !== undefined) out.d = encodeProvenance(common, vector, dict);
  const implied = common ?? vector;
  const p: Record<string, CompactProvenance> = {};
  const set = new Set(setPaths);
  for (const [path, prov] of Object.entries(provenance)) {
    if (set.has(path) && sameVector(prov, implied)) continue;
    p[path] = encodeProvenance(prov, vector, dict);
  }
  for (const path of set) {
    if (!Object.hasOwn(provenance, path)) p[path] = null;
  }
  if (Object.keys(p).length > 0) out.p = p;
  return out;
}

/** Decodes one provenance entry (index or compact vector) against the row vector. */
function decodeProvenance(entry: number | CompactVector, vector: VersionVector, dict: readonly string[]): { vector: VersionVector } | { problem: ClockProblem } {
  if (typeof entry !== 'number') return decodeVector(entry, dict);
  const replica = dict[entry];
  if (replica === undefined) {
    return { problem: { path: [], message: `replica index ${entry} is not in the message's replica dictionary (${dict.length} ${dict.length === 1 ? 'entry' : 'entries'})` } };
  }
  const counter = vector[replica];
  if (counter === undefined) return { problem: { path: [], message: `replica index ${entry} names a replica the row vector does not have` } };
  return { vector: { [replica]: counter } };
}

/** Decodes a compact row clock; the problem's path starts at `v`, `d` or `p`. */
export function decodeRowClock(
  fields: Readonly<Record<string, unknown>>,
  clock: { v: CompactVector; d?: number | CompactVector | undefined; p?: Readonly<Record<string, CompactProvenance>> | undefined },
  dict: readonly string[],
): { vector: VersionVector; provenance: Record<string, VersionVector> } | { problem: ClockProblem } {
  const row = decodeVector(clock.v, dict);
  if ('problem' in row) return { problem: { path: ['v', ...row.problem.path], message: row.problem.message } };
  const vector = row.vector;
  let implied = vector;
  if (clock.d !== undefined) {
    const common = decodeProvenance(clock.d, vector, dict);
    if ('problem' in common) return { problem: { path: ['d', ...common.problem.path], message: common.problem.message } };
    implied = common.vector;
  }
  const provenance: Record<string, VersionVector> = {};
  for (const path of Object.keys(fields)) provenance[path] = implied;
  for (const [path, entry] of Object.entries(clock.p ?? {})) {
    if (entry === null) {
      delete provenance[path];
      continue;
    }
    const field = decodeProvenance(entry, vector, dict);
    if ('problem' in field) return { problem: { path: ['p', path, ...field.problem.path], message: field.problem.message } };
    provenance[path] = field.vector;
  }
  return { vector, provenance };
}
