import type { PyArg, PyExpr } from './ast';
import { AtomParser } from './atoms';
import { AUGMENTED, KEYWORDS } from './cursor';
import type { PySyntaxError, PyToken } from './tokenizer';

/**
 * Recursive-descent parser for Python expressions (CPython 3.12's grammar: conditional
 * expressions, lambdas, `:=`, star-expressions, `await`, comparisons and operators by precedence,
 * calls, attributes, subscripts and slices). Atoms and displays are in atoms.ts; statements are
 * parsed on top of this (`statements.ts`).
 */

const BINARY: string[][] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '//', '%', '@']];
const COMPARE = new Set(['<', '>', '==', '>=', '<=', '!=']);
const LIST_END = new Set([')', ']', '}', '=', ':', ';']);

/** The expression grammar over a token list that ends with an `end` token. */
export class ExprParser extends AtomParser {
  constructor(tokens: PyToken[], errors: PySyntaxError[]) {
    super(tokens, errors);
  }

  protected subParser(tokens: PyToken[]): AtomParser {
    return new ExprParser(tokens, this.errors);
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
}
