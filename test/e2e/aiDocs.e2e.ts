import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { startOpenAiStandIn, type OpenAiStandIn } from '../support/openAiStandIn';
import { VsCodeSession, eventually, sampleProject } from './harness';

/**
 * AI-drafted docs in code-server, against a stand-in speaking OpenAI's chat-completions wire
 * format (streamed server-sent events): the key is entered through "Mallard: Set AI API Key", the
 * docs panel's "Draft with AI" streams a draft, the user edits one proposal and accepts it, discards
 * another, and only the accepted text reaches the YAML.
 */

const ORDERS = 'model.jaffle_duck.orders';
const KEY = 'sk-e2e-standin-key-0001';

describe('e2e: AI docs draft with the OpenAI stand-in', function () {
  let session: VsCodeSession;
  let standIn: OpenAiStandIn;
  let undocumented: string[] = [];
  const yaml = (): string => readFileSync(path.join(session.workspaceDir, 'models/marts/_marts.yml'), 'utf8');

  before(async function () {
    standIn = await startOpenAiStandIn();
    session = await VsCodeSession.start({ workspace: sampleProject(), settings: { 'mallard.ai.baseUrl': standIn.baseUrl, 'mallard.ai.model': 'gpt-standin' } });
    await eventually('the first scan', () => (session.mallardLog().includes('Scanned ') ? true : undefined), 90_000);
    const store = CatalogStore.open(path.join(session.workspaceDir, '.mallard/catalog.db'), { readonly: true });
    undocumented = store.columnsOf(ORDERS).filter((c) => c.description.trim() === '').map((c) => c.name);
    store.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = `failed-ai-${this.currentTest.title.replace(/\W+/g, '-')}`;
      await session?.screenshot(name);
      session?.saveLogs(name);
    }
  });

  after(async function () {
    await session?.close();
    await standIn?.close();
  });

  it('drafts, shows the draft for review, and saves only the accepted (edited) text', async function () {
    assert.ok(undocumented.length >= 2, `orders has undocumented columns: ${undocumented.join(', ')}`);
    const [first = '', second = ''] = undocumented;
    await session.runCommand('Mallard: Set AI API Key');
    const input = session.page.locator('.quick-input-widget input[type="password"]');
    await input.waitFor({ state: 'visible' });
    await input.fill(KEY);
    await input.press('Enter');
    await session.page.locator('.notification-toast', { hasText: 'AI API key saved in secret storage' }).first().waitFor({ timeout: 15_000 });
    await session.openFile('models/marts/orders.sql');
    await session.runCommand('Mallard: Open Docs');
    const frame = await session.webview('Mallard Docs');
    const before = yaml();
    standIn.reply({ kind: 'stream', text: JSON.stringify({ columns: { [first]: `AI text for ${first}.`, [second]: `AI text for ${second}.` } }), pieces: 8, delayMs: 40, usage: { prompt: 900, completion: 40 } });
    await frame.locator('[data-testid="ai-draft-missing"]').click();
    const review = frame.locator('[data-testid="ai-draft"]', { hasText: 'review before saving' });
    await review.waitFor({ timeout: 30_000 });
    const sent = standIn.requests.at(-1);
    assert.equal(sent?.headers.authorization, `Bearer ${KEY}`, 'the key from secret storage');
    assert.match(String((sent?.body.messages as { content: string }[] | undefined)?.[1]?.content), /orders/);
    assert.equal(yaml(), before, 'nothing written by the draft');
    await session.screenshot('ai-draft-review');

    await frame.locator(`[data-testid="ai-col-${first}"]`).fill(`Edited: ${first} as reviewed.`);
    await frame.locator(`[data-testid="ai-col-${first}-accept"]`).click();
    await frame.locator('[data-testid="ai-draft"] .outcome.ok', { hasText: 'Saved to models/marts/_marts.yml' }).waitFor({ timeout: 20_000 });
    await frame.locator(`[data-testid="ai-col-${second}-discard"]`).click();
    await frame.locator('[data-testid="ai-draft"] .outcome', { hasText: 'Discarded' }).waitFor();
    const after = yaml();
    assert.match(after, new RegExp(`Edited: ${first} as reviewed\\.`));
    assert.doesNotMatch(after, new RegExp(`AI text for ${second}`), 'a discarded proposal is not written');
    assert.doesNotMatch(after, new RegExp(`AI text for ${first}`), 'the edited text, not the draft, is written');
    await eventually('the column shows the accepted description', async () => ((await frame.locator(`[data-testid="col-${first}"]`).innerText()).includes('as reviewed') ? true : undefined), 20_000);
    await session.screenshot('ai-draft-accepted');
  });

  it('verification lists contradictions with their SQL lines in the panel and the Problems panel', async function () {
    const frame = await session.webview('Mallard Docs');
    standIn.reply({ kind: 'stream', text: JSON.stringify({ findings: [
      { column: 'order_id', claim: 'Primary key of an order', explanation: 'The stand-in says the SQL groups by order_id in a CTE (a test finding).', lines: [17], confidence: 0.7 },
      { column: 'nonexistent', claim: 'x', explanation: 'y', lines: [1], confidence: 0.9 },
    ] }), pieces: 3 });
    await frame.locator('[data-testid="ai-verify"]').click();
    const result = frame.locator('[data-testid="ai-verify-result"]', { hasText: 'AI verification: 1 contradiction' });
    await result.waitFor({ timeout: 30_000 });
    assert.match(await result.innerText(), /order_id: "Primary key of an order"[\s\S]*models\/marts\/orders\.sql:17/);
    assert.match(await result.innerText(), /Not shown: a finding on nonexistent/);
    const verifyPrompt = String((standIn.requests.at(-1)?.body.messages as { content: string }[] | undefined)?.[1]?.content);
    assert.match(verifyPrompt, /  17\|     group by order_id/, 'the SQL goes with line numbers');
    await session.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await session.page.locator('.markers-panel .monaco-list-row', { hasText: 'Docs of order_id say "Primary key of an order"' }).first().waitFor({ timeout: 20_000 });
    await session.screenshot('ai-verify-findings');
  });
});
