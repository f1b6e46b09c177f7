import type { PySyntaxError, PyToken } from './tokenizer';

/**
 * The token cursor the Python parsers share: look-ahead, matching and syntax errors. A syntax
 * error throws `PyParseError`; the statement parser records it and resumes at the next line.
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

/** Augmented assignment operators. */
export const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '@=', '&=', '|=', '^=', '>>=', '<<=', '**=']);

/** A cursor over a token list that ends with an `end` token. */
export abstract class TokenCursor {
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

  protected span(startTok: PyToken): { start: number; end: number } {
    return { start: startTok.start, end: this.tokens[this.i - 1]?.end ?? startTok.end };
  }

  /** Skips a bracketed group (type parameters `[T: int]`), which holds no calls worth reading. */
  protected skipBrackets(): void {
    let depth = 0;
    do {
      const tok = this.next();
      if (tok.kind === 'end') this.fail();
      if (tok.kind === 'op' && '([{'.includes(tok.text)) depth++;
      if (tok.kind === 'op' && ')]}'.includes(tok.text)) depth--;
    } while (depth > 0);
  }
}
