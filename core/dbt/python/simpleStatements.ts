import type { PyExpr, PyStmt } from './ast';
import { AUGMENTED, KEYWORDS } from './cursor';
import { ExprParser } from './expressions';
import type { PySyntaxError, PyToken } from './tokenizer';

/**
 * Python's simple statements (`return`, `raise`, `del`, `assert`, `global`, `import`, `type`,
 * expression statements and assignments of every form), one logical line of them separated by
 * `;`. Compound statements and blocks are `StmtParser` (statements.ts).
 */
export abstract class SimpleStmtParser extends ExprParser {
  constructor(
    tokens: PyToken[],
    errors: PySyntaxError[],
    private readonly lineStarts: number[],
  ) {
    super(tokens, errors);
  }

  protected lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  protected spanFrom(t: PyToken): { start: number; end: number } {
    return { start: t.start, end: this.tokens[this.i - 1]?.end ?? t.end };
  }

  /** Simple statements separated by `;` up to the end of the logical line. */
  protected simpleLine(): PyStmt[] {
    const out: PyStmt[] = [];
    do {
      if (this.peek().kind === 'newline' || this.peek().kind === 'end') break;
      out.push(this.smallStatement());
    } while (this.accept(';'));
    if (this.peek().kind === 'newline') this.next();
    else if (this.peek().kind !== 'end') this.fail();
    return out;
  }

  protected atStatementEnd(): boolean {
    const t = this.peek();
    return t.kind === 'newline' || t.kind === 'end' || (t.kind === 'op' && t.text === ';');
  }

  private smallStatement(): PyStmt {
    const t = this.peek();
    const exprs: PyExpr[] = [];
    const simple = (): PyStmt => ({ t: 'simple', exprs, ...this.spanFrom(t) });
    if (t.kind === 'name') {
      switch (t.text) {
        case 'pass':
        case 'break':
        case 'continue':
          this.next();
          return simple();
        case 'return': {
          this.next();
          if (this.atStatementEnd()) return { t: 'return', exprs, ...this.spanFrom(t) };
          const value = this.parseStarList();
          return { t: 'return', value, exprs: [value], ...this.spanFrom(t) };
        }
        case 'raise':
          this.next();
          if (!this.atStatementEnd()) {
            exprs.push(this.parseTest());
            if (this.accept('from')) exprs.push(this.parseTest());
          }
          return simple();
        case 'global':
        case 'nonlocal':
          this.next();
          do if (this.next().kind !== 'name') this.fail();
          while (this.accept(','));
          return simple();
        case 'del':
          this.next();
          exprs.push(this.parseStarList());
          return simple();
        case 'assert':
          this.next();
          exprs.push(this.parseTest());
          if (this.accept(',')) exprs.push(this.parseTest());
          return simple();
        case 'import':
        case 'from':
          // Imports hold no expressions; what dbt records of them (packages) is not cataloged.
          this.importStatement();
          return simple();
        case 'type':
          if (this.peek(1).kind === 'name' && (this.isOp('=', 2) || this.isOp('[', 2))) {
            this.i += 2;
            if (this.isOp('[')) this.skipBrackets();
            this.expect('=');
            exprs.push(this.parseTest());
            return simple();
          }
      }
    }
    const value = (): PyExpr => (this.isKw('yield') ? this.parseYield() : this.parseStarList());
    exprs.push(value());
    if (this.isOp('=')) while (this.accept('=')) exprs.push(value());
    else if (this.peek().kind === 'op' && AUGMENTED.has(this.peek().text)) {
      this.next();
      exprs.push(value());
    } else if (this.accept(':')) {
      exprs.push(this.parseTest());
      if (this.accept('=')) exprs.push(value());
    }
    return simple();
  }

  /** `import a.b as c, d` or `from ..a import (b as c, d)` / `from a import *`. */
  private importStatement(): void {
    const name = (): void => {
      const n = this.next();
      if (n.kind !== 'name' || KEYWORDS.has(n.text)) this.fail('invalid syntax', n);
    };
    const dotted = (): void => {
      name();
      while (this.accept('.')) name();
    };
    if (this.next().text === 'import') {
      do {
        dotted();
        if (this.accept('as')) name();
      } while (this.accept(','));
      return;
    }
    let relative = false;
    while (this.accept('.') || this.accept('...')) relative = true;
    if (!relative || !this.isKw('import')) dotted();
    this.expect('import');
    if (this.accept('*')) return;
    const paren = this.accept('(') !== undefined;
    do {
      if (paren && this.isOp(')')) break;
      name();
      if (this.accept('as')) name();
    } while (this.accept(','));
    if (paren) this.expect(')');
  }}
