import { decodeString, parseStringPrefix } from './strings';

/**
 * A Python tokenizer, enough to read dbt Python models the way CPython reads them: names, numbers,
 * operators, strings of every form (single, triple-quoted, raw, bytes, f- and t-strings with their
 * embedded expressions tokenized too), comments, explicit and implicit line joining, and the
 * NEWLINE/INDENT/DEDENT structure of logical lines. It never throws: a problem CPython would reject
 * becomes a `PySyntaxError` with its offset, and tokenizing goes on so later calls are still seen.
 */

/** Token kinds; `newline`, `indent` and `dedent` only appear outside brackets. */
export type PyTokenKind = 'name' | 'number' | 'string' | 'op' | 'newline' | 'indent' | 'dedent' | 'end';

/** One token with its source span (offsets into the file text). */
export interface PyToken {
  kind: PyTokenKind;
  /** Source text of the token (empty for indent/dedent/end). */
  text: string;
  start: number;
  end: number;
  /** Strings only: what the literal holds. */
  str?: PyStringInfo;
}

/** What a string token holds. */
export interface PyStringInfo {
  /** Decoded value; undefined for f-strings and t-strings, which are not constants. */
  value?: string;
  bytes: boolean;
  /** Token lists of the `{expression}` fields of an f-/t-string (format-spec fields included), in order. */
  fields: PyToken[][];
}

/** A syntax error as CPython reports it (message wording follows CPython 3.12). */
export interface PySyntaxError {
  offset: number;
  message: string;
}

/** Result of `tokenize`. */
export interface PyTokens {
  tokens: PyToken[];
  errors: PySyntaxError[];
}

