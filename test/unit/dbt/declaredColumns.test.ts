import assert from 'node:assert/strict';
import { declaredColumnFacts } from '../../../core/dbt/declaredColumns';
import { readProperties } from '../../../core/dbt/project/properties';
import { parseYamlFile } from '../../../core/dbt/project/yamlFile';
import { Column } from '../../../core/model/entities';

/**
 * Declared columns are built without zod (it copied five objects per column) and columns without
 * tags, tests or meta share frozen empty values: the facts must still be exactly what the `Column`
 * schema gives, and the shared values must not be writable.
 */

const YAML = `version: 2
models:
  - name: orders
    columns:
      - name: id
        description: The key.
        data_type: bigint
        data_tests: [unique, not_null]
      - name: status
        tags: [pii]
        meta: { owner: ops }
        config:
          meta: { tier: 1 }
          tags: [gold]
      - name: amount
        tests:
          - accepted_values:
              values: [1, 2]
      - name: bare
`;

function declared(): ReturnType<typeof readProperties>[number]['columns'] {
  const node = readProperties(parseYamlFile(YAML, 'models/schema.yml'), 'shop', 'models/schema.yml')[0];
  assert.ok(node);
  return node.columns;
}

describe('declared column facts', () => {
  it('equal what the Column schema gives for every form of declaration', () => {
    const cols = declared();
    const facts = declaredColumnFacts('model.shop.orders', cols, { file: 'models/schema.yml', line: 3, column: 5 });
    assert.equal(facts.length, 4);
    for (const [i, fact] of facts.entries()) {
      const c = cols[i];
      assert.ok(c);
      const viaSchema = Column.parse({ id: `model.shop.orders#${c.name}`, entityId: 'model.shop.orders', name: c.name, ...(c.type ? { type: c.type } : {}), description: c.description, tags: c.tags, tests: c.tests, meta: c.meta, position: i, origin: 'declared', provenance: { file: 'models/schema.yml', line: 3, column: 5, extractor: 'dbt-yaml', confidence: 1 } });
      assert.deepEqual(fact, viaSchema, `column ${c.name}`);
      assert.deepEqual(Object.keys(fact), Object.keys(viaSchema), `key order of ${c.name} (payloads are JSON)`);
    }
    assert.deepEqual(facts[1]?.tags, ['pii', 'gold']);
    assert.deepEqual(facts[1]?.meta, { owner: 'ops', tier: 1 });
    assert.deepEqual(facts[0]?.tests.map((t) => t.name), ['unique', 'not_null']);
  });

  it('share frozen empty tags, tests and meta across columns without them, and one provenance per declaration', () => {
    const cols = declared();
    const bare = cols[3];
    const amount = cols[2];
    assert.ok(bare && amount);
    assert.equal(bare.tags, amount.tags, 'the same empty tags');
    assert.equal(bare.meta, amount.meta, 'the same empty meta');
    assert.ok(Object.isFrozen(bare.tags) && Object.isFrozen(bare.tests) && Object.isFrozen(bare.meta));
    assert.throws(() => (bare.tags as string[]).push('x'), TypeError);
    assert.deepEqual(cols[0]?.tags, [], 'no tags');
    const facts = declaredColumnFacts('model.shop.orders', cols, { file: 'models/schema.yml', line: 3, column: 5 });
    assert.equal(facts[0]?.provenance, facts[3]?.provenance);
  });
});
