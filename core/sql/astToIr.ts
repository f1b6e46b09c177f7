import type { TransformKind } from '../model/entities';
import type { RelationName } from '../pipeline/contracts';
import { identName, relationOf, splitAlias } from './astNames';
import type { IrCte, IrOutput, IrQuery, IrRef, IrSelect, IrSource, IrStar } from './ir';
import { selectItemText, tokensOf } from './itemText';
import type { Token } from './lexer';
import type { StarModifier } from './preprocess';

/** Node of node-sql-parser's AST, read structurally (its published types are incomplete). */
export type AstNode = Record<string, unknown>;

/** State threaded through one statement's conversion. */
export interface AstContext {
  /** Original statement text, used to name unaliased expressions as written. */
  text: string;
  /** Tokens of `text`, computed on first use. */
  tokens?: Token[];
  starModifiers: StarModifier[];
  starOrdinal: number;
}

/** Kind used while walking an expression: `direct` resolves to identity/transformation/aggregation at the leaf. */
type WalkKind = 'direct' | TransformKind;

/** Narrows an unknown to an AST node. */
export function asNode(value: unknown): AstNode | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as AstNode) : undefined;
}

function asArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === null || value === undefined ? [] : [value];
}

/** Unwraps `{ ast }` / `{ tableList, columnList, ast }` wrappers around a query. */
export function queryNode(value: unknown): AstNode | undefined {
  const node = asNode(value);
  if (!node) return undefined;
  if (node.ast !== undefined) return queryNode(node.ast);
  return node.type === 'select' ? node : undefined;
}

/** Converts a SELECT (possibly a set-operation chain) into IR. */
export function buildQuery(node: AstNode, ctx: AstContext): IrQuery {
  const withClause = buildWith(node.with, ctx);
  const branches: IrQuery[] = [buildSelect(node, ctx)];
  let op = '';
  let next = asNode(node._next);
  let prevOp = typeof node.set_op === 'string' ? node.set_op : '';
  while (next) {
    op = op || prevOp.toLowerCase();
    const nextQuery = queryNode(next) ?? next;
    branches.push(buildSelect(nextQuery, ctx));
    prevOp = typeof next.set_op === 'string' ? next.set_op : '';
    next = asNode(next._next);
  }
  const query: IrQuery = branches.length === 1 ? (branches[0] as IrSelect) : { op: op || 'union', qs: branches };
  if (withClause.length > 0) query.w = withClause;
  return query;
}

function buildWith(value: unknown, ctx: AstContext): IrCte[] {
  const ctes: IrCte[] = [];
  for (const item of asArray(value)) {
    const cte = asNode(item);
    const name = identName(cte?.name);
    const stmt = queryNode(cte?.stmt);
    if (!cte || !name || !stmt) continue;
    const entry: IrCte = { n: name, q: buildQuery(stmt, ctx) };
    const cols = asArray(cte.columns).map(identName).filter((c): c is string => c !== undefined);
    if (cols.length > 0) entry.cols = cols;
    ctes.push(entry);
  }
  return ctes;
}

function buildSelect(node: AstNode, ctx: AstContext): IrSelect {
  // Nested parenthesised queries in a set chain carry their own WITH/_next; buildQuery handles them.
  if (node._next === undefined && node.with === undefined && queryNode(node.ast)) return buildSelect(queryNode(node.ast) as AstNode, ctx);
  const select: IrSelect = { f: [], o: [], x: [] };
  select.o = buildOutputs(node.columns, ctx);
  for (const item of flattenFrom(node.from)) {
    const source = buildSource(item, ctx, select.x);
    if (source) select.f.push(source);
  }
  collectRefs(node.where, 'filter', false, select.x, ctx);
  const groupBy = asNode(node.groupby);
  for (const item of asArray(groupBy && 'columns' in groupBy ? groupBy.columns : node.groupby)) collectKeyRefs(item, 'group', select.x, ctx);
  collectRefs(node.having, 'filter', false, select.x, ctx);
  collectRefs(node.qualify, 'filter', false, select.x, ctx);
  // Named windows (`WINDOW w AS (PARTITION BY …)`) shape the rows of the columns that use them.
  collectRefs(asNode(node.window)?.expr ?? node.window, 'window', false, select.x, ctx);
  for (const order of asArray(node.orderby)) collectKeyRefs(asNode(order)?.expr, 'sort', select.x, ctx);
  return select;
}

