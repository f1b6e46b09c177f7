/**
 * Where a value sits in JSON text, so a configuration error points at the key the user must fix
 * (`.mallard.json` line 4, column 7) rather than at the top of the file. A small scanner over text
 * that `JSON.parse` accepted; it never throws.
 */

/** A JSON path as zod reports it: object keys and array indexes. */
export type JsonPath = readonly PropertyKey[];

/** 1-based position of a value. */
export interface JsonPosition {
  line: number;
  column: number;
}

/**
 * Position of the deepest part of `path` present in `text`: an object member's key, an array
 * element's value, or the root. For a path into a member that is missing (a required key), the
 * position of the object that lacks it.
 */
export function locateJsonPath(text: string, path: JsonPath): JsonPosition {
  const found = { offset: firstValue(text), depth: 0 };
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const str = (): string => {
    // Starts at the opening quote; JSON.parse decodes escapes for us.
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return '';
    }
  };
  /** Scans one value; `depth` parts of the path matched to reach it, `on` tells whether it is on the path. */
  const value = (depth: number, on: boolean): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      for (;;) {
        ws();
        if (text[i] === '}' || i >= text.length) break;
        const keyAt = i;
        const key = str();
        const hit = on && depth < path.length && String(path[depth]) === key;
        if (hit && depth + 1 > found.depth) Object.assign(found, { offset: keyAt, depth: depth + 1 });
        ws();
        i++; // the colon
        value(depth + 1, hit);
        ws();
        if (text[i] === ',') i++;
      }
      i++;
    } else if (ch === '[') {
      i++;
      for (let index = 0; ; index++) {
        ws();
        if (text[i] === ']' || i >= text.length) break;
        const hit = on && depth < path.length && String(path[depth]) === String(index);
        if (hit && depth + 1 > found.depth) Object.assign(found, { offset: i, depth: depth + 1 });
        value(depth + 1, hit);
        ws();
        if (text[i] === ',') i++;
      }
      i++;
    } else if (ch === '"') {
      str();
    } else {
      while (i < text.length && !/[\s,}\]]/.test(text[i] as string)) i++;
    }
  };
  value(0, true);
  return positionOf(text, found.offset);
}

/** Offset of the first non-space character (the root value). */
function firstValue(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index : 0;
}

function positionOf(text: string, offset: number): JsonPosition {
  let line = 1;
  let start = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      start = k + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/**
 * Position of the first syntax error of text `JSON.parse` rejected (V8's messages do not always say
 * where): a strict recursive-descent check that stops at the first character JSON does not allow.
 */
export function jsonErrorPosition(text: string): JsonPosition {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxAt(i);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const expect = (ch: string): void => {
    ws();
    if (text[i] !== ch) fail();
    i++;
  };
  const literal = (): void => {
    const m = /^(true|false|null|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === '\\') {
        if (!/^(["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(text.slice(i + 1, i + 6))) fail();
        i += text[i + 1] === 'u' ? 6 : 2;
      } else i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (ch === '{') {
          ws();
          if (text[i] !== '"') fail();
          string();
          expect(':');
        }
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    } else if (ch === '"') string();
    else literal();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (err) {
    if (err instanceof SyntaxAt) return positionOf(text, err.offset);
    throw err;
  }
  return positionOf(text, 0);
}

/** Where the syntax check stopped. */
class SyntaxAt extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at offset ${offset}`);
  }
}
