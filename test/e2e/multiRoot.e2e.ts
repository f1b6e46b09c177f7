import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { REPO, VsCodeSession, eventually, sampleProject } from './harness';
import { drawnNodeIds, openAllFolds } from './lineageDom';

/**
 * A multi-root workspace: the sample project and a second, tiny dbt project whose `orders` model
 * shares its name with the sample's. Each folder gets its own catalog; the tree shows one row per
 * folder, and editor features answer from the catalog of the document's folder. Expected values
 * come from the two catalog files the extension wrote (read-only here).
 */

const SECOND = path.join(REPO, 'test/e2e/fixtures/second_shop');

describe('e2e: multi-root workspace (jaffle_duck + second_shop)', function () {
  let session: VsCodeSession;
  let first: CatalogStore;
  let second: CatalogStore;

  before(async function () {
    session = await VsCodeSession.start({ workspace: sampleProject(), settings: { 'mallard.tree.groupBy': 'none' }, moreFolders: [SECOND] });
    const [firstDir = '', secondDir = ''] = session.folders;
    // One first scan per folder, one after the other.
    await eventually('both first scans', () => (session.mallardLog().split('\n').filter((l) => l.includes('Scanned ')).length >= 2 ? true : undefined), 120_000);
    for (const dir of [firstDir, secondDir]) assert.ok(existsSync(path.join(dir, '.mallard/catalog.db')), `${dir} has its own catalog file`);
    await session.statusBarItem().filter({ hasText: /[1-9]\d* models/ }).waitFor({ timeout: 60_000 });
    first = CatalogStore.open(path.join(firstDir, '.mallard/catalog.db'), { readonly: true });
    second = CatalogStore.open(path.join(secondDir, '.mallard/catalog.db'), { readonly: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = `failed-multi-root-${this.currentTest.title.replace(/\W+/g, '-')}`;
      await session?.screenshot(name);
      session?.saveLogs(name);
    }
  });

  after(async function () {
    first?.close();
    second?.close();
    await session?.close();
  });

  /** Visible rows of the Catalog tree as label paths from the top level, in screen order. */
  async function treePaths(): Promise<string[][]> {
    const pane = session.page.locator('.pane', { has: session.page.locator('.pane-header', { hasText: 'Catalog' }) });
    const rows = await pane.locator('.monaco-list-row').evaluateAll((els) =>
      els.map((el) => ({ level: Number(el.getAttribute('aria-level') ?? '0'), label: el.querySelector('.label-name')?.textContent ?? '', top: el.getBoundingClientRect().top })),
    );
    rows.sort((a, b) => a.top - b.top);
    const stack: string[] = [];
    return rows.map((r) => {
      stack.length = Math.max(0, r.level - 1);
      stack.push(r.label);
      return [...stack];
    });
  }

  /** Model rows (`folder › project › Models › model`) of one folder in the tree. */
  async function modelRows(folder: string): Promise<string[]> {
    return (await treePaths()).filter((p) => p.length === 4 && p[0] === folder && p[2] === 'Models').map((p) => p[3] ?? '');
  }

  const modelLabels = (store: CatalogStore): string[] =>
    store.listEntities({ kind: 'model', limit: 1000 }).items.map((e) => {
      const version = store.getEntity(e.id)?.version;
      return version ? `${e.name} v${version}` : e.name;
    });

  it('the Catalog tree shows one row per folder, each with its own models', async function () {
    await session.runCommand('View: Show Mallard');
    await session.collapsePane('Diagnostics');
    const folders = await eventually('the folder rows', async () => {
      const top = (await treePaths()).filter((p) => p.length === 1).map((p) => p[0]);
      return top.length >= 2 ? top : undefined;
    });
    assert.deepEqual(folders, ['jaffle_duck', 'second_shop']);
    const firstModels = modelLabels(first);
    assert.ok(firstModels.includes('orders') && firstModels.length > 10, 'the sample project is in the first catalog');
    const rows = await eventually('jaffle_duck model rows', async () => {
      const r = await modelRows('jaffle_duck');
      return r.length >= firstModels.length ? r : undefined;
    });
    assert.deepEqual([...rows].sort(), [...firstModels].sort());
    await session.screenshot('multi-root-tree');

    // Collapse the first folder so the second one's rows are on screen.
    const pane = session.page.locator('.pane', { has: session.page.locator('.pane-header', { hasText: 'Catalog' }) });
    await pane.locator('.monaco-list-row[aria-level="1"]', { has: session.page.locator('.label-name', { hasText: /^jaffle_duck$/ }) }).first().click();
    const secondModels = modelLabels(second);
    assert.deepEqual([...secondModels].sort(), ['channel_report', 'orders'], 'the second catalog holds only the second project');
    const secondRows = await eventually('second_shop model rows', async () => {
      const r = await modelRows('second_shop');
      return r.length >= secondModels.length ? r : undefined;
    });
    assert.deepEqual([...secondRows].sort(), [...secondModels].sort());
    const paths = await treePaths();
    assert.ok(paths.some((p) => p.join('/') === 'second_shop/second_shop/Models/orders'), 'second_shop › second_shop › Models › orders');
    // The status bar counts the models of both catalogs.
    await session.statusBarItem().filter({ hasText: `${firstModels.length + secondModels.length} models` }).waitFor({ timeout: 15_000 });
    await session.screenshot('multi-root-tree-second');
  });

  it('hover on a ref in the second folder shows that folder\'s model', async function () {
    const file = path.join(session.folders[1] ?? '', 'models/channel_report.sql');
    await session.openFile('channel_report.sql');
    await session.page.keyboard.press('Escape');
    const lines = readFileSync(file, 'utf8').split('\n');
    const lineIndex = lines.findIndex((l) => l.includes("ref('orders')"));
    await session.goToLine(lineIndex + 1, (lines[lineIndex] ?? '').indexOf("'orders'") + 3);
    await session.runCommand('Show or Focus Hover');
    const hover = session.page.locator('.monaco-hover-content', { hasText: 'orders' }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const text = (await hover.innerText()).replace(/\s+/g, ' ');
    const mine = second.getEntity('model.second_shop.orders');
    const theirs = first.getEntity('model.jaffle_duck.orders');
    assert.ok(mine?.description && theirs?.description, 'both folders have a documented orders model');
    assert.ok(text.includes(mine.description.trim().slice(0, 40)), `the second folder's description in: ${text}`);
    assert.ok(!text.includes(theirs.description.replace(/\s+/g, ' ').trim().slice(0, 40)), 'not the sample project\'s orders');
    for (const c of second.columnsOf(mine.id)) assert.ok(text.includes(c.name), `column ${c.name} in the hover`);
    await session.screenshot('multi-root-hover');
    await session.page.keyboard.press('Escape');
  });

  it('Show Lineage on a model of the second folder draws that folder\'s graph', async function () {
    await session.openFile('channel_report.sql');
    await session.runCommand('Mallard: Show Lineage');
    const frame = await session.webview('Mallard Lineage');
    const root = 'model.second_shop.channel_report';
    const expected = new Set([root, ...second.modelLineage(root, { direction: 'upstream' }).nodes.map((n) => n.id), ...second.modelLineage(root, { direction: 'downstream' }).nodes.map((n) => n.id)]);
    assert.ok(expected.has('model.second_shop.orders'), 'channel_report reads the second folder\'s orders');
    await frame.locator('.node').first().waitFor({ timeout: 30_000 });
    await openAllFolds(frame);
    const nodes = await eventually('the graph nodes', async () => {
      const ids = await drawnNodeIds(frame);
      return ids.length === expected.size ? ids : undefined;
    });
    assert.deepEqual(new Set(nodes), expected);
    await session.screenshot('multi-root-lineage');
  });

  it('Search Catalog searches every folder and names the folder of each hit', async function () {
    await session.runCommand('Mallard: Search Catalog');
    const input = session.page.locator('.quick-input-widget input');
    const rows = session.page.locator('.quick-input-list .monaco-list-row');
    // One query per folder, each naming a model only that folder has.
    for (const [query, folder] of [['channel_report', 'second_shop'], ['stg_orders', 'jaffle_duck']] as const) {
      await input.fill(query);
      await rows.filter({ hasText: query }).filter({ hasText: `${folder} ·` }).first().waitFor({ state: 'visible', timeout: 15_000 });
    }
    await session.screenshot('multi-root-search');
    await session.page.keyboard.press('Escape');
  });

  it('a settings change reaches the running catalogs: an excluded model leaves the tree, and comes back', async function () {
    const settingsFile = path.join(session.userDataDir, 'User/settings.json');
    const original = readFileSync(settingsFile, 'utf8');
    const models = (): string[] => modelLabels(second).sort();
    assert.deepEqual(models(), ['channel_report', 'orders']);
    // As a user does it: Preferences: Open User Settings (JSON), edit, save.
    await session.runCommand('Preferences: Open User Settings (JSON)');
    await session.replaceEditorText('workbench.startupEditor', JSON.stringify({ ...(JSON.parse(original) as object), 'mallard.exclude': ['**/channel_report.sql'] }, null, 2));
    const saved = await eventually('the saved settings', () => {
      const text = readFileSync(settingsFile, 'utf8');
      return text.includes('"mallard.exclude"') ? text : undefined;
    });
    assert.deepEqual((JSON.parse(saved) as Record<string, unknown>)['mallard.exclude'], ['**/channel_report.sql'], 'the settings file was saved as typed');
    await eventually('channel_report left the second catalog', () => (models().join() === 'orders' ? true : undefined), 60_000);
    await eventually('channel_report left the tree', async () => ((await modelRows('second_shop')).join() === 'orders' ? true : undefined));
    assert.ok(modelLabels(first).includes('orders') && modelLabels(first).length > 10, 'the first folder kept its models');
    await session.screenshot('multi-root-settings-exclude');

    await session.replaceEditorText('mallard.exclude', original);
    await eventually('the restored settings', () => (readFileSync(settingsFile, 'utf8').includes('"mallard.exclude"') ? undefined : true));
    await eventually('channel_report back in the second catalog', () => (models().join() === 'channel_report,orders' ? true : undefined), 60_000);
    await eventually('channel_report back in the tree', async () => ((await modelRows('second_shop')).sort().join() === 'channel_report,orders' ? true : undefined));
    await session.page.keyboard.press('Escape');
  });

  // Last: it changes the workspace.
  it('removing the second folder closes its catalog and the tree goes back to one folder', async function () {
    const firstModels = modelLabels(first);
    await session.runCommand('Workspaces: Remove Folder from Workspace...');
    await session.page.locator('.quick-input-list .monaco-list-row', { hasText: 'second_shop' }).first().click();
    await eventually('the catalog of second_shop closed', () => (session.mallardLog().includes(`Closed the catalog of ${session.folders[1] ?? ''}`) ? true : undefined));
    // One catalog left: projects at the top level again, as in a single-folder workspace.
    const top = await eventually('single-folder tree', async () => {
      const rows = (await treePaths()).filter((p) => p.length === 1).map((p) => p[0]);
      return rows.length > 0 && !rows.includes('second_shop') ? rows : undefined;
    });
    assert.deepEqual(top, ['jaffle_duck']);
    assert.ok((await treePaths()).some((p) => p.join('/') === 'jaffle_duck/Models'), 'the project row is at the top, its groups right under it');
    const models = await session.treeChildren('Catalog', 'Models');
    assert.deepEqual([...models].sort(), [...firstModels].sort());
    await session.statusBarItem().filter({ hasText: `${firstModels.length} models` }).waitFor({ timeout: 15_000 });
    // The lineage panel still open on second_shop's channel_report says its folder is gone.
    const frame = await session.webview('Mallard Lineage');
    await frame.locator('#status', { hasText: 'workspace folder of this model was removed' }).waitFor({ timeout: 15_000 });
    await session.screenshot('multi-root-removed');
  });
});
