import type { PyArg, PyExpr, PyStmt, Span } from './ast';
import { literalEval, type PyValue } from './literal';

/**
 * What dbt's Python model parser reads from the syntax tree, reproduced rule for rule
 * (dbt-core `parser/models.py`): `PythonValidationVisitor` counts the `def model` functions and
 * checks their signature and return, `PythonParseVisitor` collects `dbt.ref`, `dbt.source`,
 * `dbt.config` and `dbt.config.get` calls and `ast.literal_eval`s their arguments. dbt's visitor
 * only looks into statements, call arguments, list/tuple/dict items of arguments and method
 * chains, so a call nested elsewhere (`f(1 + dbt.ref("x"))`) is invisible to dbt: such a call is
 * reported, not turned into a dependency dbt would not have.
 */

/** A dbt function a Python model calls. */
export type DbtPyFunction = 'ref' | 'source' | 'config' | 'config.get';

/** One `dbt.<fn>(...)` call dbt sees, with its literal arguments. */
export interface DbtPyCall {
  fn: DbtPyFunction;
  args: PyValue[];
  kwargs: Record<string, PyValue>;
  /** Offset of the call in the file. */
  offset: number;
}

/** A finding located by file offset. */
export interface PyFinding {
  offset: number;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

const FULL_NAMES: Record<string, DbtPyFunction> = { 'dbt.ref': 'ref', 'dbt.source': 'source', 'dbt.config': 'config', 'dbt.config.get': 'config.get' };

/** Reads the dbt calls and dbt's `def model` checks of a parsed module. */
export function readDbtCalls(body: PyStmt[], text: string): { calls: DbtPyCall[]; findings: PyFinding[]; modelDefs: number } {
  const findings: PyFinding[] = [];
  const calls: DbtPyCall[] = [];
  const seen = new Set<PyExpr>();
  const visitCall = (c: Extract<PyExpr, { t: 'call' }>): void => {
    const fn = dbtFunction(c);
    if (fn !== undefined) {
      seen.add(c);
      const call = evaluate(fn, c, text, findings);
      if (call) calls.push(call);
    }
    for (const a of c.args) {
      if (a.star === '*') continue; // A starred argument is not a call, list or dict to dbt's visitor.
      const v = a.value;
      const items = v.t === 'list' || v.t === 'tuple' ? v.items : v.t === 'dict' ? v.entries.map((en) => en.value) : [v];
      for (const item of items) if (item.t === 'call') visitCall(item);
    }
    let f: PyExpr = c.func;
    while (f.t === 'attr') f = f.obj;
    if (f.t === 'call') visitCall(f);
  };
  const generic = (e: PyExpr): void => {
    if (e.t === 'call') visitCall(e);
    else for (const child of children(e)) generic(child);
  };
  const stmts = (list: PyStmt[]): void => {
    for (const s of list) {
      for (const e of s.exprs) generic(e);
      if (s.t !== 'return' && s.t !== 'simple') stmts(s.body);
    }
  };
  stmts(body);
  // Every dbt call in the file, to name the ones dbt's visitor misses.
  const all = (e: PyExpr): void => {
    if (e.t === 'call' && dbtFunction(e) !== undefined && !seen.has(e)) {
      const name = dbtName(e);
      findings.push({ offset: e.start, severity: 'warning', code: 'dbt-python-unseen-call', message: `dbt does not detect this ${name}() call: it reads dbt calls only in statements, call arguments, list/tuple/dict items and method chains, so the model lacks this dependency and fails when it runs; assign ${name}(…) to a variable first` });
    }
    for (const child of children(e)) all(child);
  };
  const allStmts = (list: PyStmt[]): void => {
    for (const s of list) {
      for (const e of s.exprs) all(e);
      if (s.t !== 'return' && s.t !== 'simple') allStmts(s.body);
    }
  };
  allStmts(body);
  const modelDefs = validateModelDefs(body, findings);
  return { calls, findings: findings.sort((a, b) => a.offset - b.offset), modelDefs };
}

/** The direct sub-expressions of an expression. */
function children(e: PyExpr): PyExpr[] {
  switch (e.t) {
    case 'attr':
      return [e.obj];
    case 'call':
      return [e.func, ...e.args.map((a) => a.value)];
    case 'list':
    case 'tuple':
    case 'set':
      return e.items;
    case 'dict':
      return e.entries.flatMap((en) => (en.key ? [en.key, en.value] : [en.value]));
    case 'starred':
      return [e.value];
    case 'unary':
      return [e.operand];
    case 'binop':
      return [e.left, e.right];
    case 'other':
      return e.children;
    default:
      return [];
  }
}

/** `dbt.ref`, `dbt.source`, `dbt.config` or `dbt.config.get` as dbt's visitor recognises them. */
function dbtFunction(c: Extract<PyExpr, { t: 'call' }>): DbtPyFunction | undefined {
  if (c.func.t !== 'attr' || !['ref', 'source', 'config', 'get'].includes(c.func.name)) return undefined;
  return FULL_NAMES[flatten(c.func)];
}

function flatten(e: PyExpr): string {
  if (e.t === 'attr') return `${flatten(e.obj)}.${e.name}`;
  return e.t === 'name' ? e.id : 'None';
}

function dbtName(c: Extract<PyExpr, { t: 'call' }>): string {
  return `dbt.${dbtFunction(c) ?? ''}`;
}

/** Quotes an argument as written: its first line, at most 60 characters (all of it from the file). */
function quote(text: string, e: Span): string {
  const src = text.slice(e.start, e.end).split(/\r?\n/)[0] ?? '';
  return src.length > 60 ? `\`${src.slice(0, 60)}\`…` : `\`${src}\``;
}

/** Evaluates one call's arguments (dbt's `_get_call_literals`) and checks them as dbt's functions do. */
function evaluate(fn: DbtPyFunction, c: Extract<PyExpr, { t: 'call' }>, text: string, findings: PyFinding[]): DbtPyCall | undefined {
  const name = `dbt.${fn}()`;
  const args: PyValue[] = [];
  const kwargs: Record<string, PyValue> = {};
  const bad = (a: PyArg, what: Span): undefined => {
    findings.push({ offset: a.start, severity: 'error', code: 'dbt-python-args', message: `${name} arguments must be Python literals (dbt reads them with ast.literal_eval): ${quote(text, what)} is not one` });
    return undefined;
  };
  for (const a of c.args) {
    if (a.star === '*') return bad(a, a);
    const r = literalEval(a.value);
    if (!r.ok) return bad(a, r.node);
    if (a.star === '**') {
      findings.push({ offset: a.start, severity: 'error', code: 'dbt-python-args', message: `dbt cannot pass ${quote(text, a)} on to ${name}: it calls the function with a keyword named None and fails` });
      return undefined;
    }
    if (a.name !== undefined) kwargs[a.name] = r.value;
    else args.push(r.value);
  }
  const fail = (message: string): undefined => {
    findings.push({ offset: c.start, severity: 'error', code: 'dbt-python-args', message });
    return undefined;
  };
  const kwCount = Object.keys(kwargs).length;
  if (fn === 'ref') {
    if (args.length === 0 || args.length > 2) return fail(args.length === 0 ? 'dbt.ref() takes a model name' : `ref() takes at most two arguments (${args.length} given)`);
    if (args.some((x) => typeof x !== 'string')) return fail('the name and package arguments of dbt.ref() must be strings');
  } else if (fn === 'source') {
    if (args.length !== 2 || kwCount > 0) return fail(`source() takes exactly two arguments (${args.length + kwCount} given)`);
    if (args.some((x) => typeof x !== 'string')) return fail('the arguments of dbt.source() must be strings');
  } else if (fn === 'config') {
    const dictArg = args.length === 1 && kwCount === 0 && args[0] !== null && typeof args[0] === 'object' && !Array.isArray(args[0]);
    if (!dictArg && !(args.length === 0 && kwCount > 0)) return fail('invalid inline model config: dbt.config() takes either one dict or keyword arguments');
  } else if (args.length === 0 || args.length > 2) {
    return fail(args.length === 0 ? 'dbt.config.get() requires at least one argument' : `dbt.config.get() takes at most 2 arguments (${args.length} given)`);
  }
  return { fn, args, kwargs, offset: c.start };
}

/**
 * dbt's `PythonValidationVisitor`: `def model` functions are counted wherever the visitor reaches
 * them (module level, inside `class`/`if`/`try`/…, not inside another `def`), and each must take
 * two positional parameters, the first named `dbt`, and end with a `return` of one value.
 * Returns how many were found.
 */
function validateModelDefs(body: PyStmt[], findings: PyFinding[]): number {
  const defs: Extract<PyStmt, { t: 'def' }>[] = [];
  const walk = (list: PyStmt[]): void => {
    for (const s of list) {
      if (s.t === 'def' && !s.async) {
        if (s.name === 'model') defs.push(s);
      } else if (s.t !== 'return' && s.t !== 'simple') walk(s.body);
    }
  };
  walk(body);
  if (body.length === 0) return 0;
  if (defs.length !== 1) findings.push({ offset: defs[1]?.start ?? 0, severity: 'error', code: 'dbt-python-model', message: `dbt allows exactly one model defined per python file, found ${defs.length}` });
  for (const d of defs) {
    const positional = d.params.filter((p) => p.kind === 'normal');
    if (positional[0] && positional[0].name !== 'dbt') findings.push({ offset: d.start, severity: 'error', code: 'dbt-python-model', message: "'dbt' not provided for model as the first argument" });
    if (positional.length !== 2) findings.push({ offset: d.start, severity: 'error', code: 'dbt-python-model', message: 'model function should have two args, `dbt` and a session to current warehouse' });
    const last = d.body[d.body.length - 1];
    if (!last || last.t !== 'return' || last.value?.t === 'tuple') findings.push({ offset: last?.start ?? d.start, severity: 'error', code: 'dbt-python-model', message: 'In current version, model function should return only one dataframe object' });
  }
  return defs.length;
}
