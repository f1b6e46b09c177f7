import assert from 'node:assert/strict';
import path from 'node:path';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import {
  acceptSuggestion, addSuggestions, classOf, classesOf, openSuggestions, propagatedClasses, refreshRuleSuggestions, rejectSuggestion, setClassification,
} from '../../../extension/governance/classificationStore';
import { column, columnEdge, entity, facts, tempStore } from '../catalog/catalogFixtures';
import { dirFileSource } from '../../unit/dbt/helpers';

const SAMPLE = path.resolve(__dirname, '../../../samples/jaffle_duck');

describe('governance: classification suggestions in the local catalog (real SQLite)', () => {
  let env: ReturnType<typeof tempStore>;
  beforeEach(() => {
    env = tempStore();
    env.store.replaceAll(facts({
      entities: [entity('source.p.raw.customers'), entity('model.p.stg_customers'), entity('model.p.customers')],
      columns: [
        column('source.p.raw.customers', 'email', 0, { type: 'varchar' }),
        column('source.p.raw.customers', 'first_name', 1),
        column('source.p.raw.customers', 'email_sent_at', 2, { type: 'timestamp' }),
        column('model.p.stg_customers', 'customer_email', 0),
        column('model.p.customers', 'contact', 0),
      ],
      columnEdges: [columnEdge('source.p.raw.customers#email', 'model.p.stg_customers#customer_email'), columnEdge('model.p.stg_customers#customer_email', 'model.p.customers#contact')],
    }));
  });
  afterEach(() => env.cleanup());

  it('stores rule suggestions with confidence and reason, and near misses get none', () => {
    const open = refreshRuleSuggestions(env.store);
    const list = openSuggestions(env.store);
    assert.equal(open, list.length);
    assert.deepEqual(list.map((s) => [s.columnId, s.key, s.source]), [
      ['model.p.stg_customers#customer_email', 'pii.email', 'rules'],
      ['source.p.raw.customers#email', 'pii.email', 'rules'],
      ['source.p.raw.customers#first_name', 'pii.person_name', 'rules'],
    ]);
    for (const s of list) {
      assert.ok(s.confidence > 0.5 && s.confidence <= 1, String(s.confidence));
      assert.match(s.reason, /name matches/);
    }
    assert.deepEqual(openSuggestions(env.store, 'source.p.raw.customers').map((s) => s.key), ['pii.email', 'pii.person_name']);
  });

  it('accept writes the column classification and a synced classification op; the suggestion leaves the open list', () => {
    refreshRuleSuggestions(env.store);
    const before = env.store.pendingOps().length;
    acceptSuggestion(env.store, 'source.p.raw.customers#email', 'pii.email');
    assert.equal(classOf(env.store, 'source.p.raw.customers#email'), 'pii.email');
    const ops = env.store.pendingOps();
    assert.equal(ops.length, before + 1);
    const op = ops[ops.length - 1];
    assert.deepEqual([op?.target, op?.action === 'patch' ? op.patch : undefined], [{ kind: 'column', id: 'source.p.raw.customers#email' }, { classification: 'pii.email' }]);
    assert.ok(!openSuggestions(env.store).some((s) => s.columnId === 'source.p.raw.customers#email'));
    // A refresh does not reopen it.
    refreshRuleSuggestions(env.store);
    assert.ok(!openSuggestions(env.store).some((s) => s.columnId === 'source.p.raw.customers#email'));
    // The accepted class reaches downstream columns through lineage, with the path.
    const derived = propagatedClasses(env.store);
    assert.deepEqual(derived.map((d) => [d.columnId, d.key, d.path]), [
      ['model.p.customers#contact', 'pii.email', ['source.p.raw.customers#email', 'model.p.stg_customers#customer_email', 'model.p.customers#contact']],
      ['model.p.stg_customers#customer_email', 'pii.email', ['source.p.raw.customers#email', 'model.p.stg_customers#customer_email']],
    ]);
  });

  it('a rejected suggestion is never suggested again, across refreshes and reopening the file', () => {
    refreshRuleSuggestions(env.store);
    rejectSuggestion(env.store, 'source.p.raw.customers#first_name', 'pii.person_name');
    assert.ok(!openSuggestions(env.store).some((s) => s.columnId === 'source.p.raw.customers#first_name'));
    env.store.close();
    const reopened = CatalogStore.open(env.file);
    try {
      refreshRuleSuggestions(reopened);
      assert.ok(!openSuggestions(reopened).some((s) => s.columnId === 'source.p.raw.customers#first_name'));
      assert.equal(classOf(reopened, 'source.p.raw.customers#first_name'), undefined, 'rejecting sets no class');
      assert.equal(addSuggestions(reopened, [{ columnId: 'source.p.raw.customers#first_name', key: 'pii.person_name', confidence: 0.9, source: 'ai', reason: 'AI' }]), 0, 'the AI cannot bring it back');
    } finally {
      reopened.close();
    }
  });

  it('manual tags and AI suggestions: invalid keys refused, unknown columns skipped, clearing unsets the synced field', () => {
    assert.throws(() => setClassification(env.store, 'source.p.raw.customers#email', 'PII Email'), /lower-case key/);
    assert.throws(() => setClassification(env.store, 'source.p.raw.customers#nope', 'pii.email'), /No column/);
    setClassification(env.store, 'model.p.customers#contact', 'confidential');
    assert.deepEqual([...classesOf(env.store)], [['model.p.customers#contact', 'confidential']]);
    setClassification(env.store, 'model.p.customers#contact', null);
    assert.equal(classOf(env.store, 'model.p.customers#contact'), undefined);
    const last = env.store.pendingOps().at(-1);
    assert.deepEqual(last?.action === 'patch' ? last.patch : undefined, { classification: null });
    const added = addSuggestions(env.store, [
      { columnId: 'source.p.raw.customers#email_sent_at', key: 'pii.behavioral', confidence: 0.6, source: 'ai', reason: 'send times profile a person' },
      { columnId: 'source.p.raw.customers#ghost', key: 'pii.email', confidence: 0.9, source: 'ai', reason: 'x' },
      { columnId: 'model.p.customers#contact', key: 'Not A Key', confidence: 0.9, source: 'ai', reason: 'x' },
    ]);
    assert.equal(added, 1);
    const ai = openSuggestions(env.store).find((s) => s.source === 'ai');
    assert.deepEqual([ai?.columnId, ai?.key, ai?.confidence], ['source.p.raw.customers#email_sent_at', 'pii.behavioral', 0.6]);
    // A rules refresh keeps AI suggestions.
    refreshRuleSuggestions(env.store);
    assert.ok(openSuggestions(env.store).some((s) => s.source === 'ai'));
  });

  it('on the sample project the rules suggest the raw customers e-mail and names', () => {
    const { facts: sample } = extractWorkspace(dirFileSource(SAMPLE), { workspaceName: 'jaffle_duck' });
    env.store.replaceAll(sample);
    refreshRuleSuggestions(env.store);
    const keys = new Set(openSuggestions(env.store).filter((s) => s.columnId.startsWith('source.')).map((s) => `${s.columnId.split('#')[1]}:${s.key}`));
    assert.ok(keys.has('email:pii.email') && keys.has('first_name:pii.person_name'), [...keys].join(', '));
  });
});
