import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { ReferenceFinder } from '../../extension/ui/referenceFinder';
import { expectedCompiledSql } from '../support/compiledExpected';
import { VsCodeSession, eventually, sampleProject } from './harness';

/**
 * Editor features on the sample dbt project in code-server, in one session (each `it` builds on
 * the state the previous one left): Show Compiled SQL against the core renderer run in this test,
 * its update while typing, Find All References, the reference CodeLens, the Problems source, the
 * Diagnostics view rows and the walkthrough's first step. Reference truth is hand-checked from the
 * sample's text (the same sites as test/unit/ui/referenceFinder.test.ts).
 */

const ORDERS = 'models/marts/orders.sql';
/** Every `ref('orders')` of the sample (file → lines), and the YAML entry that declares it. */
const ORDERS_REFERENCES: Record<string, number[]> = {
  'revenue_by_region.sql': [2],
  'exposures.yml': [12],
  'customers_v2.sql': [11],
  'delivery_sla.sql': [10],
  'store_daily_revenue.sql': [9],
  '_marts.yml': [4],
};

describe('e2e: compiled SQL, references, CodeLens and Problems on jaffle_duck', function () {
  let session: VsCodeSession;
  let store: CatalogStore;

  /** The text lines of the editor showing tab `tab`, top to bottom (the document fits the viewport). */
  async function editorLines(tab: string): Promise<string[]> {
    const group = session.page.locator('.editor-group-container', { has: session.page.locator('.tab.active', { hasText: tab }) }).first();
    const lines = group.locator('.monaco-editor .view-lines').first();
    return (await lines.locator('.view-line').evaluateAll((els) =>
      els.map((el) => ({ top: Number.parseFloat((el as HTMLElement).style.top || '0'), text: (el.textContent ?? '').replace(/\u00a0/g, ' ') })),
    ))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text);
  }

  /**
   * Opens a workspace file through Quick Open. The harness's `openFile` presses Enter on the first
   * row, which can still be a recently opened file while the file search runs (`orders.sql` for
   * `delivery_sla.sql`), and Monaco reuses row elements when the results arrive (a row matched by
   * its label can show another file when clicked). So Enter is pressed once the focused first row
   * has stayed the wanted file for a moment, and the whole step is repeated if another file opened.
   */
  async function openFile(relativePath: string): Promise<void> {
    const page = session.page;
    const name = path.basename(relativePath);
    // Exact names: `orders.sql` must not match `legacy_orders.sql`. A row's aria-label is
    // "<name> <folder>[, file results]".
    const firstLabel = async (): Promise<string> => ((await page.locator('.quick-input-list .monaco-list-row').first().getAttribute('aria-label').catch(() => null)) ?? '').split(' ')[0] ?? '';
    const activeTab = `.tab.active[data-resource-name="${name}"]`;
    await eventually(`${relativePath} open`, async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill(relativePath);
      await eventually(`${name} first in Quick Open`, async () => ((await firstLabel()) === name ? true : undefined), 15_000);
      await page.waitForTimeout(300);
      if ((await firstLabel()) !== name) return undefined;
      await input.press('Enter');
      await page.locator('.tab.active').first().waitFor({ state: 'visible' });
      return (await page.locator(activeTab).first().isVisible()) ? true : undefined;
    }, 60_000);
    const group = page.locator('.editor-group-container', { has: page.locator(activeTab) }).first();
    await group.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible' });
    await group.locator('.monaco-editor textarea').first().focus();
  }

  /** `text` as Monaco shows it: one entry per line; a final newline shows as an empty last line. */
  const asLines = (text: string): string[] => text.split('\n');

  before(async function () {
    // A small line height puts the whole compiled model in the viewport (no virtualized lines).
    // The Welcome page opens at startup, as it does by default: VS Code creates its walkthrough
    // service then, before the first scan, so the first step's `onContext` event is seen (a
    // service created later, with the key already true, never ticks the step: see the report).
    session = await VsCodeSession.start({
      workspace: sampleProject(),
      settings: { 'editor.fontSize': 9, 'editor.lineHeight': 12, 'files.autoSave': 'off', 'workbench.startupEditor': 'welcomePage' },
    });
    await eventually('the first scan', () => (session.mallardLog().includes('Scanned ') ? true : undefined), 90_000);
    await session.statusBarItem().filter({ hasText: /[1-9]\d* models/ }).waitFor({ timeout: 60_000 });
    store = CatalogStore.open(path.join(session.workspaceDir, '.mallard/catalog.db'), { readonly: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = `editor-failed-${this.currentTest.title.replace(/\W+/g, '-')}`;
      await session?.screenshot(name);
      session?.saveLogs(name);
    }
  });

  after(async function () {
    store?.close();
    await session?.close();
  });

  it('Show Compiled SQL opens the renderer output beside the model', async function () {
    await openFile(ORDERS);
    await session.runCommand('Mallard: Show Compiled SQL');
    const expected = expectedCompiledSql(session.workspaceDir, ORDERS);
    assert.deepEqual(expected.errors, []);
    const shown = await eventually('the compiled document', async () => {
      const lines = await editorLines('orders.compiled.sql').catch(() => []);
      return lines.length > 1 ? lines : undefined;
    });
    assert.deepEqual(shown, asLines(expected.compiledSql));
    assert.ok(!shown.join('\n').includes('{{'), 'no Jinja left');
    // Beside the model: two editor groups, the model's and the compiled document's.
    assert.equal(await session.page.locator('.editor-group-container').count(), 2);
    await session.screenshot('editor-compiled-sql');
  });

  it('typing in the model updates the compiled document without saving', async function () {
    const probe = '{% set probe = 40 + 2 %}/* probe {{ probe }} */ ';
    await openFile(ORDERS);
    await session.goToLine(1, 1);
    await session.page.keyboard.insertText(probe);
    const edited = probe + readFileSync(path.join(session.workspaceDir, ORDERS), 'utf8');
    const expected = expectedCompiledSql(session.workspaceDir, ORDERS, edited);
    assert.match(expected.compiledSql, /\/\* probe 42 \*\//);
    const shown = await eventually('the compiled document to follow the edit', async () => {
      const lines = await editorLines('orders.compiled.sql');
      return lines[0]?.includes('probe 42') ? lines : undefined;
    }, 30_000);
    assert.deepEqual(shown, asLines(expected.compiledSql));
    assert.equal(readFileSync(path.join(session.workspaceDir, ORDERS), 'utf8').includes('probe'), false, 'the model was not saved');
    await session.screenshot('editor-compiled-sql-updated');
    await session.runCommand('File: Revert File');
    await session.runCommand('View: Close All Editors');
  });

  it('Find All References on ref(\'orders\') lists every ref site and the YAML entry', async function () {
    const file = 'models/marts/delivery_sla.sql';
    await openFile(file);
    const lines = readFileSync(path.join(session.workspaceDir, file), 'utf8').split('\n');
    const index = lines.findIndex((l) => l.includes("ref('orders')"));
    await session.goToLine(index + 1, (lines[index] ?? '').indexOf("'orders'") + 3);
    await session.runCommand('Peek References');
    const widget = session.page.locator('.reference-zone-widget').first();
    await widget.waitFor({ state: 'visible', timeout: 30_000 });
    const files = await eventually('the reference files', async () => {
      const rows = await widget.locator('.ref-tree .monaco-list-row .reference-file').evaluateAll((els) =>
        els.map((el) => ({ name: el.querySelector('.label-name')?.textContent ?? '', count: el.querySelector('.count')?.textContent ?? '' })),
      );
      return rows.length >= Object.keys(ORDERS_REFERENCES).length ? rows : undefined;
    });
    assert.deepEqual(
      Object.fromEntries(files.map((f) => [f.name, Number(f.count)])),
      Object.fromEntries(Object.entries(ORDERS_REFERENCES).map(([name, at]) => [name, at.length])),
    );
    // The peek's title counts them all.
    const title = (await widget.locator('.peekview-title').innerText()).replace(/\s+/g, ' ');
    const total = Object.values(ORDERS_REFERENCES).flat().length;
    assert.match(title, new RegExp(`References \\(${total}\\)`));
    await session.screenshot('editor-references');
    await session.page.keyboard.press('Escape');
  });

  it('the CodeLens of a model and of its YAML entry count its references', async function () {
    const finder = new ReferenceFinder({ store, readText: (rel) => readFileSync(path.join(session.workspaceDir, rel), 'utf8') });
    const uses = finder.entityReferences('model.jaffle_duck.orders').uses.length;
    assert.equal(uses, Object.values(ORDERS_REFERENCES).flat().length - 1, 'the catalog-based finder agrees with the hand-checked uses');
    await openFile(ORDERS);
    const lens = session.page.locator('.codelens-decoration', { hasText: 'references' }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await lens.innerText()).replace(/\s+/g, ' '), new RegExp(`\\b${uses} references\\b`));
    await session.screenshot('editor-codelens-model');
    await openFile('models/marts/_marts.yml');
    const yamlLens = session.page.locator('.codelens-decoration', { hasText: `${uses} references` }).first();
    await yamlLens.waitFor({ state: 'visible', timeout: 30_000 });
    await session.screenshot('editor-codelens-yaml');
  });

  it('the Problems panel shows source "mallard" with the kind as code; the Diagnostics view puts the file name first', async function () {
    writeFileSync(path.join(session.workspaceDir, 'models/marts/broken.sql'), "select\n    order_id,\n    (amount from {{ ref('stg_orders') }}\n");
    await session.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const marker = session.page.locator('.markers-panel .monaco-list-row', { hasText: 'Syntax error' }).first();
    await marker.waitFor({ state: 'visible', timeout: 60_000 });
    const diagnostic = await eventually('the diagnostic in the catalog', () => store.diagnostics('models/marts/broken.sql')[0]);
    const text = (await marker.innerText()).replace(/\s+/g, ' ');
    // Source and code are separate elements of the row ("mallard(sql-parse)" on screen).
    assert.match(text, new RegExp(`\\bmallard\\s*\\(?${diagnostic.code}\\)?\\s*\\[Ln`), text);
    assert.ok(!text.includes(diagnostic.extractor), `the extractor is not in the source: ${text}`);
    await session.screenshot('editor-problems-source');
    await session.runCommand('View: Show Mallard');
    const pane = session.page.locator('.pane', { has: session.page.locator('.pane-header', { hasText: 'Diagnostics' }) });
    const header = pane.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const row = pane.locator('.monaco-list-row', { has: session.page.locator('.label-name', { hasText: /^broken\.sql$/ }) }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await row.locator('.label-description').innerText()).trim(), `models/marts · ${store.diagnostics('models/marts/broken.sql').length}`);
    await session.screenshot('editor-diagnostics-view');
  });

  it('the walkthrough ticks its first step with a project open', async function () {
    await session.runCommand('Welcome: Open Walkthrough...');
    await session.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Mallard' }).first().click();
    const step = session.page.locator('button.getting-started-step[data-step-id$="open"]');
    await step.waitFor({ state: 'visible', timeout: 30_000 });
    await eventually('the first step checked', async () => ((await step.locator('[aria-checked="true"]').count()) > 0 || (await step.getAttribute('aria-checked')) === 'true' ? true : undefined), 15_000);
    await session.screenshot('editor-walkthrough');
  });
});

