import assert from 'node:assert/strict';
import path from 'node:path';
import { CatalogStore } from '../../extension/catalog/catalogStore';
import { classOf } from '../../extension/governance/classificationStore';
import { VsCodeSession, eventually, sampleProject } from './harness';

/**
 * Classification and compliance in code-server on the sample project: after the first scan the
 * Compliance view groups the violations by rule and the Problems panel shows them as
 * `mallard(compliance-…)`; accepting the rules' suggestion for the raw customers' e-mail in the
 * Classification view classifies the column (in the catalog file) and brings the personal-data rule
 * into the Compliance view.
 */

const EMAIL = 'source.jaffle_duck.shop.customers#email';

describe('e2e: Compliance and Classification views on jaffle_duck', function () {
  let session: VsCodeSession;
  const pane = (title: string) => session.page.locator('.pane', { has: session.page.locator('.pane-header', { hasText: title }) });
  const row = (title: string, text: string) => pane(title).locator('.monaco-list-row', { hasText: text }).first();

  before(async function () {
    session = await VsCodeSession.start({ workspace: sampleProject() });
    await eventually('the first scan', () => (session.mallardLog().includes('Scanned ') ? true : undefined), 90_000);
    await session.runCommand('View: Show Mallard');
    await session.collapsePane('Catalog');
    await session.collapsePane('Diagnostics');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = `failed-compliance-${this.currentTest.title.replace(/\W+/g, '-')}`;
      await session?.screenshot(name);
      session?.saveLogs(name);
    }
  });

  after(async function () {
    await session?.close();
  });

  it('the Compliance view groups violations by rule and the Problems panel shows mallard(compliance-…) entries', async function () {
    await session.expandPane('Compliance');
    const group = row('Compliance', 'Every model has a test');
    await group.waitFor({ timeout: 30_000 });
    assert.match(await group.innerText(), /\d+ violations?/);
    assert.ok((await session.treeChildren('Compliance', 'Every model has a test')).length > 0, 'the group lists its models');
    await session.screenshot('compliance-view');
    await session.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const marker = session.page.locator('.markers-panel .monaco-list-row', { hasText: 'every model has a test (missing: test)' }).first();
    await marker.waitFor({ timeout: 20_000 });
    assert.match(await marker.innerText(), /compliance-model-has-test/);
    await session.screenshot('compliance-problems');
  });

  it('accepting a classification suggestion classifies the column and the personal-data rule appears', async function () {
    await session.collapsePane('Compliance');
    await session.expandPane('Classification');
    const suggestion = row('Classification', 'shop.customers.email: pii.email');
    await suggestion.waitFor({ timeout: 30_000 });
    await suggestion.hover();
    await suggestion.locator('.action-label[aria-label="Accept Classification Suggestion"]').click();
    await eventually('the column is classified in the catalog', () => {
      const store = CatalogStore.open(path.join(session.workspaceDir, '.mallard/catalog.db'), { readonly: true });
      try {
        return classOf(store, EMAIL) === 'pii.email' ? true : undefined;
      } finally {
        store.close();
      }
    }, 20_000);
    await row('Classification', 'Derived through lineage').waitFor({ timeout: 20_000 });
    await session.collapsePane('Classification');
    await session.expandPane('Compliance');
    await row('Compliance', 'Personal-data columns need an owner and a description').waitFor({ timeout: 20_000 });
    await session.screenshot('classification-accepted');
  });
});
