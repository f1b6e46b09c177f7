import type { TransformKind } from '../model/entities';
import type { IrRef } from './ir';
import { arr, identValue, isQuery, nameParts, obj, variant, type RsContext, type RsNode } from './rsAst';
import { buildQuery } from './rsQuery';

/**
 * Column references of a sqlparser-rs expression, each tagged with how it is used: aggregate
 * arguments → aggregation, window PARTITION/ORDER → window, CASE/IF conditions and FILTER →
 * conditional, a bare column at the root of a select item → identity, anything else →
 * transformation. Subqueries become subquery references.
 */

/** Kind while walking: `direct` resolves to identity/transformation/aggregation at the leaf. */
export type WalkKind = 'direct' | TransformKind;

/** Aggregate functions by lower-cased name (sqlparser-rs does not tell aggregates apart). */
const AGGREGATES = new Set([
  'sum', 'count', 'avg', 'min', 'max', 'listagg', 'string_agg', 'array_agg', 'group_concat', 'any_value', 'approx_count_distinct',
  'median', 'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop', 'bool_and', 'bool_or', 'every', 'count_if', 'countif',
  'arbitrary', 'collect_list', 'collect_set', 'percentile_cont', 'percentile_disc', 'mode', 'object_agg', 'array_union_agg', 'array_concat_agg',
  'logical_and', 'logical_or', 'bit_and', 'bit_or', 'bit_xor', 'approx_quantiles', 'approx_top_count', 'approx_top_sum', 'approx_percentile',
  'percentile_approx', 'max_by', 'min_by', 'arg_max', 'arg_min', 'corr', 'covar_pop', 'covar_samp', 'kurtosis', 'skew', 'skewness',
  'hll_count.init', 'hll_count.merge', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg', 'xmlagg', 'array_agg_distinct',
  'booland_agg', 'boolor_agg', 'hash_agg', 'approx_distinct', 'count_big', 'checksum_agg', 'stdev', 'stdevp', 'var', 'varp', 'sum_distinct',
]);

/** Aggregates whose `WITHIN GROUP (ORDER BY x)` names the value aggregated, not just an order. */
const ORDERED_SET_AGGREGATES = new Set(['percentile_cont', 'percentile_disc', 'mode', 'percentile', 'median']);

/**
 * Date and time functions whose date part is written as a bare word (`DATEADD(day, 1, d)`,
 * `DATE_DIFF(a, b, MONTH)`, `DATE_TRUNC(week, d)`): that word names a unit, not a column.
 * Only a known unit name in the unit's position counts (`DATE_DIFF(d, x, DAY)` still reads d).
 */
const DATE_PART_FUNCTIONS = new Set([
  'dateadd', 'datediff', 'date_add', 'date_sub', 'date_diff', 'date_trunc', 'datetime_add', 'datetime_sub', 'datetime_diff', 'datetime_trunc',
  'timestamp_add', 'timestamp_sub', 'timestamp_diff', 'timestamp_trunc', 'time_add', 'time_sub', 'time_diff', 'time_trunc', 'timestampadd',
  'timestampdiff', 'date_part', 'datepart', 'datename', 'last_day', 'time_slice', 'extract', 'trunc', 'months_between', 'date_bucket',
]);
const DATE_PARTS = new Set([
  'year', 'years', 'yy', 'yyyy', 'quarter', 'quarters', 'qq', 'q', 'month', 'months', 'mm', 'mon', 'week', 'weeks', 'wk', 'ww', 'isoweek', 'isoyear',
  'day', 'days', 'dd', 'd', 'dayofweek', 'dayofyear', 'dow', 'doy', 'weekday', 'dw', 'hour', 'hours', 'hh', 'minute', 'minutes', 'mi', 'n',
  'second', 'seconds', 'ss', 's', 'millisecond', 'milliseconds', 'ms', 'microsecond', 'microseconds', 'us', 'nanosecond', 'nanoseconds', 'ns',
  'epoch', 'epoch_second', 'epoch_millisecond',
]);

/** Functions whose first argument is a condition (like a CASE WHEN). */
const CONDITIONAL_FUNCTIONS = new Set(['if', 'iff', 'iif']);

/** Keys of AST objects that never hold a column reference. */
const SKIP_KEYS = new Set(['span', 'data_type', 'field', 'format', 'collation', 'op', 'compare_op', 'kind', 'alias', 'quote_style', 'trim_where', 'null_treatment', 'duplicate_treatment', 'parameters', 'clauses', 'window_frame', 'syntax', 'special', 'leading_field', 'last_field', 'charset', 'styles', 'array_expr_token']);

