import type { Expr, Param } from './ast';
import { JinjaError, type Tok } from './lexer';
import { TokenStream } from './tokenStream';

const COMPARE = new Set(['==', '!=', '<', '>', '<=', '>=']);

/** Recursive-descent parser for Jinja expressions, following Jinja2's precedence. */
export class ExprParser extends TokenStream {
  /** `a`, `a, b`, `(a, b)` or `ns.attr` (when `allowAttr`). */
  parseTargets(allowAttr = false): string[] {
    const names: string[] = [];
    const paren = this.acceptOp('(');
    do {
      let name = this.expectNameToken();
      if (allowAttr && this.acceptOp('.')) name += `.${this.expectNameToken()}`;
      names.push(name);
    } while (this.acceptOp(','));
    if (paren) this.expectOp(')');
    return names;
  }

  /** `(a, b=1, c='x')` */
  parseParams(): Param[] {
    const params: Param[] = [];
    this.expectOp('(');
    while (!this.acceptOp(')')) {
      const name = this.expectNameToken();
      params.push(this.acceptOp('=') ? { name, default: this.parseExpression() } : { name });
      if (!this.acceptOp(',')) {
        this.expectOp(')');
        break;
      }
    }
    return params;
  }

  /**
   * Full expression; with `tuple`, a bare `a, b` becomes a tuple. Without `condexpr`, a trailing
   * `if` is left for the caller (the filter of `{% for x in xs if cond %}`).
   */
  parseExpression(tuple = false, condexpr = true): Expr {
    const pos = this.pos();
    const one = (): Expr => (condexpr ? this.parseCond() : this.parseOr());
    const first = one();
    if (!tuple || !this.peekOp(',')) return first;
    const items = [first];
    while (this.acceptOp(',')) {
      if (this.atEnd() || this.peekName('if')) break;
      items.push(one());
    }
    return { t: 'tuple', pos, items };
  }

