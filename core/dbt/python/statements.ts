import type { PyExpr, PyParam, PyStmt } from './ast';
import { AUGMENTED, KEYWORDS, PyParseError } from './cursor';
import { SimpleStmtParser } from './simpleStatements';
import { tokenize, type PySyntaxError, type PyToken } from './tokenizer';

/**
 * Python statements on top of the expression parser: simple statements, `def`, `class`,
 * decorators and every compound statement (`if`/`for`/`while`/`with`/`try`/`match`), with the
 * INDENT/DEDENT block structure. A syntax error is recorded (CPython's wording) and parsing resumes
 * at the next logical line, so a broken line costs only that line.
 */

/** A parsed module: its statements, every syntax error found (in file order) and its tokens. */
export interface PyModule {
  body: PyStmt[];
  errors: PySyntaxError[];
  tokens: PyToken[];
}

/** Parses a Python file. Never throws. */
export function parseModule(text: string): PyModule {
  const { tokens, errors } = tokenize(text);
  const parseErrors: PySyntaxError[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const body = new StmtParser(tokens, parseErrors, lineStarts).file();
  return { body, errors: [...errors, ...parseErrors].sort((a, b) => a.offset - b.offset), tokens };
}

const BLOCK_KINDS: Record<string, string> = { def: 'function definition', class: 'class definition' };

class StmtParser extends SimpleStmtParser {
  file(): PyStmt[] {
    const out: PyStmt[] = [];
    while (this.peek().kind !== 'end') {
      // A stray dedent follows an unindent error the tokenizer already reported.
      if (this.peek().kind === 'dedent') this.next();
      else out.push(...this.statement());
    }
    return out;
  }

  /** One statement line (several for `a; b`), or the statements of an unexpected indented block. */
  private statement(): PyStmt[] {
    const t = this.peek();
    if (t.kind === 'indent') {
      this.errors.push({ offset: t.start, message: 'unexpected indent' });
      this.next();
      return this.blockBody();
    }
    if (t.kind === 'newline') {
      this.next();
      return [];
    }
    try {
      return this.compoundOrSimple(t);
    } catch (err) {
      if (!(err instanceof PyParseError)) throw err;
      this.errors.push({ offset: err.offset, message: err.reason });
      return this.recover(t);
    }
  }

  /** Skips the rest of a broken logical line; an indented block after it is still read (as its body). */
  private recover(t: PyToken): PyStmt[] {
    while (this.peek().kind !== 'newline' && this.peek().kind !== 'end') this.next();
    this.next();
    if (this.peek().kind !== 'indent') return [];
    this.next();
    return [{ t: 'compound', keyword: 'error', exprs: [], body: this.blockBody(), ...this.spanFrom(t) }];
  }

  private blockBody(): PyStmt[] {
    const out: PyStmt[] = [];
    while (this.peek().kind !== 'dedent' && this.peek().kind !== 'end') out.push(...this.statement());
    if (this.peek().kind === 'dedent') this.next();
    return out;
  }

  /** The body after a header's `:`: an indented block, or simple statements on the same line. */
  private suite(kind: string, header: PyToken): PyStmt[] {
    if (this.peek().kind !== 'newline') return this.simpleLine();
    this.next();
    if (this.peek().kind !== 'indent') {
      const what = BLOCK_KINDS[kind] ?? `'${kind}' statement`;
      this.errors.push({ offset: this.peek().start, message: `expected an indented block after ${what} on line ${this.lineOf(header.start)}` });
      return [];
    }
    this.next();
    return this.blockBody();
  }

  private compoundOrSimple(t: PyToken): PyStmt[] {
    if (this.isOp('@')) return [this.decorated(t)];
    if (t.kind === 'name') {
      switch (t.text) {
        case 'def':
          return [this.funcDef(t, false, [])];
        case 'class':
          return [this.classDef(t, [])];
        case 'async':
          this.next();
          if (this.isKw('def')) return [this.funcDef(t, true, [])];
          if (this.isKw('for') || this.isKw('with')) return [this.compound(this.peek(), t)];
          return this.fail('invalid syntax', t);
        case 'if':
        case 'while':
        case 'for':
        case 'with':
        case 'try':
          return [this.compound(t, t)];
        case 'match':
          if (this.looksLikeMatch()) return [this.matchStmt(t)];
          break;
        case 'elif':
        case 'else':
        case 'except':
        case 'finally':
          return this.fail('invalid syntax', t);
      }
    }
    return this.simpleLine();
  }

  private decorated(t: PyToken): PyStmt {
    const decorators: PyExpr[] = [];
    while (this.accept('@')) {
      decorators.push(this.parseNamed());
      if (this.peek().kind !== 'newline') this.fail();
      this.next();
    }
    const at = this.peek();
    if (this.isKw('def')) return this.funcDef(t, false, decorators);
    if (this.isKw('class')) return this.classDef(t, decorators);
    if (this.isKw('async') && this.isKw('def', 1)) {
      this.next();
      return this.funcDef(t, true, decorators);
    }
    return this.fail('invalid syntax', at);
  }

  private funcDef(t: PyToken, isAsync: boolean, decorators: PyExpr[]): PyStmt {
    const header = this.next();
    const name = this.next();
    if (name.kind !== 'name' || KEYWORDS.has(name.text)) this.fail('invalid syntax', name);
    if (this.isOp('[')) this.skipBrackets();
    this.expect('(');
    const exprs = [...decorators];
    const params = this.parameters(exprs);
    this.expect(')');
    if (this.accept('->')) exprs.push(this.parseTest());
    this.expect(':');
    const body = this.suite('def', header);
    return { t: 'def', name: name.text, async: isAsync, params, exprs, body, ...this.spanFrom(t) };
  }

  /** A `def`'s parameter list (annotations and defaults go to `exprs`). */
  private parameters(exprs: PyExpr[]): PyParam[] {
    const params: PyParam[] = [];
    let kind: 'normal' | 'kwonly' = 'normal';
    const name = (): string => {
      const n = this.next();
      if (n.kind !== 'name' || KEYWORDS.has(n.text)) this.fail('invalid syntax', n);
      return n.text;
    };
    while (!this.isOp(')')) {
      if (this.accept('/')) {
        for (const p of params) if (p.kind === 'normal') p.kind = 'posonly';
      } else if (this.accept('**')) {
        params.push({ name: name(), kind: 'kwarg' });
        if (this.accept(':')) exprs.push(this.parseTest());
      } else if (this.accept('*')) {
        if (this.peek().kind === 'name') params.push({ name: name(), kind: 'vararg' });
        if (this.accept(':')) exprs.push(this.parseStarOrTest());
        kind = 'kwonly';
      } else {
        params.push({ name: name(), kind });
        if (this.accept(':')) exprs.push(this.parseTest());
        if (this.accept('=')) exprs.push(this.parseTest());
      }
      if (!this.accept(',')) break;
    }
    return params;
  }

  private classDef(t: PyToken, decorators: PyExpr[]): PyStmt {
    const header = this.next();
    const name = this.next();
    if (name.kind !== 'name' || KEYWORDS.has(name.text)) this.fail('invalid syntax', name);
    if (this.isOp('[')) this.skipBrackets();
    const exprs = [...decorators];
    if (this.isOp('(')) exprs.push(...this.parseCallArgs().map((a) => a.value));
    this.expect(':');
    return { t: 'class', name: name.text, exprs, body: this.suite('class', header), ...this.spanFrom(t) };
  }

  /** `if`/`while`/`for`/`with`/`try` with all their clauses (`elif`, `else`, `except`, `finally`). */
  private compound(kw: PyToken, t: PyToken): PyStmt {
    this.next();
    const exprs: PyExpr[] = [];
    const body: PyStmt[] = [];
    if (kw.text === 'for') {
      exprs.push(this.parseTargets());
      this.expect('in');
      exprs.push(this.parseStarList());
    } else if (kw.text === 'with') this.withItems(exprs);
    else if (kw.text !== 'try') exprs.push(this.parseNamed());
    this.expect(':');
    body.push(...this.suite(kw.text, kw));
    let handlers = 0;
    while (kw.text === 'if' && this.isKw('elif')) {
      const e = this.next();
      exprs.push(this.parseNamed());
      this.expect(':');
      body.push(...this.suite('elif', e));
    }
    while (kw.text === 'try' && this.isKw('except')) {
      const e = this.next();
      handlers++;
      this.accept('*');
      if (!this.isOp(':')) {
        exprs.push(this.parseStarList());
        if (this.accept('as') && this.next().kind !== 'name') this.fail();
      }
      this.expect(':');
      body.push(...this.suite('except', e));
    }
    if (kw.text !== 'with' && this.isKw('else')) {
      const e = this.next();
      this.expect(':');
      body.push(...this.suite('else', e));
    }
    if (kw.text === 'try' && this.isKw('finally')) {
      const e = this.next();
      handlers++;
      this.expect(':');
      body.push(...this.suite('finally', e));
    }
    if (kw.text === 'try' && handlers === 0) this.errors.push({ offset: this.peek().start, message: "expected 'except' or 'finally' block" });
    return { t: 'compound', keyword: kw.text, exprs, body, ...this.spanFrom(t) };
  }

  /** `with a as b, c:` or the parenthesized form `with (a as b, c as d):`. */
  private withItems(exprs: PyExpr[]): void {
    const parenthesized = this.isOp('(') && this.parenthesizedWith();
    if (parenthesized) this.next();
    do {
      if (parenthesized && this.isOp(')')) break;
      exprs.push(this.parseTest());
      if (this.accept('as')) exprs.push(this.parseBinary(0));
    } while (this.accept(','));
    if (parenthesized) this.expect(')');
  }

  /** True when the `(` at the cursor holds `as` at its own level and is followed by `:`. */
  private parenthesizedWith(): boolean {
    let depth = 0;
    let hasAs = false;
    for (let j = this.i; j < this.tokens.length; j++) {
      const tok = this.tokens[j] as PyToken;
      if (tok.kind === 'op' && '([{'.includes(tok.text)) depth++;
      else if (tok.kind === 'op' && ')]}'.includes(tok.text)) {
        depth--;
        if (depth === 0) return hasAs && this.tokens[j + 1]?.text === ':';
      } else if (depth === 1 && tok.kind === 'name' && tok.text === 'as') hasAs = true;
      else if (tok.kind === 'newline' || tok.kind === 'end') return false;
    }
    return false;
  }

  /** `match` is a soft keyword: a statement only when its line ends with `:` and does not assign. */
  private looksLikeMatch(): boolean {
    const second = this.peek(1);
    if (second.kind === 'newline' || (second.kind === 'op' && ['=', '.', ':', ',', ';', ')', ']', '}'].includes(second.text)) || AUGMENTED.has(second.text)) return false;
    let j = this.i;
    while (this.tokens[j] && this.tokens[j]?.kind !== 'newline' && this.tokens[j]?.kind !== 'end') j++;
    return this.tokens[j - 1]?.text === ':';
  }

  private matchStmt(t: PyToken): PyStmt {
    this.next();
    const exprs = [this.parseStarList()];
    this.expect(':');
    const body: PyStmt[] = [];
    if (this.peek().kind !== 'newline') this.fail();
    this.next();
    if (this.peek().kind !== 'indent') this.fail(`expected an indented block after 'match' statement on line ${this.lineOf(t.start)}`);
    this.next();
    while (this.isKw('case')) {
      const c = this.next();
      // Patterns hold no calls; skip to the guard or the `:` at their own bracket level.
      let depth = 0;
      while (depth > 0 || !(this.isKw('if') || this.isOp(':'))) {
        const tok = this.peek();
        if (tok.kind === 'newline' || tok.kind === 'end') this.fail("expected ':'", tok);
        if (tok.kind === 'op' && '([{'.includes(tok.text)) depth++;
        if (tok.kind === 'op' && ')]}'.includes(tok.text)) depth--;
        this.next();
      }
      if (this.accept('if')) exprs.push(this.parseNamed());
      this.expect(':');
      body.push(...this.suite('case', c));
    }
    if (this.peek().kind !== 'dedent' && this.peek().kind !== 'end') this.fail();
    this.next();
    return { t: 'compound', keyword: 'match', exprs, body, ...this.spanFrom(t) };
  }
}
