import assert from 'node:assert/strict';
import { parseDocsHostMessage, parseDocsWebviewMessage } from '../../../webviews/docs/protocol';
import { toMermaid } from '../../../webviews/lineage/render';
import { LineageResults, PAYLOAD_NODE_LIMIT, parseHostMessage, parseWebviewMessage, type GraphNode } from '../../../webviews/lineage/protocol';

const node = (id: string): GraphNode => ({ id, name: id, kind: 'model', project: 'p', depth: 0, dangling: false, more: {}, columns: [], degree: { upstream: 0, downstream: 0 } });

describe('webview protocols', () => {
  describe('lineage', () => {
    it('accepts the handshake, each request, and each command', () => {
      assert.equal(parseWebviewMessage({ type: 'ready', protocolVersion: 1 })?.type, 'ready');
      assert.equal(parseWebviewMessage({ type: 'request', id: 1, method: 'expand', params: { cursor: 'u:1:model.p.a' } })?.type, 'request');
      assert.equal(parseWebviewMessage({ type: 'request', id: 2, method: 'columnLineage', params: { nodeId: 'model.p.a', column: 'id', includeIndirect: false } })?.type, 'request');
      assert.equal(parseWebviewMessage({ type: 'command', command: 'openNode', nodeId: 'model.p.a' })?.type, 'command');
      assert.equal(parseWebviewMessage({ type: 'command', command: 'export', format: 'mermaid', content: 'graph LR' })?.type, 'command');
    });

    it('drops malformed messages instead of throwing', () => {
      for (const bad of [null, 42, 'ready', {}, { type: 'request', id: -1, method: 'expand', params: { cursor: 'x' } }, { type: 'request', id: 1, method: 'drop table', params: {} },
        { type: 'request', id: 1, method: 'expand' }, { type: 'command', command: 'openNode' }, { type: 'command', command: 'export', format: 'pdf', content: '' }]) {
        assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
      }
    });

    it('validates graph notifications, including the node bound of a page', () => {
      const page = { rootId: 'a', nodes: [node('a')], edges: [{ from: 'b', to: 'a', kind: 'ref' }], updated: [], reset: true };
      assert.equal(parseHostMessage({ type: 'notify', event: 'graph', page })?.type, 'notify');
      const tooBig = { ...page, nodes: Array.from({ length: PAYLOAD_NODE_LIMIT + 1 }, (_, i) => node(`n${i}`)) };
      assert.equal(parseHostMessage({ type: 'notify', event: 'graph', page: tooBig }), undefined);
      assert.equal(parseHostMessage({ type: 'notify', event: 'graph', page: { ...page, edges: [{ from: 'b', to: 'a', kind: 'magic' }] } }), undefined);
    });

    it('replies carry the method so the result can be checked against its schema', () => {
      const reply = parseHostMessage({ type: 'response', id: 3, method: 'search', ok: true, result: [{ id: 'model.p.a', name: 'a', kind: 'model' }] });
      assert.ok(reply && reply.type === 'response' && reply.ok);
      assert.ok(reply.type === 'response' && LineageResults[reply.method].safeParse(reply.ok ? reply.result : undefined).success);
      assert.equal(LineageResults.search.safeParse([{ id: 'x' }]).success, false);
      assert.equal(parseHostMessage({ type: 'response', id: 3, method: 'search', ok: false, error: 'boom' })?.type, 'response');
    });
  });

  describe('docs', () => {
    it('accepts save requests and commands, drops bad ones', () => {
      assert.equal(parseDocsWebviewMessage({ type: 'request', id: 1, method: 'saveDescription', params: { entityId: 'model.p.a', column: 'id', description: 'x' } })?.type, 'request');
      assert.equal(parseDocsWebviewMessage({ type: 'command', command: 'openFile', path: 'models/a.sql', line: 3 })?.type, 'command');
      assert.equal(parseDocsWebviewMessage({ type: 'request', id: 1, method: 'saveDescription', params: { entityId: '', description: 'x' } }), undefined);
      assert.equal(parseDocsWebviewMessage({ type: 'command', command: 'rm', path: '/' }), undefined);
    });

    it('validates save results', () => {
      const ok = parseDocsHostMessage({ type: 'response', id: 1, method: 'saveDescription', ok: true, result: { saved: false, reason: 'conflict', message: 'changed' } });
      assert.equal(ok?.type, 'response');
      assert.equal(parseDocsHostMessage({ type: 'response', id: 1, method: 'saveDescription', ok: true, result: { saved: false, reason: 'whatever', message: '' } }), undefined);
    });
  });
});

describe('lineage export: Mermaid', () => {
  it('writes every node once with a safe id and every edge between known nodes', () => {
    const nodes = new Map([['model.p.a', node('model.p.a')], ['model.p.b"x', { ...node('model.p.b"x'), name: 'b"x' }]]);
    const text = toMermaid(nodes as Map<string, GraphNode>, [{ from: 'model.p.a', to: 'model.p.b"x', kind: 'ref' }, { from: 'model.p.a', to: 'model.p.gone', kind: 'ref' }]);
    assert.equal(text, 'graph LR\n  n0["model.p.a"]\n  n1["b#quot;x"]\n  n0 --> n1\n');
  });
});
