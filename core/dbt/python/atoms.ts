import type { PyConst, PyExpr } from './ast';
import { KEYWORDS, TokenCursor } from './cursor';
import type { PyToken } from './tokenizer';

/**
 * Python atoms: names, numbers, strings (adjacent literals joined, f-string fields parsed as
 * expressions), `...`, and the displays `(…)`, `[…]`, `{…}` with their comprehensions. The
 * expression grammar around them is `ExprParser` (expressions.ts), which implements the
 * abstract methods.
 */
export abstract class AtomParser extends TokenCursor {
  /** `a, *b` (a tuple when there is a comma). */
  abstract parseStarList(): PyExpr;
  /** `*expr` or a full expression. */
  abstract parseStarOrTest(): PyExpr;
  /** A full expression (lambda, conditional). */
  abstract parseTest(): PyExpr;
  /** Assignment targets before `in`. */
  abstract parseTargets(): PyExpr;
  /** An `or`-level expression. */
  protected abstract parseOr(): PyExpr;
  /** Binary operators from precedence `level` up. */
  protected abstract parseBinary(level: number): PyExpr;
  /** True where an expression list may end. */
  protected abstract atListEnd(): boolean;
  /** A parser of the same grammar over other tokens (an f-string field). */
  protected abstract subParser(tokens: PyToken[]): AtomParser;

  /** `for targets in iter [if cond]… [for …]` after the element(s) already parsed. */
  protected parseComprehension(kind: string, t: PyToken, elements: PyExpr[]): PyExpr {
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

  protected parseAtom(): PyExpr {
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
    const sub = this.subParser([...field, { kind: 'end', text: '', start: last.end, end: last.end }]);
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
