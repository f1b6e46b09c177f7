import assert from 'node:assert/strict';
import type { Diagnostic } from '../../../core/model/entities';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { parseYamlFile } from '../../../core/dbt/project/yamlFile';
import { memFileSource } from './helpers';

/**
 * Duplicates in a dbt project's YAML and files (issue 10, item 1): the first declaration wins, the
 * rest of the project is extracted, and each ignored copy gets a warning at its own line that names
 * it and the line of the kept one. No two facts with one id leave the extractor.
 */

const PROJECT = {
  'dbt_project.yml': 'name: shop\nversion: "1.0"\nconfig-version: 2\n',
  'models/orders.sql': 'select 1 as id, 2 as amount\n',
  'models/customers.sql': 'select 1 as id\n',
  // Line numbers matter below: keep this text as it is.
  'models/schema.yml': [
    'version: 2', //                                   1
    'models:', //                                      2
    '  - name: orders', //                             3
    '    description: first', //                      4
    '    description: second', //                     5
    '    columns:', //                                 6
    '      - name: id', //                             7
    '        description: the key', //                8
    '        tests:', //                               9
    '          - unique', //                          10
    '          - unique', //                          11
    '      - name: ID', //                            12
    '        description: copy-paste slip', //        13
    '      - name: amount', //                        14
    'sources:', //                                    15
    '  - name: raw', //                               16
    '    tables:', //                                 17
    '      - name: orders', //                        18
    '        description: kept', //                   19
    '      - name: orders', //                        20
    '        description: dropped', //                21
  ].join('\n'),
  'models/zz_more.yml': [
    'version: 2', //                                   1
    'models:', //                                      2
    '  - name: orders', //                             3
    '    description: described again', //            4
    '  - name: customers', //                          5
    '    description: only here', //                  6
    'sources:', //                                     7
    '  - name: raw', //                                8
    '    tables:', //                                  9
    '      - name: payments', //                      10
  ].join('\n'),
  'seeds/a/codes.csv': 'code,label\n1,x\n',
  'seeds/b/codes.csv': 'code\n2\n',
};

function find(diags: readonly Diagnostic[], file: string, line: number): Diagnostic | undefined {
  return diags.find((d) => d.file === file && d.line === line);
}

describe('dbt duplicates: first wins, located warnings, nothing else lost', () => {
  const { facts } = extractWorkspace(memFileSource(PROJECT), { workspaceName: 'ws' });
  const diags = facts.diagnostics;

  it('no id leaves the extractor twice', () => {
    const ids = facts.entities.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, `duplicate entity ids: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`);
    const cols = facts.columns.map((c) => c.id);
    assert.equal(new Set(cols).size, cols.length, `duplicate column ids: ${cols.filter((id, i) => cols.indexOf(id) !== i).join(', ')}`);
  });

  it('a duplicate YAML key keeps its first value and is reported at the later key', () => {
    const d = find(diags, 'models/schema.yml', 5);
    assert.equal(d?.code, 'yaml-duplicate-key');
    assert.equal(d?.severity, 'warning');
    assert.match(d?.message ?? '', /duplicate key 'description' in this mapping \(first at line 4\); the first value wins/);
    assert.equal(facts.entities.find((e) => e.id === 'model.shop.orders')?.description, 'first');
  });

  it('a column listed twice (any case) keeps the first; the later one is reported at its line', () => {
    const d = find(diags, 'models/schema.yml', 12);
    assert.equal(d?.code, 'dbt-duplicate-property');
    assert.match(d?.message ?? '', /column 'ID' of model 'orders' is listed twice \(first at line 7\); the first wins/);
    const cols = facts.columns.filter((c) => c.entityId === 'model.shop.orders');
    assert.deepEqual(cols.map((c) => [c.name, c.description]).sort(), [['amount', ''], ['id', 'the key']]);
  });

  it('a test listed twice under a column is reported at the later one', () => {
    const d = find(diags, 'models/schema.yml', 11);
    assert.match(d?.message ?? '', /test 'unique' of column 'id' of model 'orders' is listed twice with the same arguments \(first at line 10\)/);
    const id = facts.columns.find((c) => c.id === 'model.shop.orders#id');
    assert.deepEqual(id?.tests.map((t) => t.name), ['unique']);
  });

  it('a model described in two files keeps the first description; the other models of that file are read', () => {
    const d = find(diags, 'models/zz_more.yml', 3);
    assert.match(d?.message ?? '', /model 'orders' is already described at models\/schema\.yml:3; the first description wins and this one is ignored/);
    assert.equal(facts.entities.find((e) => e.id === 'model.shop.customers')?.description, 'only here');
  });

  it('a source table declared twice keeps the first; a source declared in two files keeps the tables of both', () => {
    const table = find(diags, 'models/schema.yml', 20);
    assert.match(table?.message ?? '', /source table 'raw\.orders' is already described at models\/schema\.yml:18/);
    assert.equal(facts.entities.find((e) => e.id === 'source.shop.raw.orders')?.description, 'kept');
    assert.ok(facts.entities.some((e) => e.id === 'source.shop.raw.payments'), 'the table of the second declaration is kept');
    const source = find(diags, 'models/zz_more.yml', 8);
    assert.match(source?.message ?? '', /source 'raw' is also declared at models\/schema\.yml:16; dbt rejects a source declared twice/);
  });

  it('two seeds with one name: the first is kept, the second is reported', () => {
    const d = find(diags, 'seeds/b/codes.csv', 1);
    assert.match(d?.message ?? '', /seed 'codes' is also defined by seeds\/a\/codes\.csv/);
    assert.deepEqual(facts.columns.filter((c) => c.entityId === 'seed.shop.codes').map((c) => c.name), ['code', 'label']);
  });
});

describe('YAML alias bombs', () => {
  const bomb = [
    'version: 2', //                                           1
    'models:', //                                              2
    '  - name: orders', //                                     3
    '    description: still read', //                         4
    'a: &a ["x","x","x","x","x","x","x","x","x"]', //          5
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', //                   6
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', //                   7
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', //                   8
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]', //                   9
    'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]', //                     10
  ].join('\n');

  it('an entry whose aliases expand without bound gets a located error; the other entries are read', () => {
    const yf = parseYamlFile(bomb, 'models/bomb.yml');
    const errors = yf.diagnostics.filter((d) => d.code === 'yaml-alias-limit');
    assert.ok(errors.length >= 1, 'at least one located error');
    for (const e of errors) {
      assert.equal(e.severity, 'error');
      assert.ok(e.line >= 6 && e.line <= 10, `at an aliasing entry, got line ${e.line}`);
      assert.match(e.message, /expands YAML aliases more than 1000 times/);
    }
    assert.equal((yf.data as { models: { description: string }[] }).models[0]?.description, 'still read');
  });

  it('in a project, the models of the file are still extracted', () => {
    const { facts } = extractWorkspace(memFileSource({ 'dbt_project.yml': 'name: shop\n', 'models/orders.sql': 'select 1 as id\n', 'models/bomb.yml': bomb }), { workspaceName: 'ws' });
    assert.equal(facts.entities.find((e) => e.id === 'model.shop.orders')?.description, 'still read');
    assert.ok(facts.diagnostics.some((d) => d.file === 'models/bomb.yml' && d.code === 'yaml-alias-limit'));
  });
});
