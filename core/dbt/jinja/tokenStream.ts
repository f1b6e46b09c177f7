import { JinjaError, type Tok } from './lexer';

/** Cursor over the tokens of one tag, with the accept/expect helpers the expression parser uses. */
export class TokenStream {
  protected i = 0;

  constructor(
    protected readonly toks: Tok[],
    protected readonly tagPos: number,
  ) {}

  atEnd(): boolean {
    return this.i >= this.toks.length;
  }

  expectEnd(): void {
    const t = this.toks[this.i];
    if (t) throw new JinjaError(`unexpected '${t.value}' in tag`, t.pos);
  }

  skipRest(): void {
    this.i = this.toks.length;
  }

  peekOp(op: string): boolean {
    const t = this.toks[this.i];
    return t?.kind === 'op' && t.value === op;
  }

  acceptOp(op: string): boolean {
    if (!this.peekOp(op)) return false;
    this.i++;
    return true;
  }

  expectOp(op: string): void {
    if (!this.acceptOp(op)) throw this.err(`expected '${op}'`);
  }

  protected peekName(name: string): boolean {
    const t = this.toks[this.i];
    return t?.kind === 'name' && t.value === name;
  }

  acceptName(name: string): boolean {
    if (!this.peekName(name)) return false;
    this.i++;
    return true;
  }

  expectName(name: string): void {
    if (!this.acceptName(name)) throw this.err(`expected '${name}'`);
  }

  expectNameToken(): string {
    const t = this.toks[this.i];
    if (t?.kind !== 'name') throw this.err('expected a name');
    this.i++;
    return t.value;
  }

  protected err(reason: string): JinjaError {
    const t = this.toks[this.i];
    return new JinjaError(t ? `${reason}, found '${t.value}'` : `${reason} at end of tag`, t?.pos ?? this.tagPos);
  }

  protected pos(): number {
    return this.toks[this.i]?.pos ?? this.tagPos;
  }

}
