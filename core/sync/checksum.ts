import type { RowTarget } from './ops';
import type { VersionVector } from './versionVector';
import { canonicalVector } from './versionVector';
import { sha256 } from './sha256';

/**
 * Per-scope checksums that detect silent divergence between a replica and the server. A row's
 * digest is the first 8 bytes (big-endian) of SHA-256 over `kind ␟ id ␟ canonicalVector(vector)`
 * (␟ = U+001F); a scope's checksum is the sum of its live rows' digests modulo 2^64, as a decimal
 * string, with the row count. A sum is order-free and updates incrementally (add the new digest,
 * subtract the old). Tombstones are not counted. The SQL the server uses is in the README.
 */

const MOD = 2n ** 64n;

/** The text a row digest hashes. */
export function rowDigestInput(target: RowTarget, vector: VersionVector): string {
  return `${target.kind}\u001f${target.id}\u001f${canonicalVector(vector)}`;
}

/** A row's digest as an unsigned 64-bit BigInt. */
export function rowDigest(target: RowTarget, vector: VersionVector): bigint {
  const hash = sha256(rowDigestInput(target, vector));
  let n = 0n;
  for (let i = 0; i < 8; i++) n = (n << 8n) | BigInt(hash[i] ?? 0);
  return n;
}

/** Running checksum of one scope. */
export interface ChecksumAccumulator {
  rows: number;
  sum: bigint;
}

/** An empty scope. */
export function emptyChecksum(): ChecksumAccumulator {
  return { rows: 0, sum: 0n };
}

/** Adds (`sign` 1) or removes (`sign` -1) a row. */
export function addRowToChecksum(acc: ChecksumAccumulator, target: RowTarget, vector: VersionVector, sign: 1 | -1 = 1): ChecksumAccumulator {
  const sum = (((acc.sum + BigInt(sign) * rowDigest(target, vector)) % MOD) + MOD) % MOD;
  return { rows: acc.rows + sign, sum };
}

/** Checksum of a list of live rows, as it appears in `ScopeChecksum`. */
export function scopeChecksum(rows: Iterable<{ target: RowTarget; vector: VersionVector }>): { rows: number; checksum: string } {
  let acc = emptyChecksum();
  for (const row of rows) acc = addRowToChecksum(acc, row.target, row.vector);
  return { rows: acc.rows, checksum: acc.sum.toString() };
}

/**
 * SQL (Postgres ≥ 11) for `canonicalVector` of a jsonb vector expression. Keys sort in `"C"`
 * collation, the code-unit order `canonicalVector` uses for uuids and `*`.
 */
export function canonicalVectorSql(vectorJsonb: string): string {
  return `(select coalesce(string_agg(e.key || ':' || e.value, ',' order by e.key collate "C"), '') from jsonb_each_text(${vectorJsonb}) e where e.value::numeric > 0)`;
}

/** SQL for `rowDigest` as a numeric in [0, 2^64), from text expressions for kind and id and a jsonb vector. */
export function rowDigestSql(kindText: string, idText: string, vectorJsonb: string): string {
  const input = `${kindText} || chr(31) || ${idText} || chr(31) || ${canonicalVectorSql(vectorJsonb)}`;
  const signed = `('x' || left(encode(sha256(convert_to(${input}, 'UTF8')), 'hex'), 16))::bit(64)::bigint::numeric`;
  return `(case when ${signed} < 0 then ${signed} + 18446744073709551616 else ${signed} end)`;
}

/** SQL aggregate turning row digests (numeric) into the `checksum` text of `ScopeChecksum`. */
export function checksumAggregateSql(digest: string): string {
  return `(coalesce(sum(${digest}), 0) % 18446744073709551616)::text`;
}
