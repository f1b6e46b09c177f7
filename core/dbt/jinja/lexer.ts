/**
 * Jinja lexer: splits a template into text, `{{ }}`, `{% %}` and `{# #}` segments and tokenizes the
 * expressions inside tags. Positions are offsets into the template; `LineIndex` turns them into
 * 1-based line/column so every error can point at the exact spot.
 */

/** Error raised by the lexer, parser or evaluator; always carries a template offset. */
export class JinjaError extends Error {
  /** Set once the error is located in a template other than the one being rendered (a macro file). */
  where?: { file: string; line: number; column: number };

  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly code: string = 'jinja-syntax',
  ) {
    super(reason);
  }

  /** Type guard for a given error code. */
  static is(err: unknown, code?: string): err is JinjaError {
    return err instanceof JinjaError && (code === undefined || err.code === code);
  }
}

/** Maps offsets to 1-based line and column. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  /** 1-based line and column of an offset (clamped into the text). */
  at(offset: number): { line: number; column: number } {
    const off = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: off - (this.starts[lo] ?? 0) + 1 };
  }
}

export type TokKind = 'name' | 'string' | 'number' | 'op';

/** One expression token. */
export interface Tok {
  kind: TokKind;
  value: string;
  pos: number;
}

/** One template segment. `start`/`end` span the whole tag including delimiters. */
export type Segment =
  | { type: 'text'; value: string; start: number; end: number }
  | { type: 'var' | 'block'; tokens: Tok[]; start: number; end: number; lstrip: boolean; rstrip: boolean }
  | { type: 'comment'; start: number; end: number; lstrip: boolean; rstrip: boolean };

const OPS = ['-}}', '-%}', '==', '!=', '<=', '>=', '//', '**', '}}', '%}', '<', '>', '+', '-', '*', '/', '%', '~', '|', '.', ',', ':', '(', ')', '[', ']', '{', '}', '='];

/** Splits a template into segments; throws `JinjaError` on an unterminated tag, string or comment. */
export function lex(text: string): Segment[] {
  const out: Segment[] = [];
  let pos = 0;
  while (pos < text.length) {
    const open = findOpen(text, pos);
    if (open < 0) {
      out.push({ type: 'text', value: text.slice(pos), start: pos, end: text.length });
      break;
    }
    if (open > pos) out.push({ type: 'text', value: text.slice(pos, open), start: pos, end: open });
    const kind = text[open + 1];
    const lstrip = text[open + 2] === '-';
    const bodyStart = open + 2 + (lstrip || text[open + 2] === '+' ? 1 : 0);
    if (kind === '#') {
      const close = text.indexOf('#}', bodyStart);
      if (close < 0) throw new JinjaError('unterminated comment: missing #}', open);
      out.push({ type: 'comment', start: open, end: close + 2, lstrip, rstrip: text[close - 1] === '-' });
      pos = close + 2;
      continue;
    }
    const { tokens, end, rstrip } = tokenize(text, bodyStart, kind === '{' ? '}}' : '%}', open);
    const seg: Segment = { type: kind === '{' ? 'var' : 'block', tokens, start: open, end, lstrip, rstrip };
    out.push(seg);
    pos = end;
    if (seg.type === 'block' && tokens.length === 1 && tokens[0]?.value === 'raw') pos = lexRaw(text, pos, out);
  }
  return out;
}

function findOpen(text: string, from: number): number {
  for (let i = text.indexOf('{', from); i >= 0 && i < text.length - 1; i = text.indexOf('{', i + 1)) {
    const c = text[i + 1];
    if (c === '{' || c === '%' || c === '#') return i;
  }
  return -1;
}

/** Consumes `{% raw %}…{% endraw %}` content as text. */
function lexRaw(text: string, pos: number, out: Segment[]): number {
  const re = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;
  re.lastIndex = pos;
  const m = re.exec(text);
  if (!m) throw new JinjaError('unterminated raw block: missing {% endraw %}', pos);
  out.push({ type: 'text', value: text.slice(pos, m.index), start: pos, end: m.index });
  out.push({ type: 'block', tokens: [{ kind: 'name', value: 'endraw', pos: m.index + 2 }], start: m.index, end: m.index + m[0].length, lstrip: false, rstrip: false });
  return m.index + m[0].length;
}

function tokenize(text: string, from: number, closer: '}}' | '%}', tagStart: number): { tokens: Tok[]; end: number; rstrip: boolean } {
  const tokens: Tok[] = [];
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (depth === 0 && (text.startsWith(closer, i) || text.startsWith(`-${closer}`, i))) {
      const rstrip = c === '-';
      return { tokens, end: i + closer.length + (rstrip ? 1 : 0), rstrip };
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 200)) as RegExpExecArray;
      tokens.push({ kind: 'name', value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^\d[\d_]*(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 100)) as RegExpExecArray;
      tokens.push({ kind: 'number', value: m[0].replace(/_/g, ''), pos: i });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ kind: 'string', value, pos: i });
      i = end;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i) && o !== '-}}' && o !== '-%}' && o !== '}}' && o !== '%}');
    if (op === undefined) throw new JinjaError(`unexpected character '${c}' in tag`, i);
    if (op === '(' || op === '[' || op === '{') depth++;
    if (op === ')' || op === ']' || op === '}') depth = Math.max(0, depth - 1);
    tokens.push({ kind: 'op', value: op, pos: i });
    i += op.length;
  }
  throw new JinjaError(`unterminated tag: missing ${closer}`, tagStart);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

function readString(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '\\' && i + 1 < text.length) {
      const n = text[i + 1] ?? '';
      value += ESCAPES[n] ?? `\\${n}`;
      i++;
      continue;
    }
    if (c === quote) return { value, end: i + 1 };
    value += c;
  }
  throw new JinjaError('unterminated string literal', start);
}