function leafKind(kind: WalkKind, agg: boolean, root: boolean): TransformKind {
  if (kind !== 'direct') return kind;
  if (agg) return 'aggregation';
  return root ? 'identity' : 'transformation';
}

/** Conditions inside a direct walk are conditional; inside an indirect walk they keep its kind. */
const condition = (kind: WalkKind): WalkKind => (kind === 'direct' ? 'conditional' : kind);

/** Collects the column references of `value` (an expression or any AST fragment holding them). */
export function collectRefs(value: unknown, kind: WalkKind, agg: boolean, out: IrRef[], ctx: RsContext, root = false): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, kind, agg, out, ctx);
    return;
  }
  if (isQuery(value)) {
    out.push({ q: buildQuery(value, ctx), k: leafKind(kind, agg, false) });
    return;
  }
  const tagged = variant(value);
  // An enum value is `{ Variant: payload }` (capitalised); a struct has snake_case fields.
  if (!tagged || !/^[A-Z]/.test(tagged[0])) {
    const node = obj(value);
    if (node) walkFields(node, kind, agg, out, ctx);
    return;
  }
  const [tag, p] = tagged;
  const payload = obj(p);
  switch (tag) {
    case 'Identifier': {
      const c = identValue(p);
      // T-SQL variables (`@x`, `@@ROWCOUNT`) are not columns.
      if (c && !c.startsWith('@')) out.push({ c, k: leafKind(kind, agg, root) });
      return;
    }
    case 'CompoundIdentifier': {
      const parts = arr(p).map(identValue).filter((x): x is string => x !== undefined);
      const c = parts.pop();
      if (c && !c.startsWith('@')) out.push(parts.length > 0 ? { t: parts.join('.'), c, k: leafKind(kind, agg, root) } : { c, k: leafKind(kind, agg, root) });
      return;
    }
    case 'Nested':
      collectRefs(p, kind, agg, out, ctx, root);
      return;
    case 'Value': {
      // Snowflake `$1` reads the first column of a staged file or table.
      const literal = variant(payload?.value);
      const placeholder = literal?.[0] === 'Placeholder' ? literal[1] : undefined;
      if (ctx.dialect === 'snowflake' && typeof placeholder === 'string' && /^\$\d+$/.test(placeholder)) out.push({ c: placeholder, k: leafKind(kind, agg, root) });
      return;
    }
    case 'Function':
      if (payload) functionRefs(payload, kind, agg, out, ctx);
      return;
    case 'Case':
      collectRefs(payload?.operand, condition(kind), false, out, ctx);
      for (const arm of arr(payload?.conditions)) {
        collectRefs(obj(arm)?.condition, condition(kind), false, out, ctx);
        collectRefs(obj(arm)?.result, kind, agg, out, ctx);
      }
      collectRefs(payload?.else_result, kind, agg, out, ctx);
      return;
    case 'CompoundFieldAccess':
      // `f(x).field`, `a[0].b`: the root's references; field names after a dot are not columns.
      collectRefs(payload?.root, kind, agg, out, ctx);
      for (const access of arr(payload?.access_chain)) {
        const step = variant(access);
        if (step?.[0] === 'Subscript') collectRefs(step[1], kind, agg, out, ctx);
      }
      return;
    case 'JsonAccess':
      collectRefs(payload?.value, kind, agg, out, ctx);
      return;
    case 'Wildcard':
    case 'QualifiedWildcard':
      return;
    case 'Named':
      collectRefs(payload?.expr, kind, agg, out, ctx);
      return;
    case 'Lambda':
      lambdaRefs(payload, kind, agg, out, ctx);
      return;
    default:
      // Any other expression: its operands (`IsNull(expr)`, `BinaryOp { left, right }`, `Subquery(query)` …).
      collectRefs(p, kind, agg, out, ctx);
  }
}

/** Walks the fields of a struct that is not one of the expression variants handled above. */
function walkFields(node: RsNode, kind: WalkKind, agg: boolean, out: IrRef[], ctx: RsContext): void {
  for (const [key, child] of Object.entries(node)) {
    if (child === null || typeof child !== 'object' || SKIP_KEYS.has(key) || key.endsWith('_token')) continue;
    collectRefs(child, kind, agg, out, ctx);
  }
}

