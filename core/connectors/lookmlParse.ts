import type { FilePos } from './biFiles';

/**
 * A tolerant LookML parser with positions. LookML is a list of `key: value` pairs where a value is a
 * named block (`view: orders { … }`), an anonymous block (`derived_table: { … }`), a list
 * (`[a, "b"]`), a quoted string, a bare word (`yes`, `number`, `analytics.orders`), or — for
 * `sql*`, `*_sql`, `html*` and `expression_custom_filter` keys — an expression running to `;;`.
 * `#` starts a comment outside strings and expressions. It never throws: a problem is an error at
 * its line and column, and parsing resumes at the next pair, so one typo loses one field, not a file.
 */

/** One `key: value` pair. */
export interface LkPair {
  key: string;
  /** Name of a named block (`orders` in `view: orders { … }`), with a refinement's `+` kept. */
  name?: string;
  value: LkValue;
  pos: FilePos;
  /** Where the value starts (for an expression, its first character after the colon and blanks). */
  valuePos: FilePos;
}

/** A pair's value: a block of pairs, a list, a string or bare word, or a `;;` expression. */
export type LkValue = { kind: 'block'; pairs: LkPair[] } | { kind: 'list'; items: string[] } | { kind: 'string'; text: string } | { kind: 'expr'; text: string };

/** A LookML syntax problem. */
export interface LkError extends FilePos {
  message: string;
}

/** Keys whose value is an expression ending with `;;`. */
export function isExprKey(key: string): boolean {
  return key.startsWith('sql') || key.endsWith('_sql') || key.startsWith('html') || key === 'expression_custom_filter';
}

const BLANK = /(?:\s+|#[^\n]*)/y;
const WORD = /[A-Za-z0-9_.+\-:*/]+/y;
const QUOTED = /"((?:[^"\\\n]|\\.)*)"/y;
const KEY = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Parses a LookML file; never throws. */
export function parseLookml(text: string): { pairs: LkPair[]; errors: LkError[] } {
  const errors: LkError[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (): FilePos => ({ line, column: i - lineStart + 1 });
  const advance = (to: number): void => {
    for (; i < to && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
  };
  const fail = (at: FilePos, message: string): void => {
    errors.push({ ...at, message });
  };
  // Sticky regular expressions match at `i` without copying the rest of the text.
  const match = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = i;
    return re.exec(text);
  };
  const skipBlank = (): void => {
    for (;;) {
      const m = match(BLANK);
      if (m === null || m[0] === '') return;
      advance(i + m[0].length);
    }
  };
  const word = (): string | undefined => {
    const m = match(WORD);
    if (m === null) return undefined;
    // A bare word never swallows the colon of a following `key:` (`key:value` without a blank).
    const w = m[0].replace(/:.*$/, '');
    if (w === '') return undefined;
    advance(i + w.length);
    return w;
  };
  const quoted = (): string | undefined => {
    const start = pos();
    const m = match(QUOTED);
    if (m === null) {
      fail(start, 'string is never closed by a double quote on its line');
      const nl = text.indexOf('\n', i);
      advance(nl < 0 ? text.length : nl);
      return undefined;
    }
    advance(i + m[0].length);
    return (m[1] as string).replace(/\\(.)/g, '$1');
  };

  /** Pairs until `}` (depth > 0) or the end. */
  const pairs = (depth: number, open?: FilePos): LkPair[] => {
    const out: LkPair[] = [];
    for (;;) {
      skipBlank();
      if (i >= text.length) {
        if (open !== undefined) fail(open, 'block "{" is never closed by "}"');
        return out;
      }
      if (text[i] === '}') {
        if (depth > 0) {
          advance(i + 1);
          return out;
        }
        fail(pos(), 'unexpected "}" with no open block');
        advance(i + 1);
        continue;
      }
      const at = pos();
      const key = match(KEY)?.[0];
      if (key === undefined) {
        fail(at, `expected a "key:" but found "${text.slice(i, i + 20).split('\n')[0] as string}"`);
        recover();
        continue;
      }
      advance(i + key.length);
      skipBlank();
      if (text[i] !== ':') {
        fail(pos(), `expected ":" after "${key}"`);
        recover();
        continue;
      }
      advance(i + 1);
      const pair = value(key, at);
      if (pair !== undefined) out.push(pair);
    }
  };

  /** Skips to the end of the line, so parsing resumes at the next pair. */
  const recover = (): void => {
    const nl = text.indexOf('\n', i);
    advance(nl < 0 ? text.length : nl + 1);
  };

  const value = (key: string, at: FilePos): LkPair | undefined => {
    if (isExprKey(key)) {
      while (text[i] === ' ' || text[i] === '\t') advance(i + 1);
      const valuePos = pos();
      const end = text.indexOf(';;', i);
      if (end < 0) {
        fail(at, `"${key}:" expression is never ended by ";;"`);
        const rest = text.slice(i);
        advance(text.length);
        return { key, value: { kind: 'expr', text: rest }, pos: at, valuePos };
      }
      const exprText = text.slice(i, end);
      advance(end + 2);
      return { key, value: { kind: 'expr', text: exprText }, pos: at, valuePos };
    }
    skipBlank();
    const valuePos = pos();
    const c = text[i];
    if (c === '{') {
      advance(i + 1);
      return { key, value: { kind: 'block', pairs: pairs(1, valuePos) }, pos: at, valuePos };
    }
    if (c === '[') {
      advance(i + 1);
      const items: string[] = [];
      for (;;) {
        skipBlank();
        if (text[i] === ']') {
          advance(i + 1);
          break;
        }
        if (text[i] === ',') {
          advance(i + 1);
          continue;
        }
        const item = text[i] === '"' ? quoted() : word();
        if (item === undefined) {
          fail(pos(), i >= text.length ? 'list "[" is never closed by "]"' : `unexpected "${text[i] as string}" in a list`);
          if (i >= text.length || text[i] === '}' || text[i] === '\n') break;
          recover();
          break;
        }
        items.push(item);
      }
      return { key, value: { kind: 'list', items }, pos: at, valuePos };
    }
    const text1 = c === '"' ? quoted() : word();
    if (text1 === undefined) {
      if (c !== '"') fail(valuePos, i >= text.length ? `"${key}:" has no value` : `unexpected "${c as string}" as the value of "${key}"`);
      recover();
      return undefined;
    }
    skipBlank();
    if (text[i] === '{') {
      const open = pos();
      advance(i + 1);
      return { key, name: text1, value: { kind: 'block', pairs: pairs(1, open) }, pos: at, valuePos };
    }
    return { key, value: { kind: 'string', text: text1 }, pos: at, valuePos };
  };

  return { pairs: pairs(0), errors };
}

/** The first pair named `key` in a block. */
export function lkGet(pairs: readonly LkPair[], key: string): LkPair | undefined {
  return pairs.find((p) => p.key === key);
}

/** A pair's text (string or expression), trimmed. */
export function lkText(pair: LkPair | undefined): string | undefined {
  if (pair === undefined) return undefined;
  return pair.value.kind === 'string' || pair.value.kind === 'expr' ? pair.value.text.trim() : undefined;
}

/** A block pair's pairs (empty for other values). */
export function lkPairs(pair: LkPair | undefined): LkPair[] {
  return pair?.value.kind === 'block' ? pair.value.pairs : [];
}
