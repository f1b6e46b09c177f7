import assert from 'node:assert/strict';
import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import path from 'node:path';
import '../support/mochaPg';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { withClaims } from '../support/claims';
import { ids, users } from '../support/orgFixture';
import { startSyncWorld } from '../support/syncWorld';
import type { SyncWorld } from '../support/syncWorld';
import { VsCodeSession, eventually, sampleProject } from './harness';

/**
 * Team sync between two VS Code windows (two code-server sessions, two workspaces and catalog
 * files) against the real local stack: Postgres with every migration and the edge functions in
 * Deno (`test/support/syncWorld.ts`). Each window signs in with an API token of org A (created by
 * two different members) through "Mallard: Sign In with API Token". Window A reaches the project
 * through a TCP relay this test can cut, so "offline" is a real lost connection. Scenarios: an edit
 * made offline on A shows on B after both sync; edits of the same description made concurrently
 * show in B's Conflicts view, and selecting the entry opens the side-by-side diff.
 */

const COLUMN = 'model.jaffle_duck.orders#balance_due';

/** A TCP relay to the functions server that can drop every connection (window A's network). */
class Relay {
  offline = false;
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  async start(target: URL): Promise<string> {
    this.server = createServer((client) => {
      if (this.offline) return client.destroy();
      const upstream = connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }

  setOffline(value: boolean): void {
    this.offline = value;
    if (value) for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.setOffline(true);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('e2e: team sync between two windows (real Postgres + Deno functions)', function () {
  let world: SyncWorld;
  const relay = new Relay();
  let a: VsCodeSession;
  let b: VsCodeSession;

  /** The sync status-bar item of a window. */
  const syncItem = (s: VsCodeSession) => s.page.locator('.statusbar-item[id$="mallard.sync"]').first();

  /** The column description a window's catalog shows (read-only connection). */
  const descriptionIn = (s: VsCodeSession): string | undefined => {
    const store = CatalogStore.open(path.join(s.workspaceDir, '.mallard/catalog.db'), { readonly: true });
    try {
      return store.columnsOf('model.jaffle_duck.orders').find((c) => c.name === 'balance_due')?.description;
    } finally {
      store.close();
    }
  };

  const signInWithToken = async (s: VsCodeSession, token: string): Promise<void> => {
    await s.runCommand('Mallard: Sign In with API Token');
    const input = s.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(token);
    await input.press('Enter');
  };

  const syncNow = async (s: VsCodeSession): Promise<void> => {
    // Focus a text editor first: after a diff editor closes, the keyboard focus can be nowhere.
    const tab = s.page.locator('.tab', { hasText: 'orders.sql' }).first();
    if (await tab.isVisible()) await tab.click();
    await s.runCommand('Mallard: Sync Now');
  };

  /**
   * Edits the column description in the docs panel. The panel re-renders when the catalog changes
   * (a rescan, a pull), which drops an edit box that was open: then the edit starts again.
   */
  const editBalanceDue = async (s: VsCodeSession, text: string): Promise<void> => {
    await s.openFile('models/marts/orders.sql');
    await s.runCommand('Mallard: Open Docs');
    const frame = await s.webview('Mallard Docs');
    await eventually('the description saved', async () => {
      try {
        // Descriptions are edited in place: click the text, type, Enter saves.
        await frame.locator('[data-testid="col-balance_due"]').click({ timeout: 10_000 });
        await frame.locator('[data-testid="col-balance_due-input"]').fill(text, { timeout: 5_000 });
        await frame.locator('[data-testid="col-balance_due-input"]').press('Enter', { timeout: 5_000 });
        await frame.locator('[data-testid="col-balance_due-outcome"]', { hasText: 'Saved to' }).waitFor({ timeout: 15_000 });
        return true;
      } catch {
        return undefined;
      }
    }, 90_000);
  };

  before(async function () {
    world = await startSyncWorld();
    const tokenOf = async (user: string, name: string): Promise<string> => {
      const [made] = await withClaims(world.db.api, { role: 'authenticated', sub: user }, (tx) => tx`select public.create_api_token(${ids.orgA}, ${name}, array['catalog.read', 'catalog.write']) as token`);
      return String(made?.token);
    };
    const tokenA = await tokenOf(users.admin, 'window-a');
    const tokenB = await tokenOf(users.owner, 'window-b');
    const relayUrl = await relay.start(new URL(world.functions.url));
    const settings = (url: string) => ({ 'mallard.sync.url': url, 'mallard.sync.publishableKey': world.anonKey, 'mallard.sync.organizationId': ids.orgA });
    a = await VsCodeSession.start({ workspace: sampleProject(), settings: settings(relayUrl) });
    b = await VsCodeSession.start({ workspace: sampleProject(), settings: settings(world.functions.url) });
    for (const s of [a, b]) {
      await eventually('the first scan', () => (s.mallardLog().includes('Scanned ') ? true : undefined), 120_000);
      await syncItem(s).filter({ hasText: 'Sign in to sync' }).waitFor({ timeout: 60_000 });
    }
    await signInWithToken(a, tokenA);
    await signInWithToken(b, tokenB);
    for (const s of [a, b]) await syncItem(s).filter({ hasText: /Synced/ }).waitFor({ timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = `failed-sync-${this.currentTest.title.replace(/\W+/g, '-')}`;
      for (const [label, s] of [['a', a], ['b', b]] as const) {
        await s?.screenshot(`${name}-${label}`);
        s?.saveLogs(`${name}-${label}`);
      }
    }
  });

  after(async function () {
    await a?.close();
    await b?.close();
    await relay.stop();
    await world?.stop();
  });

  it('an edit made offline on one window shows on the other after Sync Now', async function () {
    relay.setOffline(true);
    await editBalanceDue(a, 'Written offline in window A.');
    await syncNow(a);
    await syncItem(a).filter({ hasText: /Offline.*1/ }).waitFor({ timeout: 60_000 });
    await a.screenshot('sync-offline-pending');
    await syncNow(b);
    assert.notEqual(descriptionIn(b), 'Written offline in window A.');

    relay.setOffline(false);
    await syncNow(a);
    await syncItem(a).filter({ hasText: /Synced/ }).waitFor({ timeout: 60_000 });
    await syncNow(b);
    await eventually('the edit in window B', () => (descriptionIn(b) === 'Written offline in window A.' ? true : undefined), 60_000);
    await b.openFile('models/marts/orders.sql');
    await b.runCommand('Mallard: Open Docs');
    const frame = await b.webview('Mallard Docs');
    const arrived = frame.locator('[data-testid="col-balance_due"]', { hasText: 'Written offline in window A.' });
    await arrived.waitFor({ timeout: 30_000 });
    await arrived.scrollIntoViewIfNeeded();
    await b.screenshot('sync-arrived-in-b');
  });

  it('a concurrent edit of the same description shows in the Conflicts view with a diff', async function () {
    relay.setOffline(true);
    await editBalanceDue(a, 'Window A: amount still owed.');
    await editBalanceDue(b, 'Window B: unpaid amount.');
    await syncNow(b);
    relay.setOffline(false);
    await syncNow(a);
    await syncNow(b);
    await eventually("A's later write in window B", () => (descriptionIn(b) === 'Window A: amount still owed.' ? true : undefined), 60_000);
    await syncItem(b).filter({ hasText: /Synced/ }).waitFor({ timeout: 30_000 });

    // The diff gets the whole editor area (side by side) once the docs panel beside it is closed.
    // A middle click closes the tab without focusing the webview (whose focus would close the palette).
    await b.page.locator('.tab', { hasText: 'Docs: orders' }).first().click({ button: 'middle' });
    await b.page.locator('.tab', { hasText: 'Docs: orders' }).first().waitFor({ state: 'detached' });
    await b.runCommand('View: Show Mallard');
    await b.collapsePane('Catalog');
    await b.collapsePane('Diagnostics');
    const labels = await eventually('the entry in the Conflicts view', async () => {
      const rows = await b.treeLabels('Conflicts').catch(() => []);
      return rows.some((r) => r.includes('balance_due')) ? rows : undefined;
    }, 60_000);
    assert.ok(labels.some((r) => r.includes(COLUMN) && r.includes('description overwritten by a later edit') && r.includes('Before the last write: Window B: unpaid amount.')), labels.join('\n'));
    const pane = b.page.locator('.pane', { has: b.page.locator('.pane-header', { hasText: 'Conflicts' }) });
    await pane.locator('.monaco-list-row', { hasText: 'balance_due' }).first().click();
    const diff = b.page.locator('.monaco-diff-editor').first();
    await diff.waitFor({ state: 'visible', timeout: 30_000 });
    await b.page.locator('.monaco-diff-editor .view-lines', { hasText: 'Window B: unpaid amount.' }).first().waitFor({ timeout: 30_000 });
    await b.page.locator('.monaco-diff-editor .view-lines', { hasText: 'Window A: amount still owed.' }).first().waitFor({ timeout: 30_000 });
    await b.screenshot('sync-conflict-diff');

    // "Undo the Last Write" in the diff editor's title: B's text comes back, on both windows.
    await b.page.locator('.editor-actions .action-label[aria-label="Undo the Last Write"]').first().click();
    await eventually("B's text restored in window B", () => (descriptionIn(b) === 'Window B: unpaid amount.' ? true : undefined), 60_000);
    await syncNow(b);
    await syncNow(a);
    await eventually("B's text restored in window A", () => (descriptionIn(a) === 'Window B: unpaid amount.' ? true : undefined), 60_000);
  });
});
