import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { contentHash } from '../../../core/yaml/contentHash';
import type { AiSettings } from '../../../extension/ai/aiClient';
import { modelsToDraft, runBatchDraft, type BatchOptions } from '../../../extension/ai/batchDraft';
import { ReviewQueue } from '../../../extension/ai/reviewQueue';
import { DEFAULT_CONFIG } from '../../../extension/config';
import { DocsSaver, type DocsWorkspace } from '../../../extension/ui/docsEdit';
import type { Logger } from '../../../extension/ui/logger';
import { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../support/openAiStandIn';
import { makeWorkspace, removeDir } from '../scanner/helpers';

/**
 * The AI batch mode for a folder against a stand-in speaking OpenAI's chat-completions wire format
 * (streamed server-sent events, error bodies), with the official `openai` package, a real catalog
 * of a real dbt workspace, and the docs panel's real save path for what is accepted from the queue.
 */
describe('AI batch drafts for a folder with a review queue (OpenAI chat-completions stand-in)', function () {
  this.timeout(120_000);
  const silent: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const files = {
    'dbt_project.yml': 'name: shop\nversion: "1.0"\nprofile: shop\n',
    'models/staging/stg_orders.sql': 'select id as order_id, amount from raw.orders',
    'models/marts/documented.sql': "select order_id from {{ ref('stg_orders') }}",
    'models/marts/orders.sql': "select order_id, amount from {{ ref('stg_orders') }}",
    'models/marts/revenue.sql': "select sum(amount) as revenue from {{ ref('stg_orders') }}",
    'models/marts/refunds.sql': "select order_id as refund_id from {{ ref('stg_orders') }}",
    'models/marts/schema.yml': [
      'version: 2', 'models:',
      '  - name: documented', '    description: "Fully documented."', '    columns:', '      - name: order_id', '        description: "Key."',
      '  - name: orders', '    columns:', '      - name: order_id', '        description: "Key of the order."', '',
    ].join('\n'),
  };
  let root: string;
  let catalog: WorkspaceCatalog;
  let standIn: OpenAiStandIn;
  let settings: AiSettings;

  before(async () => {
    standIn = await startOpenAiStandIn();
    settings = { provider: 'openai', baseUrl: standIn.baseUrl, model: 'gpt-standin-mini', apiKey: 'sk-batch-0123456789', maxRetries: 0 };
    root = makeWorkspace(files, 'mallard-ai-batch-');
    catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent);
    await catalog.scan();
  });
  after(async () => {
    await catalog?.dispose();
    await standIn?.close();
    removeDir(root);
  });

  const options = (signal: AbortSignal, extra: Partial<BatchOptions> = {}): BatchOptions => ({
    settings, concurrency: 1, signal, readSql: async (p) => readFileSync(path.join(root, p), 'utf8'), ...extra,
  });
  const snapshot = (): string => ['models/marts/schema.yml', 'models/marts/orders.sql'].map((f) => readFileSync(path.join(root, f), 'utf8')).join('\n---\n');
  const prompts = (from: number): string[] => standIn.requests.slice(from).map((r) => String((r.body.messages as { content: string }[])[1]?.content));

  it('drafts only the undocumented models under the folder into the queue, writes nothing, and an accepted proposal is saved through the docs save path', async () => {
    const targets = modelsToDraft(catalog.store, 'models/marts');
    assert.deepEqual(targets.map((t) => t.name), ['orders', 'refunds', 'revenue'], 'documented and stg_orders (outside the folder) are not drafted');
    assert.deepEqual(targets.find((t) => t.name === 'orders')?.missing, { description: true, columns: 1 });
    assert.deepEqual(modelsToDraft(catalog.store, '').map((t) => t.name), ['orders', 'refunds', 'revenue', 'stg_orders']);

    standIn.reply(
      { kind: 'stream', text: JSON.stringify({ description: 'One row per order.', columns: { amount: 'Order total.' } }), usage: { prompt: 100, completion: 20 } },
      { kind: 'stream', text: JSON.stringify({ description: 'Refunds.', columns: { refund_id: 'Refund key.' } }) },
      { kind: 'stream', text: JSON.stringify({ description: 'Revenue in total.', columns: { revenue: 'Sum of amounts.' } }) },
    );
    const before = snapshot();
    const from = standIn.requests.length;
    const queue = new ReviewQueue();
    const progress: string[] = [];
    const outcome = await runBatchDraft(catalog.store, root, targets, queue, options(new AbortController().signal, { onProgress: (d, n, name) => progress.push(`${d}/${n} ${name}`) }));
    assert.deepEqual(outcome, { drafted: 3, failed: 0, notDrafted: 0, tokens: 120 });
    assert.deepEqual(progress, ['1/3 orders', '2/3 refunds', '3/3 revenue']);
    const sent = prompts(from);
    assert.equal(sent.length, 3);
    assert.match(sent[0] ?? '', /model `orders`[\s\S]*- amount/, 'the prompt is the model\'s own context');
    assert.doesNotMatch(sent.join('\n'), /model `(documented|stg_orders)`/);
    assert.deepEqual(queue.entries().map((e) => [e.name, e.state, e.proposals.length]), [['orders', 'ready', 2], ['refunds', 'ready', 2], ['revenue', 'ready', 2]]);
    assert.equal(snapshot(), before, 'nothing is written before acceptance');
    assert.equal(catalog.store.getEntity('model.shop.orders')?.description, '', 'nothing is recorded in the catalog either');

    // Accept one (edited) proposal of one model through the docs panel's save path; discard another.
    const yaml = readFileSync(path.join(root, 'models/marts/schema.yml'), 'utf8');
    const workspace: DocsWorkspace = {
      read: async (f) => readFileSync(path.join(root, f), 'utf8'),
      write: async (f, text) => writeFileSync(path.join(root, f), text),
      isDirty: () => false,
      markdownFiles: async () => [],
    };
    const saver = new DocsSaver();
    const save = async (entry: { entityId: string; name: string }, column: string | undefined, text: string): Promise<string> => {
      const location = { target: { resource: 'models' as const, name: entry.name }, file: 'models/marts/schema.yml', hash: contentHash(readFileSync(path.join(root, 'models/marts/schema.yml'), 'utf8')) };
      const result = await saver.save(workspace, (t, p) => catalog.mutate(t, p), location, { entityId: entry.entityId, ...(column !== undefined ? { column } : {}), description: text });
      if (!result.saved) throw new Error(result.message);
      return `Saved to ${result.file}`;
    };
    const key = `${root}|model.shop.orders`;
    assert.equal(await queue.accept(key, 'amount', 'Order total in dollars (reviewed).', save), 'Saved to models/marts/schema.yml');
    queue.discard(key, undefined);
    const after = readFileSync(path.join(root, 'models/marts/schema.yml'), 'utf8');
    assert.notEqual(after, yaml);
    assert.match(after, /- name: amount\n\s+description: Order total in dollars \(reviewed\)\./);
    assert.doesNotMatch(after, /One row per order/, 'the discarded model description is not written');
    assert.doesNotMatch(after, /Refunds\./, 'proposals of other models stay in the queue');
    assert.equal(queue.get(key)?.state, 'reviewed');
    assert.equal(queue.get(`${root}|model.shop.refunds`)?.state, 'ready');
    assert.equal(catalog.store.columnsOf('model.shop.orders').find((c) => c.name === 'amount')?.description, 'Order total in dollars (reviewed).', 'the mutation API recorded the edit');
  });

  it('a failing model is marked failed in the queue and the batch goes on', async () => {
    const targets = modelsToDraft(catalog.store, 'models/marts').filter((t) => t.name !== 'orders');
    const extra = modelsToDraft(catalog.store, 'models/staging');
    standIn.reply(
      { kind: 'error', status: 500, message: 'The stand-in broke on this one.' },
      { kind: 'stream', text: 'Sorry, I cannot document this model.' },
      { kind: 'stream', text: JSON.stringify({ columns: { order_id: 'Key.', amount: 'Total.' } }) },
    );
    const queue = new ReviewQueue();
    const outcome = await runBatchDraft(catalog.store, root, [...targets, ...extra], queue, options(new AbortController().signal));
    assert.equal(outcome.failed, 2);
    assert.equal(outcome.drafted, 1);
    const [refunds, revenue, stg] = queue.entries();
    assert.equal(refunds?.state, 'failed');
    assert.match(refunds?.message ?? '', /The AI provider failed \(500\): The stand-in broke on this one\./);
    assert.equal(revenue?.state, 'failed');
    assert.match(revenue?.message ?? '', /not the JSON object asked for[\s\S]*It began: "Sorry/);
    assert.equal(stg?.state, 'ready', 'the model after two failures is still drafted');
    assert.deepEqual(stg?.proposals.map((p) => p.column), ['order_id', 'amount']);
  });

  it('a cancel stops the request in flight, drafts nothing more, and keeps the finished drafts', async () => {
    const targets = modelsToDraft(catalog.store, '');
    assert.ok(targets.length >= 3);
    standIn.reply(
      { kind: 'stream', text: JSON.stringify({ description: 'First.' }) },
      { kind: 'stream', text: JSON.stringify({ description: 'x'.repeat(400) }), pieces: 80, delayMs: 25 },
    );
    const from = standIn.requests.length;
    const controller = new AbortController();
    const queue = new ReviewQueue();
    const started = Date.now();
    const outcome = await runBatchDraft(catalog.store, root, targets, queue, options(controller.signal, {
      onProgress: (done) => {
        // The second request is streaming slowly: cancel it mid-way.
        if (done === 1) setTimeout(() => controller.abort(), 300);
      },
    }));
    assert.ok(Date.now() - started < 1900, 'the slow answer (2 s) was not waited for');
    assert.equal(standIn.requests.length - from, 2, 'no request after the cancel');
    assert.equal(outcome.drafted, 1);
    assert.equal(outcome.notDrafted, targets.length - 1);
    const states = queue.entries().map((e) => e.state);
    assert.deepEqual(states, ['ready', ...targets.slice(1).map(() => 'cancelled')]);
    assert.equal(queue.entries()[0]?.proposals[0]?.text, 'First.', 'the finished draft is kept');
    assert.match(queue.entries()[1]?.message ?? '', /Cancelled before the draft was finished/);
  });

  it('a refused key stops the batch (every request would fail the same way); the rest are marked not drafted', async () => {
    const targets = modelsToDraft(catalog.store, '');
    const from = standIn.requests.length;
    standIn.reply({ kind: 'stream', text: JSON.stringify({ description: 'Drafted before the key was refused.' }) }, { kind: 'error', status: 401, message: 'Incorrect API key provided.' });
    const queue = new ReviewQueue();
    const outcome = await runBatchDraft(catalog.store, root, targets, queue, options(new AbortController().signal, { concurrency: 2 }));
    assert.ok(outcome.stoppedBy && /refused the API key \(401\)/.test(outcome.stoppedBy), JSON.stringify(outcome));
    assert.ok(standIn.requests.length - from <= 3, 'at most the requests in flight were sent');
    const notDrafted = queue.entries().filter((e) => e.state === 'cancelled');
    assert.ok(notDrafted.length >= targets.length - 3 && notDrafted.every((e) => /Not drafted: The AI provider refused the API key/.test(e.message ?? '')), JSON.stringify(queue.entries()));
  });
});
