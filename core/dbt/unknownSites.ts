import { tokenize, type Token } from '../sql/lexer';
import type { Dialect } from '../pipeline/contracts';
import { MappedText, replaceMapped } from './jinja/mappedText';
import { Callable, Obj, Undef, Unknown } from './jinja/values';

/**
 * What the output of a macro Mallard cannot evaluate (typically one of a package that is not
 * installed: no `dbt deps` in a fresh clone) becomes in the rendered SQL. Rendering it as nothing
 * broke the SQL (`, {{ dbt_utils.generate_surrogate_key(['a']) }} as id` became `, as id`), so the
 * renderer leaves a sentinel and this module replaces it by text that fits where it sits:
 *
 * - an expression (`select`, `,`, an operator, `when`, …): a call over the macro's arguments,
 *   `dbt_utils__generate_surrogate_key(a)`, so the SQL parses and the column keeps its lineage to
 *   the argument columns (string arguments that read as SQL expressions, e.g. column names);
 * - right after a complete expression in a select list (`col {{ m() }}`, Fivetran's style of
 *   macros that emit `, expr as name`): the same call preceded by a comma; in a condition, `and …`;
 * - a relation (`from`, `join`, `into`): an unknown relation, whose columns stay unknown;
 * - a whole query (a CTE body, the model itself): `select * from` that unknown relation;
 * - an alias after `as` or a name part after `.`: an identifier; a type after `::` or inside
 *   `cast(… as`: a string type;
 * - inside a string literal or a comment, or before the query starts: nothing.
 */

/** The sentinel the renderer outputs for an `Unknown` value; `i` indexes the session's list. */
export function unknownSentinel(i: number): string {
  return `\uE002${i}\uE003`;
}

const SENTINEL = /\uE002(\d+)\uE003/g;

/** Keywords after which an expression starts. */
const EXPRESSION_START = new Set([
  'select', 'distinct', 'where', 'having', 'qualify', 'on', 'and', 'or', 'not', 'when', 'then', 'else', 'case', 'by', 'in',
  'is', 'like', 'ilike', 'between', 'return', 'returns', 'set', 'values', 'interval', 'all', 'any', 'some', 'over', 'partition',
  'limit', 'offset', 'top', 'using', 'exists', 'escape', 'rlike', 'regexp', 'similar',
]);
const EXPRESSION_START_PUNCT = new Set([',', '(', '[', '=', '<', '>', '<=', '>=', '<>', '!=', '+', '-', '/', '%', '||', '=>', '&', '|', '^', '~', ':']);
const RELATION_START = new Set(['from', 'join', 'into', 'update', 'table', 'apply']);
const SET_OPERATORS = new Set(['union', 'intersect', 'except', 'minus']);
const QUERY_KEYWORDS = new Set(['select', 'with', 'from']);
/** Clause keywords that own a select-list-like comma list, or a condition. */
const LIST_CLAUSES = new Set(['select', 'by']);
const CONDITION_CLAUSES = new Set(['where', 'having', 'qualify', 'on']);
const CLAUSES = new Set([...LIST_CLAUSES, ...CONDITION_CLAUSES, 'from', 'join', 'limit', 'union', 'values', 'set', 'into', 'window']);
const TYPE_CALLS = new Set(['cast', 'try_cast', 'safe_cast', 'convert']);
/** Bare words that are SQL keywords or date parts, never column names, when passed as macro arguments. */
const NOT_COLUMNS = new Set([
  'year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond', 'microsecond', 'dayofweek', 'dayofyear',
  'date', 'time', 'timestamp', 'datetime', 'string', 'varchar', 'text', 'int', 'integer', 'bigint', 'numeric', 'float', 'boolean',
  'bool', 'true', 'false', 'null', 'none', 'asc', 'desc', 'and', 'or', 'not', 'sum', 'count', 'min', 'max', 'avg', 'left', 'right',
  'inner', 'outer', 'full', 'cross', 'yes', 'no', 'all', 'distinct',
]);

/** Where a sentinel sits. */
type Site = 'expression' | 'continueList' | 'continueCondition' | 'relation' | 'query' | 'identifier' | 'type' | 'nothing';

