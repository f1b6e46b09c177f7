import assert from 'node:assert/strict';
import { entityScore, projectScore } from '../../../core/governance/quality';
import { projectSummary, qualityBadge, qualityHints, qualityTone, qualityTooltip, type ScoredEntity } from '../../../core/governance/qualityView';
import type { Column, Entity } from '../../../core/model/entities';

const prov = { file: 'models/x.sql', line: 1, column: 1, extractor: 'test', confidence: 1 };
const entity = (name: string, over: Partial<Entity> = {}): Entity => ({
  id: `model.p.${name}`, kind: 'model', name, project: 'p', path: `models/${name}.sql`, description: '', tags: [], meta: {}, owners: [], tests: [], disabled: false, provenance: prov, ...over,
});
const column = (entityId: string, name: string, over: Partial<Column> = {}): Column => ({
  id: `${entityId}#${name}`, entityId, name, description: '', tags: [], tests: [], meta: {}, position: 0, origin: 'declared', provenance: prov, ...over,
});

describe('docs quality view models', () => {
  it('hints say what is missing, the biggest gain first, with the points each earns', () => {
    const e = entity('orders', { owners: [{ name: 'ana', source: 'yaml' }] });
    const cols = [column(e.id, 'id', { description: 'Key.', tests: [{ name: 'unique', args: {} }] }), column(e.id, 'amount'), column(e.id, 'status'), column(e.id, 'note')];
    const score = entityScore(e, cols, { docsChangedAt: 1, codeChangedAt: 2 });
    // description 0/25, columns 25*1/4 = 6.3, tests 25*1/4 = 6.3, owner 15, freshness 0/10.
    assert.equal(score.score, 27.6);
    assert.deepEqual(qualityHints(score), [
      'describe the model (+25)',
      'describe 3 of 4 columns (+18.7)',
      'test 3 more columns or the model (+18.7)',
      'the SQL changed after the docs: review them (+10)',
    ]);
    const tested = entity('tested', { description: 'T.', tests: [{ name: 't', args: {} }] });
    const partly = entityScore(tested, [column(tested.id, 'a', { description: 'A.' }), column(tested.id, 'b', { description: 'B.' }), column(tested.id, 'c', { description: 'C.' }), column(tested.id, 'd')]);
    assert.deepEqual(qualityHints(partly), ['set an owner (+15)', 'describe 1 of 4 columns (+6.2)'], 'the biggest gain first, not the order of the parts');
    assert.equal(qualityBadge(score.score), '28%');
    assert.equal(qualityTone(score.score), 'poor');
    assert.equal(qualityTone(50), 'fair');
    assert.equal(qualityTone(80), 'good');
    assert.equal(qualityTooltip(score), '**Docs quality 28%**\n- describe the model (+25)\n- describe 3 of 4 columns (+18.7)\n- test 3 more columns or the model (+18.7)\n- the SQL changed after the docs: review them (+10)');
  });

  it('a complete model has no hints and says so', () => {
    const e = entity('done', { description: 'Done.', owners: [{ name: 'ana', source: 'yaml' }], tests: [{ name: 'expression_is_true', args: {} }] });
    const score = entityScore(e, [column(e.id, 'id', { description: 'Key.' })]);
    assert.equal(score.score, 100);
    assert.deepEqual(qualityHints(score), []);
    assert.equal(qualityTooltip(score), '**Docs quality 100%**\n- nothing missing');
  });

  it('the project summary has coverage lines and the lowest-scoring models first, without complete ones', () => {
    const a = entity('a', { description: 'A.', owners: [{ name: 'x', source: 'yaml' }], tests: [{ name: 't', args: {} }] });
    const b = entity('b');
    const c = entity('c', { description: 'C.' });
    const d = entity('d');
    const columns = new Map<string, Column[]>([[a.id, [column(a.id, 'id', { description: 'Key.' })]], [b.id, [column(b.id, 'id'), column(b.id, 'v', { description: 'V.' })]], [c.id, []], [d.id, [column(d.id, 'id')]]]);
    const models = [a, b, c, d];
    const scored: ScoredEntity[] = models.map((m) => ({ id: m.id, name: m.name, kind: m.kind, path: m.path, score: entityScore(m, columns.get(m.id) ?? []) }));
    const summary = projectSummary('p', projectScore(models, (id) => columns.get(id) ?? []), scored, 2);
    assert.deepEqual(summary.coverage, [
      { label: 'Model descriptions', done: 2, total: 4, percent: 50 },
      { label: 'Column descriptions', done: 2, total: 4, percent: 50 },
      { label: 'Models with tests', done: 1, total: 4, percent: 25 },
      { label: 'Models with an owner', done: 1, total: 4, percent: 25 },
    ]);
    // b: 0 + 12.5 + 0 + 0 + 10 = 22.5; d: 0 + 0 + 0 + 0 + 10 = 10; c: 25 + 25 + 0 + 0 + 10 = 60.
    assert.deepEqual(summary.worst.map((m) => [m.name, m.score.score]), [['d', 10], ['b', 22.5]]);
    assert.equal(projectSummary('p', projectScore([a], (id) => columns.get(id) ?? []), scored.slice(0, 1)).worst.length, 0, 'a complete model is not among the worst');
    assert.deepEqual(projectSummary('empty', projectScore([], () => []), []).coverage[0], { label: 'Model descriptions', done: 0, total: 0, percent: 100 });
  });
});
