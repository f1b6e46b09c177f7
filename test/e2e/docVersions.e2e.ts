import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import '../support/mochaPg';
import { AuthStandIn } from '../support/authStandIn';
import { ids, users } from '../support/orgFixture';
import { startSyncWorld } from '../support/syncWorld';
import type { SyncWorld } from '../support/syncWorld';
import { VsCodeSession, eventually, sampleProject } from './harness';

/**
 * Doc versions in the docs panel against the real local stack (Postgres with every migration,
 * `sync-push`, `sync-pull` and `doc-versions` in Deno): the fixture's editor signs in with an e-mail
 * code, edits the orders model's description twice in the docs panel (each edit syncs and becomes a
 * version), opens History and sees both versions with author and diff, reverts to the first; then,
 * with the organization's approval flag on, a third edit is held: the author is told and History
 * shows it pending until an approver (the fixture's admin, through the function) approves it.
 */

const ORDERS = 'model.jaffle_duck.orders';

describe('e2e: doc versions and approvals in the docs panel (real Postgres + functions)', function () {
  let world: SyncWorld;
  let vs: VsCodeSession;
  let frame: Frame;
  let auth: AuthStandIn;

  const published = async () =>
    [...(await world.db.admin<{ version: number | null; status: string; body_after: string | null; author_id: string | null }[]>`
      select version, status, body_after, author_id::text from public.doc_versions where org_id = ${ids.orgA} and kind = 'entity' and row_id = ${ORDERS} order by created_at`)];
  /** Edits the model's description in place and waits for the save. */
  const edit = async (text: string): Promise<void> => {
    await frame.locator('[data-testid="entity-description"]').click();
    await frame.locator('[data-testid="entity-description-input"]').fill(text);
    await frame.locator('[data-testid="entity-description-input"]').press('Enter');
    await frame.locator('[data-testid="entity-description-outcome"]', { hasText: 'Saved to' }).waitFor({ timeout: 20_000 });
  };
  const showHistory = async (): Promise<void> => {
    await frame.locator('[data-testid="history-show"]').click();
    await frame.locator('[data-testid="history-list"]').waitFor({ timeout: 30_000 });
  };

  before(async function () {
    world = await startSyncWorld();
    auth = new AuthStandIn(new URL(world.functions.url), (email) => (email === 'editor@example.test' ? users.editor : undefined), (userId, email) => world.keys.userToken(userId, { email }));
    const url = await auth.start();
    vs = await VsCodeSession.start({
      workspace: sampleProject(),
      settings: { 'mallard.sync.url': url, 'mallard.sync.publishableKey': world.anonKey, 'mallard.sync.organizationId': ids.orgA },
    });
    await eventually('the first scan', () => (vs.mallardLog().includes('Scanned ') ? true : undefined), 120_000);
    await vs.runCommand('Mallard: Sign In');
    const input = vs.page.locator('.quick-input-widget input');
    await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Sign in with an e-mail code' }).click();
    await input.fill('editor@example.test');
    await input.press('Enter');
    await eventually('the code sent', () => (auth.codesSent.includes('editor@example.test') ? true : undefined), 30_000);
    await vs.page.locator('.quick-input-widget', { hasText: 'The code sent to editor@example.test' }).waitFor({ timeout: 30_000 });
    await input.fill('123456');
    await input.press('Enter');
    await vs.page.locator('.statusbar-item[id$="mallard.sync"]').filter({ hasText: /Synced/ }).first().waitFor({ timeout: 60_000 });
    await vs.openFile('models/marts/orders.sql');
    await vs.runCommand('Mallard: Open Docs');
    frame = await vs.webview('Mallard Docs');
    await frame.locator('[data-testid="doc-history"]').waitFor({ timeout: 30_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = `failed-docversions-${this.currentTest.title.replace(/\W+/g, '-')}`;
      await vs?.screenshot(name);
      vs?.saveLogs(name);
    }
  });

  after(async function () {
    await vs?.close();
    await auth?.stop();
    await world?.stop();
  });

  it('each synced edit is a version; History shows them with author and diff', async function () {
    await edit('Orders placed in the shop.\nOne row per order.');
    await eventually('version 1 in the cloud', async () => ((await published()).length === 1 ? true : undefined), 60_000);
    await edit('Orders placed in the shop.\nOne row per order, refunds included.');
    await eventually('version 2 in the cloud', async () => ((await published()).length === 2 ? true : undefined), 60_000);
    assert.deepEqual((await published()).map((v) => [v.version, v.status, v.author_id]), [[1, 'published', users.editor], [2, 'published', users.editor]]);
    await showHistory();
    const v2 = frame.locator('[data-testid="version-published-2"]');
    await v2.waitFor({ timeout: 30_000 });
    assert.match(await v2.innerText(), /editor@example\.test/);
    assert.match(await v2.locator('pre.diff .del').innerText(), /One row per order\.$/);
    assert.match(await v2.locator('pre.diff .add').innerText(), /refunds included/);
    await frame.locator('[data-testid="version-published-1"]').waitFor();
    await frame.locator('[data-testid="doc-history"]').scrollIntoViewIfNeeded();
    await vs.screenshot('doc-history');
  });

  it('reverts to the first version: a new published version, synced', async function () {
    await frame.locator('[data-testid="revert-1"]').click();
    await frame.locator('[data-testid="history-message"]', { hasText: 'Reverted to v1.' }).waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid="version-published-3"]').waitFor({ timeout: 30_000 });
    const [row] = await world.db.admin<{ d: string }[]>`select fields ->> 'description' as d from public.sync_rows where org_id = ${ids.orgA} and kind = 'entity' and row_id = ${ORDERS}`;
    assert.equal(row?.d, 'Orders placed in the shop.\nOne row per order.');
    await frame.locator('[data-testid="doc-history"]').scrollIntoViewIfNeeded();
    await vs.screenshot('doc-history-reverted');
  });

  it('with approval on, an edit is held: the author is told, History shows it pending until it is approved', async function () {
    await world.db.admin`insert into public.feature_flags (org_id, key, enabled) values (${ids.orgA}, 'docs.approval', true)`;
    await edit('Orders, awaiting review.');
    await vs.page.locator('.notification-toast', { hasText: 'Submitted for approval' }).first().waitFor({ timeout: 60_000 });
    const pending = (await published()).filter((v) => v.status === 'pending');
    assert.deepEqual(pending.map((v) => [v.body_after, v.author_id]), [['Orders, awaiting review.', users.editor]]);
    await showHistory();
    const item = frame.locator('[data-testid^="version-pending-"]');
    await item.waitFor({ timeout: 30_000 });
    assert.match(await item.innerText(), /Pending/);
    await frame.locator('[data-testid="history-list"]', { hasText: 'Approval is on' }).waitFor();
    assert.equal(await frame.locator('[data-testid^="approve-"]').count(), 0, 'the editor may not approve');
    await frame.locator('[data-testid="doc-history"]').scrollIntoViewIfNeeded();
    await vs.screenshot('doc-history-pending');

    const [version] = await world.db.admin<{ id: string }[]>`select id::text from public.doc_versions where status = 'pending'`;
    const { error } = await world.clientOf('admin').functions.invoke('doc-versions', { body: { action: 'approve', orgId: ids.orgA, versionId: version!.id } });
    assert.equal(error, null);
    await showHistory();
    await frame.locator('[data-testid="version-published-4"]', { hasText: 'Approved by admin@example.test' }).waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid="doc-history"]').scrollIntoViewIfNeeded();
    await vs.screenshot('doc-history-approved');
  });
});
