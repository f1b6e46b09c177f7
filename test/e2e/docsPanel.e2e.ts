import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { VsCodeSession, eventually, sampleProject } from './harness';

/**
 * The docs panel, the Catalog tree's folders and Search Catalog's landing place, in code-server on
 * a copy of the sample project, asserted from the DOM: types with their source, tests as chips,
 * inline editing that saves to the YAML (twice within a second), a table no wider than its panel.
 */

const ORDERS = 'model.jaffle_duck.orders';

describe('e2e: docs panel, tree folders and search landing on jaffle_duck', function () {
  let session: VsCodeSession;
  let store: CatalogStore;
  const file = (rel: string): string => path.join(session.workspaceDir, rel);

  before(async function () {
    session = await VsCodeSession.start({ workspace: sampleProject() });
    await eventually('the first scan', () => (session.mallardLog().includes('Scanned ') ? true : undefined), 90_000);
    await session.statusBarItem().filter({ hasText: /[1-9]\d* models/ }).waitFor({ timeout: 60_000 });
    store = CatalogStore.open(path.join(session.workspaceDir, '.mallard/catalog.db'), { readonly: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = `failed-docs-${this.currentTest.title.replace(/\W+/g, '-')}`;
      await session?.screenshot(name);
      session?.saveLogs(name);
    }
  });

  after(async function () {
    store?.close();
    await session?.close();
  });

  it('the Catalog tree groups models by folder', async function () {
    await session.runCommand('View: Show Mallard');
    await session.collapsePane('Diagnostics');
    const folders = await eventually('folder rows under Models', async () => {
      const rows = await session.treeChildren('Catalog', 'Models');
      return rows.length > 0 ? rows : undefined;
    });
    assert.deepEqual(folders, ['intermediate', 'marts', 'staging']);
    const pane = session.page.locator('.pane', { has: session.page.locator('.pane-header', { hasText: 'Catalog' }) });
    await pane.locator('.monaco-list-row', { has: session.page.locator('.label-name', { hasText: /^staging$/ }) }).click();
    const staging = await eventually('models in staging', async () => {
      const rows = await session.treeChildren('Catalog', 'staging');
      return rows.length > 0 ? rows : undefined;
    });
    const expected = store.listEntities({ kind: 'model', limit: 1000 }).items.filter((e) => e.path.startsWith('models/staging/')).map((e) => e.name);
    assert.deepEqual([...staging].sort(), [...expected].sort());
    await session.screenshot('docs-tree-folders');
  });

  it('shows types with their source, tests as chips, and a table that fits the panel', async function () {
    // Declare a type upstream (stg_orders.order_id) and on orders itself; the panel infers the first.
    const staging = file('models/staging/_staging.yml');
    const stagingText = readFileSync(staging, 'utf8');
    const anchor = "  - name: stg_orders\n    description: Orders since the cut-over from the legacy till (`var('order_cutoff_date')`).\n    columns:\n      - name: order_id\n";
    assert.ok(stagingText.includes(anchor), 'the sample has the entry this scenario types');
    writeFileSync(staging, stagingText.replace(anchor, `${anchor}        data_type: integer\n`));
    const marts = file('models/marts/_marts.yml');
    const martsText = readFileSync(marts, 'utf8');
    const statusAnchor = '      - name: payment_status\n';
    writeFileSync(marts, martsText.replace(statusAnchor, `${statusAnchor}        data_type: varchar\n`));
    await eventually('the declared types in the catalog', () =>
      store.columnsOf('model.jaffle_duck.stg_orders').find((c) => c.name === 'order_id')?.type === 'integer' && store.columnsOf(ORDERS).find((c) => c.name === 'payment_status')?.type === 'varchar' ? true : undefined, 60_000);

    // dbt docs generate's catalog.json (not read by the scanner) gives the panel a warehouse type.
    mkdirSync(file('target'), { recursive: true });
    writeFileSync(file('target/catalog.json'), JSON.stringify({ nodes: { [ORDERS]: { columns: { STORE_ID: { type: 'INTEGER', index: 3, name: 'STORE_ID' } } } }, sources: {} }));

    await session.openFile('models/marts/orders.sql');
    await session.runCommand('Mallard: Open Docs');
    const frame = await session.webview('Mallard Docs');
    const orderId = frame.locator('[data-testid="type-order_id"]');
    await orderId.locator('.type-name', { hasText: 'integer' }).waitFor({ timeout: 30_000 });
    assert.equal(await orderId.locator('.type-source').innerText(), 'inferred from stg_orders.order_id');
    const status = frame.locator('[data-testid="type-payment_status"]');
    assert.deepEqual([await status.locator('.type-name').innerText(), await status.locator('.type-source').innerText()], ['varchar', 'declared']);
    const storeId = frame.locator('[data-testid="type-store_id"]');
    assert.deepEqual([await storeId.locator('.type-name').innerText(), await storeId.locator('.type-source').innerText()], ['INTEGER', 'catalog']);
    assert.match((await storeId.locator('.type-source').getAttribute('title')) ?? '', /target\/catalog\.json/);

    const chips = async (column: string): Promise<string[]> => frame.locator(`[data-testid="tests-${column}"] .chip.test`).evaluateAll((els) => els.map((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim()));
    assert.deepEqual(await chips('customer_id'), ['relationships → customers.customer_id']);
    assert.deepEqual(await chips('payment_status'), ['accepted_values: paid, open']);
    assert.deepEqual(await chips('order_id'), ['unique', 'not_null']);
    assert.equal(await frame.locator('text=relationships({').count(), 0, 'no raw test text');

    const widths = await frame.locator('table.columns').evaluate((table) => ({ table: table.getBoundingClientRect().right, page: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth }));
    assert.ok(widths.table <= widths.page, `table right edge ${widths.table} within the panel's ${widths.page}`);
    assert.ok(widths.scroll <= widths.page, `no horizontal overflow (${widths.scroll} > ${widths.page})`);
    assert.equal(await frame.locator('button', { hasText: /^Edit$/ }).count(), 0, 'no Edit buttons');
    await session.screenshot('docs-panel');

    // Without the side bar the panel is wide enough for the table layout; it still fits.
    await session.runCommand('View: Toggle Primary Side Bar Visibility');
    await eventually('the table layout', async () => ((await frame.locator('table.columns thead').isVisible()) ? true : undefined), 15_000);
    const wide = await frame.locator('table.columns').evaluate((table) => ({ table: table.getBoundingClientRect().right, page: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth }));
    assert.ok(wide.table <= wide.page && wide.scroll <= wide.page, `wide: ${JSON.stringify(wide)}`);
    await session.screenshot('docs-panel-wide');
    await session.runCommand('View: Toggle Primary Side Bar Visibility');
  });

  it('edits in place: Escape cancels, Enter saves, a second edit within a second and two saves in flight together are all saved', async function () {
    const marts = file('models/marts/_marts.yml');
    const frame = await session.webview('Mallard Docs');
    const before = readFileSync(marts, 'utf8');

    // Keyboard: focus the description, Enter opens the editor, Escape leaves the file alone.
    await frame.locator('[data-testid="col-order_id"]').focus();
    await frame.locator('[data-testid="col-order_id"]').press('Enter');
    await frame.locator('[data-testid="col-order_id-input"]').fill('Not saved.');
    await frame.locator('[data-testid="col-order_id-input"]').press('Escape');
    await frame.locator('[data-testid="col-order_id-input"]').waitFor({ state: 'detached' });
    assert.equal(readFileSync(marts, 'utf8'), before);

    await frame.locator('[data-testid="col-balance_due"]').click();
    await frame.locator('[data-testid="col-balance_due-input"]').fill('Still to pay.');
    await frame.locator('[data-testid="col-balance_due-input"]').press('Enter');
    await frame.locator('[data-testid="col-balance_due-outcome"]', { hasText: 'Saved to models/marts/_marts.yml' }).waitFor({ timeout: 15_000 });
    // At once, while the panel still holds the hash from before its own write.
    await frame.locator('[data-testid="col-order_id"]').click();
    await frame.locator('[data-testid="col-order_id-input"]').fill('Primary key.');
    await frame.locator('[data-testid="col-order_id-input"]').press('Enter');
    const outcome = frame.locator('[data-testid="col-order_id-outcome"]');
    await eventually('the second save', async () => (/Saved to|changed|refused|cannot|could not/i.test(await outcome.innerText().catch(() => '')) ? true : undefined), 15_000);
    assert.match(await outcome.innerText(), /Saved to models\/marts\/_marts\.yml/);
    const after = readFileSync(marts, 'utf8');
    assert.equal(
      after,
      before
        .replace('        description: Amount still to be paid; negative when the customer overpaid.', '        description: Still to pay.')
        .replace('        description: Primary key of an order.', '        description: Primary key.'),
    );

    // Two saves in flight together: leaving payment_status's editor (by clicking order_id's
    // description) saves it while the next edit is typed and saved at once.
    await frame.locator('[data-testid="col-payment_status"]').click();
    await frame.locator('[data-testid="col-payment_status-input"]').fill('Paid or open.');
    await frame.locator('[data-testid="col-order_id"]').click();
    await frame.locator('[data-testid="col-order_id-input"]').fill('Primary key of the order.');
    await frame.locator('[data-testid="col-order_id-input"]').press('Enter');
    // Both saves land in the file (or, if one was lost or refused, the comparison below shows which).
    const both = await eventually('both saves in the file', () => {
      const text = readFileSync(marts, 'utf8');
      return text.includes('description: Paid or open.') && text.includes('description: Primary key of the order.') ? text : undefined;
    }, 15_000).catch(() => readFileSync(marts, 'utf8'));
    assert.equal(
      both,
      after
        .replace('        description: "`paid` when payments cover the items, else `open`."', '        description: Paid or open.')
        .replace('        description: Primary key.', '        description: Primary key of the order.'),
    );
    await frame.locator('[data-testid="col-order_id-outcome"]', { hasText: 'Saved to models/marts/_marts.yml' }).waitFor({ timeout: 15_000 });
    await session.screenshot('docs-inline-edits');
  });

  it('Search Catalog lands on the column line in the YAML, or in the SQL for an undocumented column', async function () {
    // Last: Quick Open in the harness's openFile would offer this editor first once it was opened.
    await session.page.keyboard.press('Escape');
    const yaml = readFileSync(file('models/marts/_marts.yml'), 'utf8').split('\n');
    const line = yaml.findIndex((l) => l.includes('- name: balance_due')) + 1;
    await session.runCommand('Mallard: Search Catalog');
    await session.page.locator('.quick-input-widget input').fill('balance_due');
    const row = session.page.locator('.quick-input-list .monaco-list-row', { hasText: 'orders.balance_due' }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
    await session.page.locator('.tab.active', { hasText: '_marts.yml' }).waitFor({ timeout: 15_000 });
    const position = session.page.locator('[id="status.editor.selection"]');
    await eventually('the cursor on the column line', async () => ((await position.innerText()).includes(`Ln ${line},`) ? true : undefined), 15_000);
    await session.screenshot('docs-search-landing');

    // item_count is not in any YAML: the outer select's line of orders.sql.
    const sql = readFileSync(file('models/marts/orders.sql'), 'utf8').split('\n');
    const sqlLine = sql.findIndex((l) => l.includes('items.item_count,')) + 1;
    await session.runCommand('Mallard: Search Catalog');
    await session.page.locator('.quick-input-widget input').fill('item_count');
    const sqlRow = session.page.locator('.quick-input-list .monaco-list-row', { hasText: 'orders.item_count', hasNotText: 'legacy_orders' }).first();
    await sqlRow.waitFor({ state: 'visible', timeout: 15_000 });
    await sqlRow.click();
    await session.page.locator('.tab.active', { hasText: 'orders.sql' }).first().waitFor({ timeout: 15_000 });
    await eventually('the cursor on the SQL line', async () => ((await position.innerText()).includes(`Ln ${sqlLine},`) ? true : undefined), 15_000);
    await session.screenshot('docs-search-landing-sql');
  });
});
