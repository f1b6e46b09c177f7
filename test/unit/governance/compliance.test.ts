import assert from 'node:assert/strict';
import path from 'node:path';
import { classifyColumn } from '../../../core/governance/classify';
import { evaluateCompliance } from '../../../core/governance/compliance';
import { columnScore, entityScore, projectScore } from '../../../core/governance/quality';
import type { Column, Entity, Facts } from '../../../core/model/entities';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { dirFileSource } from '../dbt/helpers';

const SAMPLE = path.resolve(__dirname, '../../../samples/jaffle_duck');

/** The sample project's facts, with personal data classified by the rules on the source tables only (as a reviewer would accept). */
function sample(): { facts: Facts; classes: Map<string, string> } {
  const { facts } = extractWorkspace(dirFileSource(SAMPLE), { workspaceName: 'jaffle_duck' });
  const kinds = new Map(facts.entities.map((e) => [e.id, e.kind]));
  const classes = new Map<string, string>();
  for (const c of facts.columns) {
    if (kinds.get(c.entityId) !== 'source') continue;
    const top = classifyColumn({ name: c.name, ...(c.type ? { type: c.type } : {}) })[0];
    if (top !== undefined && top.confidence >= 0.8) classes.set(c.id, top.key);
  }
  return { facts, classes };
}

describe('governance: compliance rules and quality scores on the sample project', () => {
  it('the rules classify the raw customers columns, and a public model fed by them violates pii-not-public with the lineage path', () => {
    const { facts, classes } = sample();
    assert.deepEqual([...new Set(classes.values())].sort(), ['pii.email', 'pii.person_name']);
    const customers = facts.entities.find((e) => e.kind === 'model' && e.name === 'customers' && e.latestVersion === e.version) ?? facts.entities.find((e) => e.kind === 'model' && e.name === 'customers');
    assert.ok(customers, 'the sample has a customers model');
    const tagged: Facts = { ...facts, entities: facts.entities.map((e) => (e.id === customers.id ? { ...e, tags: [...e.tags, 'public'] } : e)) };
    const violations = evaluateCompliance({ entities: tagged.entities, columns: tagged.columns, columnEdges: tagged.columnEdges, classes });
    const flows = violations.filter((v) => v.ruleId === 'pii-not-public');
    assert.ok(flows.length > 0, 'personal data reaches the public model');
    for (const v of flows) {
      assert.equal(v.severity, 'error');
      assert.ok(v.targetId.startsWith(`${customers.id}#`), v.targetId);
      assert.ok(classes.has(v.path?.[0] ?? ''), `the path starts at a classified source column: ${v.path?.join(' → ')}`);
      assert.ok((v.path?.length ?? 0) >= 3, 'through staging');
    }
    assert.ok(flows.some((v) => v.targetId === `${customers.id}#email`), JSON.stringify(flows.map((v) => v.targetId)));
    // Without the tag nothing flows into a public model.
    assert.deepEqual(evaluateCompliance({ entities: facts.entities, columns: facts.columns, columnEdges: facts.columnEdges, classes }).filter((v) => v.ruleId === 'pii-not-public'), []);
  });

  it('personal-data columns without an owner or description, and models without tests, are violations naming what is missing', () => {
    const { facts, classes } = sample();
    const violations = evaluateCompliance({ entities: facts.entities, columns: facts.columns, columnEdges: facts.columnEdges, classes });
    const undocumented = violations.filter((v) => v.ruleId === 'pii-owner-description');
    assert.deepEqual(undocumented.map((v) => v.targetId).sort(), [...classes.keys()].filter((id) => {
      const c = facts.columns.find((x) => x.id === id);
      const e = facts.entities.find((x) => x.id === c?.entityId);
      return (e?.owners.length ?? 0) === 0 || (c?.description.trim() ?? '') === '';
    }).sort());
    const untested = violations.filter((v) => v.ruleId === 'model-has-test').map((v) => v.targetId);
    const tested = facts.entities.filter((e) => e.kind === 'model' && (e.tests.length > 0 || facts.columns.some((c) => c.entityId === e.id && c.tests.length > 0)));
    assert.ok(tested.length > 0 && untested.length > 0, 'the sample has both');
    for (const e of tested) assert.ok(!untested.includes(e.id), `${e.id} has tests`);
    for (const v of violations.filter((x) => x.ruleId === 'model-has-test')) assert.match(v.message, /missing: test/);
  });

  it('scores say what earns the missing points', () => {
    const base = { id: 'model.p.m', kind: 'model', name: 'm', project: 'p', path: 'm.sql', description: '', tags: [], meta: {}, owners: [], tests: [], disabled: false,
      provenance: { file: 'm.sql', line: 1, column: 1, extractor: 't', confidence: 1 } } as unknown as Entity;
    const col = (name: string, description: string, tests: number): Column => ({ id: `model.p.m#${name}`, entityId: 'model.p.m', name, description, tags: [], meta: {}, position: 0, origin: 'declared',
      tests: Array.from({ length: tests }, () => ({ name: 'not_null', args: {} })), provenance: base.provenance });
    const cols = [col('a', 'A', 1), col('b', '', 0), col('c', 'C', 0), col('d', '', 0)];
    assert.equal(columnScore(cols[0]!).score, 100);
    assert.equal(columnScore(cols[1]!).score, 0);
    const bare = entityScore(base, cols);
    assert.equal(bare.score, 0 + 12.5 + 6.3 + 0 + 10);
    assert.deepEqual(bare.parts.map((p) => p.hint), ['describe the model', 'describe 2 of 4 columns', 'test 3 more columns or the model', 'set an owner', '']);
    const good = entityScore({ ...base, description: 'x', owners: [{ name: 'ana', source: 'yaml' }], tests: [{ name: 'unique', args: {} }] }, cols, { docsChangedAt: 1, codeChangedAt: 2 });
    assert.equal(good.score, 25 + 12.5 + 25 + 15 + 0);
    assert.match(good.parts.find((p) => p.part === 'freshness')?.hint ?? '', /SQL changed after the docs/);
    const project = projectScore([base, { ...base, id: 'model.p.n', description: 'n' }], (id) => (id === 'model.p.m' ? cols : []));
    assert.deepEqual({ ...project, score: undefined }, { score: undefined, models: 2, describedModels: 1, columns: 4, describedColumns: 2, testedModels: 1, ownedModels: 0 });
    assert.equal(project.score, (28.8 + (25 + 25 + 0 + 0 + 10)) / 2);
  });
});
