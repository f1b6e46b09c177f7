import type { Expr, Node } from './jinja/ast';
import { parseTemplate } from './jinja/parser';
import { addConfigCall } from './nodeConfig';
import { readPythonModel } from './python/pythonModel';

/**
 * The literal relation configs (`alias`, `schema`, `database`, …) a node file sets in its own
 * `config()` calls, read without rendering: the loader needs them for every node so that a `ref()`
 * to it renders the relation dbt would build. All of dbt's call forms count: `config(alias='x')`,
 * `config({'alias': 'x'})`, `config(**{'alias': 'x'})`, and in Python models
 * `dbt.config(alias="x")` (read from the Python syntax). Later calls win; a value that is not a
 * literal string stays unknown.
 */

/** Config keys that decide where a node is built. */
export const RELATION_KEYS = ['alias', 'schema', 'database', 'target_schema', 'target_database'] as const;

/** A relation key written as a keyword argument or a dict key (`alias=`, `'alias':`): a cheap pre-check. */
const MENTIONS_KEY = /\b(?:alias|schema|database|target_schema|target_database)['"]?\s*[=:]/;

/** Relation keys of a SQL node's (Jinja) `config()` calls. */
export function jinjaRelationConfig(text: string): Record<string, string> {
  // Most models set none of these; skip parsing them.
  if (!/\bconfig\b/.test(text) || !MENTIONS_KEY.test(text)) return {};
  let nodes: Node[];
  try {
    nodes = parseTemplate(text);
  } catch {
    return regexRelationConfig(text);
  }
  const calls: Record<string, unknown> = {};
  const visitExpr = (e: Expr): void => {
    if (e.t === 'call' && e.fn.t === 'name' && e.fn.name === 'config') {
      const opts: Record<string, unknown> = {};
      const dict = (d: Expr | undefined): void => {
        if (d?.t !== 'dict') return;
        for (const [k, v] of d.entries) if (k.t === 'lit' && typeof k.value === 'string') opts[k.value] = literal(v);
      };
      dict(e.args[0]);
      dict(e.kwstar);
      for (const [k, v] of e.kwargs) opts[k] = literal(v);
      addConfigCall(calls, opts);
    }
    for (const child of exprChildren(e)) visitExpr(child);
  };
  const visit = (list: Node[]): void => {
    for (const n of list) {
      if (n.t === 'output' || n.t === 'do') visitExpr(n.expr);
      else if (n.t === 'if') {
        for (const b of n.branches) visit(b.body);
        visit(n.elseBody ?? []);
      } else if (n.t === 'for') {
        visit(n.body);
        visit(n.elseBody ?? []);
      } else if (n.t === 'setBlock' || n.t === 'callBlock' || n.t === 'filterBlock' || n.t === 'resource') visit(n.body);
    }
  };
  visit(nodes);
  return relationKeys(calls);
}

/** Relation keys of a Python model's `dbt.config()` calls. */
export function pythonRelationConfig(text: string): Record<string, string> {
  if (!MENTIONS_KEY.test(text)) return {};
  const calls: Record<string, unknown> = {};
  for (const c of readPythonModel(text).configCalls) addConfigCall(calls, c.opts);
  return relationKeys(calls);
}

function relationKeys(calls: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of RELATION_KEYS) {
    const v = calls[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** A string literal's value; anything else is unknown (undefined), so it never names a relation. */
function literal(e: Expr): unknown {
  return e.t === 'lit' && typeof e.value === 'string' ? e.value : undefined;
}

function exprChildren(e: Expr): Expr[] {
  switch (e.t) {
    case 'list':
    case 'tuple':
      return e.items;
    case 'dict':
      return e.entries.flat();
    case 'attr':
      return [e.obj];
    case 'index':
      return [e.obj, e.key];
    case 'slice':
      return [e.obj, ...[e.start, e.stop, e.step].filter((x): x is Expr => x !== undefined)];
    case 'call':
      return [e.fn, ...e.args, ...e.kwargs.map(([, v]) => v), ...[e.star, e.kwstar].filter((x): x is Expr => x !== undefined)];
    case 'filter':
      return [e.expr, ...e.args, ...e.kwargs.map(([, v]) => v)];
    case 'test':
      return [e.expr, ...e.args];
    case 'unary':
      return [e.expr];
    case 'bin':
      return [e.left, e.right];
    case 'cond':
      return [e.test, e.then, ...(e.else ? [e.else] : [])];
    default:
      return [];
  }
}

/** For a template that does not parse: the `key='value'` pairs of each `config(...)` text. */
function regexRelationConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const call of text.matchAll(/\bconfig\s*\(([^)]*)\)/g)) {
    for (const kv of (call[1] ?? '').matchAll(/\b(\w+)\s*=\s*(['"])([^'"]*)\2/g)) {
      const key = kv[1] ?? '';
      if ((RELATION_KEYS as readonly string[]).includes(key)) out[key] = kv[3] ?? '';
    }
  }
  return out;
}