const OPERATORS = [
  '**=', '//=', '>>=', '<<=', '...', '!=', '%=', '&=', '**', '*=', '+=', '-=', '->', '//', '/=', ':=', '<<', '<=', '==', '>=', '>>', '@=', '^=', '|=',
  '%', '&', '(', ')', '*', '+', ',', '-', '.', '/', ':', ';', '<', '=', '>', '@', '[', ']', '^', '{', '|', '}', '~', '!',
];
const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const NAME_START = /^[\p{L}\p{Nl}_]/u;
const NAME_REST = /^[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_]/u;
const NUMBER = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?)/;
const STRING_START = /^([rRbBuUfFtT]{0,2})(['"])/;

/** Tokenizes a whole Python file. */
export function tokenize(text: string): PyTokens {
  // A UTF-8 byte order mark at the start is not part of the code (CPython skips it too).
  const t = new Tokenizer(text, text.startsWith('\uFEFF') ? 1 : 0);
  t.file();
  return { tokens: t.tokens, errors: t.errors };
}

class Tokenizer {
  readonly tokens: PyToken[] = [];
  readonly errors: PySyntaxError[] = [];
  /** Open brackets: the character and its offset. */
  readonly brackets: { ch: string; at: number }[] = [];
  private readonly indents: number[] = [0];

  constructor(
    private readonly text: string,
    public pos: number,
  ) {}

  /** Tokenizes from `pos` to the end of the text as a file. */
  file(): void {
    const n = this.text.length;
    let lineStart = true;
    while (this.pos < n) {
      if (lineStart) {
        lineStart = false;
        // Inside brackets a line break joins lines: no indentation, no NEWLINE.
        if (this.brackets.length === 0 && this.indentation()) {
          lineStart = true;
          continue;
        }
      }
      const c = this.text[this.pos] ?? '';
      if (c === '\n' || c === '\r') {
        const len = c === '\r' && this.text[this.pos + 1] === '\n' ? 2 : 1;
        if (this.brackets.length === 0) this.push('newline', this.pos, this.pos + len);
        this.pos += len;
        lineStart = true;
      } else if (c === ' ' || c === '\t' || c === '\f') this.pos++;
      else if (c === '#') this.skipComment();
      else if (c === '\\') this.continuation();
      else this.token();
    }
    for (const b of this.brackets) this.errors.push({ offset: b.at, message: `'${b.ch}' was never closed` });
    const last = this.tokens[this.tokens.length - 1];
    if (last && last.kind !== 'newline' && last.kind !== 'dedent') this.push('newline', n, n);
    while (this.indents.length > 1) {
      this.indents.pop();
      this.push('dedent', n, n);
    }
    this.push('end', n, n);
  }

  /**
   * The indentation of a new logical line. Returns true when the line is blank or only a comment:
   * CPython consumes such lines without tokens, whatever their indentation.
   */
  private indentation(): boolean {
    let col = 0;
    let i = this.pos;
    for (; i < this.text.length; i++) {
      const c = this.text[i];
      if (c === ' ') col++;
      else if (c === '\t') col = (Math.floor(col / 8) + 1) * 8;
      else if (c === '\f') col = 0;
      else break;
    }
    const c = this.text[i];
    if (c === undefined || c === '\n' || c === '\r' || c === '#') {
      this.pos = i;
      this.skipComment();
      if (this.text[this.pos] === '\r') this.pos++;
      if (this.text[this.pos] === '\n') this.pos++;
      return true;
    }
    const top = this.indents[this.indents.length - 1] ?? 0;
    if (col > top) {
      this.indents.push(col);
      this.push('indent', i, i);
    } else if (col < top) {
      while (col < (this.indents[this.indents.length - 1] ?? 0)) {
        this.indents.pop();
        this.push('dedent', i, i);
      }
      if (col !== (this.indents[this.indents.length - 1] ?? 0)) {
        this.errors.push({ offset: i, message: 'unindent does not match any outer indentation level' });
        this.indents.push(col);
      }
    }
    this.pos = i;
    return false;
  }

  private skipComment(): void {
    if (this.text[this.pos] !== '#') return;
    while (this.pos < this.text.length && this.text[this.pos] !== '\n' && this.text[this.pos] !== '\r') this.pos++;
  }

  /** `\` at the end of a line joins it with the next one; anywhere else it is an error. */
  private continuation(): void {
    const next = this.text[this.pos + 1];
    if (next === '\n' || next === '\r') {
      this.pos += next === '\r' && this.text[this.pos + 2] === '\n' ? 3 : 2;
      return;
    }
    this.errors.push({ offset: this.pos, message: next === undefined ? 'unexpected EOF while parsing' : 'unexpected character after line continuation character' });
    this.pos++;
  }

  /** Reads one token at `pos` (never whitespace, a comment or a line break). */
  token(): void {
    const str = STRING_START.exec(this.text.slice(this.pos, this.pos + 3));
    if (str && parseStringPrefix(str[1] ?? '') !== undefined) {
      const start = this.pos;
      const read = readString(this.text, start, (str[1] ?? '').length);
      this.errors.push(...read.errors);
      this.tokens.push({ kind: 'string', text: this.text.slice(start, read.end), start, end: read.end, str: read.info });
      this.pos = read.end;
      return;
    }
    const ch = String.fromCodePoint(this.text.codePointAt(this.pos) ?? 0);
    if (NAME_START.test(ch)) {
      const start = this.pos;
      this.pos += ch.length;
      for (;;) {
        const next = String.fromCodePoint(this.text.codePointAt(this.pos) ?? 0);
        if (this.pos >= this.text.length || !NAME_REST.test(next)) break;
        this.pos += next.length;
      }
      this.push('name', start, this.pos);
      return;
    }
    if ((ch >= '0' && ch <= '9') || (ch === '.' && /[0-9]/.test(this.text[this.pos + 1] ?? ''))) {
      const len = NUMBER.exec(this.text.slice(this.pos, this.pos + 400))?.[0].length ?? 1;
      this.push('number', this.pos, this.pos + len);
      this.pos += len;
      return;
    }
    const op = OPERATORS.find((o) => this.text.startsWith(o, this.pos));
    if (op !== undefined) {
      this.bracket(op);
      this.push('op', this.pos, this.pos + op.length);
      this.pos += op.length;
      return;
    }
    const code = ch.codePointAt(0) ?? 0;
    this.errors.push({ offset: this.pos, message: `invalid character '${ch}' (U+${code.toString(16).toUpperCase().padStart(4, '0')})` });
    this.pos += ch.length;
  }

  private bracket(op: string): void {
    if (op === '(' || op === '[' || op === '{') this.brackets.push({ ch: op, at: this.pos });
    else if (op === ')' || op === ']' || op === '}') {
      const open = this.brackets.pop();
      if (!open) this.errors.push({ offset: this.pos, message: `unmatched '${op}'` });
      else if (CLOSER[open.ch] !== op) this.errors.push({ offset: this.pos, message: `closing parenthesis '${op}' does not match opening parenthesis '${open.ch}'` });
    }
  }

  private push(kind: PyTokenKind, start: number, end: number): void {
    this.tokens.push({ kind, text: this.text.slice(start, end), start, end });
  }
}

/** Reads one string literal (prefix, quotes, body) at `start`; f-/t-string fields are tokenized too. */
function readString(text: string, start: number, prefixLen: number): { end: number; info: PyStringInfo; errors: PySyntaxError[] } {
  const prefix = parseStringPrefix(text.slice(start, start + prefixLen)) ?? { raw: false, bytes: false, format: false };
  const q = text[start + prefixLen] ?? '"';
  const quote = text.startsWith(q.repeat(3), start + prefixLen) ? q.repeat(3) : q;
  const bodyStart = start + prefixLen + quote.length;
  const errors: PySyntaxError[] = [];
  const fields: PyToken[][] = [];
  let i = bodyStart;
  let closed = false;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      i += text[i + 1] === '\r' && text[i + 2] === '\n' ? 3 : 2;
    } else if (text.startsWith(quote, i)) {
      closed = true;
      break;
    } else if (quote.length === 1 && (c === '\n' || c === '\r')) {
      break;
    } else if (prefix.format && c === '{' && text[i + 1] !== '{') {
      const field = readField(text, i + 1, quote);
      fields.push(...field.fields);
      errors.push(...field.errors);
      i = field.end;
    } else if (prefix.format && (c === '{' || c === '}')) {
      if (text[i + 1] !== c) errors.push({ offset: i, message: "f-string: single '}' is not allowed" });
      i += text[i + 1] === c ? 2 : 1;
    } else i++;
  }
  const info: PyStringInfo = { bytes: prefix.bytes, fields };
  if (!closed) {
    errors.push({ offset: start, message: quote.length === 3 ? 'unterminated triple-quoted string literal' : 'unterminated string literal' });
    return { end: i, info, errors };
  }
  if (!prefix.format) info.value = prefix.raw ? text.slice(bodyStart, i) : decodeString(text.slice(bodyStart, i));
  return { end: i + quote.length, info, errors };
}

