import type { PyArg, PyConst, PyExpr } from './ast';
import type { PySyntaxError, PyToken } from './tokenizer';

/**
 * Recursive-descent parser for Python expressions (CPython 3.12's grammar: conditional
 * expressions, lambdas, comprehensions, `:=`, star-expressions, `await`, `yield`, slices,
 * f-string fields). Statements are parsed on top of it (`statements.ts`). A syntax error throws
 * `PyParseError`; the statement parser records it and resumes at the next line.
 */

/** A syntax error while parsing; carries the offending token's offset. */
export class PyParseError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Python's hard keywords: never names. */
export const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield',
]);

const BINARY: string[][] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '//', '%', '@']];
const COMPARE = new Set(['<', '>', '==', '>=', '<=', '!=']);
const LIST_END = new Set([')', ']', '}', '=', ':', ';']);
/** Augmented assignment operators. */
export const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '@=', '&=', '|=', '^=', '>>=', '<<=', '**=']);

/** Cursor and expression grammar over a token list that ends with an `end` token. */
export class ExprParser {
  protected i = 0;

  constructor(
    protected readonly tokens: PyToken[],
    protected readonly errors: PySyntaxError[],
  ) {}

  protected peek(k = 0): PyToken {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)] as PyToken;
  }

  protected next(): PyToken {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  protected isOp(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'op' && t.text === text;
  }

  protected isKw(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'name' && t.text === text;
  }

  protected accept(text: string): PyToken | undefined {
    const t = this.peek();
    return (t.kind === 'op' || t.kind === 'name') && t.text === text ? this.next() : undefined;
  }

  protected expect(text: string): PyToken {
    const t = this.accept(text);
    if (!t) this.fail(text === ':' ? "expected ':'" : 'invalid syntax');
    return t as PyToken;
  }

  protected fail(reason = 'invalid syntax', at = this.peek()): never {
    throw new PyParseError(at.start, reason);
  }

  private span(startTok: PyToken): { start: number; end: number } {
    return { start: startTok.start, end: this.tokens[this.i - 1]?.end ?? startTok.end };
  }

  /** `a, *b, c` (a tuple when there is a comma), the right side of assignments and `return`. */
  parseStarList(): PyExpr {
    const first = this.peek();
    const items = [this.parseStarOrTest()];
    let comma = false;
    while (this.accept(',')) {
      comma = true;
      if (this.atListEnd()) break;
      items.push(this.parseStarOrTest());
    }
    return comma ? { t: 'tuple', items, ...this.span(first) } : (items[0] as PyExpr);
  }

  /** True where an expression list may end (after a trailing comma). */
  protected atListEnd(): boolean {
    const t = this.peek();
    return t.kind === 'newline' || t.kind === 'end' || (t.kind === 'op' && (LIST_END.has(t.text) || AUGMENTED.has(t.text))) || this.isKw('in');
  }

  /** `*expr` or a full expression (with `:=`). */
  parseStarOrTest(): PyExpr {
    const t = this.peek();
    if (this.accept('*')) return { t: 'starred', value: this.parseBinary(0), ...this.span(t) };
    return this.parseNamed();
  }

  /** `name := value` or an expression. */
  parseNamed(): PyExpr {
    const t = this.peek();
    if (t.kind === 'name' && !KEYWORDS.has(t.text) && this.isOp(':=', 1)) {
      this.i += 2;
      return { t: 'other', kind: 'walrus', children: [this.parseTest()], ...this.span(t) };
    }
    return this.parseTest();
  }

  /** A full expression: lambda or `a if b else c`. */
  parseTest(): PyExpr {
    const t = this.peek();
    if (this.isKw('lambda')) return this.parseLambda();
    const body = this.parseOr();
    if (!this.isKw('if')) return body;
    this.next();
    const test = this.parseOr();
    this.expect('else');
    const orelse = this.parseTest();
    return { t: 'other', kind: 'ifexp', children: [body, test, orelse], ...this.span(t) };
  }

  private parseLambda(): PyExpr {
    const t = this.next();
    const children: PyExpr[] = [];
    while (!this.isOp(':')) {
      if (this.accept('*') || this.accept('**')) {
        if (this.peek().kind === 'name') this.next();
      } else if (this.accept('/')) {
        // Positional-only marker.
      } else {
        if (this.peek().kind !== 'name' || KEYWORDS.has(this.peek().text)) this.fail();
        this.next();
        if (this.accept('=')) children.push(this.parseTest());
      }
      if (!this.accept(',')) break;
    }
    this.expect(':');
    children.push(this.parseTest());
    return { t: 'other', kind: 'lambda', children, ...this.span(t) };
  }

  /** `or`-level expression (what comprehension iterables and conditions are). */
  protected parseOr(): PyExpr {
    const t = this.peek();
    let left = this.parseAnd();
    while (this.isKw('or')) {
      this.next();
      left = { t: 'other', kind: 'boolop', children: [left, this.parseAnd()], ...this.span(t) };
    }
    return left;
  }

  private parseAnd(): PyExpr {
    const t = this.peek();
    let left = this.parseNot();
    while (this.isKw('and')) {
      this.next();
      left = { t: 'other', kind: 'boolop', children: [left, this.parseNot()], ...this.span(t) };
    }
    return left;
  }

  private parseNot(): PyExpr {
    const t = this.peek();
    if (this.isKw('not')) {
      this.next();
      return { t: 'unary', op: 'not', operand: this.parseNot(), ...this.span(t) };
    }
    return this.parseComparison();
  }

  private parseComparison(): PyExpr {
    const t = this.peek();
    const children = [this.parseBinary(0)];
    for (;;) {
      const p = this.peek();
      if (p.kind === 'op' && COMPARE.has(p.text)) this.next();
      else if (this.isKw('in') || this.isKw('is')) {
        this.next();
        this.accept('not');
      } else if (this.isKw('not') && this.isKw('in', 1)) this.i += 2;
      else break;
      children.push(this.parseBinary(0));
    }
    return children.length === 1 ? (children[0] as PyExpr) : { t: 'other', kind: 'compare', children, ...this.span(t) };
  }

  /** Binary operators by precedence level (`|` lowest … `*` highest), then unary and power. */
  protected parseBinary(level: number): PyExpr {
    const ops = BINARY[level];
    if (!ops) return this.parseFactor();
    const t = this.peek();
    let left = this.parseBinary(level + 1);
    while (this.peek().kind === 'op' && ops.includes(this.peek().text)) {
      const op = this.next().text;
      left = { t: 'binop', op, left, right: this.parseBinary(level + 1), ...this.span(t) };
    }
    return left;
  }

  private parseFactor(): PyExpr {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '+' || t.text === '-' || t.text === '~')) {
      this.next();
      return { t: 'unary', op: t.text, operand: this.parseFactor(), ...this.span(t) };
    }
    const base = this.parsePrimary();
    if (!this.accept('**')) return base;
    return { t: 'binop', op: '**', left: base, right: this.parseFactor(), ...this.span(t) };
  }

  /** An atom with its trailers: `.name`, `(args)`, `[subscript]`; `await` before it. */
  protected parsePrimary(): PyExpr {
    const t = this.peek();
    if (this.isKw('await')) {
      this.next();
      return { t: 'other', kind: 'await', children: [this.parsePrimary()], ...this.span(t) };
    }
    let e = this.parseAtom();
    for (;;) {
      if (this.accept('.')) {
        const name = this.next();
        if (name.kind !== 'name') this.fail('invalid syntax', name);
        e = { t: 'attr', obj: e, name: name.text, ...this.span(t) };
      } else if (this.isOp('(')) {
        const args = this.parseCallArgs();
        e = { t: 'call', func: e, args, ...this.span(t) };
      } else if (this.accept('[')) {
        const children = [e, ...this.parseSubscript()];
        this.expect(']');
        e = { t: 'other', kind: 'subscript', children, ...this.span(t) };
      } else return e;
    }
  }

  /** `(a, b=1, *c, **d)` or `(x for x in y)`. */
  parseCallArgs(): PyArg[] {
    this.expect('(');
    const args: PyArg[] = [];
    while (!this.isOp(')')) {
      const t = this.peek();
      if (this.accept('**')) args.push({ star: '**', value: this.parseTest(), ...this.span(t) });
      else if (this.accept('*')) args.push({ star: '*', value: this.parseTest(), ...this.span(t) });
      else if (t.kind === 'name' && !KEYWORDS.has(t.text) && this.isOp('=', 1)) {
        this.i += 2;
        args.push({ name: t.text, value: this.parseTest(), ...this.span(t) });
      } else {
        let value = this.parseNamed();
        if (this.isKw('for') || this.isKw('async')) value = this.parseComprehension('genexp', t, [value]);
        args.push({ value, ...this.span(t) });
      }
      if (!this.accept(',')) break;
    }
    this.expect(')');
    return args;
  }

  private parseSubscript(): PyExpr[] {
    const out: PyExpr[] = [];
    do {
      if (this.isOp(']')) break;
      const t = this.peek();
      const parts: PyExpr[] = [];
      let slice = false;
      if (!this.isOp(':')) parts.push(this.parseStarOrTest());
      while (this.accept(':')) {
        slice = true;
        if (!this.isOp(':') && !this.isOp(']') && !this.isOp(',')) parts.push(this.parseTest());
      }
      out.push(!slice && parts[0] ? parts[0] : { t: 'other', kind: 'slice', children: parts, ...this.span(t) });
    } while (this.accept(','));
    return out;
  }

  /** `for targets in iter [if cond]… [for …]` after the element(s) already parsed. */
  private parseComprehension(kind: string, t: PyToken, elements: PyExpr[]): PyExpr {
    const children = [...elements];
    while (this.isKw('for') || (this.isKw('async') && this.isKw('for', 1))) {
      if (this.isKw('async')) this.next();
      this.next();
      children.push(this.parseTargets());
      this.expect('in');
      children.push(this.parseOr());
      while (this.isKw('if')) {
        this.next();
        children.push(this.parseOr());
      }
    }
    return { t: 'other', kind, children, ...this.span(t) };
  }

  /** Assignment targets of `for` (before `in`): star-expressions at `|` level. */
  parseTargets(): PyExpr {
    const t = this.peek();
    const items: PyExpr[] = [];
    let comma = false;
    do {
      if (items.length > 0 && this.isKw('in')) break;
      const s = this.peek();
      items.push(this.accept('*') ? { t: 'starred', value: this.parseBinary(0), ...this.span(s) } : this.parseBinary(0));
      comma ||= this.isOp(',');
    } while (this.accept(','));
    return comma ? { t: 'tuple', items, ...this.span(t) } : (items[0] as PyExpr);
  }

  private parseAtom(): PyExpr {
    const t = this.peek();
    if (t.kind === 'name') {
      this.next();
      if (t.text === 'True' || t.text === 'False') return { t: 'const', value: { k: 'bool', v: t.text === 'True' }, ...this.span(t) };
      if (t.text === 'None') return { t: 'const', value: { k: 'none' }, ...this.span(t) };
      if (KEYWORDS.has(t.text)) this.fail('invalid syntax', t);
      return { t: 'name', id: t.text, ...this.span(t) };
    }
    if (t.kind === 'number') {
      this.next();
      return { t: 'const', value: numberConst(t.text), ...this.span(t) };
    }
    if (t.kind === 'string') return this.parseStrings();
    if (this.accept('...')) return { t: 'const', value: { k: 'ellipsis' }, ...this.span(t) };
    if (this.accept('(')) return this.parseParens(t);
    if (this.accept('[')) {
      const e = this.parseSequence('list', ']', t);
      this.expect(']');
      return { ...e, ...this.span(t) };
    }
    if (this.accept('{')) return this.parseBraces(t);
    return this.fail('invalid syntax', t);
  }

  private parseParens(t: PyToken): PyExpr {
    if (this.accept(')')) return { t: 'tuple', items: [], ...this.span(t) };
    if (this.isKw('yield')) {
      const y = this.parseYield();
      this.expect(')');
      return y;
    }
    const e = this.parseSequence('tuple', ')', t);
    this.expect(')');
    return e.t === 'tuple' || (e.t === 'other' && e.kind === 'genexp') ? { ...e, ...this.span(t) } : e;
  }

  /** Items of `(…)` or `[…]`: a comprehension, or a comma list (a lone parenthesized item stays itself). */
  private parseSequence(kind: 'list' | 'tuple', close: string, t: PyToken): PyExpr {
    if (this.isOp(close)) return { t: kind, items: [], ...this.span(t) };
    const first = this.parseStarOrTest();
    if (this.isKw('for') || this.isKw('async')) return this.parseComprehension(kind === 'list' ? 'listcomp' : 'genexp', t, [first]);
    const items = [first];
    let comma = false;
    while (this.accept(',')) {
      comma = true;
      if (this.isOp(close)) break;
      items.push(this.parseStarOrTest());
    }
    return kind === 'tuple' && !comma ? first : { t: kind, items, ...this.span(t) };
  }

  private parseBraces(t: PyToken): PyExpr {
    if (this.accept('}')) return { t: 'dict', entries: [], ...this.span(t) };
    const entries: { key?: PyExpr; value: PyExpr }[] = [];
    const items: PyExpr[] = [];
    let isDict = false;
    let first = true;
    do {
      if (this.isOp('}')) break;
      if (this.accept('**')) {
        isDict = true;
        entries.push({ value: this.parseBinary(0) });
      } else {
        const k = this.parseStarOrTest();
        if ((first || isDict) && this.accept(':')) {
          isDict = true;
          entries.push({ key: k, value: this.parseTest() });
        } else items.push(k);
      }
      if (first && (this.isKw('for') || this.isKw('async'))) {
        const head = entries[0];
        const elements = isDict && head ? [...(head.key ? [head.key] : []), head.value] : items;
        const comp = this.parseComprehension(isDict ? 'dictcomp' : 'setcomp', t, elements);
        this.expect('}');
        return { ...comp, ...this.span(t) };
      }
      first = false;
    } while (this.accept(','));
    this.expect('}');
    return isDict ? { t: 'dict', entries, ...this.span(t) } : { t: 'set', items, ...this.span(t) };
  }

  /** `yield x`, `yield from x` or a bare `yield`. */
  parseYield(): PyExpr {
    const t = this.next();
    if (this.accept('from')) return { t: 'other', kind: 'yield', children: [this.parseTest()], ...this.span(t) };
    if (this.atListEnd()) return { t: 'other', kind: 'yield', children: [], ...this.span(t) };
    return { t: 'other', kind: 'yield', children: [this.parseStarList()], ...this.span(t) };
  }

  /** Adjacent string literals: one constant, or an f-string whose fields are expressions. */
  private parseStrings(): PyExpr {
    const t = this.peek();
    const parts: PyToken[] = [];
    while (this.peek().kind === 'string') parts.push(this.next());
    const bytes = parts.map((p) => p.str?.bytes ?? false);
    if (bytes.some((b) => b) && bytes.some((b) => !b)) this.fail('cannot mix bytes and nonbytes literals', t);
    if (parts.every((p) => p.str?.value !== undefined)) {
      const v = parts.map((p) => p.str?.value ?? '').join('');
      return { t: 'const', value: bytes[0] ? { k: 'bytes', v } : { k: 'str', v }, ...this.span(t) };
    }
    const children: PyExpr[] = [];
    for (const p of parts) for (const field of p.str?.fields ?? []) children.push(...this.parseField(field));
    return { t: 'other', kind: 'fstring', children, ...this.span(t) };
  }

  /** One f-string field's tokens as an expression (nothing when the field is empty: already an error). */
  private parseField(field: PyToken[]): PyExpr[] {
    const last = field[field.length - 1];
    if (!last) return [];
    const sub = new ExprParser([...field, { kind: 'end', text: '', start: last.end, end: last.end }], this.errors);
    const e = sub.isKw('yield') ? sub.parseYield() : sub.parseStarList();
    if (sub.peek().kind !== 'end') sub.fail("f-string: expecting '}'");
    return [e];
  }
}

/** The constant of a number token, typed like Python (int, float or complex). */
function numberConst(text: string): PyConst {
  const clean = text.replace(/_/g, '');
  if (/[jJ]$/.test(clean)) return { k: 'complex', v: clean };
  if (/^0[xX]/.test(clean)) return { k: 'int', v: BigInt(clean).toString() };
  if (/^0[oO]/.test(clean)) return { k: 'int', v: BigInt(`0o${clean.slice(2)}`).toString() };
  if (/^0[bB]/.test(clean)) return { k: 'int', v: BigInt(clean).toString() };
  if (/^\d+$/.test(clean)) return { k: 'int', v: BigInt(clean).toString() };
  return { k: 'float', v: Number(clean) };
}
