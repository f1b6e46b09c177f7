import { JinjaError, lex } from '../jinja/lexer';
import { readDbtCalls, type PyFinding } from './dbtCalls';
import { pyStr, type PyValue } from './literal';
import { parseModule, type PyModule } from './statements';

/**
 * Reads a dbt Python model (`def model(dbt, session): …` in a model path) from its Python syntax:
 * the `dbt.ref()`/`dbt.source()` dependencies and `dbt.config()` calls dbt would record, and the
 * problems dbt would reject the file for (Jinja in the code, a syntax error, no or several `model`
 * functions, a wrong signature or return, non-literal arguments), each with its file offset.
 * Pure and total: any text gives a result.
 */

/** A `dbt.ref()` of a Python model. */
export interface PyRef {
  /** Package for `dbt.ref("pkg", "m")`. */
  first?: string;
  name: string;
  version?: string;
  offset: number;
}

/** What a Python model file holds for the catalog. */
export interface PythonModelInfo {
  /** True when the file defines a `model` function where dbt looks for it (a Python model). */
  isModel: boolean;
  /** True when the file holds no statement at all (dbt parses it as an empty model). */
  empty: boolean;
  refs: PyRef[];
  sources: { source: string; table: string; offset: number }[];
  /** Each `dbt.config()` call's options, in order. */
  configCalls: { opts: Record<string, PyValue>; offset: number }[];
  /** Problems dbt would fail or warn on; at most one syntax error, as CPython reports one. */
  findings: PyFinding[];
}

/** Reads a Python model file. Never throws. */
export function readPythonModel(text: string): PythonModelInfo {
  const findings: PyFinding[] = [];
  const jinja = jinjaIn(text);
  if (jinja) findings.push(jinja);
  let module: PyModule;
  let read: ReturnType<typeof readDbtCalls>;
  try {
    module = parseModule(text);
    read = readDbtCalls(module.body, text);
  } catch (err) {
    // Only absurd nesting (thousands of brackets) exhausts the stack of the recursive parser.
    if (!(err instanceof RangeError)) throw err;
    findings.push({ offset: 0, severity: 'error', code: 'python-syntax', message: 'the Python code nests too deeply to read' });
    return { isModel: false, empty: false, refs: [], sources: [], configCalls: [], findings };
  }
  const syntax = module.errors[0];
  if (syntax) findings.push({ offset: syntax.offset, severity: 'error', code: 'python-syntax', message: `Python syntax error: ${syntax.message}` });
  // dbt stops at the syntax error; what the recovered tree says beyond it would only add noise.
  else findings.push(...read.findings);
  const info: PythonModelInfo = {
    // A file broken before its `def model` still counts as one when the tokens say so.
    isModel: read.modelDefs > 0 || (syntax !== undefined && module.tokens.some((t, i) => t.kind === 'name' && t.text === 'def' && module.tokens[i + 1]?.text === 'model')),
    empty: module.body.length === 0 && module.errors.length === 0,
    refs: [],
    sources: [],
    configCalls: [],
    findings: findings.sort((a, b) => a.offset - b.offset),
  };
  for (const c of read.calls) {
    const strs = c.args.map((a) => (typeof a === 'string' ? a : pyStr(a)));
    if (c.fn === 'ref') {
      // dbt: `kwargs.get("version") or kwargs.get("v")`.
      const v = truthy(c.kwargs.version) ? c.kwargs.version : c.kwargs.v;
      const version = v === undefined || v === null ? {} : { version: pyStr(v) };
      const [a, b] = strs;
      if (a !== undefined) info.refs.push(b === undefined ? { name: a, ...version, offset: c.offset } : { first: a, name: b, ...version, offset: c.offset });
    } else if (c.fn === 'source') {
      info.sources.push({ source: strs[0] ?? '', table: strs[1] ?? '', offset: c.offset });
    } else if (c.fn === 'config') {
      const first = c.args[0];
      const opts = first !== undefined && first !== null && typeof first === 'object' && !Array.isArray(first) ? first : c.kwargs;
      info.configCalls.push({ opts, offset: c.offset });
    }
  }
  return info;
}

function truthy(v: PyValue | undefined): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  return typeof v !== 'object' || Object.keys(v).length > 0;
}

/**
 * dbt renders a Python model as Jinja and refuses it when that changes the text ("No jinja in
 * python model code is allowed"): the first Jinja tag, comment or expression is the problem.
 */
function jinjaIn(text: string): PyFinding | undefined {
  if (!/\{[{%#]/.test(text)) return undefined;
  try {
    const seg = lex(text).find((s) => s.type !== 'text');
    if (!seg) return undefined;
    return { offset: seg.start, severity: 'error', code: 'dbt-python-jinja', message: `dbt does not allow Jinja in Python model code: \`${text.slice(seg.start, seg.start + 2)}\` starts a Jinja ${seg.type === 'comment' ? 'comment' : seg.type === 'var' ? 'expression' : 'tag'}` };
  } catch (err) {
    const offset = err instanceof JinjaError ? err.offset : 0;
    return { offset, severity: 'error', code: 'dbt-python-jinja', message: `dbt renders Python model code as Jinja and fails here: ${err instanceof JinjaError ? err.reason : String(err)}` };
  }
}
