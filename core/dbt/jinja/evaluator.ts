import type { Expr, Node, Param } from './ast';
import { checkStringSize, renderFailure, sizeCost, StepMeter } from './budget';
import { applyHigherOrder, FILTERS, TESTS } from './filters';
import { JinjaError } from './lexer';
import { type Limits, type Notice, Scope, type Template } from './scope';
import { getAttr, getItem, slice } from './methods';
import { Callable, iterate, type Kwargs, Obj, ReturnSignal, str, truthy, typeName, Undef, Unknown } from './values';
import { binary, countNewlines, setLoopVars } from './operators';
import { fitLinesMapped, MappedText } from './mappedText';

/** A text node's output: exact where its value is the template text (whitespace control may trim it). */
function literal(n: Extract<Node, { t: 'text' }>, tpl: Template): MappedText {
  const at = tpl.text.indexOf(n.value, n.pos);
  return MappedText.of(n.value, at >= 0 && at + n.value.length <= n.end ? at : n.pos, at >= 0 && at + n.value.length <= n.end);
}

/** Callbacks of the embedding session (the dbt render session). */
export interface InterpreterHooks {
  /** Text for an unknown value output by `{{ … }}`; without it the value renders as ''. */
  renderUnknown?: (value: Unknown) => string;
  /** False to skip the notice for a call of an undefined name (its package is reported once). */
  noticeUnknown?: (name: string) => boolean;
}

class LoopSignal {
  constructor(readonly kind: 'break' | 'continue') {}
}

/**
 * Tree-walking Jinja interpreter with Python-ish semantics. Every step counts against the render's
 * budget (`StepMeter`): each expression and tag, each loop iteration (empty bodies too) and each
 * macro call, plus bulk work by the size of what a call or filter produced.
 */
export class Interpreter {
  private readonly meter: StepMeter;
  private depth = 0;
  readonly notices: Notice[] = [];
  /** The node's own template; calls made from it update `rootPos` so nested refs get its location. */
  rootTpl?: Template;
  rootPos = 0;
  /** How the embedding session wants unknown values treated (see `InterpreterHooks`). */
  hooks: InterpreterHooks = {};

  constructor(
    private readonly globals: (name: string) => unknown,
    private readonly limits: Limits,
  ) {
    this.meter = new StepMeter(limits);
  }

  /** Records a notice at an offset of a template. */
  notice(tpl: Template, pos: number, code: string, message: string): void {
    const { line, column } = tpl.lines.at(pos);
    // A loop calling the same unknown macro would repeat the notice; one per spot is enough.
    if (this.notices.some((n) => n.line === line && n.column === column && n.file === tpl.file && n.message === message)) return;
    if (this.notices.length < 200) this.notices.push({ file: tpl.file, line, column, code, message });
  }

  private tick(pos: number): void {
    this.meter.tick(pos);
  }

  /** Renders nodes; top-level model templates use `renderAligned` instead to keep line numbers. */
  render(nodes: Node[], scope: Scope, tpl: Template): string {
    let out = '';
    for (const n of nodes) {
      out += this.renderNode(n, scope, tpl);
      // Concatenation is cheap (V8 ropes), so a loop can grow output faster than it spends steps.
      checkStringSize(out.length, n.pos);
    }
    return out;
  }

  /**
   * Renders so that every node's output spans as many lines as its source: missing newlines are
   * appended, extra ones folded (after dropping `--` comments that would swallow folded SQL). The
   * output is mapped back to the template: literal text character for character, the output of any
   * other node to the node's start (its `{{`/`{%` tag).
   */
  renderAligned(nodes: Node[], scope: Scope, tpl: Template, onError: (err: JinjaError) => void): MappedText {
    const out = new MappedText();
    for (const n of nodes) {
      const srcLines = countNewlines(tpl.text, n.pos, n.end);
      let piece: MappedText;
      try {
        // At a line start a restored line break cannot glue or split tokens, so keep the source's lines.
        if (n.t === 'text') {
          // Plain text is kept even once the budget is spent for good; it counts while it lasts.
          if (!this.meter.stopped) this.tick(n.pos);
          piece = new MappedText();
          if (n.lead && (out.text === '' || out.text.endsWith('\n'))) piece.add('\n'.repeat(n.lead), n.pos, false);
          piece.append(literal(n, tpl));
        }
        // Out of budget for good: tags are skipped.
        else if (this.meter.stopped) piece = new MappedText();
        else if (n.t === 'if') piece = this.renderIfAligned(n, scope, tpl, onError);
        else if (n.t === 'resource' && n.body.length > 0) piece = this.alignedBody(n, n.body[0]?.pos ?? n.pos, n.body, scope, tpl, onError);
        else piece = MappedText.of(this.renderNode(n, scope, tpl), n.pos, false);
      } catch (err) {
        piece = new MappedText();
        // A stray `return()` or `break` at the top level ends its own tag only; anything else is a
        // diagnostic of this tag (a cancelled scan rethrows from `renderFailure`).
        const failure = err instanceof ReturnSignal || err instanceof LoopSignal ? undefined : renderFailure(err, n.pos);
        if (failure) onError(failure);
      }
      out.append(fitLinesMapped(piece, srcLines, n.pos));
    }
    return out;
  }