  private parseCond(): Expr {
    const pos = this.pos();
    const expr = this.parseOr();
    if (!this.acceptName('if')) return expr;
    const test = this.parseOr();
    const otherwise = this.acceptName('else') ? this.parseCond() : undefined;
    return { t: 'cond', pos, test, then: expr, ...(otherwise ? { else: otherwise } : {}) };
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.peekName('or')) {
      const pos = this.pos();
      this.i++;
      left = { t: 'bin', pos, op: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.peekName('and')) {
      const pos = this.pos();
      this.i++;
      left = { t: 'bin', pos, op: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Expr {
    const pos = this.pos();
    if (this.acceptName('not')) return { t: 'unary', pos, op: 'not', expr: this.parseNot() };
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    let left = this.parseMath1();
    for (;;) {
      const t = this.toks[this.i];
      const pos = this.pos();
      if (t?.kind === 'op' && COMPARE.has(t.value)) {
        this.i++;
        left = { t: 'bin', pos, op: t.value, left, right: this.parseMath1() };
      } else if (this.acceptName('in')) {
        left = { t: 'bin', pos, op: 'in', left, right: this.parseMath1() };
      } else if (this.peekName('not') && this.toks[this.i + 1]?.value === 'in') {
        this.i += 2;
        left = { t: 'bin', pos, op: 'notin', left, right: this.parseMath1() };
      } else return left;
    }
  }

  private parseMath1(): Expr {
    let left = this.parseConcat();
    while (this.peekOp('+') || this.peekOp('-')) {
      const t = this.toks[this.i++] as Tok;
      left = { t: 'bin', pos: t.pos, op: t.value, left, right: this.parseConcat() };
    }
    return left;
  }

  private parseConcat(): Expr {
    let left = this.parseMath2();
    while (this.peekOp('~')) {
      const pos = this.pos();
      this.i++;
      left = { t: 'bin', pos, op: '~', left, right: this.parseMath2() };
    }
    return left;
  }

  private parseMath2(): Expr {
    let left = this.parsePow();
    while (this.peekOp('*') || this.peekOp('/') || this.peekOp('//') || this.peekOp('%')) {
      const t = this.toks[this.i++] as Tok;
      left = { t: 'bin', pos: t.pos, op: t.value, left, right: this.parsePow() };
    }
    return left;
  }

  private parsePow(): Expr {
    let left = this.parseUnary();
    while (this.peekOp('**')) {
      const pos = this.pos();
      this.i++;
      left = { t: 'bin', pos, op: '**', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): Expr {
    const pos = this.pos();
    if (this.acceptOp('-')) return this.parseFilters({ t: 'unary', pos, op: '-', expr: this.parseUnary() });
    if (this.acceptOp('+')) return this.parseFilters({ t: 'unary', pos, op: '+', expr: this.parseUnary() });
    return this.parseFilters(this.parsePostfix(this.parsePrimary()));
  }

  private parseFilters(expr: Expr): Expr {
    let node = expr;
    for (;;) {
      const pos = this.pos();
      if (this.acceptOp('|')) {
        const name = this.dottedName();
        const { args, kwargs } = this.peekOp('(') ? this.parseCallArgs() : { args: [], kwargs: [] };
        node = this.parsePostfix({ t: 'filter', pos, expr: node, name, args, kwargs });
      } else if (this.acceptName('is')) {
        const negated = this.acceptName('not');
        const name = this.dottedName();
        let args: Expr[] = [];
        if (this.peekOp('(')) args = this.parseCallArgs().args;
        else if (this.startsPrimary()) args = [this.parseMath1()];
        node = { t: 'test', pos, expr: node, name, args, negated };
      } else return node;
    }
  }

  private dottedName(): string {
    let name = this.expectNameToken();
    while (this.acceptOp('.')) name += `.${this.expectNameToken()}`;
    return name;
  }

  private startsPrimary(): boolean {
    const t = this.toks[this.i];
    if (!t) return false;
    if (t.kind === 'string' || t.kind === 'number') return true;
    if (t.kind === 'name') return !['and', 'or', 'else', 'if', 'in', 'is', 'not'].includes(t.value);
    return t.value === '(' || t.value === '[' || t.value === '{';
  }

  private parsePostfix(expr: Expr): Expr {
    let node = expr;
    for (;;) {
      const pos = this.pos();
      if (this.acceptOp('.')) {
        const t = this.toks[this.i++];
        if (!t || (t.kind !== 'name' && t.kind !== 'number')) throw this.err('expected an attribute name');
        node = { t: 'attr', pos: node.pos, obj: node, name: t.value };
      } else if (this.peekOp('(')) {
        // Calls are located at their callee so diagnostics point at the macro name.
        node = { t: 'call', pos: node.pos, fn: node, ...this.parseCallArgs() };
      } else if (this.acceptOp('[')) {
        node = this.parseSubscript(node, pos);
      } else return node;
    }
  }

  private parseSubscript(obj: Expr, pos: number): Expr {
    const parts: (Expr | undefined)[] = [undefined];
    let isSlice = false;
    while (!this.acceptOp(']')) {
      if (this.acceptOp(':')) {
        isSlice = true;
        parts.push(undefined);
        continue;
      }
      if (this.atEnd()) throw this.err("expected ']'");
      parts[parts.length - 1] = this.parseExpression(true);
    }
    if (!isSlice) {
      const key = parts[0];
      if (!key) throw new JinjaError('empty subscript', pos);
      return { t: 'index', pos, obj, key };
    }
    const [start, stop, step] = parts;
    return { t: 'slice', pos, obj, ...(start ? { start } : {}), ...(stop ? { stop } : {}), ...(step ? { step } : {}) };
  }

  parseCallArgs(): { args: Expr[]; kwargs: [string, Expr][]; star?: Expr; kwstar?: Expr } {
    this.expectOp('(');
    const args: Expr[] = [];
    const kwargs: [string, Expr][] = [];
    let star: Expr | undefined;
    let kwstar: Expr | undefined;
    while (!this.acceptOp(')')) {
      if (this.acceptOp('**')) kwstar = this.parseCond();
      else if (this.acceptOp('*')) star = this.parseCond();
      else if (this.toks[this.i]?.kind === 'name' && this.toks[this.i + 1]?.value === '=') {
        const name = this.expectNameToken();
        this.i++;
        kwargs.push([name, this.parseCond()]);
      } else args.push(this.parseCond());
      if (!this.acceptOp(',')) {
        this.expectOp(')');
        break;
      }
    }
    return { args, kwargs, ...(star ? { star } : {}), ...(kwstar ? { kwstar } : {}) };
  }

  private parsePrimary(): Expr {
    const t = this.toks[this.i];
    if (!t) throw this.err('expected an expression');
    const pos = t.pos;
    this.i++;
    if (t.kind === 'string') {
      let value = t.value;
      while (this.toks[this.i]?.kind === 'string') value += (this.toks[this.i++] as Tok).value;
      return { t: 'lit', pos, value };
    }
    if (t.kind === 'number') return { t: 'lit', pos, value: Number(t.value) };
    if (t.kind === 'name') {
      if (t.value === 'true' || t.value === 'True') return { t: 'lit', pos, value: true };
      if (t.value === 'false' || t.value === 'False') return { t: 'lit', pos, value: false };
      if (t.value === 'none' || t.value === 'None') return { t: 'lit', pos, value: null };
      return { t: 'name', pos, name: t.value };
    }
    if (t.value === '(') {
      if (this.acceptOp(')')) return { t: 'tuple', pos, items: [] };
      const inner = this.parseExpression(true);
      this.expectOp(')');
      return inner.t === 'tuple' ? inner : inner;
    }
    if (t.value === '[') {
      const items: Expr[] = [];
      while (!this.acceptOp(']')) {
        items.push(this.parseCond());
        if (!this.acceptOp(',')) {
          this.expectOp(']');
          break;
        }
      }
      return { t: 'list', pos, items };
    }
    if (t.value === '{') {
      const entries: [Expr, Expr][] = [];
      while (!this.acceptOp('}')) {
        const key = this.parseCond();
        this.expectOp(':');
        entries.push([key, this.parseCond()]);
        if (!this.acceptOp(',')) {
          this.expectOp('}');
          break;
        }
      }
      return { t: 'dict', pos, entries };
    }
    this.i--;
    throw this.err('expected an expression');
  }
}
