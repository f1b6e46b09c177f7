import assert from 'node:assert/strict';
import { costOf, priceOf } from '../../../core/ai/aiFunction';
import { AiError, complete } from '../../../extension/ai/aiClient';
import type { AiSettings } from '../../../extension/ai/aiClient';
import { eventually } from '../../support/eventually';
import { startFunctions } from '../../support/functionsServer';
import type { FunctionsServer } from '../../support/functionsServer';
import { makeTestKeys } from '../../support/jwtKeys';
import type { TestKeys } from '../../support/jwtKeys';
import { startOpenAiStandIn } from '../../support/openAiStandIn';
import type { OpenAiStandIn } from '../../support/openAiStandIn';
import { ids, seedOrgFixture, users } from '../../support/orgFixture';
import { freshDatabase, getServer } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';

/**
 * The `ai` edge function with the organization's own key, in real Deno on a migrated Postgres,
 * against a stand-in speaking OpenAI's chat-completions wire format: the extension's `openai`
 * client in org mode streams through the function, the stand-in sees the org key (the caller
 * never does), usage rows carry tokens and cost, the budget and `docs.generate` refuse before the
 * provider is called, and neither answers nor the functions' log ever contain the key.
 */
describe('ai edge function with the org key (OpenAI chat-completions stand-in, real Deno + Postgres)', function () {
  this.timeout(180_000);
  const ORG_KEY = 'sk-org-SECRET-9f8e7d6c5b4a39281706';
  let db: TestDatabase;
  let keys: TestKeys;
  let functions: FunctionsServer;
  let standIn: OpenAiStandIn;
  let log = '';
  /** Every answer's status line, headers and body, to look for the key. */
  const seen: string[] = [];

  async function call(user: keyof typeof users, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const token = await keys.userToken(users[user], { email: `${user}@example.test` });
    const res = await fetch(`${functions.url}/functions/v1/ai`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const headers: string[] = [];
    res.headers.forEach((value, name) => headers.push(`${name}: ${value}`));
    seen.push(`${res.status} ${headers.join('\n')} ${text}`);
    return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
  }

  async function admin(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const token = await keys.userToken(users.admin, { email: 'admin@example.test' });
    const res = await fetch(`${functions.url}/functions/v1/admin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ orgId: ids.orgA, ...body }),
    });
    const text = await res.text();
    seen.push(text);
    assert.equal(res.status, 200, text);
    return JSON.parse(text) as Record<string, unknown>;
  }

  /** The extension's settings in org mode for `user` (what `orgAiSettings` builds). */
  async function orgSettings(user: keyof typeof users, model = ''): Promise<AiSettings> {
    return {
      provider: 'openai',
      keySource: 'org',
      baseUrl: `${functions.url}/functions/v1/ai`,
      model,
      apiKey: await keys.userToken(users[user], { email: `${user}@example.test` }),
      maxRetries: 0,
      extraBody: { action: 'complete', orgId: ids.orgA, purpose: 'draft' },
    };
  }

  // The fixture holds a usage row of its own (tool docs.generate); the function's rows are tool ai.<purpose>.
  const usageRows = () =>
    db.admin<{ user_id: string; tool: string; model: string; tokens_in: number; tokens_out: number; cost_usd: string }[]>`
      select user_id::text, tool, model, tokens_in, tokens_out, cost_usd::text from public.usage_logs where org_id = ${ids.orgA} and kind = 'ai' and tool like 'ai.%' order by id`;

  before(async () => {
    db = await freshDatabase('migrated');
    await seedOrgFixture(db.admin);
    const server = await getServer();
    keys = await makeTestKeys();
    standIn = await startOpenAiStandIn();
    functions = await startFunctions({
      dbUrl: `postgres://postgres:postgres@${server.host}:${server.port}/${db.name}`,
      keys,
      onOutput: (text) => (log += text),
    });
    const added = await admin({ op: 'llmKeys.add', provider: 'openai', label: 'team key', secret: ORG_KEY, isDefault: true, baseUrl: standIn.baseUrl, models: ['gpt-4o-mini', 'gpt-4o'] });
    assert.deepEqual((added.key as { models: string[] }).models, ['gpt-4o-mini', 'gpt-4o']);
  });

  after(async () => {
    await functions?.stop();
    await standIn?.close();
    await db?.drop();
  });

  it('relays a streamed draft from the stand-in through the function to the openai client, with the org key and the usage recorded', async () => {
    standIn.reply({ kind: 'stream', text: '{"model":"Orders, one row each."}', pieces: 5, usage: { prompt: 1200, completion: 300 } });
    const deltas: string[] = [];
    const answer = await complete(await orgSettings('editor'), [{ role: 'system', content: 'You document dbt models.' }, { role: 'user', content: 'Model orders: select order_id from stg_orders' }], { onDelta: (d) => deltas.push(d), json: true });
    assert.equal(answer.text, '{"model":"Orders, one row each."}');
    assert.ok(deltas.length >= 5, `streamed in pieces, got ${deltas.length}`);
    assert.deepEqual(answer.usage, { promptTokens: 1200, completionTokens: 300 });
    const sent = standIn.requests.at(-1)!;
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.headers.authorization, `Bearer ${ORG_KEY}`, 'the provider gets the org key');
    assert.equal(sent.body.model, 'gpt-4o-mini', "the key's first model by default");
    assert.deepEqual(sent.body.messages, [{ role: 'system', content: 'You document dbt models.' }, { role: 'user', content: 'Model orders: select order_id from stg_orders' }]);
    assert.deepEqual(sent.body.response_format, { type: 'json_object' });
    assert.equal(sent.body.orgId, undefined, "Mallard's fields stay with the function");
    const rows = await eventually('the usage row', async () => {
      const now = await usageRows();
      return now.length === 1 ? now : undefined;
    }, 10_000).catch(async (err: Error) => assert.fail(`${err.message}: ${JSON.stringify(await usageRows())}`));
    assert.deepEqual([...rows], [{ user_id: users.editor, tool: 'ai.draft', model: 'gpt-4o-mini', tokens_in: 1200, tokens_out: 300, cost_usd: costOf(priceOf('gpt-4o-mini'), 1200, 300).toFixed(6) }]);
    assert.equal(rows[0]!.cost_usd, '0.000360');
  });

  it('streams chat.completion.chunk events to a plain caller and honours an allowed model', async () => {
    standIn.reply({ kind: 'stream', text: 'abcdef', pieces: 3, usage: { prompt: 10, completion: 3 } });
    const res = await call('editor', { action: 'complete', orgId: ids.orgA, purpose: 'verify', model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.status, 200);
    const events = String(res.body.text).split('\n\n').filter((e) => e.startsWith('data: '));
    assert.equal(events.at(-1), 'data: [DONE]');
    assert.ok(events.filter((e) => e.includes('"chat.completion.chunk"')).length >= 4);
    assert.equal(standIn.requests.at(-1)!.body.model, 'gpt-4o');
    const row = await eventually('the verify usage row', async () => (await usageRows()).find((r) => r.tool === 'ai.verify'));
    assert.deepEqual([row.model, row.tokens_in, row.tokens_out], ['gpt-4o', 10, 3]);
  });

  it('refuses bad bodies and models outside the allow-list with 400 bad-request, without calling the stand-in', async () => {
    const before = standIn.requests.length;
    const bad = await call('editor', { action: 'complete', orgId: ids.orgA, purpose: 'poetry', messages: [] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'bad-request');
    assert.match(String(bad.body.message), /purpose|messages/);
    const huge = await call('editor', { action: 'complete', orgId: ids.orgA, purpose: 'draft', messages: Array.from({ length: 3 }, () => ({ role: 'user', content: 'x'.repeat(150_000) })) });
    assert.equal(huge.status, 400);
    assert.match(String(huge.body.message), /400000 characters/);
    const model = await call('editor', { action: 'complete', orgId: ids.orgA, purpose: 'draft', model: 'gpt-5-ultra', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(model.status, 400);
    assert.match(String(model.body.message), /'gpt-5-ultra' is not allowed .*gpt-4o-mini, gpt-4o/);
    assert.equal(standIn.requests.length, before);
  });

  it('answers 403 to a member without docs.generate and to an outsider, without calling the stand-in', async () => {
    const before = standIn.requests.length;
    const viewer = await call('viewer', { action: 'complete', orgId: ids.orgA, purpose: 'draft', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(viewer.status, 403);
    assert.equal(viewer.body.code, 'forbidden');
    assert.match(String(viewer.body.message), /docs\.generate/);
    assert.equal((await call('outsider', { action: 'complete', orgId: ids.orgA, purpose: 'draft', messages: [{ role: 'user', content: 'hi' }] })).status, 403);
    await assert.rejects(complete(await orgSettings('viewer'), [{ role: 'user', content: 'hi' }]), (err: unknown) => err instanceof AiError && err.reason === 'forbidden' && /docs\.generate/.test(err.message));
    assert.equal(standIn.requests.length, before);
  });

  it('records a cancelled stream with its estimated partial usage', async () => {
    standIn.reply({ kind: 'stream', text: 'x'.repeat(400), pieces: 40, delayMs: 100, usage: { prompt: 5, completion: 100 } });
    const controller = new AbortController();
    const prompt = 'p'.repeat(800);
    await assert.rejects(
      complete(await orgSettings('editor'), [{ role: 'user', content: prompt }], { signal: controller.signal, onDelta: () => controller.abort() }),
      (err: unknown) => err instanceof AiError && err.reason === 'cancelled',
    );
    const row = await eventually('the cancelled usage row', async () => (await usageRows()).find((r) => r.tool === 'ai.draft.cancelled'));
    // No usage chunk arrived: the tokens are estimated from the characters (about 4 per token).
    assert.equal(row.tokens_in, 200);
    assert.ok(row.tokens_out >= 1 && row.tokens_out < 100, `partial output estimated, got ${row.tokens_out}`);
    assert.ok(Number(row.cost_usd) > 0);
  });

  it('refuses with 402 budget-exceeded once the monthly budget is spent, before calling the stand-in', async () => {
    await admin({ op: 'flags.set', key: 'ai.budget', enabled: true, payload: { monthlyUsd: 0.01, prices: { 'gpt-4o-mini': { inPerMTok: 1000, outPerMTok: 1000 } } } });
    standIn.reply({ kind: 'stream', text: 'spend', usage: { prompt: 8, completion: 2 } });
    // 10 tokens at $1000 per million: $0.01, the whole budget.
    await complete(await orgSettings('editor'), [{ role: 'user', content: 'spend it' }]);
    const costly = await eventually('the costly row', async () => (await usageRows()).find((r) => r.cost_usd === '0.010000'));
    assert.equal(costly.tokens_in, 8);
    const before = standIn.requests.length;
    const refused = await call('editor', { action: 'complete', orgId: ids.orgA, purpose: 'draft', messages: [{ role: 'user', content: 'more' }] });
    assert.equal(refused.status, 402);
    assert.equal(refused.body.code, 'budget-exceeded');
    assert.match(String(refused.body.message), /budget for this month is spent/);
    await assert.rejects(complete(await orgSettings('editor'), [{ role: 'user', content: 'more' }]), (err: unknown) => err instanceof AiError && err.reason === 'budget-exceeded' && /budget/.test(err.message));
    assert.equal(standIn.requests.length, before, 'the provider was not called');
    await admin({ op: 'flags.set', key: 'ai.budget', enabled: true, payload: { monthlyUsd: 100 } });
    standIn.reply({ kind: 'stream', text: 'again', usage: { prompt: 1, completion: 1 } });
    assert.equal((await complete(await orgSettings('editor'), [{ role: 'user', content: 'after the raise' }])).text, 'again');
  });

  it('sums this month per member and model for usage.view holders only', async () => {
    const answer = await call('admin', { action: 'usage', orgId: ids.orgA });
    assert.equal(answer.status, 200);
    const lines = answer.body.lines as { userId: string; model: string; calls: number; tokensIn: number }[];
    const rows = await usageRows();
    // The fixture's own row has no model (and may lie in another month); the function's all name theirs.
    assert.equal(lines.filter((l) => l.model !== null).reduce((n, l) => n + l.calls, 0), rows.length);
    const mini = lines.find((l) => l.model === 'gpt-4o-mini' && l.userId === users.editor)!;
    assert.equal(mini.tokensIn, rows.filter((r) => r.model === 'gpt-4o-mini').reduce((n, r) => n + r.tokens_in, 0));
    assert.equal(answer.body.budgetUsd, 100);
    assert.equal((await call('editor', { action: 'usage', orgId: ids.orgA })).status, 403);
  });

  it('never shows the org key: a provider refusal echoing it is scrubbed, and no answer, header or log line holds it', async () => {
    standIn.reply({ kind: 'error', status: 401, message: `Incorrect API key provided: ${ORG_KEY}. You can find your API key at https://platform.openai.com.`, code: 'invalid_api_key' });
    const refused = await call('editor', { action: 'complete', orgId: ids.orgA, purpose: 'draft', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(refused.status, 424);
    assert.equal(refused.body.code, 'provider-error');
    assert.match(String(refused.body.message), /refused the organization's key \(401\): Incorrect API key provided: ••••/);
    const listed = await admin({ op: 'llmKeys.list' });
    assert.ok(seen.length > 10);
    for (const text of [...seen, JSON.stringify(listed), log]) {
      assert.ok(!text.includes(ORG_KEY), `the key leaked: ${text.slice(0, 300)}`);
      assert.ok(!text.includes(ORG_KEY.slice(0, 12)), 'a prefix of the key leaked');
    }
  });
});
