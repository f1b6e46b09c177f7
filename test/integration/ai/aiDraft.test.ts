import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildDocPrompt } from '../../../core/ai/docPrompt';
import { DraftParseError, parseDocDraft } from '../../../core/ai/docDraft';
import { contentHash } from '../../../core/yaml/contentHash';
import { AiError, complete, type AiSettings } from '../../../extension/ai/aiClient';
import { draftContext } from '../../../extension/ai/draftContext';
import { DEFAULT_CONFIG } from '../../../extension/config';
import { DocsSaver, type DocsWorkspace } from '../../../extension/ui/docsEdit';
import type { Logger } from '../../../extension/ui/logger';
import { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../support/openAiStandIn';
import { makeWorkspace, removeDir } from '../scanner/helpers';

/**
 * AI-drafted docs against a stand-in speaking OpenAI's chat-completions wire format (streaming
 * server-sent events, error bodies), with the official `openai` package unchanged, a real catalog
 * of a real workspace, and the docs panel's real save path for the accepted draft.
 */
describe('AI docs draft (OpenAI chat-completions stand-in)', function () {
  this.timeout(120_000);
  const silent: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const KEY = 'sk-test-0123456789abcdef';
  const files = {
    'dbt_project.yml': 'name: shop\nversion: "1.0"\nprofile: shop\n',
    'models/stg_orders.sql': 'select id as order_id, amount_cents / 100.0 as amount, status from raw.orders',
    'models/orders.sql': "select order_id, amount, status = 'returned' as is_returned from {{ ref('stg_orders') }}",
    'models/schema.yml': [
      'version: 2', 'models:', '  - name: stg_orders', '    description: "One row per order placed in the web shop."', '    columns:',
      '      - name: amount', '        description: "Order total in dollars, taxes included."',
      '  - name: orders', '    columns:', '      - name: order_id', '        description: "Primary key."', '',
    ].join('\n'),
  };
  let root: string;
  let catalog: WorkspaceCatalog;
  let standIn: OpenAiStandIn;
  let settings: AiSettings;

  before(async () => {
    standIn = await startOpenAiStandIn();
    settings = { provider: 'openai', baseUrl: standIn.baseUrl, model: 'gpt-standin-mini', apiKey: KEY, maxRetries: 0 };
    root = makeWorkspace(files, 'mallard-ai-');
    catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent);
    await catalog.scan();
  });
  after(async () => {
    await catalog?.dispose();
    await standIn?.close();
    removeDir(root);
  });

  const schemaText = (): string => readFileSync(path.join(root, 'models/schema.yml'), 'utf8');

  it('streams a draft whose prompt carries the SQL, upstream docs, column lineage and template; nothing is written until accepted', async () => {
    const input = draftContext(catalog.store, 'model.shop.orders', files['models/orders.sql'], { template: 'Write in British English.' });
    assert.ok(input);
    const answer = '```json\n{"description": "One row per order, with whether it was returned.", "columns": {"amount": "Order total in dollars, taxes included.", "IS_RETURNED": "True when the order was returned.", "amout": "typo"}}\n```';
    standIn.reply({ kind: 'stream', text: answer, pieces: 6, usage: { prompt: 812, completion: 64 } });
    const before = schemaText();
    const deltas: string[] = [];
    const result = await complete(settings, buildDocPrompt(input), { onDelta: (d) => deltas.push(d), json: true });
    assert.ok(deltas.length >= 6 && deltas.join('') === answer, 'the text arrived in pieces, in order');
    assert.deepEqual(result.usage, { promptTokens: 812, completionTokens: 64 });
    const sent = standIn.requests.at(-1);
    assert.equal(sent?.path, '/v1/chat/completions');
    assert.equal(sent?.headers.authorization, `Bearer ${KEY}`);
    assert.equal(sent?.body.model, 'gpt-standin-mini');
    assert.equal(sent?.body.stream, true);
    assert.deepEqual(sent?.body.stream_options, { include_usage: true });
    const user = String((sent?.body.messages as { content: string }[])[1]?.content);
    const system = String((sent?.body.messages as { content: string }[])[0]?.content);
    assert.match(user, /status = 'returned' as is_returned/, 'the SQL');
    assert.match(user, /stg_orders: One row per order placed in the web shop\./, 'upstream model docs');
    assert.match(user, /amount: Order total in dollars, taxes included\./, 'upstream column docs');
    assert.match(user, /- amount ← stg_orders\.amount/, 'column lineage');
    assert.doesNotMatch(user, /- order_id/, 'columns already described are not asked for');
    assert.match(system, /British English/, 'the template');
    const draft = parseDocDraft(result.text, ['order_id', 'amount', 'is_returned']);
    assert.equal(draft.description, 'One row per order, with whether it was returned.');
    assert.deepEqual(draft.columns, { amount: 'Order total in dollars, taxes included.', is_returned: 'True when the order was returned.' });
    assert.deepEqual(draft.problems, ["'amout' is not a column of this model; its description was left out."]);
    assert.equal(schemaText(), before, 'drafting wrote nothing');

    // Accepting goes through the docs panel's save: the one mutation API, then a surgical YAML edit.
    const workspace: DocsWorkspace = {
      read: async (file) => readFileSync(path.join(root, file), 'utf8'),
      write: async (file, text) => (await import('node:fs')).writeFileSync(path.join(root, file), text),
      isDirty: () => false,
      markdownFiles: async () => [],
    };
    const saver = new DocsSaver();
    const location = { target: { resource: 'models' as const, name: 'orders' }, file: 'models/schema.yml', hash: contentHash(before) };
    const saved = await saver.save(workspace, (t, p) => catalog.mutate(t, p), location, { entityId: 'model.shop.orders', column: 'is_returned', description: draft.columns.is_returned ?? '' });
    assert.equal(saved.saved, true, JSON.stringify(saved));
    assert.match(schemaText(), /- name: is_returned\n\s+description: True when the order was returned\./);
    assert.match(schemaText(), /description: "Primary key\."/, 'the rest of the file is untouched');
  });

  it('a refused key, a rate limit and a missing model are typed errors that never show the key', async () => {
    standIn.reply({ kind: 'error', status: 401, message: `Incorrect API key provided: ${KEY.slice(0, 6)}***`, code: 'invalid_api_key' });
    standIn.reply({ kind: 'error', status: 429, message: 'You exceeded your current quota.', type: 'insufficient_quota', code: 'insufficient_quota' });
    standIn.reply({ kind: 'error', status: 404, message: 'The model `gpt-standin-mini` does not exist.', code: 'model_not_found' });
    const messages = [{ role: 'user' as const, content: 'x' }];
    for (const reason of ['auth', 'rate-limited', 'not-found'] as const) {
      const err = await complete(settings, messages).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof AiError && err.reason === reason, `${reason}: ${String(err)}`);
      assert.ok(!err.message.includes(KEY), 'the key is never in a message');
    }
    const none = await complete({ ...settings, apiKey: '' }, messages).then(() => undefined, (e: unknown) => e);
    assert.ok(none instanceof AiError && none.reason === 'not-configured' && /Set AI API Key/.test(none.message));
  });

  it('a cancel stops a streaming answer; an answer that is not JSON is a precise error', async () => {
    standIn.reply({ kind: 'stream', text: 'x'.repeat(400), pieces: 40, delayMs: 25 });
    const controller = new AbortController();
    let received = 0;
    const err = await complete(settings, [{ role: 'user', content: 'x' }], { signal: controller.signal, onDelta: () => { if (++received === 3) controller.abort(); } }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof AiError && err.reason === 'cancelled', String(err));
    assert.ok(received < 40, 'the stream stopped early');
    assert.throws(() => parseDocDraft('Sorry, I cannot help with that.', ['a']), (e: unknown) => e instanceof DraftParseError && e.reason === 'not-json' && /It began: "Sorry/.test(e.message));
    assert.throws(() => parseDocDraft('   ', ['a']), (e: unknown) => e instanceof DraftParseError && e.reason === 'empty');
  });
});