/** A GROUP BY / ORDER BY key: a select-item position (`GROUP BY 1`) or an expression. */
function collectKeyRefs(item: unknown, kind: TransformKind, out: IrRef[], ctx: AstContext): void {
  const node = asNode(item);
  if (node?.type === 'number' && typeof node.value === 'number' && Number.isInteger(node.value) && node.value >= 1) {
    out.push({ c: '', k: kind, p: node.value });
    return;
  }
  collectRefs(item, kind, false, out, ctx);
}

/** FROM items, with parenthesised join groups `FROM (a JOIN b ON …)` flattened. */
function flattenFrom(from: unknown): AstNode[] {
  const out: AstNode[] = [];
  for (const item of asArray(from)) {
    const node = asNode(item);
    if (!node) continue;
    const inner = asNode(node.expr);
    if (inner?.type === 'tables') out.push(...flattenFrom(inner.expr));
    else out.push(node);
  }
  return out;
}

/** `VALUES (…), (…)` as a select whose outputs are the positions, so subqueries in values still count. */
export function valuesQuery(values: AstNode, ctx: AstContext): IrSelect {
  const select: IrSelect = { f: [], o: [], x: [] };
  for (const row of asArray(values.values)) {
    asArray(asNode(row)?.value).forEach((expr, i) => {
      const output = select.o[i] ?? { n: `_col${i}`, r: [] };
      collectRefs(expr, 'direct', false, output.r, ctx, true);
      select.o[i] = output;
    });
  }
  return select;
}

function buildOutputs(columns: unknown, ctx: AstContext): IrOutput[] {
  if (columns === '*') return [{ n: '*', r: [], star: takeStar({}, ctx) }];
  const outputs: IrOutput[] = [];
  asArray(columns).forEach((item, index) => {
    const col = asNode(item);
    const expr = asNode(col?.expr);
    if (!col || !expr) return;
    if (expr.type === 'column_ref' && columnName(expr.column) === '*') {
      const qualifier = qualifierOf(expr);
      outputs.push({ n: '*', r: [], star: takeStar(qualifier ? { t: qualifier } : {}, ctx) });
      return;
    }
    const refs: IrRef[] = [];
    collectRefs(expr, 'direct', false, refs, ctx, true);
    outputs.push({ n: identName(col.as) ?? defaultName(expr, ctx, index), r: refs });
  });
  return outputs;
}

function takeStar(star: IrStar, ctx: AstContext): IrStar {
  const ordinal = ctx.starOrdinal++;
  const mod = ctx.starModifiers.find((m) => m.ordinal === ordinal);
  if (mod?.except) star.ex = mod.except;
  if (mod?.replace) star.rep = mod.replace;
  return star;
}

function defaultName(expr: AstNode, ctx: AstContext, index: number): string {
  if (expr.type === 'column_ref') return columnName(expr.column) ?? `_col${index}`;
  // `col::type` keeps the column's name (PostgreSQL, Snowflake, Redshift).
  const inner = asNode(expr.expr);
  if (expr.type === 'cast' && expr.symbol === '::' && inner?.type === 'column_ref') return columnName(inner.column) ?? `_col${index}`;
  const offset = firstLocation(expr);
  const text = offset === undefined ? undefined : selectItemText(ctx.text, tokensOf(ctx.text, ctx), offset);
  return text || `_col${index}`;
}

