/**
 * The Python syntax tree the dbt Python model reader needs: expressions in full enough detail to
 * find `dbt.ref()`/`dbt.source()`/`dbt.config()` calls and evaluate literal arguments the way
 * `ast.literal_eval` does, statements only as far as dbt's checks on `def model` look. Every node
 * carries its source span (offsets into the file text) for located diagnostics.
 */

/** A source span: `start` inclusive, `end` exclusive, offsets into the file text. */
export interface Span {
  start: number;
  end: number;
}

/** A constant, typed as Python types it (`1` and `True` differ for `ast.literal_eval`). */
export type PyConst =
  | { k: 'str'; v: string }
  | { k: 'bytes'; v: string }
  | { k: 'int'; v: string }
  | { k: 'float'; v: number }
  | { k: 'complex'; v: string }
  | { k: 'bool'; v: boolean }
  | { k: 'none' }
  | { k: 'ellipsis' };

/** An expression; `other` stands for every node kind whose meaning the reader does not need. */
export type PyExpr = Span &
  (
    | { t: 'name'; id: string }
    | { t: 'const'; value: PyConst }
    | { t: 'attr'; obj: PyExpr; name: string }
    | { t: 'call'; func: PyExpr; args: PyArg[] }
    | { t: 'list' | 'tuple' | 'set'; items: PyExpr[] }
    /** `key` is undefined for a `**mapping` entry. */
    | { t: 'dict'; entries: { key?: PyExpr; value: PyExpr }[] }
    | { t: 'starred'; value: PyExpr }
    | { t: 'unary'; op: string; operand: PyExpr }
    | { t: 'binop'; op: string; left: PyExpr; right: PyExpr }
    /** f-strings, subscripts, comparisons, lambdas, comprehensions, `await`, `yield`, `:=`, … */
    | { t: 'other'; kind: string; children: PyExpr[] }
  );

/** One argument of a call: positional, `name=value`, `*iterable` or `**mapping`. */
export interface PyArg extends Span {
  name?: string;
  star?: '*' | '**';
  value: PyExpr;
}

/** A parameter of a `def`, by the kind `ast.arguments` files it under. */
export interface PyParam {
  name: string;
  kind: 'posonly' | 'normal' | 'vararg' | 'kwonly' | 'kwarg';
}

/** A statement. `exprs` are the expressions written in it, outside nested statement bodies. */
export type PyStmt = Span &
  (
    | { t: 'def'; name: string; async: boolean; params: PyParam[]; exprs: PyExpr[]; body: PyStmt[] }
    | { t: 'class'; name: string; exprs: PyExpr[]; body: PyStmt[] }
    | { t: 'return'; value?: PyExpr; exprs: PyExpr[] }
    /** `if`, `for`, `while`, `with`, `try`, `match`, … with their clauses' bodies joined in `body`. */
    | { t: 'compound'; keyword: string; exprs: PyExpr[]; body: PyStmt[] }
    | { t: 'simple'; exprs: PyExpr[] }
  );
