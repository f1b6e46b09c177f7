import assert from 'node:assert/strict';
import '../../support/mochaPg';
import type { SupabaseClient } from '@supabase/supabase-js';
import { DocHistoryHost } from '../../../extension/ui/docHistory';
import type { Logger } from '../../../extension/ui/logger';
import { parseDocsHostMessage, parseDocsWebviewMessage } from '../../../webviews/docs/protocol';
import { ids } from '../../support/orgFixture';
import type { users } from '../../support/orgFixture';
import { startSyncWorld } from '../../support/syncWorld';
import type { SyncWorld } from '../../support/syncWorld';

/**
 * The docs panel's host side of doc versions (extension/ui/docHistory.ts) against the real
 * `doc-versions` function (real Deno + Postgres): the webview's `docVersions` requests become
 * function calls as the signed-in user, answers come back in the panel protocol, a refusal is the
 * server's message, and without a sign-in the panel is told what to do.
 */
describe('docs panel history host through the doc-versions function (real Deno + Postgres)', function () {
  this.timeout(180_000);
  let world: SyncWorld;
  const warnings: string[] = [];
  const logger = { info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined } as unknown as Logger;
  const hostFor = (user: keyof typeof users | undefined) => new DocHistoryHost({
    organization: () => (user === undefined ? undefined : { id: ids.orgA }),
    auth: { dataClient: async (): Promise<SupabaseClient | undefined> => (user === undefined ? undefined : world.clientOf(user)) },
  }, logger);
  /** A request as the webview sends it, checked by the panel protocol like the host does. */
  const request = (params: unknown) => {
    const message = parseDocsWebviewMessage({ type: 'request', id: 1, method: 'docVersions', params });
    assert.ok(message && message.type === 'request' && message.method === 'docVersions', `the protocol accepts ${JSON.stringify(params)}`);
    return message.params;
  };

  before(async () => {
    world = await startSyncWorld();
    const editor = world.replica('editor');
    const first = await editor.push([editor.patch('column', 'model.shop.h#amount', { description: 'Amount' })]);
    assert.ok(first.ok);
    const second = await editor.push([editor.patch('column', 'model.shop.h#amount', { description: 'Amount in cents\nTaxes included' })]);
    assert.ok(second.ok);
  });
  after(async () => {
    await world?.stop();
  });

  it('answers a column\'s history in the panel protocol, newest first', async () => {
    const answer = await hostFor('viewer').answer(request({ action: 'history', entityId: 'model.shop.h', column: 'amount' }));
    assert.equal(answer.state, 'list');
    if (answer.state !== 'list') return;
    assert.deepEqual(answer.list.versions.map((v) => [v.version, v.after, v.authorEmail]), [[2, 'Amount in cents\nTaxes included', 'editor@example.test'], [1, 'Amount', 'editor@example.test']]);
    const response = parseDocsHostMessage({ type: 'response', id: 1, method: 'docVersions', ok: true, result: answer });
    assert.ok(response, 'the answer crosses to the webview');
  });

  it('reverts as an editor and shows a refusal\'s message for a viewer', async () => {
    const history = await hostFor('editor').answer(request({ action: 'history', entityId: 'model.shop.h', column: 'amount' }));
    const v1 = history.state === 'list' ? history.list.versions.find((v) => v.version === 1) : undefined;
    assert.ok(v1);
    await assert.rejects(hostFor('viewer').answer(request({ action: 'revert', versionId: v1.id })), (err: Error) => /catalog\.write/.test(err.message));
    assert.ok(warnings.some((w) => /revert failed/.test(w)));
    const done = await hostFor('editor').answer(request({ action: 'revert', versionId: v1.id }));
    assert.ok(done.state === 'done' && done.version.status === 'published' && done.version.version === 3 && done.version.after === 'Amount');
  });

  it('tells the panel to sign in when there is no session or organization', async () => {
    const answer = await hostFor(undefined).answer(request({ action: 'pending' }));
    assert.equal(answer.state, 'unavailable');
    assert.match(answer.state === 'unavailable' ? answer.message : '', /sign in/);
  });

  it('the panel protocol refuses malformed history requests', () => {
    assert.equal(parseDocsWebviewMessage({ type: 'request', id: 1, method: 'docVersions', params: { action: 'approve', versionId: 'not-a-uuid' } }), undefined);
    assert.equal(parseDocsWebviewMessage({ type: 'request', id: 1, method: 'docVersions', params: { action: 'delete', versionId: ids.orgA } }), undefined);
  });
});
