import assert from 'node:assert/strict';
import { decodeText, firstInvalidUtf8 } from '../../../extension/scanner/decodeText';

/**
 * Decoding of workspace file bytes: UTF-8 (a byte order mark dropped), UTF-16 with a byte order
 * mark, windows-1252 for bytes that are not UTF-8 (warning at the first bad byte), binary content
 * refused. `firstInvalidUtf8` agrees with the platform's strict UTF-8 decoder on random bytes.
 */

const strict = new TextDecoder('utf-8', { fatal: true });

function validUtf8(b: Uint8Array): boolean {
  try {
    strict.decode(b);
    return true;
  } catch {
    return false;
  }
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('decodeText', () => {
  it('finds the first invalid UTF-8 byte exactly where the strict decoder fails', () => {
    const next = rng(7);
    const pieces = ['a', 'é', '€', '𝄞', '\n'].map((s) => [...Buffer.from(s, 'utf8')]);
    for (let round = 0; round < 3000; round++) {
      const bytes: number[] = [];
      const n = Math.floor(next() * 12);
      for (let i = 0; i < n; i++) {
        // Mostly valid characters, sometimes a random byte (a stray latin-1 byte, a cut sequence, an overlong form).
        if (next() < 0.8) bytes.push(...(pieces[Math.floor(next() * pieces.length)] ?? []));
        else bytes.push(Math.floor(next() * 256));
      }
      const b = Uint8Array.from(bytes);
      const at = firstInvalidUtf8(b);
      assert.equal(at === -1, validUtf8(b), `bytes ${Buffer.from(b).toString('hex')}`);
      if (at >= 0) {
        assert.ok(validUtf8(b.subarray(0, at)), `everything before ${at} is valid: ${Buffer.from(b).toString('hex')}`);
        assert.ok(!validUtf8(b.subarray(0, at + 4)), `the sequence at ${at} is invalid: ${Buffer.from(b).toString('hex')}`);
      }
    }
  });

  it('reads latin-1 as windows-1252 and locates the first bad byte', () => {
    const d = decodeText(Buffer.from('select 1\n-- Caf\xe9 cr\xe8me \x80\n', 'latin1'));
    assert.equal(d.text, 'select 1\n-- Café crème €\n');
    assert.deepEqual({ code: d.issue?.code, line: d.issue?.line, column: d.issue?.column, skipped: d.issue?.skipped }, { code: 'file-not-utf8', line: 2, column: 7, skipped: false });
    assert.match(d.issue?.message ?? '', /byte 0xE9/);
  });

  it('drops a UTF-8 byte order mark and decodes UTF-16 with one, silently', () => {
    assert.deepEqual(decodeText(Buffer.from('\ufeffselect é', 'utf8')), { text: 'select é' });
    assert.deepEqual(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('select é', 'utf16le')])), { text: 'select é' });
    const be = Buffer.from('select é', 'utf16le').swap16();
    assert.deepEqual(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), { text: 'select é' });
  });

  it('refuses content with a NUL byte as binary, saying where', () => {
    const d = decodeText(Buffer.from('select 1\nfrom t\0\x01', 'latin1'));
    assert.equal(d.text, '');
    assert.equal(d.issue?.code, 'file-binary');
    assert.equal(d.issue?.skipped, true);
    assert.match(d.issue?.message ?? '', /a NUL byte at line 2, column 7/);
  });
});