  private renderIfAligned(n: Extract<Node, { t: 'if' }>, scope: Scope, tpl: Template, onError: (err: JinjaError) => void): MappedText {
    for (const b of n.branches) {
      if (truthy(this.eval(b.test, scope, tpl))) return this.alignedBody(n, b.bodyPos, b.body, scope, tpl, onError);
    }
    if (n.elseBody && n.elsePos !== undefined) return this.alignedBody(n, n.elsePos, n.elseBody, scope, tpl, onError);
    return new MappedText();
  }

  private alignedBody(n: Node, bodyPos: number, body: Node[], scope: Scope, tpl: Template, onError: (err: JinjaError) => void): MappedText {
    const out = MappedText.of('\n'.repeat(countNewlines(tpl.text, n.pos, bodyPos)), n.pos, false);
    const bodyEnd = body.at(-1)?.end ?? bodyPos;
    out.append(this.renderAligned(body, scope, tpl, onError));
    out.add('\n'.repeat(countNewlines(tpl.text, bodyEnd, n.end)), bodyEnd, false);
    return out;
  }

  private renderNode(n: Node, scope: Scope, tpl: Template): string {
    this.tick(n.pos);
    switch (n.t) {
      case 'text':
        return n.value;
      case 'output': {
        const v = this.eval(n.expr, scope, tpl);
        return v instanceof Unknown && this.hooks.renderUnknown ? this.hooks.renderUnknown(v) : str(v);
      }
      case 'if': {
        for (const b of n.branches) if (truthy(this.eval(b.test, scope, tpl))) return this.render(b.body, scope, tpl);
        return n.elseBody ? this.render(n.elseBody, scope, tpl) : '';
      }
      case 'for':
        return this.renderFor(n, scope, tpl);
      case 'set': {
        const value = this.eval(n.expr, scope, tpl);
        if (n.attr !== undefined) {
          const target = scope.lookup(n.targets[0] ?? '');
          if (target instanceof Obj) target.attrs.set(n.attr, value);
          else throw new JinjaError(`cannot assign attribute '${n.attr}' of ${typeName(target)}`, n.pos, 'jinja-runtime');
        } else this.assign(n.targets, value, scope, n.pos);
        return '';
      }
      case 'setBlock':
        scope.vars.set(n.name, this.render(n.body, new Scope(scope), tpl));
        return '';
      case 'macro':
        scope.vars.set(n.name, this.makeMacro(n.name, n.params, n.body, scope, tpl));
        return '';
      case 'callBlock': {
        const callerFn = this.makeMacro('caller', n.params, n.body, scope, tpl);
        return str(n.call.t === 'call' ? this.evalCall(n.call, scope, tpl, callerFn) : this.eval(n.call, scope, tpl));
      }
      case 'filterBlock': {
        const body = this.render(n.body, new Scope(scope), tpl);
        const f = n.filter;
        const name = f.t === 'name' ? f.name : f.t === 'call' && f.fn.t === 'name' ? f.fn.name : '';
        return str(this.applyFilter(name, body, [], new Map(), n.pos));
      }
      case 'do':
        this.eval(n.expr, scope, tpl);
        return '';
      case 'loopCtl':
        throw new LoopSignal(n.kind);
      case 'resource':
        return this.render(n.body, scope, tpl);
      case 'noop':
        return '';
    }
  }

