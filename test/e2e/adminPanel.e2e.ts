import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import '../support/mochaPg';
import { AuthStandIn } from '../support/authStandIn';
import { builtinRoles, ids, users } from '../support/orgFixture';
import { startSyncWorld } from '../support/syncWorld';
import type { SyncWorld } from '../support/syncWorld';
import { VsCodeSession, eventually, sampleProject } from './harness';

/**
 * "Mallard: Manage Team" against the real local stack (Postgres with every migration, the `admin`
 * edge function in Deno; `test/support/syncWorld.ts`). The org admin of the fixture signs in through
 * the extension's e-mail code sign-in (GoTrue's endpoints stood in by `authStandIn.ts`, with access
 * tokens the functions trust; an API token may not invite), opens Manage Team from the command palette, invites a new
 * member with a role, changes a member's role, sees a refusal of the server inline next to the
 * action, and finds both changes in the Audit log tab, then exports it as CSV through the save dialog.
 */


describe('e2e: Manage Team (real Postgres + admin function)', function () {
  let world: SyncWorld;
  let vs: VsCodeSession;
  let frame: Frame;
  let auth: AuthStandIn;

  /** Picks `label` in the `vscode-single-select` with `testid` (opens it, clicks the option). */
  const choose = async (testid: string, label: string): Promise<void> => {
    const select = frame.locator(`[data-testid="${testid}"]`);
    await select.click();
    await select.locator('[role="option"]', { hasText: new RegExp(`^\\s*${label}\\s*$`) }).first().click();
  };

  before(async function () {
    world = await startSyncWorld();
    auth = new AuthStandIn(new URL(world.functions.url), (email) => (email === 'admin@example.test' ? users.admin : undefined), (userId, email) => world.keys.userToken(userId, { email }));
    const url = await auth.start();
    vs = await VsCodeSession.start({
      workspace: sampleProject(),
      settings: { 'mallard.sync.url': url, 'mallard.sync.publishableKey': world.anonKey, 'mallard.sync.organizationId': ids.orgA },
    });
    await eventually('the first scan', () => (vs.mallardLog().includes('Scanned ') ? true : undefined), 120_000);
    // The extension's own e-mail sign-in: "Mallard: Sign In", the e-mail, then the one-time code.
    await vs.runCommand('Mallard: Sign In');
    const input = vs.page.locator('.quick-input-widget input');
    await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Sign in with an e-mail code' }).click();
    await input.fill('admin@example.test');
    await input.press('Enter');
    await eventually('the code sent', () => (auth.codesSent.includes('admin@example.test') ? true : undefined), 30_000);
    await vs.page.locator('.quick-input-widget', { hasText: 'The code sent to admin@example.test' }).waitFor({ timeout: 30_000 });
    await input.fill('123456');
    await input.press('Enter');
    await vs.page.locator('.statusbar-item[id$="mallard.sync"]').filter({ hasText: /Synced/ }).first().waitFor({ timeout: 60_000 }).catch(async (err: unknown) => {
      await vs.screenshot('failed-admin-sign-in');
      vs.saveLogs('failed-admin-sign-in');
      throw err;
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = `failed-admin-${this.currentTest.title.replace(/\W+/g, '-')}`;
      await vs?.screenshot(name);
      vs?.saveLogs(name);
    }
  });

  after(async function () {
    await vs?.close();
    await auth?.stop();
    await world?.stop();
  });

  it('opens from the command palette with the tabs the admin may see', async function () {
    await vs.runCommand('Mallard: Manage Team');
    frame = await vs.webview('Manage Team');
    await frame.locator('[data-testid="org"]', { hasText: /Org A|10000000-0000-4000-8000-00000000000a/ }).waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid="member-viewer@example.test"]').waitFor({ timeout: 30_000 });
    const tabs = await frame.locator('vscode-tab-header').allTextContents();
    assert.deepEqual(tabs.map((t) => t.trim()), ['Members', 'Teams', 'Roles', 'API tokens', 'LLM keys', 'Feature flags', 'Audit log']);
    await vs.screenshot('admin-members');
  });

  it('invites a member with a role, and shows the one-time token with a copy button', async function () {
    await frame.locator('[data-testid="invite:email"] input').fill('newhire@example.test');
    await choose('invite:role', 'Editor');
    await frame.locator('[data-testid="invite"]').click();
    await frame.locator('[data-testid="outcome-invite"]', { hasText: 'Invited newhire@example.test.' }).waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid="invitation-newhire@example.test"]', { hasText: 'Editor' }).waitFor({ timeout: 30_000 });
    assert.ok(((await frame.locator('[data-testid="secret-text"]').textContent()) ?? '').length >= 16, 'the invitation token is shown once');
    await vs.screenshot('admin-invited');
    await frame.locator('[data-testid="secret:done"]').click();
    await frame.locator('[data-testid="secret"]').waitFor({ state: 'hidden' });
    const [row] = await world.db.admin<{ role_id: string }[]>`select role_id from public.invitations where org_id = ${ids.orgA} and email = 'newhire@example.test' and accepted_at is null`;
    assert.equal(row?.role_id, builtinRoles.editor);
  });

  it("changes a member's role, and shows the server's refusal inline next to the action it refused", async function () {
    const viewerRow = frame.locator('[data-testid="member-viewer@example.test"]');
    await choose(`role:${users.viewer}`, 'Editor');
    await viewerRow.locator(`[data-testid="role:${users.viewer}:apply"]`).click();
    await frame.locator(`[data-testid="outcome-role:${users.viewer}"]`, { hasText: 'Role changed.' }).waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid="member-viewer@example.test"]', { hasText: 'Editor' }).waitFor();
    const roles = await world.db.admin<{ role_id: string }[]>`select role_id from public.role_assignments where org_id = ${ids.orgA} and user_id = ${users.viewer} and team_id is null`;
    assert.deepEqual(roles.map((r) => r.role_id), [builtinRoles.editor]);

    // An admin may not remove the owner (it would take a role they cannot grant): the server says so.
    await frame.locator(`[data-testid="remove:${users.owner}:ask"]`).click();
    await frame.locator(`[data-testid="remove:${users.owner}:confirm"]`).click();
    const refusal = frame.locator(`[data-testid="outcome-remove:${users.owner}"].error`);
    await refusal.waitFor({ timeout: 30_000 });
    assert.match((await refusal.textContent()) ?? '', /\S/);
    await refusal.scrollIntoViewIfNeeded();
    await vs.screenshot('admin-role-changed-and-refusal');
    const [owner] = await world.db.admin<{ n: number }[]>`select count(*)::int as n from public.organization_members where org_id = ${ids.orgA} and user_id = ${users.owner}`;
    assert.equal(owner?.n, 1, 'the owner is still a member');
  });

  it('every tab renders the organization\'s data, and the tabs are reachable with the keyboard', async function () {
    // Arrow keys move between the tab headers (vscode-tabs), Enter opens the focused one.
    await frame.locator('[data-testid="tab-members"]').focus();
    await vs.page.keyboard.press('ArrowRight');
    await vs.page.keyboard.press('Enter');
    await frame.locator('[data-testid="team-platform"]').waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid="team-analytics"]', { hasText: '1 member' }).waitFor();
    assert.equal(await frame.locator('[data-testid="tab-teams"]').evaluate((el) => el === document.activeElement || el.matches(':focus')), true, 'the focus follows the selected tab');
    await vs.screenshot('admin-teams');
    await frame.locator('[data-testid="tab-roles"]').click();
    await frame.locator('[data-testid="role-steward"]', { hasText: 'Steward' }).waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('[data-testid="role-admin"] [data-testid^="role:"]').count(), 0, 'built-in roles are read-only');
    await frame.locator('[data-testid^="role:new:perms:org.delete"][disabled]').waitFor();
    await vs.screenshot('admin-roles');
    await frame.locator('[data-testid="tab-tokens"]').click();
    await frame.locator('[data-testid="token-sync-bot"]').waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid="tab-llmKeys"]').click();
    const key = frame.locator('[data-testid="llm-prod"]');
    await key.waitFor({ timeout: 30_000 });
    assert.match((await key.textContent()) ?? '', /••••/);
    await vs.screenshot('admin-llm-keys');
    // Adding a key names the models members may use with it (the ai function answers only those).
    await frame.locator('[data-testid="llm:new:label"] input').fill('team');
    await frame.locator('[data-testid="llm:new:secret"] input').fill('sk-e2e-0123456789abcdef');
    await frame.locator('[data-testid="llm:new"]').click();
    await frame.locator('[data-testid="outcome-llm:new"]', { hasText: 'Name at least one model' }).waitFor({ timeout: 30_000 });
    await frame.locator('[data-testid="llm:new:models"] input').fill('gpt-4o-mini, gpt-4o');
    await frame.locator('[data-testid="llm:new:secret"] input').fill('sk-e2e-0123456789abcdef');
    await frame.locator('[data-testid="llm:new"]').click();
    await frame.locator('[data-testid="llm-team"]', { hasText: 'Models: gpt-4o-mini, gpt-4o' }).waitFor({ timeout: 30_000 });
    const [stored] = await world.db.admin<{ models: string[] }[]>`select models from public.org_llm_keys where org_id = ${ids.orgA} and label = 'team'`;
    assert.deepEqual(stored?.models, ['gpt-4o-mini', 'gpt-4o']);
    await vs.screenshot('admin-llm-key-added');
    await frame.locator('[data-testid="tab-flags"]').click();
    await frame.locator('[data-testid="flags"]').waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('[role="alert"]').count(), 0, 'no tab failed to load');
  });

  it('the Audit log tab shows the invitation and the role change, filters by action, and exports CSV', async function () {
    await frame.locator('[data-testid="tab-audit"]').click();
    const table = frame.locator('[data-testid="audit"]');
    await table.waitFor({ timeout: 30_000 });
    // Both changes, made by the admin (the token acts as its creator); the fixture's own rows were written by no one.
    await table.locator('tr', { hasText: 'invitations.insert' }).filter({ hasText: 'admin@example.test' }).first().waitFor({ timeout: 30_000 });
    await table.locator('tr', { hasText: /role_assignments\.(insert|update|delete)/ }).filter({ hasText: 'admin@example.test' }).first().waitFor();
    await vs.screenshot('admin-audit');

    await frame.locator('[data-testid="audit:action"] input').fill('invitations');
    await frame.locator('[data-testid="audit:apply"]').click();
    await eventually('only invitation entries', async () => {
      const actions = await table.locator('tbody tr td:nth-child(3)').allTextContents();
      return actions.length > 0 && actions.every((a) => a.startsWith('invitations.')) ? actions : undefined;
    }, 30_000);

    await frame.locator('[data-testid="audit:export"]').click();
    // The save dialog (code-server's simple file dialog) proposes the workspace folder: accept it.
    const input = vs.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.press('Enter');
    const saved = frame.locator('[data-testid="outcome-audit:export"]', { hasText: 'Saved' });
    await saved.waitFor({ timeout: 30_000 });
    const target = /to (\/.+\.csv)/.exec((await saved.textContent()) ?? '')?.[1] ?? '';
    assert.equal(path.dirname(target), vs.workspaceDir);
    assert.match(path.basename(target), /^mallard-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    await eventually('the CSV file', () => (existsSync(target) ? true : undefined), 10_000);
    const csv = readFileSync(target, 'utf8');
    assert.match(csv.split(/\r?\n/)[0] ?? '', /occurred_at/);
    assert.match(csv, /newhire@example\.test|invitations\.insert/);
    assert.doesNotMatch(csv, /role_assignments\.insert/, 'the export used the filter');
    await vs.screenshot('admin-audit-exported');
  });
});
