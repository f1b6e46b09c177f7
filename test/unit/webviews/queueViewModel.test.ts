import assert from 'node:assert/strict';
import { ReviewQueue } from '../../../extension/ai/reviewQueue';
import { parseQueueHostMessage, parseQueueWebviewMessage, type QueueEntryView } from '../../../webviews/queue/protocol';
import { queueRow, queueSummary } from '../../../webviews/queue/viewModel';

const view = (over: Partial<QueueEntryView>): QueueEntryView => ({ key: '/w|model.p.a', entityId: 'model.p.a', name: 'a', path: 'models/a.sql', state: 'ready', proposals: [], problems: [], ...over });

describe('AI review queue: queue state, page view model and messages', () => {
  it('rows say what each model needs, and the summary what is left', () => {
    const open = { text: 'x', outcome: '' as const };
    const saved = { column: 'id', text: 'y', outcome: { ok: true, text: 'Saved to models/s.yml' } };
    const discarded = { column: 'v', text: 'z', outcome: { ok: false, text: 'Discarded' } };
    assert.deepEqual(queueRow(view({ proposals: [open, saved, discarded] })), { key: '/w|model.p.a', name: 'a', path: 'models/a.sql', openable: true, status: '1 to review (1 saved, 1 not)', tone: 'pending' });
    assert.equal(queueRow(view({ state: 'reviewed', proposals: [saved, discarded] })).status, 'reviewed: 1 saved, 1 not saved');
    assert.deepEqual([queueRow(view({ state: 'failed', message: 'The AI provider failed (500): boom' }))].map((r) => [r.status, r.tone, r.openable]), [['failed: The AI provider failed (500): boom', 'error', false]]);
    assert.equal(queueRow(view({ state: 'drafting' })).status, 'drafting…');
    assert.equal(queueRow(view({ state: 'cancelled', message: 'Not drafted: the batch was cancelled.' })).status, 'Not drafted: the batch was cancelled.');
    const entries = [view({ proposals: [open] }), view({ key: 'k2', state: 'failed' }), view({ key: 'k3', proposals: [open] })];
    assert.equal(queueSummary(entries, { folder: 'models/marts', done: 3, total: 5, running: true }), 'Drafting models/marts: 3/5 · 2 models to review · 1 failed');
    assert.equal(queueSummary(entries.slice(0, 1), undefined), '1 model to review');
    assert.match(queueSummary([], undefined), /No drafts yet/);
  });

  it('parses the queue messages and refuses malformed ones', () => {
    assert.equal(parseQueueWebviewMessage({ type: 'request', id: 1, method: 'accept', params: { key: 'k', column: 'id', text: 'Key.' } })?.type, 'request');
    assert.equal(parseQueueWebviewMessage({ type: 'request', id: 1, method: 'accept', params: { key: '', text: 'Key.' } }), undefined);
    assert.equal(parseQueueWebviewMessage({ type: 'command', command: 'discard', key: 'k' })?.type, 'command');
    assert.equal(parseQueueWebviewMessage({ type: 'command', command: 'writeEverything', key: 'k' }), undefined);
    assert.ok(parseQueueHostMessage({ type: 'notify', event: 'queue', entries: [view({})], batch: { folder: '', done: 0, total: 2, running: true } }));
    assert.equal(parseQueueHostMessage({ type: 'notify', event: 'queue', entries: [view({ state: 'saved' as never })] }), undefined);
  });

  it('the queue keeps unreviewed drafts when a folder is drafted again, records outcomes, and settles a model once every proposal is acted on', async () => {
    const queue = new ReviewQueue();
    let changes = 0;
    queue.onChange(() => changes++);
    const key = queue.add('/w', { entityId: 'model.p.a', name: 'a', path: 'models/a.sql' })?.key ?? '';
    queue.ready(key, { description: 'A.', columns: { id: 'Key.' }, problems: [], model: 'm', tokens: 9 });
    assert.equal(queue.add('/w', { entityId: 'model.p.a', name: 'a', path: 'models/a.sql' }), undefined, 'an unreviewed draft is not replaced');
    assert.equal(queue.get(key)?.proposals.length, 2);
    await assert.rejects(queue.accept(key, 'id', '  ', async () => 'never'), /Empty: nothing saved/);
    assert.deepEqual(queue.get(key)?.proposals[1]?.outcome, { ok: false, text: 'Empty: nothing saved' });
    await assert.rejects(queue.accept(key, undefined, 'A, edited.', async () => { throw new Error('models/s.yml has unsaved changes'); }), /unsaved changes/);
    assert.deepEqual(queue.get(key)?.proposals[0]?.outcome, { ok: false, text: 'models/s.yml has unsaved changes' });
    assert.equal(queue.get(key)?.state, 'reviewed');
    await assert.rejects(queue.accept(key, undefined, 'again', async () => 'x'), /no longer open/);
    const other = queue.add('/w', { entityId: 'model.p.b', name: 'b', path: 'models/b.sql' })?.key ?? '';
    queue.ready(other, { columns: {}, problems: ['The answer drafted nothing.'], model: 'm', tokens: 1 });
    assert.equal(queue.get(other)?.state, 'failed', 'a draft with nothing to review is a failure, with the reason');
    assert.match(queue.get(other)?.message ?? '', /proposed nothing\. The answer drafted nothing\./);
    const third = queue.add('/w', { entityId: 'model.p.c', name: 'c', path: 'models/c.sql' })?.key ?? '';
    queue.ready(third, { columns: { id: 'Key.' }, problems: [], model: 'm', tokens: 1 });
    queue.clearFinished();
    assert.deepEqual(queue.entries().map((e) => e.name), ['c']);
    assert.ok(changes >= 8);
  });
});