  private renderFor(n: Extract<Node, { t: 'for' }>, scope: Scope, tpl: Template): string {
    let items = iterate(this.eval(n.iter, scope, tpl), n.pos);
    if (n.cond) {
      const cond = n.cond;
      items = items.filter((item) => {
        const s = new Scope(scope);
        this.assign(n.targets, item, s, n.pos);
        return truthy(this.eval(cond, s, tpl));
      });
    }
    if (items.length === 0) return n.elseBody ? this.render(n.elseBody, scope, tpl) : '';
    let out = '';
    const loop = new Obj(new Map(), '');
    for (let i = 0; i < items.length; i++) {
      // Every iteration counts, so a loop with an empty body cannot spin for free.
      this.tick(n.pos);
      const s = new Scope(scope);
      this.assign(n.targets, items[i], s, n.pos);
      setLoopVars(loop, items, i);
      s.vars.set('loop', loop);
      try {
        out += this.render(n.body, s, tpl);
        checkStringSize(out.length, n.pos);
      } catch (err) {
        if (!(err instanceof LoopSignal)) throw err;
        if (err.kind === 'break') break;
      }
    }
    return out;
  }

  private assign(targets: string[], value: unknown, scope: Scope, pos: number): void {
    if (targets.length === 1) {
      scope.vars.set(targets[0] ?? '', value);
      return;
    }
    const parts = Array.isArray(value) ? value : iterate(value, pos);
    if (parts.length !== targets.length) throw new JinjaError(`cannot unpack ${parts.length} values into ${targets.length} names`, pos, 'jinja-runtime');
    targets.forEach((t, i) => scope.vars.set(t, parts[i]));
  }

  /** Builds a callable macro; its body runs in a scope whose parent is the defining scope. */
  makeMacro(name: string, params: Param[], body: Node[], defScope: Scope, tpl: Template): Callable {
    return new Callable(name, (args, kwargs, pos) => {
      // Counted here too: builtins (dispatch, map, caller) call macros without a call expression.
      this.tick(pos);
      if (++this.depth > this.limits.maxDepth) {
        this.depth--;
        throw new JinjaError(`macro recursion deeper than ${this.limits.maxDepth} (in '${name}')`, pos, 'jinja-recursion');
      }
      try {
        const s = new Scope(defScope);
        const rest = new Map(kwargs);
        params.forEach((p, i) => {
          if (i < args.length) s.vars.set(p.name, args[i]);
          else if (rest.has(p.name)) s.vars.set(p.name, rest.get(p.name));
          else s.vars.set(p.name, p.default ? this.eval(p.default, s, tpl) : new Undef(p.name));
          rest.delete(p.name);
        });
        s.vars.set('varargs', args.slice(params.length));
        s.vars.set('kwargs', rest);
        const callerFn = kwargs.get('caller');
        if (callerFn !== undefined) s.vars.set('caller', callerFn);
        rest.delete('caller');
        try {
          return this.render(body, s, tpl);
        } catch (err) {
          if (err instanceof ReturnSignal) return err.value;
          if (err instanceof JinjaError && !err.where) err.where = { file: tpl.file, ...tpl.lines.at(err.offset) };
          throw err;
        }
      } finally {
        this.depth--;
      }
    });
  }

  /** Evaluates an expression. */
  eval(e: Expr, scope: Scope, tpl: Template): unknown {
    this.tick(e.pos);
    switch (e.t) {
      case 'lit':
        return e.value;
      case 'name': {
        const v = scope.lookup(e.name);
        if (v !== undefined) return v;
        const g = this.globals(e.name);
        return g === undefined ? new Undef(e.name) : g;
      }
      case 'list':
      case 'tuple':
        return e.items.map((x) => this.eval(x, scope, tpl));
      case 'dict':
        return new Map(e.entries.map(([k, v]) => [this.eval(k, scope, tpl), this.eval(v, scope, tpl)]));
      case 'attr':
        return getAttr(this.eval(e.obj, scope, tpl), e.name, e.pos);
      case 'index':
        return getItem(this.eval(e.obj, scope, tpl), this.eval(e.key, scope, tpl), e.pos);
      case 'slice': {
        const ev = (x: Expr | undefined): unknown => (x ? this.eval(x, scope, tpl) : undefined);
        return slice(this.eval(e.obj, scope, tpl), ev(e.start), ev(e.stop), ev(e.step), e.pos);
      }
      case 'call':
        return this.evalCall(e, scope, tpl);
      case 'filter': {
        const v = this.eval(e.expr, scope, tpl);
        const args = e.args.map((a) => this.eval(a, scope, tpl));
        const kw = new Map(e.kwargs.map(([k, a]) => [k, this.eval(a, scope, tpl)] as const));
        // Filters walk their input (sort, map, join): charged by input and output size.
        this.meter.charge(sizeCost(v), e.pos);
        const out = this.applyFilter(e.name, v, args, kw, e.pos, tpl);
        this.meter.charge(sizeCost(out), e.pos);
        return out;
      }
      case 'test': {
        const v = this.eval(e.expr, scope, tpl);
        const test = TESTS[e.name];
        if (!test) throw new JinjaError(`unknown test '${e.name}'`, e.pos, 'jinja-runtime');
        const r = test(v, e.args.map((a) => this.eval(a, scope, tpl)));
        return e.negated ? !r : r;
      }
      case 'unary': {
        const v = this.eval(e.expr, scope, tpl);
        if (e.op === 'not') return v instanceof Unknown ? v : !truthy(v);
        return e.op === '-' ? -Number(v) : Number(v);
      }
      case 'bin':
        return this.evalBin(e, scope, tpl);
      case 'cond':
        if (truthy(this.eval(e.test, scope, tpl))) return this.eval(e.then, scope, tpl);
        return e.else ? this.eval(e.else, scope, tpl) : new Undef('cond');
    }
  }

