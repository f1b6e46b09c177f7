import type { FilePos } from './biFiles';

/**
 * Positions of every value of a JSON text down to a depth, in one pass: `locateJsonPath` rescans
 * the text per lookup, which is quadratic on a tabular model with thousands of columns. For text
 * `JSON.parse` accepted; an object member's position is its key's, an array element's its value's.
 * Never throws (on text that is not JSON it returns what it found before the problem).
 */

/** The key of a path in the returned map. */
export function pathKey(path: readonly (string | number)[]): string {
  return path.join('\u0000');
}

/** Path key → 1-based position, for paths up to `maxDepth` parts. */
export function jsonPositions(text: string, maxDepth: number): Map<string, FilePos> {
  const out = new Map<string, FilePos>();
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const skip = (to: number): void => {
    for (; i < to; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r\uFEFF'.includes(text[i] as string)) skip(i + 1);
  };
  const str = (): string => {
    const start = i;
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    skip(j + 1);
    try {
      return JSON.parse(text.slice(start, j + 1)) as string;
    } catch {
      return '';
    }
  };
  const value = (path: (string | number)[], at: FilePos | undefined): boolean => {
    ws();
    if (i >= text.length) return false;
    if (path.length <= maxDepth) out.set(pathKey(path), at ?? { line, column: i - lineStart + 1 });
    const ch = text[i];
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      skip(i + 1);
      for (let n = 0; ; n++) {
        ws();
        if (text[i] === close) {
          skip(i + 1);
          return true;
        }
        let key: string | number = n;
        let keyAt: FilePos | undefined;
        if (ch === '{') {
          if (text[i] !== '"') return false;
          keyAt = { line, column: i - lineStart + 1 };
          key = str();
          ws();
          if (text[i] !== ':') return false;
          skip(i + 1);
        }
        // Below the depth limit the path is not recorded, but the value must still be walked.
        if (!value(path.length < maxDepth ? [...path, key] : path.concat(key), keyAt)) return false;
        ws();
        if (text[i] === ',') skip(i + 1);
        else if (text[i] !== close) return false;
      }
    }
    if (ch === '"') str();
    else {
      const m = /^[-+0-9.eEa-z]+/.exec(text.slice(i, i + 64));
      skip(i + (m === null ? 1 : m[0].length));
    }
    return true;
  };
  value([], undefined);
  return out;
}