/**
 * Reads an f-string replacement field after its `{`: the expression (tokenized with the file's
 * rules), an optional debugging `=`, a `!conversion` and a `:format spec` whose own `{fields}`
 * are read too, up to the closing `}`.
 */
function readField(text: string, from: number, quote: string): { end: number; fields: PyToken[][]; errors: PySyntaxError[] } {
  const sub = new Tokenizer(text, from);
  // Since Python 3.12 a field may hold strings in the f-string's own quotes (`f"{d["k"]}"`), so a
  // quote there starts a string; a line break still ends a single-quoted f-string's field.
  const atEnd = (): boolean => sub.pos >= text.length || (quote.length === 1 && (text[sub.pos] === '\n' || text[sub.pos] === '\r'));
  while (!atEnd()) {
    const c = text[sub.pos] ?? '';
    if (sub.brackets.length === 0 && (c === '}' || (c === '!' && text[sub.pos + 1] !== '=') || c === ':')) break;
    if (c === ' ' || c === '\t' || c === '\f' || c === '\n' || c === '\r') sub.pos++;
    else if (c === '#') while (sub.pos < text.length && text[sub.pos] !== '\n') sub.pos++;
    else sub.token();
  }
  const tokens = sub.tokens;
  // `f"{x=}"`: the debugging `=` belongs to the field, not to the expression.
  const last = tokens[tokens.length - 1];
  if (last?.kind === 'op' && last.text === '=') tokens.pop();
  const errors = [...sub.errors];
  const fields: PyToken[][] = [tokens];
  if (tokens.length === 0) errors.push({ offset: from, message: "f-string: valid expression required before '}'" });
  let i = sub.pos;
  if (text[i] === '!') {
    i++;
    while (i < text.length && /\w/.test(text[i] ?? '')) i++;
  }
  if (text[i] === ':') {
    i++;
    while (i < text.length && text[i] !== '}' && !text.startsWith(quote, i) && !(quote.length === 1 && text[i] === '\n')) {
      if (text[i] === '{' && text[i + 1] !== '{') {
        const nested = readField(text, i + 1, quote);
        fields.push(...nested.fields);
        errors.push(...nested.errors);
        i = nested.end;
      } else i += text[i] === '{' ? 2 : 1;
    }
  }
  if (text[i] === '}') return { end: i + 1, fields, errors };
  errors.push({ offset: from - 1, message: "f-string: expecting '}'" });
  return { end: i, fields, errors };
}
