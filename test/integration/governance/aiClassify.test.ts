import assert from 'node:assert/strict';
import { complete } from '../../../extension/ai/aiClient';
import { acceptSuggestion, classOf, openSuggestions, refreshRuleSuggestions } from '../../../extension/governance/classificationStore';
import { suggestWithAi } from '../../../extension/governance/aiClassify';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../support/openAiStandIn';
import { column, entity, facts, tempStore } from '../catalog/catalogFixtures';

describe('governance: AI classification suggestions (OpenAI chat-completions stand-in, real SQLite)', () => {
  let env: ReturnType<typeof tempStore>;
  let standIn: OpenAiStandIn;
  beforeEach(async () => {
    env = tempStore();
    env.store.replaceAll(facts({
      entities: [entity('model.p.people')],
      columns: [
        column('model.p.people', 'email', 0),
        column('model.p.people', 'handle', 1, { description: 'Public user name chosen at sign-up' }),
        column('model.p.people', 'loyalty_tier', 2),
      ],
    }));
    standIn = await startOpenAiStandIn();
  });
  afterEach(async () => {
    await standIn.close();
    env.cleanup();
  });

  const settings = () => ({ provider: 'openai' as const, baseUrl: standIn.baseUrl, model: 'gpt-standin', apiKey: 'sk-standin', maxRetries: 0 });

  it('asks only about columns the rules left unclassified, keeps known keys for asked columns, and nothing is classified before accept', async () => {
    refreshRuleSuggestions(env.store);
    assert.deepEqual(openSuggestions(env.store).map((s) => s.columnId), ['model.p.people#email'], 'the rules find the e-mail');
    standIn.reply({
      kind: 'stream',
      text: JSON.stringify({ suggestions: [
        { column: 'model.p.people#handle', key: 'pii.person_name', confidence: 0.7, reason: 'user names identify people' },
        { column: 'model.p.people#loyalty_tier', key: 'secret.sauce', confidence: 0.9, reason: 'not a known class' },
        { column: 'model.p.people#email', key: 'pii.email', confidence: 1, reason: 'not asked' },
        { column: 'model.p.ghost#x', key: 'pii.email', confidence: 1, reason: 'invented' },
      ] }),
      pieces: 5,
    });
    const result = await suggestWithAi(env.store, (messages) => complete(settings(), messages, { json: true }));
    assert.deepEqual(result, { asked: 2, added: 1 });
    const prompt = JSON.stringify(standIn.requests[0]?.body.messages);
    assert.match(prompt, /model\.p\.people#handle/);
    assert.match(prompt, /Public user name chosen at sign-up/, 'descriptions give context');
    assert.doesNotMatch(prompt, /people#email/, 'a column with a rule suggestion is not sent');
    const ai = openSuggestions(env.store).filter((s) => s.source === 'ai');
    assert.deepEqual(ai.map((s) => [s.columnId, s.key, s.confidence, s.reason]), [['model.p.people#handle', 'pii.person_name', 0.7, 'AI: user names identify people']]);
    assert.equal(classOf(env.store, 'model.p.people#handle'), undefined);
    assert.ok(!env.store.pendingOps().some((o) => o.action === 'patch' && 'classification' in o.patch), 'no classification op before accept');
    acceptSuggestion(env.store, 'model.p.people#handle', 'pii.person_name');
    assert.equal(classOf(env.store, 'model.p.people#handle'), 'pii.person_name');
  });

  it('a provider error stops the run with its typed error and stores nothing', async () => {
    standIn.reply({ kind: 'error', status: 401, message: 'Incorrect API key provided' });
    await assert.rejects(suggestWithAi(env.store, (messages) => complete(settings(), messages, { json: true })), (err: Error & { reason?: string }) => err.reason === 'auth');
    assert.equal(openSuggestions(env.store).length, 0);
  });
});
