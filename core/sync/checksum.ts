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
