import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { addRowToChecksum, emptyChecksum, rowDigest, rowDigestInput, scopeChecksum } from '../../../core/sync/checksum';
import { sha256 } from '../../../core/sync/sha256';
import type { VersionVector } from '../../../core/sync/versionVector';

const R1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const R2 = 'bbbbbbbb-0000-4000-8000-000000000002';

/** The digest as the server computes it: first 8 bytes of SHA-256 over the UTF-8 input (node:crypto here). */
function referenceDigest(input: string): bigint {
  return BigInt(`0x${createHash('sha256').update(input, 'utf8').digest('hex').slice(0, 16)}`);
}

const rowArb = fc.record({
  target: fc.record({ kind: fc.constantFrom('entity', 'column'), id: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) }),
  vector: fc.dictionary(fc.constantFrom(R1, R2, '*'), fc.integer({ min: 1, max: 1000 })) as fc.Arbitrary<VersionVector>,
});

describe('sync contract: checksums', () => {
  it('hashes like SHA-256 of the UTF-8 bytes, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        assert.equal(Buffer.from(sha256(text)).toString('hex'), createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
      { seed: 1320, numRuns: 400 },
    );
    // Padding boundaries: 55, 56 and 64 bytes need one or two extra blocks.
    for (const n of [0, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      assert.equal(Buffer.from(sha256('a'.repeat(n))).toString('hex'), createHash('sha256').update('a'.repeat(n)).digest('hex'), `length ${n}`);
    }
  });

  it('digests a row from kind, id and canonical vector', () => {
    const target = { kind: 'column', id: 'model.shop.orders#amount' };
    const vector = { [R2]: 2, [R1]: 7, '*': 3 };
    assert.equal(rowDigestInput(target, vector), `column\u001fmodel.shop.orders#amount\u001f*:3,${R1}:7,${R2}:2`);
    assert.equal(rowDigest(target, vector), referenceDigest(rowDigestInput(target, vector)));
    assert.notEqual(rowDigest(target, vector), rowDigest(target, { ...vector, [R2]: 3 }), 'a new version changes the digest');
  });

  it('sums digests modulo 2^64: order-free and incremental', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 30 }), fc.nat(), (rows, cut) => {
        const all = scopeChecksum(rows);
        const expected = rows.reduce((sum, r) => (sum + referenceDigest(rowDigestInput(r.target, r.vector))) % 2n ** 64n, 0n);
        assert.deepEqual(all, { rows: rows.length, checksum: expected.toString() });
        assert.deepEqual(scopeChecksum([...rows].reverse()), all);
        // Removing a row then adding it back returns to the same checksum.
        const victim = rows[cut % Math.max(1, rows.length)];
        if (victim === undefined) return;
        let acc = emptyChecksum();
        for (const r of rows) acc = addRowToChecksum(acc, r.target, r.vector);
        const without = addRowToChecksum(acc, victim.target, victim.vector, -1);
        assert.equal(without.rows, rows.length - 1);
        assert.deepEqual(scopeChecksum(rows.filter((r) => r !== victim)), { rows: without.rows, checksum: without.sum.toString() });
      }),
      { seed: 1321, numRuns: 200 },
    );
  });
});