/** Callbacks into the render session. */
export interface UnknownSiteHost {
  /** The unknown values in sentinel order. */
  unknowns: readonly Unknown[];
  /** Text of an unknown relation named after the macro (a relation sentinel of the session). */
  relation(name: string): string;
  dialect: Dialect;
}

/** Replaces every unknown-value sentinel in rendered text; see the module comment. */
export function resolveUnknownSites(out: MappedText, host: UnknownSiteHost): MappedText {
  if (host.unknowns.length === 0 || !out.text.includes('\uE002')) return out;
  const tokens = tokenize(out.text);
  const at = new Map<number, number>();
  tokens.forEach((t, i) => {
    if (t.type === 'word' && t.text.startsWith('\uE002')) at.set(t.offset, i);
  });
  // The replacement maps to where the sentinel was: the `{{ … }}` tag that output the value.
  return replaceMapped(out, SENTINEL, (match) => {
    const m = match[0];
    const u = host.unknowns[Number(match[1])];
    const i = at.get(match.index ?? -1);
    // A sentinel inside a string literal or a comment is not a token of its own.
    if (!u || i === undefined || tokens[i]?.text !== m) return '';
    return render(classify(tokens, i), u, host);
  });
}

function word(t: Token | undefined): string | undefined {
  return t?.type === 'word' && !/^[\uE000-\uE0FF]/.test(t.text) ? t.text.toLowerCase() : undefined;
}

function isSentinel(t: Token | undefined): boolean {
  return t?.type === 'word' && /^[\uE000\uE002]/.test(t.text);
}

/** True for a token that ends an operand: a name, literal, relation, `)`, `]` or a star. */
function endsOperand(tokens: readonly Token[], i: number): boolean {
  const t = tokens[i];
  if (!t) return false;
  if (t.type === 'string' || t.type === 'number' || t.type === 'quoted' || isSentinel(t)) return true;
  if (t.type === 'punct') {
    if (t.text === ')' || t.text === ']') return true;
    const before = tokens[i - 1];
    return t.text === '*' && (before === undefined || before.text === ',' || before.text === '.' || word(before) === 'select' || word(before) === 'distinct');
  }
  const w = word(t);
  return w !== undefined && !EXPRESSION_START.has(w) && !RELATION_START.has(w) && !SET_OPERATORS.has(w) && w !== 'as';
}

/** The nearest clause keyword before token `i` at the same parenthesis depth. */
function clauseBefore(tokens: readonly Token[], i: number): string | undefined {
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const t = tokens[j] as Token;
    if (t.text === ')') depth++;
    else if (t.text === '(') {
      if (depth === 0) return undefined;
      depth--;
    } else if (depth === 0) {
      const w = word(t);
      if (w !== undefined && CLAUSES.has(w)) return w;
    }
  }
  return undefined;
}

/** True when token `i` sits directly inside `cast(` (or a sibling) parentheses. */
function insideTypeCall(tokens: readonly Token[], i: number): boolean {
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const t = tokens[j] as Token;
    if (t.text === ')') depth++;
    else if (t.text === '(') {
      if (depth === 0) return TYPE_CALLS.has(word(tokens[j - 1]) ?? '');
      depth--;
    }
  }
  return false;
}

