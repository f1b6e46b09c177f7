import assert from 'node:assert/strict';
import { buildDocPrompt, PROMPT_LIMITS } from '../../../core/ai/docPrompt';
import { DraftParseError, parseDocDraft } from '../../../core/ai/docDraft';
import { buildVerifyPrompt, parseVerifyAnswer } from '../../../core/ai/docVerify';

describe('AI docs: prompts and answers', () => {
  const base = { name: 'orders', kind: 'model', sql: 'select 1', description: '', columns: [{ name: 'id', description: '' }, { name: 'amount', description: 'Dollars.' }], upstream: [] };

  it('asks only for the empty descriptions unless told to redraft all, and bounds the SQL', () => {
    const user = buildDocPrompt(base)[1]?.content ?? '';
    assert.match(user, /- id\n/);
    assert.doesNotMatch(user, /- amount/);
    assert.match(buildDocPrompt({ ...base, scope: 'all' })[1]?.content ?? '', /- amount; current: Dollars\./);
    const long = buildDocPrompt({ ...base, sql: 'x'.repeat(PROMPT_LIMITS.sqlChars + 500) })[1]?.content ?? '';
    assert.match(long, /500 more characters not shown/);
  });

  it('drops upstream docs beyond the budget and says how many', () => {
    const upstream = Array.from({ length: 50 }, (_, i) => ({ name: `up${i}`, description: 'd'.repeat(500), columns: [{ name: 'c', description: 'e'.repeat(500) }] }));
    const user = buildDocPrompt({ ...base, upstream })[1]?.content ?? '';
    assert.ok(user.length < PROMPT_LIMITS.sqlChars + PROMPT_LIMITS.upstreamChars + 2000, `bounded: ${user.length}`);
    assert.match(user, /\(\d+ more upstream models not shown\)/);
  });

  it('a draft answer with a non-object "columns" or non-text values is reported, not used', () => {
    const d = parseDocDraft('{"description": 3, "columns": ["id"]}', ['id']);
    assert.deepEqual(d.columns, {});
    assert.equal(d.description, undefined);
    assert.equal(d.problems.length, 2);
    assert.throws(() => parseDocDraft('[1,2]', ['id']), DraftParseError);
  });

  it('verification numbers the SQL lines and keeps only findings with real evidence on described items', () => {
    const sql = 'select\n  amount_cents as amount\nfrom raw.orders\nwhere status <> \'returned\'';
    const items = [{ column: 'amount', description: 'Order total in dollars.' }, { description: 'Every order, returns included.' }, { column: 'id', description: '' }];
    const user = buildVerifyPrompt({ name: 'orders', sql, items })[1]?.content ?? '';
    assert.match(user, /   2\|   amount_cents as amount/);
    assert.doesNotMatch(user, /- id:/, 'undescribed items are not sent');
    const answer = JSON.stringify({ findings: [
      { column: 'AMOUNT', claim: 'in dollars', explanation: 'The column is cents.', lines: [2], confidence: 0.9 },
      { column: null, claim: 'returns included', explanation: 'Returned orders are filtered out.', lines: [4, 99], confidence: 0.8 },
      { column: 'id', claim: 'x', explanation: 'y', lines: [1], confidence: 0.5 },
      { column: 'amount', claim: 'x', explanation: 'y', lines: [42], confidence: 0.5 },
    ] });
    const { findings, dropped } = parseVerifyAnswer(answer, { sql, items });
    assert.deepEqual(findings.map((f) => [f.column ?? '(model)', f.lines]), [['amount', [2]], ['(model)', [4]]]);
    assert.equal(dropped.length, 2);
    assert.throws(() => parseVerifyAnswer('no', { sql, items }), DraftParseError);
  });
});
