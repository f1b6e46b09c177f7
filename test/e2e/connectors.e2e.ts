import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Sql } from 'postgres';
import '../support/mochaPg';
import { withClaims } from '../support/claims';
import { ids, users } from '../support/orgFixture';
import { connect, getServer } from '../support/pgHarness';
import type { PgServer } from '../support/embeddedServer';
import { startSyncWorld } from '../support/syncWorld';
import type { SyncWorld } from '../support/syncWorld';
import { VsCodeSession, eventually, sampleProject } from './harness';

/**
 * Connectors from the command palette in code-server, against the real local stack (Postgres with
 * every migration, the edge functions in Deno) and a real PostgreSQL source database with two
 * tables, a view across them and comments. An org admin (signed in with an API token carrying the
 * connector permissions) types every step of "Mallard: Add Connector": a wrong password first,
 * so the test fails and ← goes back to fix it; then the test passes, the connector is saved to the
 * organization, "Run Now" runs it through the `connectors`/`org-extract` functions, and after the
 * sync its tables are in the Catalog tree. Then the same source is added for this workspace only
 * and run locally (a worker thread writing the workspace catalog).
 */

const READER_PASSWORD = 'reader-pw-e2e';
/** The service credential the functions call each other with (`connectors` kicks `org-extract`). */
const SERVICE_KEY = 'sb_secret_connectors_e2e_0123456789';

/** The source: a database with `sales.orders`, `sales.customers` and the view `sales.big_orders`. */
async function sourceDatabase(server: PgServer): Promise<{ name: string; role: string; drop(): Promise<void> }> {
  const name = `${server.prefix}_conn_src_${process.pid}`.toLowerCase();
  const role = `${server.prefix}_reader`.toLowerCase();
  const root = connect(server, 'postgres', 'super', 1);
  await root.unsafe(`drop database if exists "${name}" with (force)`);
  await root.unsafe(`create database "${name}"`);
  await root.unsafe(`drop role if exists "${role}"`);
  await root.unsafe(`create role "${role}" login password '${READER_PASSWORD}'`);
  const sql: Sql = connect(server, name, 'super', 1);
  await sql.unsafe(`
    create schema sales;
    create table sales.customers (id int primary key, name text not null);
    create table sales.orders (id int primary key, customer_id int references sales.customers (id), amount numeric(10, 2));
    comment on table sales.orders is 'One row per order.';
    create view sales.big_orders as select o.id, c.name as customer, o.amount from sales.orders o join sales.customers c on c.id = o.customer_id where o.amount > 100;
    grant usage on schema sales to "${role}";
    grant select on all tables in schema sales to "${role}";
  `);
  await sql.end();
  await root.end();
  return {
    name,
    role,
    drop: async () => {
      const r = connect(server, 'postgres', 'super', 1);
      await r.unsafe(`drop database if exists "${name}" with (force)`);
      await r.unsafe(`drop role if exists "${role}"`);
      await r.end();
    },
  };
}

