/**
 * A small, forgiving SQL tokenizer shared by the statement splitter and the fallback scan.
 * It never throws: unterminated strings or comments simply run to the end of the text.
 */

/** Token categories; comments and whitespace are dropped. */
export type TokenType = 'word' | 'quoted' | 'string' | 'number' | 'punct';

/** One token with its 0-based offset in the scanned text. */
export interface Token {
  type: TokenType;
  /** Raw text; for `quoted` the identifier without its quotes. */
  text: string;
  offset: number;
  end: number;
}

/** Lexer options that differ between dialects. */
export interface LexOptions {
  /** T-SQL `[name]` identifiers. */
  bracketIdentifiers?: boolean;
  /** MySQL/BigQuery/Hive `# comment` lines. */
  hashComments?: boolean;
  /** MySQL/BigQuery/Hive `"text"` is a string (with backslash escapes), not an identifier. */
  doubleQuotedStrings?: boolean;
}

const WORD_START = /[A-Za-z_\u0080-\uffff@$]/;
const WORD_PART = /[A-Za-z0-9_\u0080-\uffff@$]/;

/** Tokenizes SQL text. */
export function tokenize(text: string, options: LexOptions = {}): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f') {
      i++;
    } else if ((ch === '-' && next === '-') || (ch === '#' && options.hashComments)) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (ch === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (ch === "'" || ch === '"' || ch === '`' || (ch === '[' && options.bracketIdentifiers)) {
      const close = ch === '[' ? ']' : ch;
      let j = i + 1;
      let value = '';
      while (j < n) {
        const c = text[j] as string;
        if (c === '\\' && (ch === "'" || (ch === '"' && options.doubleQuotedStrings)) && j + 1 < n) {
          value += text.slice(j, j + 2);
          j += 2;
        } else if (c === close) {
          if (text[j + 1] === close && close !== ']') {
            value += c;
            j += 2;
          } else break;
        } else {
          value += c;
          j++;
        }
      }
      const end = Math.min(j + 1, n);
      tokens.push({ type: ch === "'" || (ch === '"' && options.doubleQuotedStrings) ? 'string' : 'quoted', text: value, offset: i, end });
      i = end;
    } else if (ch === '$' && /[A-Za-z_$]/.test(next ?? '') && dollarTag(text, i) !== undefined) {
      const tag = dollarTag(text, i) as string;
      const close = text.indexOf(tag, i + tag.length);
      const end = close < 0 ? n : close + tag.length;
      tokens.push({ type: 'string', text: text.slice(i + tag.length, close < 0 ? n : close), offset: i, end });
      i = end;
    } else if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[0-9.eE]/.test(text[j] as string)) j++;
      tokens.push({ type: 'number', text: text.slice(i, j), offset: i, end: j });
      i = j;
    } else if (WORD_START.test(ch)) {
      let j = i + 1;
      while (j < n && WORD_PART.test(text[j] as string)) j++;
      tokens.push({ type: 'word', text: text.slice(i, j), offset: i, end: j });
      i = j;
    } else {
      tokens.push({ type: 'punct', text: ch, offset: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

/** Returns the `$tag$` opening a dollar-quoted string at `i`, if any. */
function dollarTag(text: string, i: number): string | undefined {
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
  return m ? m[0] : undefined;
}

/** Converts a 0-based offset into a 1-based line and column. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** Offset → 1-based line/column over one text, O(log n) per lookup (files may hold thousands of statements). */
export function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    const at = Math.min(Math.max(offset, 0), text.length);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - (starts[lo] as number) + 1 };
  };
}
