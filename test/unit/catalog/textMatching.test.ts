import assert from 'node:assert/strict';
import fc from 'fast-check';
import { didYouMean } from '../../../core/text/didYouMean';
import { editDistance } from '../../../core/text/editDistance';
import { toFtsQuery } from '../../../extension/catalog/ftsIndex';

/** Plain Levenshtein, the reference for the bounded version. */
function reference(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

describe('catalog text matching', () => {
  it('bounded edit distance equals Levenshtein up to the bound', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), fc.integer({ min: 0, max: 6 }), (a, b, max) => {
        assert.equal(editDistance(a, b, max), Math.min(reference(a, b), max + 1));
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it('did-you-mean picks the closest name within a typo distance, independent of order', () => {
    const models = ['stg_orders', 'stg_order_items', 'orders', 'customers'];
    assert.equal(didYouMean('stg_order', models), 'stg_orders');
    assert.equal(didYouMean('stg_order', [...models].reverse()), 'stg_orders');
    assert.equal(didYouMean('Stg_Orders', models), 'stg_orders');
    assert.equal(didYouMean('revenue', models), undefined);
    // Short names allow one edit only: `ab` is no typo of `xy`.
    assert.equal(didYouMean('ab', ['xy', 'ac']), 'ac');
    assert.equal(didYouMean('ab', ['xy']), undefined);
    // Equal distances: the name that sorts first.
    assert.equal(didYouMean('amt', ['amt1', 'amt0']), 'amt0');
  });

  it('FTS queries quote every word as a prefix term and drop operators', () => {
    assert.equal(toFtsQuery('stg_Orders'), '"stg"* "orders"*');
    assert.equal(toFtsQuery('a "b" OR c*'), '"a"* "b"* "or"* "c"*');
    assert.equal(toFtsQuery('  ()*" '), undefined);
    assert.equal(toFtsQuery('Größe'), '"größe"*');
  });
});
