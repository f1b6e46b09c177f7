import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { contentHash } from '../../../core/yaml/contentHash';
import { findDocBlocks, setDocBlock } from '../../../core/yaml/docBlocks';
import { docBlockName, isTemplated, readEntry } from '../../../core/yaml/schemaLocate';

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

describe('core/yaml: reading entries', () => {
  const marts = readFileSync(path.join(__dirname, 'fixtures/marts.yml'), 'utf8');

  it('reads raw descriptions of an entry and its columns', () => {
    const entry = readEntry(marts, { resource: 'models', name: 'orders' });
    assert.equal(entry?.description, '{{ doc("orders") }}');
    assert.equal(docBlockName(entry?.description), 'orders');
    assert.equal(entry?.columns.get('order_id'), 'Primary key of an order.');
    assert.equal(entry?.columns.get('status'), undefined);
    assert.ok(entry?.columns.has('status'));
    assert.equal(isTemplated(entry?.columns.get('customer_id')), true);
    assert.equal(readEntry(marts, { resource: 'models', name: 'nope' }), undefined);
    assert.equal(readEntry('a: [', { resource: 'models', name: 'orders' }), undefined);
    assert.equal(docBlockName('see {{ doc("x") }} too'), undefined);
  });
});
