import assert from 'node:assert/strict';
import { redact } from '../../../extension/ui/logger';

describe('logger redaction', () => {
  it('hides JWTs, bearer tokens and secret key/value pairs', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const out = redact(`token ${jwt}; Authorization: Bearer abc.def-123; apikey=sk_live_123 password: "hunter2"`);
    assert.ok(!out.includes(jwt));
    assert.ok(!out.includes('abc.def-123'));
    assert.ok(!out.includes('sk_live_123'));
    assert.ok(!out.includes('hunter2'));
    assert.match(out, /Bearer «redacted»/);
  });

  it('leaves ordinary messages alone', () => {
    const text = 'Scanned 42 files in 120 ms; model.jaffle.orders has 3 columns';
    assert.equal(redact(text), text);
  });
});
