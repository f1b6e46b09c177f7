import assert from 'node:assert/strict';
import path from 'node:path';
import { BUILTIN_COMPLIANCE_RULES } from '../../../core/governance/compliance';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { acceptSuggestion, openSuggestions, refreshRuleSuggestions } from '../../../extension/governance/classificationStore';
import { CatalogJobWorker } from '../../../extension/ui/catalogJobs';
import { evaluateGovernance, type GovernanceRequest, type GovernanceResult } from '../../../extension/ui/governanceWorker';
import { tempStore } from '../catalog/catalogFixtures';
import { dirFileSource } from '../../unit/dbt/helpers';

const SAMPLE = path.resolve(__dirname, '../../../samples/jaffle_duck');

/**
 * Governance runs in a real worker thread (the extension host only posts the request): the worker's
 * answer for the sample project equals an evaluation in this thread, it writes the refreshed rule
 * suggestions to the catalog file, and a failing request is answered with its error while the next
 * one still works.
 */
describe('governance worker: evaluation off the extension host thread (sample project, real SQLite, real worker)', () => {
  let env: ReturnType<typeof tempStore>;
  let worker: CatalogJobWorker<GovernanceRequest, GovernanceResult>;
  before(() => {
    env = tempStore();
    const { facts } = extractWorkspace(dirFileSource(SAMPLE), { workspaceName: 'jaffle_duck' });
    env.store.replaceAll(facts);
    worker = new CatalogJobWorker<GovernanceRequest, GovernanceResult>('governanceWorker');
  });
  after(() => {
    worker.dispose();
    env.cleanup();
  });

  it('answers what an evaluation in this thread finds, and stores the suggestions it made', async () => {
    assert.equal(openSuggestions(env.store).length, 0, 'no suggestions before the first evaluation');
    const reply = await worker.run({ file: env.file, rules: [...BUILTIN_COMPLIANCE_RULES] });
    assert.ok(reply.ok, reply.ok ? '' : reply.error);
    assert.ok(reply.value.suggestions.length > 0, 'the worker refreshed the rule suggestions');
    assert.deepEqual(openSuggestions(env.store), reply.value.suggestions, 'and wrote them to the catalog file');
    assert.ok(reply.value.violations.some((v) => v.ruleId === 'model-has-test'));

    // A classification accepted here shows in the next answer (the owner rule applies to it now).
    const email = reply.value.suggestions.find((s) => s.columnId.startsWith('source.') && s.key === 'pii.email');
    assert.ok(email, 'the sample has an e-mail source column');
    acceptSuggestion(env.store, email.columnId, email.key);
    const again = await worker.run({ file: env.file, rules: [...BUILTIN_COMPLIANCE_RULES] });
    assert.ok(again.ok);
    assert.deepEqual(again.value, evaluateGovernance(env.store, BUILTIN_COMPLIANCE_RULES));
    assert.ok(again.value.violations.some((v) => v.ruleId === 'pii-owner-description' && v.targetId === email.columnId));
    refreshRuleSuggestions(env.store);
  });

  it('a failing request is answered with its error, and the worker goes on', async () => {
    const bad = await worker.run({ file: path.join(env.dir, 'missing', 'catalog.db'), rules: [] });
    assert.equal(bad.ok, false);
    const good = await worker.run({ file: env.file, rules: [] });
    assert.ok(good.ok && good.value.violations.length === 0, 'no rules, no violations');
  });
});
