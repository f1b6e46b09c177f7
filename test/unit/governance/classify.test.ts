import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { classifyColumn, nameTokens, typeFamily } from '../../../core/governance/classify';
import { BUILTIN_RULES, luhnValid } from '../../../core/governance/classifyRules';

interface Labelled {
  name: string;
  type?: string;
  key: string | null;
}

const fixture = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/governance/labelledColumns.json'), 'utf8')) as { columns: Labelled[] };

describe('governance: rule-based personal-data classification', () => {
  it('meets precision ≥ 0.95 and recall ≥ 0.9 on the labelled column set, near misses included', () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const wrong: string[] = [];
    for (const c of fixture.columns) {
      const top = classifyColumn({ name: c.name, ...(c.type ? { type: c.type } : {}) })[0]?.key ?? null;
      if (top !== null && top === c.key) tp++;
      else {
        if (top !== null) fp++;
        if (c.key !== null) fn++;
        wrong.push(`${c.name}${c.type ? ` ${c.type}` : ''}: got ${top}, expected ${c.key}`);
      }
    }
    const precision = tp / Math.max(1, tp + fp);
    const recall = tp / Math.max(1, tp + fn);
    assert.ok(fixture.columns.filter((c) => c.key !== null).length >= 50, 'the set has enough positives to mean something');
    assert.ok(precision >= 0.95 && recall >= 0.9, `precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}:\n${wrong.join('\n')}`);
  });

  it('splits names in every common case and maps types to families', () => {
    assert.deepEqual(nameTokens('customerEmailAddress'), ['customer', 'email', 'address']);
    assert.deepEqual(nameTokens('CUSTOMER_EMAIL'), ['customer', 'email']);
    assert.deepEqual(nameTokens('billing-address.zip'), ['billing', 'address', 'zip']);
    assert.deepEqual(nameTokens('IPAddress'), ['ip', 'address']);
    assert.equal(typeFamily('VARCHAR(256)'), 'text');
    assert.equal(typeFamily('timestamp_ntz'), 'date');
    assert.equal(typeFamily('NUMBER(38,0)'), 'number');
    assert.equal(typeFamily('boolean'), 'boolean');
    assert.equal(typeFamily(undefined), undefined);
  });

  it('a declared type outside the rule rules a name out; sampled values confirm or find what names miss', () => {
    assert.deepEqual(classifyColumn({ name: 'email', type: 'boolean' }), []);
    const confirmed = classifyColumn({ name: 'email', type: 'text', values: ['a@example.com', 'b.c@example.org', 'x@y.io'] })[0];
    assert.equal(confirmed?.key, 'pii.email');
    assert.ok((confirmed?.confidence ?? 0) > 0.95 && /3 of 3 sampled values/.test(confirmed?.reason ?? ''), JSON.stringify(confirmed));
    // An opaque name whose values are card numbers (valid Luhn digits), and one whose digits fail Luhn.
    assert.equal(classifyColumn({ name: 'col_17', type: 'text', values: ['4111 1111 1111 1111', '5500-0000-0000-0004', '378282246310005'] })[0]?.key, 'pii.card_number');
    assert.deepEqual(classifyColumn({ name: 'col_18', type: 'text', values: ['4111 1111 1111 1112', '1234 5678 9012 3456'] }).map((s) => s.key), []);
    assert.equal(luhnValid('4111111111111111'), true);
    assert.equal(luhnValid('4111111111111112'), false);
  });

  it('every rule key is a valid sync classification key and names what it finds in its reason', () => {
    for (const rule of BUILTIN_RULES) assert.match(rule.key, /^[a-z][a-z0-9_.-]{0,60}$/);
    const s = classifyColumn({ name: 'billing_address_first_name', type: 'text' })[0];
    assert.equal(s?.key, 'pii.person_name');
    assert.match(s?.reason ?? '', /name matches 'first_name'; type text/);
  });
});
