import assert from 'node:assert/strict';
import { lineDiff } from '../../../core/docVersions/lineDiff';

/** The history's line diff: kept, removed and added lines in order, and the bounded fallback. */
describe('doc versions: line diff', () => {
  it('marks the changed line between kept ones', () => {
    assert.deepEqual(lineDiff('Orders.\nOne per row.\nFrom Shopify.', 'Orders.\nOne per order.\nFrom Shopify.'), [
      { op: 'same', text: 'Orders.' },
      { op: 'del', text: 'One per row.' },
      { op: 'add', text: 'One per order.' },
      { op: 'same', text: 'From Shopify.' },
    ]);
  });

  it('treats an unset description as no lines and normalizes line endings', () => {
    assert.deepEqual(lineDiff(null, 'a\r\nb'), [{ op: 'add', text: 'a' }, { op: 'add', text: 'b' }]);
    assert.deepEqual(lineDiff('a', null), [{ op: 'del', text: 'a' }]);
    assert.deepEqual(lineDiff('x\ny', 'x\ny'), [{ op: 'same', text: 'x' }, { op: 'same', text: 'y' }]);
  });

  it('keeps the longest common run when lines move', () => {
    const diff = lineDiff('a\nb\nc\nd', 'b\nc\nd\na');
    assert.deepEqual(diff.filter((l) => l.op === 'same').map((l) => l.text), ['b', 'c', 'd']);
    assert.deepEqual(diff.filter((l) => l.op !== 'same'), [{ op: 'del', text: 'a' }, { op: 'add', text: 'a' }]);
  });

  it('falls back to all removed, all added on very long texts', () => {
    const long = (p: string) => Array.from({ length: 600 }, (_, i) => `${p}${i}`).join('\n');
    const diff = lineDiff(long('a'), long('b'));
    assert.equal(diff.length, 1200);
    assert.deepEqual([diff[0]?.op, diff[599]?.op, diff[600]?.op], ['del', 'del', 'add']);
  });
});
