import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { REPO, VsCodeSession, eventually, sampleProject } from './harness';
import { drawnNodeIds, openAllFolds } from './lineageDom';

/**
 * Scenarios on the sample dbt project, in one code-server session (each `it` builds on the state
 * the previous one left: the catalog scanned, orders.sql open). Expected values come from the
 * catalog file the extension wrote (read-only here) and from the hand-checked truth of the sample.
 */

interface Truth {
  upstream: Record<string, string[]>;
  columnEdges: { from: string; to: string; transform: string }[];
}
const truth = JSON.parse(readFileSync(path.join(REPO, 'test/fixtures/samples/jaffle_duck.expected.json'), 'utf8')) as Truth;
const ORDERS = 'model.jaffle_duck.orders';

describe('e2e: catalog, lineage, docs and editor features on jaffle_duck', function () {
  let session: VsCodeSession;
  let store: CatalogStore;

  before(async function () {
    session = await VsCodeSession.start({ workspace: sampleProject(), settings: { 'mallard.tree.groupBy': 'none' } });
    const db = path.join(session.workspaceDir, '.mallard/catalog.db');
    await eventually('the first scan', () => (session.mallardLog().includes('Scanned ') ? true : undefined), 90_000);
    // The status bar shows counts once every view was refreshed from the scanned catalog.
    await session.statusBarItem().filter({ hasText: /[1-9]\d* models/ }).waitFor({ timeout: 60_000 });
    store = CatalogStore.open(db, { readonly: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = `failed-${this.currentTest.title.replace(/\W+/g, '-')}`;
      await session?.screenshot(name);
      session?.saveLogs(name);
    }
  });

  after(async function () {
    store?.close();
    await session?.close();
  });

  it('the Catalog tree lists the models of the sample project', async function () {
    await session.runCommand('View: Show Mallard');
    await session.collapsePane('Diagnostics');
    const expected = store.listEntities({ kind: 'model', limit: 1000 }).items.map((e) => {
      const version = store.getEntity(e.id)?.version;
      return version ? `${e.name} v${version}` : e.name;
    });
    // Every hand-checked model is in the catalog, so the tree is checked against real extraction.
    for (const id of Object.keys(truth.upstream).filter((k) => k.startsWith('model.'))) assert.ok(store.getEntity(id), `${id} is in the catalog`);
    const rows = await eventually('model rows in the Catalog tree', async () => {
      const models = await session.treeChildren('Catalog', 'Models');
      return models.length >= expected.length ? models : undefined;
    });
    assert.deepEqual([...rows].sort(), [...expected].sort());
    // A model disabled with config(enabled=false) stays listed, marked "disabled".
    const disabled = store.listEntities({ kind: 'model', limit: 1000 }).items.filter((e) => store.getEntity(e.id)?.disabled).map((e) => e.name);
    assert.deepEqual(disabled, ['legacy_orders'], 'the sample disables exactly legacy_orders');
    const pane = session.page.locator('.pane', { has: session.page.locator('.pane-header', { hasText: 'Catalog' }) });
    const descriptions = await pane.locator('.monaco-list-row').evaluateAll((els) =>
      els.map((el) => ({ name: el.querySelector('.label-name')?.textContent ?? '', description: el.querySelector('.label-description')?.textContent ?? '' })),
    );
    const marked = descriptions.filter((r) => /^disabled\b/.test(r.description)).map((r) => r.name);
    assert.deepEqual(marked, disabled);
    // dbt analyses have their own group (collapsed, like every group but Models).
    const analyses = store.listEntities({ kind: 'analysis', limit: 100 }).items.map((e) => e.name);
    assert.deepEqual(analyses, ['revenue_by_region'], 'the sample has one analysis');
    await pane.locator('.monaco-list-row', { has: session.page.locator('.label-name', { hasText: /^Analyses$/ }) }).click();
    const analysisRows = await eventually('analysis rows in the Catalog tree', async () => {
      const found = await session.treeChildren('Catalog', 'Analyses');
      return found.length >= analyses.length ? found : undefined;
    });
    assert.deepEqual(analysisRows, analyses);
    await session.screenshot('catalog-tree');
  });

  it('the CodeLens on the first model opened shows the catalog counts', async function () {
    // The very first editor of the session, opened while the pointer still rests on a Catalog row
    // (its hover took the focus from the new editor, and VS Code dropped the pending CodeLens
    // request until the provider announced a change; see editorFeatures.ts).
    await session.openFile('models/marts/orders.sql');
    const up = store.modelLineage(ORDERS, { direction: 'upstream', maxDepth: 1 }).nodes.filter((n) => n.depth === -1).length;
    const down = store.modelLineage(ORDERS, { direction: 'downstream', maxDepth: 1 }).nodes.filter((n) => n.depth === 1).length;
    assert.equal(up, truth.upstream[ORDERS]?.length, 'the catalog agrees with the hand-checked upstream count');
    const lens = session.page.locator('.codelens-decoration', { hasText: 'upstream' }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await lens.innerText()).replace(/\s+/g, ' ').split('|')[0]?.trim(), `${up} upstream · ${down} downstream`);
    await session.screenshot('codelens');
  });

  it('Show Lineage renders exactly the catalog closure of the model', async function () {
    await session.openFile('models/marts/orders.sql');
    await session.runCommand('Mallard: Show Lineage');
    const frame = await session.webview('Mallard Lineage');
    const closure = store.modelLineage(ORDERS, { direction: 'both' });
    const expectedNodes = new Set(closure.nodes.map((n) => n.id));
    const expectedEdges = new Set<string>();
    for (const id of expectedNodes) {
      for (const e of store.modelLineage(id, { direction: 'upstream', maxDepth: 1 }).edges) if (e.to === id && expectedNodes.has(e.from)) expectedEdges.add(`${e.from}->${id}`);
    }
    await frame.locator('.node').first().waitFor({ timeout: 30_000 });
    // The panel opens fitted, folding distant levels into "+N" nodes; open them all.
    await openAllFolds(frame);
    const nodes = await eventually('the graph nodes', async () => {
      const ids = await drawnNodeIds(frame);
      return ids.length === expectedNodes.size ? ids : undefined;
    });
    assert.deepEqual(new Set(nodes), expectedNodes);
    const edges = await frame.locator('path.edge').evaluateAll((els) => els.map((el) => `${el.getAttribute('data-from')}->${el.getAttribute('data-to')}`));
    assert.deepEqual(new Set(edges), expectedEdges);
    assert.equal(edges.length, expectedEdges.size, 'no edge drawn twice');
    for (const parent of truth.upstream[ORDERS] ?? []) assert.ok(edges.includes(`${parent}->${ORDERS}`), `hand-checked edge ${parent} -> orders`);
    await session.screenshot('lineage');
  });

  it('column mode highlights the traced column and its upstream columns', async function () {
    const frame = await session.webview('Mallard Lineage');
    const root = `${ORDERS}#balance_due`;
    // Open the orders card and click its column (dispatched: the card may sit under the minimap).
    await frame.locator(`[data-toggle="${ORDERS}"]`).dispatchEvent('click');
    await frame.locator(`.col[data-column-id="${root}"]`).dispatchEvent('click');
    await frame.locator(`.col.highlight[data-column-id="${root}"]`).waitFor({ timeout: 15_000 });
    const related = await frame.locator('.col.related').evaluateAll((els) => els.map((el) => el.getAttribute('data-column-id') ?? ''));
    const expected = store.columnLineage(root, { direction: 'both' }).nodes.map((n) => n.id).filter((id) => id !== root);
    assert.deepEqual(new Set(related), new Set(expected));
    for (const e of truth.columnEdges.filter((x) => x.to === root)) assert.ok(related.includes(e.from), `hand-checked ${e.from}`);
    await session.screenshot('column-lineage');
  });

  it('hover over a ref shows the referenced model docs', async function () {
    await session.openFile('models/marts/orders.sql');
    await session.page.keyboard.press('Escape');
    const yaml = parseDocument(readFileSync(path.join(session.workspaceDir, 'models/staging/_staging.yml'), 'utf8')).toJS() as { models: { name: string; description?: string }[] };
    const written = yaml.models.find((m) => m.name === 'stg_orders')?.description;
    // Put the cursor on the name (Go to Line `line:column`) and ask for the hover from the keyboard.
    const lines = readFileSync(path.join(session.workspaceDir, 'models/marts/orders.sql'), 'utf8').split('\n');
    const lineIndex = lines.findIndex((l) => l.includes("ref('stg_orders')"));
    await session.goToLine(lineIndex + 1, (lines[lineIndex] ?? '').indexOf('stg_orders') + 3);
    await session.runCommand('Show or Focus Hover');
    const hover = session.page.locator('.monaco-hover-content', { hasText: 'stg_orders' }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const entity = store.getEntity('model.jaffle_duck.stg_orders');
    assert.ok(entity?.description, 'the model has a description in the catalog');
    const text = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.ok(text.includes(entity.description.replace(/\s+/g, ' ').trim().slice(0, 40)), text);
    for (const c of store.columnsOf(entity.id).slice(0, 5)) assert.ok(text.includes(c.name), `column ${c.name} in the hover`);
    assert.ok(written && text.includes(written.replace(/\s+/g, ' ').trim().slice(0, 40)), 'the hover shows the description written in _staging.yml');
    await session.screenshot('hover');
  });

  it('Search Catalog finds a column', async function () {
    await session.page.keyboard.press('Escape');
    await session.runCommand('Mallard: Search Catalog');
    await session.page.locator('.quick-input-widget input').fill('balance_due');
    const row = session.page.locator('.quick-input-list .monaco-list-row', { hasText: 'orders.balance_due' }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await session.screenshot('search');
    await session.page.keyboard.press('Escape');
  });

  it('editing a column description in the docs view updates the YAML surgically', async function () {
    const file = path.join(session.workspaceDir, 'models/marts/_marts.yml');
    const before = readFileSync(file, 'utf8');
    const oldLine = '        description: Amount still to be paid; negative when the customer overpaid.';
    assert.ok(before.includes(oldLine), 'the sample has the line this scenario edits');
    await session.openFile('models/marts/orders.sql');
    await session.runCommand('Mallard: Open Docs');
    const frame = await session.webview('Mallard Docs');
    await frame.locator('[data-testid="col-balance_due"]').click();
    await frame.locator('[data-testid="col-balance_due-input"]').fill('Still to pay, in currency units.');
    await frame.locator('[data-testid="col-balance_due-input"]').press('Enter');
    await frame.locator('[data-testid="col-balance_due-outcome"]', { hasText: 'Saved to models/marts/_marts.yml' }).waitFor({ timeout: 15_000 });
    const after = readFileSync(file, 'utf8');
    assert.equal(after, before.replace(oldLine, '        description: Still to pay, in currency units.'));
    await session.screenshot('docs-edit');
  });

  it('a SQL file with a syntax error shows a diagnostic at the right line', async function () {
    writeFileSync(path.join(session.workspaceDir, 'models/marts/broken.sql'), "select\n    order_id,\n    (amount from {{ ref('stg_orders') }}\n");
    await session.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const marker = session.page.locator('.markers-panel .monaco-list-row', { hasText: 'Syntax error' }).first();
    await marker.waitFor({ state: 'visible', timeout: 60_000 });
    const label = (await marker.getAttribute('aria-label')) ?? (await marker.innerText());
    const diagnostic = await eventually('the diagnostic in the catalog', () => store.diagnostics('models/marts/broken.sql')[0]);
    assert.equal(diagnostic.line, 3);
    assert.match(label, new RegExp(`\\b${diagnostic.line}\\b.*\\b${diagnostic.column}\\b|Ln ${diagnostic.line}, Col ${diagnostic.column}`));
    await session.screenshot('diagnostic');
  });
  // Last: in one run the next scenario's Quick Open input stayed inert after this one (cause not
  // investigated; the walkthrough editor keeps the focus), so nothing runs after it.
  it('the walkthrough opens, lists its steps, and a step link runs its command', async function () {
    await session.runCommand('Welcome: Open Walkthrough...');
    await session.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Mallard' }).first().click();
    const steps = session.page.locator('button.getting-started-step');
    await steps.first().waitFor({ state: 'visible', timeout: 30_000 });
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { contributes: { walkthroughs: { steps: { id: string; title: string }[] }[] } };
    const declared = pkg.contributes.walkthroughs[0]?.steps ?? [];
    const titles = await steps.evaluateAll((els) => els.map((el) => el.querySelector('.step-title')?.textContent?.trim() ?? ''));
    assert.deepEqual(titles, declared.map((st) => st.title));
    // Expand the catalog step and follow its command link: the Search Catalog quick pick opens.
    await session.page.locator('button.getting-started-step[data-step-id$="catalog"]').click();
    await session.page.locator('.getting-started-step[data-step-id$="catalog"] .monaco-button', { hasText: 'Search Catalog' }).first().click();
    await session.page.locator('.quick-input-widget input[placeholder^="Search models, sources, columns"]').waitFor({ state: 'visible', timeout: 15_000 });
    await session.screenshot('walkthrough');
    await session.page.keyboard.press('Escape');
  });

});
