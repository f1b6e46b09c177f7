import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { contentHash } from '../../../core/yaml/contentHash';
import { findDocBlocks, setDocBlock } from '../../../core/yaml/docBlocks';

const docs = readFileSync(path.join(__dirname, 'fixtures/docs.md'), 'utf8');

describe('core/yaml: docs blocks', () => {
  it('finds blocks with and without whitespace control, with their lines', () => {
    const blocks = findDocBlocks(docs);
    assert.deepEqual(blocks.map((b) => [b.name, b.line]), [['orders', 1], ['customer_id', 7]]);
    assert.equal(docs.slice(blocks[1]!.bodyStart, blocks[1]!.bodyEnd), 'Customer id.');
  });

  it('replaces one body, keeping the tags, their line breaks and the other block', () => {
    const out = setDocBlock(docs, 'orders', '# Orders\n\nOne row per placed order.\n');
    assert.ok(out.ok);
    assert.equal(out.ok && out.text, docs.replace('One row per order.', 'One row per placed order.'));
    const inline = setDocBlock(docs, 'customer_id', 'The shop id.');
    assert.equal(inline.ok && inline.text, docs.replace('-%}Customer id.{%-', '-%}The shop id.{%-'));
  });

  it('refuses an unknown block and a changed file', () => {
    assert.equal(setDocBlock(docs, 'nope', 'x').ok, false);
    const out = setDocBlock(docs + '\n', 'orders', 'x', { expectedHash: contentHash(docs) });
    assert.ok(!out.ok && out.reason === 'conflict');
  });

  it('hashes differ for any change and agree for equal text', () => {
    assert.equal(contentHash(docs), contentHash(`${docs}`));
    assert.notEqual(contentHash(docs), contentHash(docs.replace('row', 'rows')));
    assert.notEqual(contentHash('ab'), contentHash('ba'));
  });
});