/** A function call: aggregates, window, FILTER, WITHIN GROUP, conditional first arguments. */
function functionRefs(fn: RsNode, kind: WalkKind, agg: boolean, out: IrRef[], ctx: RsContext): void {
  const name = nameParts(fn.name).join('.').toLowerCase();
  const isAgg = AGGREGATES.has(name) || AGGREGATES.has(name.split('.').pop() ?? '');
  const args = variant(fn.args);
  if (args?.[0] === 'Subquery') collectRefs(args[1], kind, agg || isAgg, out, ctx);
  const list = args?.[0] === 'List' ? arr(obj(args[1])?.args) : [];
  const datePart = DATE_PART_FUNCTIONS.has(name.split('.').pop() ?? '');
  list.forEach((arg, i) => {
    // The unit comes last in BigQuery (`DATE_DIFF(a, b, DAY)`), first elsewhere (`DATEADD(day, 1, d)`).
    if (datePart && i === (ctx.dialect === 'bigquery' ? list.length - 1 : 0) && isDatePart(arg)) return;
    const argKind = i === 0 && CONDITIONAL_FUNCTIONS.has(name) ? condition(kind) : kind;
    functionArgRefs(arg, argKind, agg || isAgg, out, ctx);
  });
  collectRefs(fn.filter, condition(kind), false, out, ctx);
  if (ORDERED_SET_AGGREGATES.has(name)) {
    for (const order of arr(fn.within_group)) collectRefs(obj(order)?.expr, kind, true, out, ctx);
  }
  windowRefs(fn.over, kind, out, ctx);
}

/** True for an unnamed argument that is a bare date-part word (`day`, `MONTH`). */
function isDatePart(arg: unknown): boolean {
  const [tag, p] = variant(arg) ?? [];
  const expr = tag === 'Unnamed' ? variant(p) : undefined;
  const value = expr?.[0] === 'Expr' ? variant(expr[1]) : undefined;
  const word = value?.[0] === 'Identifier' ? identValue(value[1]) : undefined;
  return word !== undefined && DATE_PARTS.has(word.toLowerCase());
}

/** One argument: `expr`, `name => expr`, `*` / `t.*` (every column: `count(*)`, `HASH(* EXCLUDE …)`). */
function functionArgRefs(arg: unknown, kind: WalkKind, agg: boolean, out: IrRef[], ctx: RsContext): void {
  const tagged = variant(arg);
  if (!tagged) return;
  const [tag, p] = tagged;
  const value = tag === 'Named' || tag === 'ExprNamed' ? obj(p)?.arg : p;
  const argExpr = variant(value);
  if (!argExpr) return;
  if (argExpr[0] === 'Expr') collectRefs(argExpr[1], kind, agg, out, ctx);
  else if (argExpr[0] === 'Wildcard' || argExpr[0] === 'WildcardWithOptions') out.push({ c: '*', k: leafKind(kind, agg, false) });
  else if (argExpr[0] === 'QualifiedWildcard') out.push({ t: nameParts(argExpr[1]).join('.'), c: '*', k: leafKind(kind, agg, false) });
}

/** `OVER (PARTITION BY … ORDER BY …)` or `OVER w` (a named window of an enclosing SELECT). */
export function windowRefs(over: unknown, kind: WalkKind, out: IrRef[], ctx: RsContext): void {
  const tagged = variant(over);
  if (!tagged) return;
  let spec: unknown = tagged[0] === 'WindowSpec' ? tagged[1] : undefined;
  if (tagged[0] === 'NamedWindow') spec = namedWindow(ctx, identValue(tagged[1]));
  const windowKind: WalkKind = kind === 'direct' ? 'window' : kind;
  for (let depth = 0; spec !== undefined && depth < 8; depth++) {
    const s = obj(spec);
    collectRefs(s?.partition_by, windowKind, false, out, ctx);
    for (const order of arr(s?.order_by)) collectRefs(obj(order)?.expr, windowKind, false, out, ctx);
    // `OVER (w ORDER BY …)` extends a named window.
    spec = namedWindow(ctx, identValue(s?.window_name));
  }
}

function namedWindow(ctx: RsContext, name: string | undefined): unknown {
  if (!name) return undefined;
  for (let i = ctx.windows.length - 1; i >= 0; i--) {
    const found = ctx.windows[i]?.get(name.toLowerCase());
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `x -> x + 1`: the body's references, minus the lambda's own parameters. */
function lambdaRefs(lambda: RsNode | undefined, kind: WalkKind, agg: boolean, out: IrRef[], ctx: RsContext): void {
  const params = new Set<string>();
  const collect = (v: unknown): void => {
    const one = identValue(v);
    if (one) params.add(one.toLowerCase());
    for (const x of arr(v)) collect(x);
    const tagged = variant(v);
    if (tagged) collect(tagged[1]);
    const name = identValue(obj(v)?.name);
    if (name) params.add(name.toLowerCase());
  };
  collect(lambda?.params);
  const inner: IrRef[] = [];
  collectRefs(lambda?.body, kind, agg, inner, ctx);
  for (const ref of inner) if ('q' in ref || ref.t !== undefined || !params.has(ref.c.toLowerCase())) out.push(ref);
}