function classify(tokens: readonly Token[], i: number): Site {
  const prev = tokens[i - 1];
  const next = tokens[i + 1];
  const pw = word(prev);
  const nw = word(next);
  const queryEnds = next === undefined || next.text === ')' || next.text === ';' || (nw !== undefined && SET_OPERATORS.has(nw));
  if (prev === undefined || prev.text === ';') return queryEnds ? 'query' : 'nothing';
  if (pw !== undefined && SET_OPERATORS.has(pw)) return 'query';
  if (pw === 'all' && SET_OPERATORS.has(word(tokens[i - 2]) ?? '')) return 'query';
  if (pw !== undefined && RELATION_START.has(pw)) return 'relation';
  if (prev.text === '(') {
    const before = word(tokens[i - 2]);
    const opensQuery = tokens[i - 2] === undefined || before === 'as' || before === 'from' || before === 'join' || before === 'exists' || (before !== undefined && SET_OPERATORS.has(before));
    if (opensQuery && next?.text === ')' && (nw === undefined || !QUERY_KEYWORDS.has(nw))) return 'query';
    return 'expression';
  }
  if (prev.text === '::') return 'type';
  if (pw === 'as') return insideTypeCall(tokens, i) ? 'type' : 'identifier';
  if (prev.text === '.') return 'identifier';
  if (prev.text === ',') return clauseBefore(tokens, i) === 'from' ? 'relation' : 'expression';
  if ((pw !== undefined && EXPRESSION_START.has(pw)) || (prev.type === 'punct' && EXPRESSION_START_PUNCT.has(prev.text))) return 'expression';
  if (prev.text === '*' && !endsOperand(tokens, i - 1)) return 'expression';
  if (endsOperand(tokens, i - 1)) {
    const clause = clauseBefore(tokens, i);
    if (clause !== undefined && LIST_CLAUSES.has(clause)) return 'continueList';
    if (clause !== undefined && CONDITION_CLAUSES.has(clause)) return 'continueCondition';
  }
  return 'nothing';
}

function render(site: Site, u: Unknown, host: UnknownSiteHost): string {
  const name = u.what.split('.').pop() || 'macro';
  switch (site) {
    case 'expression':
      return call(u, host);
    case 'continueList':
      return `, ${call(u, host)}`;
    case 'continueCondition':
      return ` and ${call(u, host)} is not null`;
    case 'relation':
      return host.relation(u.what);
    case 'query':
      return `select * from ${host.relation(u.what)}`;
    case 'identifier':
      return name.replace(/\W/g, '_');
    case 'type':
      return host.dialect === 'bigquery' ? 'string' : 'varchar';
    case 'nothing':
      return '';
  }
}

/** `ns__macro(arg, …)` over the arguments that are SQL, flattened, at most 64. */
function call(u: Unknown, host: UnknownSiteHost): string {
  const args: string[] = [];
  const add = (v: unknown, depth: number): void => {
    if (args.length >= 64 || depth > 3) return;
    if (typeof v === 'string') args.push(sqlArgument(v));
    else if (typeof v === 'number' && Number.isFinite(v)) args.push(String(v));
    else if (typeof v === 'boolean') args.push(v ? 'true' : 'false');
    else if (Array.isArray(v)) for (const x of v) add(x, depth + 1);
    else if (v instanceof Unknown) args.push(call(v, host));
    // Relations (refs), dicts, callables, None and undefined names carry no column of their own.
    else if (v instanceof Obj || v instanceof Map || v instanceof Callable || v instanceof Undef || v === null) return;
  };
  for (const a of u.args) add(a, 0);
  for (const [k, v] of u.kwargs) if (k !== 'caller') add(v, 0);
  const fn = u.what.replace(/\W+/g, '__') || 'unknown_macro';
  return `${fn}(${args.join(', ')})`;
}

/**
 * A string argument as SQL: kept as it is when it reads as an expression (a column name, a
 * qualified name, a call, an already quoted literal), else quoted as a string literal (a date part,
 * a delimiter, free text), so a word like `day` never becomes a column.
 */
export function sqlArgument(v: string): string {
  const s = v.trim();
  if (s === '') return "''";
  if (/^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)*$/.test(s)) return NOT_COLUMNS.has(s.toLowerCase()) ? quote(s) : s;
  if (/^'(?:[^']|'')*'$/.test(s) || /^-?\d+(\.\d+)?$/.test(s)) return s;
  if (/^"[^"]+"(\."[^"]+")*$/.test(s) || /^`[^`]+`$/.test(s)) return s;
  if (/[A-Za-z_]\w*\s*\(/.test(s) && balanced(s) && !s.includes(';')) return s;
  return quote(s);
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** True when parentheses and quotes balance (so the text can sit inside an argument list). */
function balanced(s: string): boolean {
  let depth = 0;
  let quoteChar: string | undefined;
  for (const ch of s) {
    if (quoteChar) {
      if (ch === quoteChar) quoteChar = undefined;
    } else if (ch === "'" || ch === '"' || ch === '`') quoteChar = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0 && quoteChar === undefined;
}
