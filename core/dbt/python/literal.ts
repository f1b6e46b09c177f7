import type { PyConst, PyExpr } from './ast';

/**
 * `ast.literal_eval` over our syntax tree: dbt evaluates every argument of `dbt.ref()`,
 * `dbt.source()`, `dbt.config()` and `dbt.config.get()` this way and fails the parse when one is
 * not a literal. Values come out as plain JSON-like data: strings, numbers, booleans, null, arrays
 * (lists, tuples, sets) and objects (dicts, keyed by the key's Python `str()`).
 */

/** A literal value as the catalog stores config values. */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** The outcome of evaluating one expression: a value, or the node that is not a literal. */
export type LiteralResult = { ok: true; value: PyValue } | { ok: false; node: PyExpr };

/** Evaluates `e` the way `ast.literal_eval` does. */
export function literalEval(e: PyExpr): LiteralResult {
  try {
    return { ok: true, value: convert(e) };
  } catch (err) {
    if (err instanceof NotLiteral) return { ok: false, node: err.node };
    throw err;
  }
}

class NotLiteral extends Error {
  constructor(readonly node: PyExpr) {
    super('not a literal');
  }
}

function convert(e: PyExpr): PyValue {
  switch (e.t) {
    case 'const':
      return constValue(e.value);
    case 'list':
    case 'tuple':
    case 'set':
      return e.items.map(convert);
    case 'dict': {
      const out: { [key: string]: PyValue } = {};
      for (const entry of e.entries) {
        // `{**other}` has no key: ast.literal_eval rejects it.
        if (!entry.key) throw new NotLiteral(entry.value);
        out[pyStr(convert(entry.key))] = convert(entry.value);
      }
      return out;
    }
    case 'call':
      // `set()` is the one call literal_eval accepts (an empty set).
      if (e.func.t === 'name' && e.func.id === 'set' && e.args.length === 0) return [];
      throw new NotLiteral(e);
    case 'unary':
      if ((e.op === '-' || e.op === '+') && e.operand.t === 'const' && isNumber(e.operand.value)) return signed(e.op, e.operand.value);
      throw new NotLiteral(e);
    case 'binop':
      // Only `<real> ± <imaginary>`, the way complex numbers are written.
      if ((e.op === '+' || e.op === '-') && e.right.t === 'const' && e.right.value.k === 'complex') {
        const left = e.left.t === 'unary' ? e.left.operand : e.left;
        if (left.t === 'const' && (left.value.k === 'int' || left.value.k === 'float')) return sourceOf(e);
      }
      throw new NotLiteral(e);
    default:
      throw new NotLiteral(e);
  }
}

function isNumber(c: PyConst): boolean {
  return c.k === 'int' || c.k === 'float' || c.k === 'complex';
}

function constValue(c: PyConst): PyValue {
  switch (c.k) {
    case 'str':
    case 'bytes':
      return c.v;
    case 'int': {
      const n = Number(c.v);
      return Number.isSafeInteger(n) ? n : c.v;
    }
    case 'float':
      return c.v;
    case 'complex':
      return c.v;
    case 'bool':
      return c.v;
    case 'none':
      return null;
    case 'ellipsis':
      return '...';
  }
}

function signed(op: string, c: PyConst): PyValue {
  const v = constValue(c);
  if (op === '+') return v;
  if (typeof v === 'number') return -v;
  return typeof v === 'string' && v.startsWith('-') ? v.slice(1) : `-${String(v)}`;
}

/** Complex numbers have no JSON form; they are kept as written. */
function sourceOf(e: PyExpr): string {
  const parts: string[] = [];
  const walk = (x: PyExpr): void => {
    if (x.t === 'binop') {
      walk(x.left);
      parts.push(x.op);
      walk(x.right);
    } else if (x.t === 'unary') {
      parts.push(x.op);
      walk(x.operand);
    } else if (x.t === 'const') parts.push(String(constValue(x.value)));
  };
  walk(e);
  return parts.join('');
}

/**
 * Python's `str()` of a literal value, for dict keys and versions: `True`, `None`, `2`, `1.5`.
 * dbt turns `v=2` into the version string `"2"` the same way.
 */
export function pyStr(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  return JSON.stringify(v);
}