describe('e2e: connectors from the command palette (real Postgres source + Deno functions)', function () {
  let world: SyncWorld;
  let server: PgServer;
  let source: Awaited<ReturnType<typeof sourceDatabase>>;
  let s: VsCodeSession;

  const quickInput = () => s.page.locator('.quick-input-widget');
  const input = () => quickInput().locator('input').first();
  const syncItem = () => s.page.locator('.statusbar-item[id$="mallard.sync"]').first();

  /** Waits until the quick input shows the step whose title contains `title` (and `n/m`). */
  const step = async (title: string | RegExp): Promise<void> => {
    await quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 60_000 });
  };
  /** Types `text` into the current step's input and presses Enter. */
  const type = async (title: string | RegExp, text: string): Promise<void> => {
    await step(title);
    await input().fill(text);
    await input().press('Enter');
  };
  /** Types to filter a pick step, then Enter on the first match. */
  const choose = async (title: string | RegExp, text: string): Promise<void> => {
    await step(title);
    await input().fill(text);
    await quickInput().locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ state: 'visible' });
    await input().press('Enter');
  };
  const back = async (): Promise<void> => {
    await quickInput().locator('.codicon-quick-input-back').first().click();
  };

  /** Types every step of the PostgreSQL connector with `password`, up to the test result. */
  const typeSteps = async (scope: 'Organization' | 'This workspace', name: string, password: string): Promise<void> => {
    await s.runCommand('Mallard: Add Connector');
    await choose('Add Connector: Type', 'PostgreSQL');
    await choose('Add PostgreSQL Connector: Scope', scope);
    await type('Add PostgreSQL Connector: Name', name);
    await type('Host', server.host);
    await type('Port', String(server.port));
    await type('Database', source.name);
    await type('User', source.role);
    await type('Password', password);
    await choose('SSL mode', 'disable');
    await type('Include schemas', 'sales');
    await type('Exclude schemas', '');
    await type('Sample rows', '');
  };

  /** The Catalog tree's visible rows in screen order: label, level, expanded. */
  const catalogTree = async (): Promise<{ label: string; level: number; expanded: string | null }[]> => {
    const pane = s.page.locator('.pane', { has: s.page.locator('.pane-header', { hasText: 'Catalog' }) });
    const rows = await pane.locator('.monaco-list-row').evaluateAll((els) =>
      els.map((el) => ({ label: el.querySelector('.label-name')?.textContent ?? '', level: Number(el.getAttribute('aria-level') ?? '0'), expanded: el.getAttribute('aria-expanded'), top: el.getBoundingClientRect().top })),
    );
    return rows.sort((a, b) => a.top - b.top);
  };

  /** Expands project → Tables in the Catalog tree and answers the table rows under it. */
  const catalogRows = async (project: string): Promise<string[]> => {
    const pane = s.page.locator('.pane', { has: s.page.locator('.pane-header', { hasText: 'Catalog' }) });
    // The tree renders only the rows in view: the sample project collapses, the other panes too.
    for (const title of ['Diagnostics', 'Conflicts', 'Rejected Changes']) await s.collapsePane(title);
    const sample = pane.locator('.monaco-list-row', { has: s.page.locator('.label-name', { hasText: /^jaffle_duck$/ }) }).first();
    if ((await sample.getAttribute('aria-expanded')) === 'true') await sample.click();
    return await eventually(`the ${project} tables in the Catalog tree`, async () => {
      const projectRow = pane.locator('.monaco-list-row', { has: s.page.locator('.label-name', { hasText: new RegExp(`^${project}$`) }) }).first();
      if (!(await projectRow.isVisible().catch(() => false))) {
        // The tree refreshes on catalog changes; a rescan of unchanged files refreshes it too.
        await s.runCommand('Mallard: Rescan Workspace').catch(() => undefined);
        return undefined;
      }
      if ((await projectRow.getAttribute('aria-expanded')) === 'false') await projectRow.click();
      const rows = await catalogTree();
      const at = rows.findIndex((r) => r.label === project);
      const level = rows[at]?.level ?? 0;
      const tablesAt = rows.findIndex((r, i) => i > at && r.level === level + 1 && r.label === 'Tables');
      if (tablesAt < 0) return undefined;
      if (rows[tablesAt]?.expanded === 'false') {
        await pane.locator('.monaco-list-row').filter({ has: s.page.locator('.label-name', { hasText: /^Tables$/ }) }).nth(rows.filter((r, i) => i < tablesAt && r.label === 'Tables').length).click();
        return undefined;
      }
      const under: string[] = [];
      for (const r of rows.slice(tablesAt + 1)) {
        if (r.level <= level + 1) break;
        under.push(r.label);
      }
      return under.some((c) => c.includes('orders')) ? under : undefined;
    }, 120_000);
  };

  before(async function () {
    server = await getServer();
    source = await sourceDatabase(server);
    world = await startSyncWorld({ secretKeys: [SERVICE_KEY] });
    const [made] = await withClaims(world.db.api, { role: 'authenticated', sub: users.admin }, (tx) =>
      tx`select public.create_api_token(${ids.orgA}, ${'connectors-e2e'}, array['catalog.read', 'catalog.write', 'connectors.read', 'connectors.manage', 'connectors.run']) as token`,
    );
    s = await VsCodeSession.start({
      workspace: sampleProject(),
      settings: { 'mallard.sync.url': world.functions.url, 'mallard.sync.publishableKey': world.anonKey, 'mallard.sync.organizationId': ids.orgA },
    });
    await eventually('the first scan', () => (s.mallardLog().includes('Scanned ') ? true : undefined), 120_000);
    await syncItem().filter({ hasText: 'Sign in to sync' }).waitFor({ timeout: 60_000 });
    // Signed out, with no workspace connector, the view shows its welcome content.
    await s.runCommand('View: Show Mallard');
    // Collapsed by default (the Catalog tree keeps its room); opened here.
    await s.expandPane('Connectors');
    const pane = s.page.locator('.pane', { has: s.page.locator('.pane-header', { hasText: 'Connectors' }) });
    await pane.locator('.welcome-view-content', { hasText: 'No connectors yet' }).locator('a, .monaco-button', { hasText: 'Add Connector' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await s.screenshot('connectors-empty');
    await s.runCommand('Mallard: Sign In with API Token');
    await input().waitFor({ state: 'visible' });
    await input().fill(String(made?.token));
    await input().press('Enter');
    await syncItem().filter({ hasText: /Synced/ }).waitFor({ timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = `failed-connectors-${this.currentTest.title.replace(/\W+/g, '-')}`;
      await s?.screenshot(name);
      s?.saveLogs(name);
    }
  });

  after(async function () {
    await s?.close();
    await world?.stop();
    await source?.drop();
  });

  it('an org admin adds the Postgres connector, tests it (a failure, back, fixed), runs it, and its tables appear in the Catalog tree after sync', async function () {
    await typeSteps('Organization', 'warehouse', 'wrong-password');
    await step('Connection failed');
    const failed = await quickInput().locator('.quick-input-header, .quick-input-filter input').first().getAttribute('placeholder').catch(() => null);
    await s.screenshot('connectors-test-failed');
    assert.ok(failed === null || /password|auth/i.test(failed), String(failed));
    await choose('Connection failed', 'Back to fix');
    // ← from "Sample rows" to "Password": sample rows → exclude → include → SSL mode → password.
    await step('Sample rows');
    await back();
    await step('Exclude schemas');
    await back();
    await step('Include schemas');
    await back();
    await step('SSL mode');
    await back();
    await type('Password', READER_PASSWORD);
    await choose('SSL mode', 'disable');
    await type('Include schemas', 'sales');
    await type('Exclude schemas', '');
    await type('Sample rows', '');
    await step('Connection works');
    await s.screenshot('connectors-test-ok');
    await choose('Connection works', 'Save connector');

    // "Run Now" on the saved notification runs it in the cloud; the sync brings its tables.
    const runNow = s.page.locator('.notification-toast', { hasText: 'saved connector warehouse' }).locator('a.monaco-button, .monaco-button', { hasText: 'Run Now' }).first();
    await runNow.click({ timeout: 30_000 });
    await eventually('the org run to succeed', () => (/Org connector warehouse: run \S+ succeeded/.test(s.mallardLog()) ? true : undefined), 240_000);
    await s.runCommand('Mallard: Sync Now');
    // The org catalog's rows of the run, pulled into the window's catalog by the sync.
    const pulled = await eventually('the org catalog rows pulled', () => {
      const db = new Database(path.join(s.workspaceDir, '.mallard/catalog.db'), { readonly: true });
      try {
        const names = db.prepare("select json_extract(fields, '$.payload.name') as name from sync_rows where kind = 'catalogEntity' and json_extract(fields, '$.payload.project') = 'warehouse'").pluck().all() as string[];
        return names.length >= 3 ? names.sort() : undefined;
      } finally {
        db.close();
      }
    }, 60_000);
    assert.ok(pulled.some((n) => n.includes('customers')) && pulled.some((n) => n.includes('big_orders')), pulled.join(', '));
    const rows = await catalogRows('warehouse');
    assert.ok(rows.some((r) => r.includes('customers')), rows.join('\n'));
    const connectors = await s.treeLabels('Connectors');
    assert.ok(connectors.some((l) => l.includes('warehouse')), connectors.join('\n'));
    await s.screenshot('connectors-org-catalog');
  });

  it('the same source added for this workspace runs locally and its tables appear in the Catalog tree', async function () {
    await typeSteps('This workspace', 'local_wh', READER_PASSWORD);
    await step('Connection works');
    await choose('Connection works', 'Save connector');
    const runNow = s.page.locator('.notification-toast', { hasText: 'saved connector local_wh' }).locator('a.monaco-button, .monaco-button', { hasText: 'Run Now' }).first();
    await runNow.click({ timeout: 30_000 });
    await eventually('the local run to succeed', () => (s.mallardLog().includes('Connector local_wh: run succeeded') ? true : undefined), 120_000);
    const rows = await catalogRows('local_wh');
    assert.ok(rows.some((r) => r.includes('customers')), rows.join('\n'));
    const connectors = await s.treeLabels('Connectors');
    assert.ok(connectors.some((l) => l.includes('local_wh')), connectors.join('\n'));
    await s.screenshot('connectors-workspace-catalog');
  });
});
