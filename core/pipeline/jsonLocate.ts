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

/** Position of a `JSON.parse` error when its message gives one (`… at position 12` or `(line 2 column 5)`). */
export function jsonErrorPosition(text: string, message: string): JsonPosition | undefined {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const at = /position (\d+)/.exec(message);
  return at ? positionOf(text, Number(at[1])) : undefined;
}
