import type { FileIssue } from './fileIssues';

/**
 * Bytes of a workspace file → text. UTF-8 is expected (dbt reads every file as UTF-8); a UTF-8 byte
 * order mark is dropped, UTF-16 with a byte order mark is decoded, and bytes that are not valid
 * UTF-8 are read as windows-1252 (the usual encoding of such files: latin-1 plus a few
 * typographic signs), with a warning located at the first invalid byte. Positions in the decoded
 * text match the bytes of the file in that case, since windows-1252 has one character per byte.
 * Content with a NUL byte is binary, not text, and is not decoded.
 */

/** Result of `decodeText`: the text, or an issue when the content is not text. */
export interface DecodedText {
  text: string;
  issue?: FileIssue;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Offset of the first byte that does not start a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] ?? 0;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    const d = b[i + 1] ?? 0;
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are invalid too.
    if ((c === 0xe0 && d < 0xa0) || (c === 0xed && d >= 0xa0) || (c === 0xf0 && d < 0x90) || (c === 0xf4 && d >= 0x90)) return i;
    i += n + 1;
  }
  return -1;
}

/** 1-based line and column of byte `offset`, one column per byte (windows-1252 text). */
function byteLocation(b: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (b[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** Decodes a file's bytes; see the module comment. */
export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)) };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)) };
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bom > 0 ? bytes.subarray(bom) : bytes;
  const nul = body.indexOf(0);
  if (nul >= 0) {
    const at = byteLocation(body, nul);
    return { text: '', issue: { code: 'file-binary', message: `skipped: binary content (a NUL byte at line ${at.line}, column ${at.column}), not text. Exclude it ("exclude" in .mallard.json) or give it another extension.`, line: 1, column: 1, skipped: true } };
  }
  try {
    return { text: utf8.decode(body) };
  } catch {
    const bad = firstInvalidUtf8(body);
    const at = byteLocation(body, Math.max(bad, 0));
    const byte = (body[Math.max(bad, 0)] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    return {
      text: new TextDecoder('windows-1252').decode(body),
      issue: { code: 'file-not-utf8', message: `not valid UTF-8 (byte 0x${byte}); read as windows-1252. dbt reads files as UTF-8: save the file as UTF-8.`, line: at.line, column: at.column, skipped: false },
    };
  }
}
