import assert from 'node:assert/strict';
import { VsCodeSession, eventually, sampleProject } from './harness';

describe('e2e: activation', function () {
  let session: VsCodeSession;

  before(async function () {
    session = await VsCodeSession.start({ workspace: sampleProject() });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = `failed-${this.currentTest.title.replace(/\W+/g, '-')}`;
      await session?.screenshot(name);
      session?.saveLogs(name);
    }
  });

  after(async function () {
    await session?.close();
  });

  it('activates on the sample dbt project: log line and status-bar item', async function () {
    const line = await eventually('the activation line in the Mallard log', () =>
      session.mallardLog().split('\n').find((l) => /Mallard \S+ activated in [\d.]+ ms/.test(l)),
    60_000);
    assert.match(line, /Node-API \d+/);

    const item = session.statusBarItem();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await item.innerText()).trim(), /Mallard/);

    await session.runCommand('Mallard: Show Log');
    await session.page.locator('.view-lines', { hasText: /Mallard\s+\S+\s+activated\s+in/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await session.screenshot('activation');
  });
});
