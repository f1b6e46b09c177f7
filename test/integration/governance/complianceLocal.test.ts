import assert from 'node:assert/strict';
import path from 'node:path';
import { complianceConfig } from '../../../core/governance/complianceConfig';
import { BUILTIN_COMPLIANCE_RULES } from '../../../core/governance/compliance';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { acceptSuggestion, openSuggestions, refreshRuleSuggestions } from '../../../extension/governance/classificationStore';
import { evaluateLocal, listResolutions, reopenViolation, resolveViolation } from '../../../extension/governance/complianceLocal';
import { complianceProblems, ruleGroups } from '../../../extension/governance/complianceViewModel';
import { tempStore } from '../catalog/catalogFixtures';
import { dirFileSource } from '../../unit/dbt/helpers';

const SAMPLE = path.resolve(__dirname, '../../../samples/jaffle_duck');

/** The sample project in a real catalog file, with the rules' source-table suggestions accepted. */
function sampleStore(env: ReturnType<typeof tempStore>): void {
  const { facts } = extractWorkspace(dirFileSource(SAMPLE), { workspaceName: 'jaffle_duck' });
  env.store.replaceAll(facts);
  refreshRuleSuggestions(env.store);
  for (const s of openSuggestions(env.store)) if (s.columnId.startsWith('source.') && s.confidence >= 0.8) acceptSuggestion(env.store, s.columnId, s.key);
}

describe('governance: compliance of the local catalog → Problems entries and the Compliance view (sample project, real SQLite)', () => {
  let env: ReturnType<typeof tempStore>;
  beforeEach(() => {
    env = tempStore();
    sampleStore(env);
  });
  afterEach(() => env.cleanup());

  it('violations are located at the column or model definition and become mallard(compliance-<rule>) problems', () => {
    const violations = evaluateLocal(env.store, BUILTIN_COMPLIANCE_RULES);
    const pii = violations.filter((v) => v.ruleId === 'pii-owner-description');
    assert.ok(pii.length > 0, 'accepted personal data without owner/description');
    for (const v of pii) {
      assert.equal(v.targetKind, 'column');
      assert.match(v.location?.file ?? '', /\.ya?ml$/, `a source column is declared in YAML: ${v.location?.file}`);
      assert.ok((v.location?.line ?? 0) > 1);
    }
    const untested = violations.filter((v) => v.ruleId === 'model-has-test');
    assert.ok(untested.length > 0);
    const problems = complianceProblems(violations);
    assert.equal(problems.length, violations.filter((v) => v.location !== undefined).length);
    const first = problems.find((p) => p.code === 'compliance-pii-owner-description');
    assert.ok(first && first.severity === 'warning' && /missing/.test(first.message), JSON.stringify(first));
    assert.ok(problems.some((p) => p.code === 'compliance-model-has-test'));
  });

  it('a public-tagged model fed by personal data is an error whose evidence is the lineage path; the view groups it first', () => {
    const customers = env.store.listEntities({ kind: 'model' }).items.find((e) => e.name === 'customers');
    assert.ok(customers);
    env.store.mutate({ entityId: customers.id }, { tags: ['public'] });
    const violations = evaluateLocal(env.store, BUILTIN_COMPLIANCE_RULES);
    const flows = violations.filter((v) => v.ruleId === 'pii-not-public');
    assert.ok(flows.length > 0, 'the tag edit (an overlay) counts');
    const groups = ruleGroups(violations, BUILTIN_COMPLIANCE_RULES);
    assert.equal(groups[0]?.ruleId, 'pii-not-public');
    assert.equal(groups[0]?.severity, 'error');
    assert.equal(groups[0]?.description, `${flows.length} violation${flows.length === 1 ? '' : 's'}`);
    const row = groups[0]?.items.find((i) => i.violation.targetId === `${customers.id}#email`);
    assert.ok(row, JSON.stringify(groups[0]?.items.map((i) => i.label)));
    const label = `${customers.id.split('.').slice(2).join('.')}.email`;
    assert.equal(row.label, label);
    const hops = row.description.split(' → ');
    assert.ok(hops.length >= 3, row.description);
    assert.equal(hops[0], 'shop.customers.email', 'the path starts at the classified source column');
    assert.equal(hops.at(-1), label);
    const problem = complianceProblems(violations).find((p) => p.code === 'compliance-pii-not-public');
    assert.equal(problem?.severity, 'error');
    assert.match(problem?.message ?? '', /Path: shop\.customers\.email → .* → customers\.v\d\.\w+\./);
  });

  it('resolving with a reason hides the violation, survives reopening the file, and reopen brings it back', () => {
    const target = evaluateLocal(env.store, BUILTIN_COMPLIANCE_RULES).find((v) => v.ruleId === 'model-has-test');
    assert.ok(target);
    assert.throws(() => resolveViolation(env.store, target, 'dismissed', '   '), /needs a reason/);
    resolveViolation(env.store, target, 'dismissed', 'Staging view, tested downstream');
    assert.ok(!evaluateLocal(env.store, BUILTIN_COMPLIANCE_RULES).some((v) => v.ruleId === target.ruleId && v.targetId === target.targetId));
    env.store.close();
    const reopened = CatalogStore.open(env.file);
    try {
      assert.deepEqual(listResolutions(reopened).map((r) => [r.ruleId, r.targetId, r.status, r.reason]), [[target.ruleId, target.targetId, 'dismissed', 'Staging view, tested downstream']]);
      assert.ok(!evaluateLocal(reopened, BUILTIN_COMPLIANCE_RULES).some((v) => v.targetId === target.targetId && v.ruleId === target.ruleId));
      reopenViolation(reopened, target);
      assert.ok(evaluateLocal(reopened, BUILTIN_COMPLIANCE_RULES).some((v) => v.targetId === target.targetId && v.ruleId === target.ruleId));
    } finally {
      reopened.close();
    }
  });

  it('.mallard.json compliance settings disable rules and change severities; typos are reported, not applied', () => {
    const config = complianceConfig({ rules: { 'model-has-test': { enabled: false }, 'pii-owner-description': { severity: 'error' }, 'pii-not-publc': { enabled: false } } });
    assert.deepEqual(config.problems, ['"compliance.rules.pii-not-publc": no rule with this id (known: pii-owner-description, pii-not-public, model-has-test).']);
    const violations = evaluateLocal(env.store, config.rules);
    assert.ok(!violations.some((v) => v.ruleId === 'model-has-test'));
    assert.ok(violations.filter((v) => v.ruleId === 'pii-owner-description').every((v) => v.severity === 'error'));
    assert.deepEqual(complianceConfig({ rules: { 'model-has-test': { severity: 'fatal' } } }).rules.find((r) => r.id === 'model-has-test')?.severity, 'warning');
    assert.equal(complianceConfig('yes').problems.length, 1);
  });
});
