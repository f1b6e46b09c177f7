import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { VersionVector } from '../../../core/sync/versionVector';
import {
  MAX_VECTOR_ENTRIES,
  SERVER_ENTRY,
  VersionVectorSchema,
  canonicalVector,
  compareVectors,
  foldRetired,
  incrementVector,
  mergeVectors,
  sortedVector,
  vectorCovers,
} from '../../../core/sync/versionVector';

const IDS = Array.from({ length: 8 }, (_, i) => `${String(i).repeat(8)}-0000-4000-8000-000000000000`);
const vectorArb: fc.Arbitrary<VersionVector> = fc
  .dictionary(fc.constantFrom(...IDS), fc.integer({ min: 0, max: 5 }), { maxKeys: 6 })
  .map((v) => sortedVector(v));
const retiredArb = fc.subarray(IDS);

describe('sync contract: version vectors', () => {
  it('compares: equal, dominates, dominated, concurrent', () => {
    const [a, b] = IDS as [string, string];
    assert.equal(compareVectors({ [a]: 1 }, { [a]: 1 }), 'equal');
    assert.equal(compareVectors({ [a]: 2 }, { [a]: 1 }), 'dominates');
    assert.equal(compareVectors({ [a]: 1 }, { [a]: 1, [b]: 1 }), 'dominated');
    assert.equal(compareVectors({ [a]: 2 }, { [a]: 1, [b]: 1 }), 'concurrent');
    assert.equal(compareVectors({}, {}), 'equal');
  });

  it('compare is antisymmetric and agrees with merge', () => {
    const flip = { equal: 'equal', dominates: 'dominated', dominated: 'dominates', concurrent: 'concurrent' } as const;
    fc.assert(
      fc.property(vectorArb, vectorArb, (a, b) => {
        assert.equal(compareVectors(b, a), flip[compareVectors(a, b)]);
        const m = mergeVectors(a, b);
        assert.ok(vectorCovers(m, a) && vectorCovers(m, b), 'the merge has seen both');
        // The merge is the least vector that covers both: a dominates b exactly when merging adds nothing to a.
        assert.equal(compareVectors(a, b) === 'dominates' || compareVectors(a, b) === 'equal', compareVectors(m, a) === 'equal');
      }),
      { seed: 1310, numRuns: 500 },
    );
  });

  it('merge is commutative, associative and idempotent; increment moves strictly forward', () => {
    fc.assert(
      fc.property(vectorArb, vectorArb, vectorArb, fc.constantFrom(...IDS), (a, b, c, r) => {
        assert.deepEqual(mergeVectors(a, b), mergeVectors(b, a));
        assert.deepEqual(mergeVectors(mergeVectors(a, b), c), mergeVectors(a, mergeVectors(b, c)));
        assert.deepEqual(mergeVectors(a, a), sortedVector(a));
        assert.equal(compareVectors(incrementVector(a, r), a), 'dominates');
        // Two replicas incrementing the same vector are concurrent.
        const other = IDS.find((id) => id !== r) as string;
        assert.equal(compareVectors(incrementVector(a, r), incrementVector(a, other)), 'concurrent');
      }),
      { seed: 1311, numRuns: 500 },
    );
  });

  it('folding retired replicas bounds the size and keeps the order the server relies on', () => {
    fc.assert(
      fc.property(vectorArb, vectorArb, retiredArb, retiredArb, (a, extra, retiredFirst, retiredLater) => {
        const first = new Set(retiredFirst);
        const all = new Set([...retiredFirst, ...retiredLater]);
        const folded = foldRetired(a, (id) => all.has(id));
        const live = Object.keys(a).filter((k) => !all.has(k));
        // The bound: one entry per live replica plus at most the server entry.
        assert.ok(Object.keys(folded).length <= live.length + 1);
        assert.ok(Object.keys(folded).every((k) => k === SERVER_ENTRY || !all.has(k)));
        // Idempotent, and folding in two steps equals folding once.
        assert.deepEqual(foldRetired(folded, (id) => all.has(id)), folded);
        assert.deepEqual(sortedVector(foldRetired(foldRetired(a, (id) => first.has(id)), (id) => all.has(id))), sortedVector(folded));
        // A client vector that has seen no more of any retired replica than the server (the server
        // is where it learns them) keeps its order against the server's after both fold.
        const server = mergeVectors(a, extra);
        const f = (v: VersionVector) => foldRetired(v, (id) => all.has(id));
        assert.ok(vectorCovers(f(server), f(a)), 'a vector the server covers stays covered');
        if (compareVectors(server, a) === 'equal') assert.equal(compareVectors(f(server), f(a)), 'equal');
      }),
      { seed: 1312, numRuns: 500 },
    );
  });

  it('stays bounded over a long life of replicas that come and go', () => {
    // 1,000 replicas write a row over time; each retires some time after its last write. Folding
    // at every write keeps the vector at (replicas active in the window) + 1 entries.
    let vector: VersionVector = {};
    const window = 20;
    let maxEntries = 0;
    for (let t = 0; t < 1000; t++) {
      const writer = `${String(t).padStart(8, '0')}-0000-4000-8000-000000000000`;
      vector = foldRetired(incrementVector(vector, writer), (id) => Number(id.slice(0, 8)) < t - window);
      maxEntries = Math.max(maxEntries, Object.keys(vector).length);
    }
    assert.ok(maxEntries <= window + 2, `at most ${window + 2} entries, saw ${maxEntries}`);
    assert.ok(Object.keys(vector).length < MAX_VECTOR_ENTRIES);
    assert.equal(vector[SERVER_ENTRY], 1000 - window - 1, 'every folded change is still counted');
  });

  it('canonical text sorts keys and drops zero entries; the wire schema bounds size and counters', () => {
    const [a, b] = IDS as [string, string];
    assert.equal(canonicalVector({ [b]: 2, [SERVER_ENTRY]: 3, [a]: 1, x: 0 } as VersionVector), `${SERVER_ENTRY}:3,${a}:1,${b}:2`);
    assert.equal(canonicalVector({}), '');
    assert.equal(VersionVectorSchema.safeParse({ [a]: 1, [SERVER_ENTRY]: 2 }).success, true);
    for (const bad of [{ [a]: 0 }, { [a]: 1.5 }, { 'not-a-uuid': 1 }, { 'AAAAAAAA-0000-4000-8000-000000000000': 1 }, Object.fromEntries(Array.from({ length: MAX_VECTOR_ENTRIES + 1 }, (_, i) => [`${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`, 1]))]) {
      assert.equal(VersionVectorSchema.safeParse(bad).success, false, JSON.stringify(bad).slice(0, 80));
    }
  });
});