  private evalBin(e: Extract<Expr, { t: 'bin' }>, scope: Scope, tpl: Template): unknown {
    if (e.op === 'and') {
      const l = this.eval(e.left, scope, tpl);
      return truthy(l) ? this.eval(e.right, scope, tpl) : l;
    }
    if (e.op === 'or') {
      const l = this.eval(e.left, scope, tpl);
      return truthy(l) ? l : this.eval(e.right, scope, tpl);
    }
    const l = this.eval(e.left, scope, tpl);
    const r = this.eval(e.right, scope, tpl);
    // `in` walks the container; list `+` and every `*` copy: charged by size.
    if (e.op === 'in' || e.op === 'notin') this.meter.charge(sizeCost(r), e.pos);
    const v = binary(e.op, l, r, e.pos);
    if (e.op === '*' || (e.op === '+' && Array.isArray(v))) this.meter.charge(sizeCost(v), e.pos);
    return v;
  }

  private evalCall(e: Extract<Expr, { t: 'call' }>, scope: Scope, tpl: Template, callerFn?: Callable): unknown {
    if (tpl === this.rootTpl) this.rootPos = e.pos;
    const fn = this.eval(e.fn, scope, tpl);
    const args = e.args.map((a) => this.eval(a, scope, tpl));
    if (tpl === this.rootTpl) this.rootPos = e.pos;
    if (e.star) args.push(...iterate(this.eval(e.star, scope, tpl), e.pos));
    const kw: Kwargs = new Map(e.kwargs.map(([k, a]) => [k, this.eval(a, scope, tpl)] as const));
    if (e.kwstar) {
      const extra = this.eval(e.kwstar, scope, tpl);
      if (extra instanceof Map) for (const [k, v] of extra) kw.set(str(k), v);
    }
    if (callerFn) kw.set('caller', callerFn);
    if (fn instanceof Callable) {
      const out = fn.fn(args, kw, e.pos);
      // Builtins and methods return fresh lists and strings (range, split, join, items): charged by size.
      this.meter.charge(sizeCost(out), e.pos);
      return out;
    }
    if (fn instanceof Undef) {
      if (this.hooks.noticeUnknown?.(fn.name) ?? true) this.notice(tpl, e.pos, 'dynamic-jinja', `unknown macro or function '${fn.name}' (not installed or not evaluable); rendered as a placeholder`);
      return new Unknown(fn.name, args, kw);
    }
    if (fn instanceof Unknown) return new Unknown(fn.what, args, kw);
    throw new JinjaError(`'${typeName(fn)}' object is not callable`, e.pos, 'jinja-runtime');
  }

  private applyFilter(name: string, v: unknown, args: unknown[], kw: Kwargs, pos: number, tpl?: Template): unknown {
    const alias = name === 'd' ? 'default' : name === 'count' ? 'length' : name;
    const f = FILTERS[alias];
    if (f) return f(v, args, kw, pos);
    const ho = applyHigherOrder(alias, v, args, kw, pos, () => undefined);
    if (ho !== undefined) return ho;
    if (tpl) this.notice(tpl, pos, 'dynamic-jinja', `unknown filter '${name}'; value passed through`);
    return v;
  }
}