/** Start offset of the first located node of an expression, not looking into subqueries. */
function firstLocation(value: unknown): number | undefined {
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = firstLocation(v);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const node = asNode(value);
  if (!node || queryNode(node)) return undefined;
  const start = asNode(asNode(node.loc)?.start)?.offset;
  if (typeof start === 'number') return start;
  for (const [key, child] of Object.entries(node)) {
    if (key === 'loc') continue;
    const found = firstLocation(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

function buildSource(item: AstNode | undefined, ctx: AstContext, indirect: IrRef[]): IrSource | undefined {
  if (!item) return undefined;
  const { alias, cols } = splitAlias(item.as);
  let source: IrSource | undefined;
  const sub = queryNode(item.expr) ?? (item.table === undefined ? queryNode(item) : undefined);
  if (sub) {
    source = { q: buildQuery(sub, ctx) };
  } else if (asNode(item.expr)) {
    const refs: IrRef[] = [];
    collectRefs(item.expr, 'direct', false, refs, ctx);
    source = { fn: refs };
  } else if (typeof item.table === 'string' || asNode(item.table)) {
    const rel: RelationName | undefined = relationOf(item);
    if (rel) source = { rel };
  }
  if (!source) return undefined;
  if (alias) source.as = alias;
  const columnAliases = cols ?? asArray(asNode(item.expr)?.columns).map(identName).filter((c): c is string => c !== undefined);
  if (columnAliases.length > 0) source.cols = columnAliases;
  collectRefs(item.on, 'join', false, indirect, ctx);
  const using = asArray(item.using).map(identName).filter((n): n is string => n !== undefined);
  if (using.length > 0) source.u = using;
  return source;
}

/** Column name of a `column_ref.column` value in any of the grammars' shapes. */
export function columnName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const node = asNode(value);
  if (!node) return undefined;
  if (node.expr !== undefined) return columnName(node.expr);
  if (typeof node.value === 'string') return node.value;
  return undefined;
}

function qualifierOf(ref: AstNode): string | undefined {
  const parts = [identName(ref.db), identName(ref.schema), identName(ref.table)].filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join('.') : undefined;
}

function leafKind(kind: WalkKind, agg: boolean, root: boolean): TransformKind {
  if (kind !== 'direct') return kind;
  if (agg) return 'aggregation';
  return root ? 'identity' : 'transformation';
}

const AGGREGATE_FUNCTIONS = new Set([
  'sum', 'count', 'avg', 'min', 'max', 'listagg', 'string_agg', 'array_agg', 'group_concat', 'any_value', 'approx_count_distinct',
  'median', 'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop', 'bool_and', 'bool_or', 'every', 'count_if',
  'arbitrary', 'collect_list', 'collect_set', 'percentile_cont', 'percentile_disc', 'mode', 'object_agg', 'array_union_agg',
]);

const SKIP_KEYS = new Set(['loc', 'as', 'type', 'over', 'name', 'keyword', 'surround', 'parentheses', 'target', 'symbol', 'operator', 'dataType']);

/**
 * Collects the column references of an expression, tagging each with how it is used:
 * aggregate arguments → aggregation, window PARTITION/ORDER → window, CASE conditions →
 * conditional, a bare column at the root → identity, anything else → transformation.
 */
export function collectRefs(value: unknown, kind: WalkKind, agg: boolean, out: IrRef[], ctx: AstContext, root = false): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, kind, agg, out, ctx);
    return;
  }
  const node = asNode(value);
  if (!node) return;
  const sub = queryNode(node);
  if (sub) {
    out.push({ q: buildQuery(sub, ctx), k: leafKind(kind, agg, false) });
    return;
  }
  switch (node.type) {
    case 'column_ref': {
      const c = columnName(node.column);
      // T-SQL variables (`@x`, `@@ROWCOUNT`) are not columns.
      if (!c || c.startsWith('@')) return;
      const t = qualifierOf(node);
      out.push(t ? { t, c, k: leafKind(kind, agg, root) } : { c, k: leafKind(kind, agg, root) });
      return;
    }
    case 'star':
      if (agg) out.push({ c: '*', k: leafKind(kind, agg, false) });
      return;
    case 'aggr_func':
      collectRefs(node.args, kind, true, out, ctx);
      collectRefs(node.filter, kind === 'direct' ? 'conditional' : kind, false, out, ctx);
      collectRefs(node.over, kind === 'direct' ? 'window' : kind, false, out, ctx);
      return;
    case 'case':
      collectRefs(node.expr, kind === 'direct' ? 'conditional' : kind, false, out, ctx);
      for (const arm of asArray(node.args)) {
        const a = asNode(arm);
        collectRefs(a?.cond, kind === 'direct' ? 'conditional' : kind, false, out, ctx);
        collectRefs(a?.result, kind, agg, out, ctx);
      }
      return;
    case 'function':
      // Some grammars parse LISTAGG, STRING_AGG, ANY_VALUE … as plain functions.
      if (AGGREGATE_FUNCTIONS.has((identName(node.name) ?? '').toLowerCase())) {
        collectRefs(node.args, kind, true, out, ctx);
        collectRefs(node.over, kind === 'direct' ? 'window' : kind, false, out, ctx);
        return;
      }
      for (const [key, child] of Object.entries(node)) if (!SKIP_KEYS.has(key)) collectRefs(child, kind, agg, out, ctx);
      collectRefs(node.over, kind === 'direct' ? 'window' : kind, false, out, ctx);
      return;
    default:
      for (const [key, child] of Object.entries(node)) {
        if (SKIP_KEYS.has(key)) continue;
        collectRefs(child, kind, agg, out, ctx);
      }
      collectRefs(node.over, kind === 'direct' ? 'window' : kind, false, out, ctx);
  }
}
