import assert from 'node:assert/strict';
import { draftViewOf } from '../../../webviews/docs/draftReview';
import { parseDocsHostMessage, parseDocsWebviewMessage } from '../../../webviews/docs/protocol';

describe('docs panel: AI draft messages and review state', () => {
  it('parses the draft commands and notifications, and refuses malformed ones', () => {
    assert.equal(parseDocsWebviewMessage({ type: 'command', command: 'draftDocs', entityId: 'model.a.b', scope: 'missing' })?.type, 'command');
    assert.equal(parseDocsWebviewMessage({ type: 'command', command: 'draftDocs', entityId: 'model.a.b', scope: 'everything' }), undefined);
    const ready = parseDocsHostMessage({ type: 'notify', event: 'draft', entityId: 'model.a.b', state: 'ready', columns: { id: 'Key.' }, problems: [], model: 'm', usage: { promptTokens: 3, completionTokens: 4 } });
    assert.ok(ready && ready.type === 'notify' && ready.event === 'draft' && ready.state === 'ready');
    assert.equal(parseDocsHostMessage({ type: 'notify', event: 'draft', entityId: 'model.a.b', state: 'ready', columns: { id: 7 }, problems: [], model: 'm', usage: { promptTokens: 3, completionTokens: 4 } }), undefined);
    assert.equal(parseDocsHostMessage({ type: 'notify', event: 'draft', entityId: 'model.a.b', state: 'streaming', chars: -1 }), undefined);
  });

  it('a ready draft becomes one open proposal per description, the model description first', () => {
    const view = draftViewOf({ type: 'notify', event: 'draft', entityId: 'model.a.b', state: 'ready', description: 'Orders.', columns: { id: 'Key.', amount: 'Dollars.' }, problems: ['x'], model: 'm', usage: { promptTokens: 30, completionTokens: 12 } });
    assert.equal(view.state, 'review');
    if (view.state !== 'review') return;
    assert.deepEqual(view.proposals, [{ text: 'Orders.', outcome: '' }, { column: 'id', text: 'Key.', outcome: '' }, { column: 'amount', text: 'Dollars.', outcome: '' }]);
    assert.equal(view.tokens, 42);
    assert.deepEqual(view.problems, ['x']);
  });
});
