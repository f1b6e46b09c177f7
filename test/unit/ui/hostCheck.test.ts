import assert from 'node:assert/strict';
import { checkHost } from '../../../extension/ui/hostCheck';

describe('hostCheck', () => {
  it('accepts the current test runtime (Node 22+, Node-API 10+)', () => {
    assert.deepEqual(checkHost(process.versions), { ok: true });
  });

  it('refuses an old Node-API with a readable reason', () => {
    const result = checkHost({ node: '20.18.0', napi: '9' });
    assert.equal(result.ok, false);
    assert.ok(!result.ok && /Node-API 10/.test(result.reason) && /20\.18\.0/.test(result.reason));
  });

  it('refuses Node below 22 even with a new enough Node-API', () => {
    const result = checkHost({ node: '21.9.0', napi: '10' });
    assert.equal(result.ok, false);
  });

  it('refuses when versions are unknown', () => {
    assert.equal(checkHost({}).ok, false);
  });
});
