import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { modelsToDraft, type BatchTarget } from '../../extension/ai/batchDraft';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { startOpenAiStandIn, type OpenAiStandIn } from '../support/openAiStandIn';
import { VsCodeSession, eventually, sampleProject } from './harness';

/**
 * The AI batch mode in code-server, against a stand-in speaking OpenAI's chat-completions wire
 * format: "Draft Docs with AI for Folder…" drafts the undocumented models of `models/marts` into
 * the review queue, one model's drafts are edited and accepted there (only they reach the YAML),
 * the queue keeps the rest after its panel is closed, and the Docs Quality view and the docs
 * panel header show scores.
 */

const KEY = 'sk-e2e-batch-standin-0001';

describe('e2e: AI batch drafts, review queue and docs quality', function () {
  let session: VsCodeSession;
  let standIn: OpenAiStandIn;
  let targets: BatchTarget[] = [];
  const columnsToDraft = new Map<string, string[]>();
  const yamls = (): string => {
    const dir = path.join(session.workspaceDir, 'models');
    const out: string[] = [];
    for (const sub of readdirSync(dir)) {
      const folder = path.join(dir, sub);
      if (!sub.includes('.')) for (const f of readdirSync(folder).filter((n) => n.endsWith('.yml'))) out.push(`${sub}/${f}\n${readFileSync(path.join(folder, f), 'utf8')}`);
    }
    return out.join('\n---\n');
  };

  before(async function () {
    standIn = await startOpenAiStandIn();
    session = await VsCodeSession.start({
      workspace: sampleProject(),
      settings: { 'mallard.ai.baseUrl': standIn.baseUrl, 'mallard.ai.model': 'gpt-standin', 'mallard.ai.batchConcurrency': 1 },
    });
    await eventually('the first scan', () => (session.mallardLog().includes('Scanned ') ? true : undefined), 90_000);
    const store = CatalogStore.open(path.join(session.workspaceDir, '.mallard/catalog.db'), { readonly: true });
    targets = modelsToDraft(store, 'models/marts');
    for (const t of targets) columnsToDraft.set(t.entityId, store.columnsOf(t.entityId).filter((c) => c.description.trim() === '').map((c) => c.name));
    store.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = `failed-ai-batch-${this.currentTest.title.replace(/\W+/g, '-')}`;
      await session?.screenshot(name);
      session?.saveLogs(name);
    }
  });

  after(async function () {
    await session?.close();
    await standIn?.close();
  });

  it('drafts the folder into the review queue, writes nothing, and saves only the accepted drafts of one model', async function () {
    assert.ok(targets.length >= 3, `models/marts has undocumented models: ${targets.map((t) => t.name).join(', ')}`);
    const sla = targets.find((t) => t.name === 'delivery_sla');
    assert.ok(sla, 'delivery_sla lacks column descriptions');
    await session.runCommand('Mallard: Set AI API Key');
    const input = session.page.locator('.quick-input-widget input[type="password"]');
    await input.waitFor({ state: 'visible' });
    await input.fill(KEY);
    await input.press('Enter');
    await session.page.locator('.notification-toast', { hasText: 'AI API key saved in secret storage' }).first().waitFor({ timeout: 15_000 });

    // One scripted answer per model, in the order the batch drafts them (by path, one at a time).
    for (const t of targets) {
      const columns = Object.fromEntries((columnsToDraft.get(t.entityId) ?? []).map((c) => [c, `AI text for ${t.name}.${c}.`]));
      standIn.reply({ kind: 'stream', text: JSON.stringify({ columns }), pieces: 3, usage: { prompt: 500, completion: 30 } });
    }
    const before = yamls();
    const from = standIn.requests.length;
    // The Explorer's folder menu offers it (the palette's folder pick is used below to run it).
    await session.runCommand('View: Show Explorer');
    const modelsRow = session.page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^models$/ }).first();
    await modelsRow.waitFor({ state: 'visible', timeout: 20_000 });
    await modelsRow.click({ button: 'right' });
    await session.page.locator('.context-view .action-label', { hasText: 'Draft Docs with AI for Folder…' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await session.screenshot('ai-batch-explorer-menu');
    await session.page.keyboard.press('Escape');
    await session.runCommand('Mallard: Draft Docs with AI for Folder…');
    const pickRow = session.page.locator('.quick-input-list .monaco-list-row').filter({ has: session.page.locator('.label-name', { hasText: /^\s*models\/marts$/ }) }).first();
    await pickRow.waitFor({ state: 'visible', timeout: 20_000 });
    await session.screenshot('ai-batch-folder-pick');
    await pickRow.click();
    const queue = await session.webview('Mallard AI Review Queue');
    await queue.locator('[data-testid="queue-summary"]', { hasText: `${targets.length} models to review` }).waitFor({ timeout: 60_000 });
    assert.equal(standIn.requests.length - from, targets.length, 'one request per undocumented model');
    assert.equal(yamls(), before, 'nothing is written before acceptance');
    await session.screenshot('ai-batch-queue');

    await queue.locator('[data-testid="queue-item-delivery_sla"]').click();
    const [first = '', second = ''] = columnsToDraft.get(sla.entityId) ?? [];
    const box = queue.locator(`[data-testid="ai-col-${first}"]`);
    await box.waitFor();
    assert.equal(await box.inputValue(), `AI text for delivery_sla.${first}.`);
    await box.fill(`Reviewed: ${first} of the SLA.`);
    await queue.locator(`[data-testid="ai-col-${second}-discard"]`).click();
    await queue.locator('[data-testid="ai-accept-all"]').click();
    await eventually('every proposal of delivery_sla acted on', async () => ((await queue.locator('[data-testid="queue-item-delivery_sla"]').innerText()).includes('reviewed') ? true : undefined), 60_000);
    const after = yamls();
    assert.match(after, new RegExp(`Reviewed: ${first} of the SLA\\.`), 'the edited text is written');
    assert.doesNotMatch(after, new RegExp(`AI text for delivery_sla\\.${second}\\.`), 'the discarded proposal is not');
    assert.doesNotMatch(after, /AI text for (?!delivery_sla)/, 'other models stay in the queue, unwritten');
    await session.screenshot('ai-batch-accepted');

    // The queue outlives its panel.
    await session.runCommand('View: Close All Editors');
    await session.runCommand('Mallard: Show AI Review Queue');
    const reopened = await session.webview('Mallard AI Review Queue');
    await reopened.locator('[data-testid="queue-summary"]', { hasText: `${targets.length - 1} models to review` }).waitFor({ timeout: 20_000 });
  });

  it('the Docs Quality view summarizes the project and the docs panel shows the score and what is missing', async function () {
    await session.runCommand('View: Close All Editors');
    await session.runCommand('View: Show Mallard');
    await session.collapsePane('Diagnostics');
    await session.expandPane('Docs Quality');
    const pane = session.page.locator('.pane', { has: session.page.locator('.pane-header', { hasText: 'Docs Quality' }) });
    const project = pane.locator('.monaco-list-row', { has: session.page.locator('.label-name', { hasText: /^jaffle_duck$/ }) }).first();
    await project.waitFor({ timeout: 60_000 });
    assert.match(await project.locator('.label-description').innerText(), /^\d+% · \d+ models$/);
    const rows = await session.treeLabels('Docs Quality');
    assert.ok(rows.some((r) => /Column descriptions/.test(r)) && rows.some((r) => /Lowest scores/.test(r)), rows.join(' | '));
    await session.collapsePane('Catalog');
    await session.screenshot('docs-quality-view');
    // The Catalog tree carries the badge too (models are grouped by folder).
    await session.expandPane('Catalog');
    const catalog = session.page.locator('.pane', { has: session.page.locator('.pane-header', { hasText: 'Catalog' }) });
    await catalog.locator('.monaco-list-row', { has: session.page.locator('.label-name', { hasText: /^marts$/ }) }).first().click();
    await eventually('a score badge on a Catalog model row', async () => {
      const texts = await catalog.locator('.monaco-list-row .label-description').allInnerTexts();
      return texts.some((t) => /^\d+%/.test(t)) ? true : undefined;
    }, 30_000);
    await session.screenshot('docs-quality-tree');
    await session.openFile('models/marts/delivery_sla.sql');
    await session.runCommand('Mallard: Open Docs');
    const docs = await session.webview('Mallard Docs');
    const quality = docs.locator('[data-testid="docs-quality"]');
    await quality.waitFor({ timeout: 30_000 });
    assert.match(await quality.innerText(), /Quality \d+%/);
    // Each column has its own score: met_sla is described but has no test.
    const metSla = docs.locator('[data-testid="quality-met_sla"]');
    assert.equal(await metSla.innerText(), '60%');
    assert.match((await metSla.getAttribute('title')) ?? '', /Missing: add a test/);
    await session.screenshot('docs-quality-header');
  });
});
