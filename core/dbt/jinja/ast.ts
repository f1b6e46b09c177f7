/** Jinja syntax tree. Every node carries `pos`, an offset into its template, for diagnostics. */

export type Expr =
  | { t: 'lit'; pos: number; value: string | number | boolean | null }
  | { t: 'name'; pos: number; name: string }
  | { t: 'list' | 'tuple'; pos: number; items: Expr[] }
  | { t: 'dict'; pos: number; entries: [Expr, Expr][] }
  | { t: 'attr'; pos: number; obj: Expr; name: string }
  | { t: 'index'; pos: number; obj: Expr; key: Expr }
  | { t: 'slice'; pos: number; obj: Expr; start?: Expr; stop?: Expr; step?: Expr }
  | { t: 'call'; pos: number; fn: Expr; args: Expr[]; kwargs: [string, Expr][]; star?: Expr; kwstar?: Expr }
  | { t: 'filter'; pos: number; expr: Expr; name: string; args: Expr[]; kwargs: [string, Expr][] }
  | { t: 'test'; pos: number; expr: Expr; name: string; args: Expr[]; negated: boolean }
  | { t: 'unary'; pos: number; op: 'not' | '-' | '+'; expr: Expr }
  | { t: 'bin'; pos: number; op: string; left: Expr; right: Expr }
  | { t: 'cond'; pos: number; test: Expr; then: Expr; else?: Expr };

/** A macro parameter with an optional default. */
export interface Param {
  name: string;
  default?: Expr;
}

export type Node =
  /** `lead`: line breaks `-%}` stripped from the start (restored at a line start to keep lines aligned). */
  | { t: 'text'; pos: number; end: number; value: string; lead?: number }
  | { t: 'output'; pos: number; end: number; expr: Expr }
  | { t: 'if'; pos: number; end: number; branches: { test: Expr; body: Node[]; bodyPos: number }[]; elseBody?: Node[]; elsePos?: number }
  | { t: 'for'; pos: number; end: number; targets: string[]; iter: Expr; cond?: Expr; body: Node[]; elseBody?: Node[] }
  | { t: 'set'; pos: number; end: number; targets: string[]; attr?: string; expr: Expr }
  | { t: 'setBlock'; pos: number; end: number; name: string; body: Node[] }
  | { t: 'macro'; pos: number; end: number; name: string; params: Param[]; body: Node[] }
  | { t: 'callBlock'; pos: number; end: number; call: Expr; params: Param[]; body: Node[] }
  | { t: 'filterBlock'; pos: number; end: number; filter: Expr; body: Node[] }
  | { t: 'do'; pos: number; end: number; expr: Expr }
  | { t: 'loopCtl'; pos: number; end: number; kind: 'break' | 'continue' }
  /** dbt resource blocks: `{% docs %}`, `{% snapshot %}`, `{% test %}`, `{% materialization %}`. */
  | { t: 'resource'; pos: number; end: number; kind: string; name: string; params: Param[]; body: Node[] }
  | { t: 'noop'; pos: number; end: number };
