import { isSetOp, type IrCte, type IrOutput, type IrQuery, type IrRef, type IrSelect, type IrSetOp, type IrSource } from './ir';
import { selectItemText, tokensOf } from './itemText';
import { arr, firstOffset, identValue, isQuery, nameParts, obj, variant, type RsContext, type RsNode } from './rsAst';
import { collectRefs } from './rsExpr';
import { addFrom } from './rsSources';
import { starOf } from './rsStar';

/**
 * sqlparser-rs queries → lineage IR: WITH, set operations (by position or BY NAME), SELECT with
 * its clauses, VALUES and `TABLE t`. FROM items are in `rsSources.ts`, star modifiers in `rsStar.ts`.
 */

/** Converts a `Query` (WITH + body + ORDER BY) into IR. */
export function buildQuery(q: RsNode, ctx: RsContext): IrQuery {
  const ctes = buildWith(q.with, ctx);
  const query = buildSetExpr(q.body, ctx);
  const order = obj(q.order_by);
  const kind = variant(order?.kind);
  // ORDER BY keys name output columns or positions; the first branch defines both.
  const keys = kind?.[0] === 'Expressions' ? arr(kind[1]) : arr(order?.exprs);
  const first = firstSelect(query);
  for (const key of keys) collectKeyRefs(obj(key)?.expr, 'sort', first.x, ctx);
  if (ctes.length > 0) query.w = [...ctes, ...(query.w ?? [])];
  return query;
}

/** The SELECT that names a query's columns (the first branch of a set operation). */
export function firstSelect(query: IrQuery): IrSelect {
  let q: IrQuery = query;
  while (isSetOp(q)) q = q.qs[0] ?? { f: [], o: [], x: [] };
  return q;
}

/** The CTEs of a `WITH` clause. */
export function buildWith(value: unknown, ctx: RsContext): IrCte[] {
  const ctes: IrCte[] = [];
  for (const item of arr(obj(value)?.cte_tables)) {
    const cte = obj(item);
    const alias = obj(cte?.alias);
    const name = identValue(alias?.name);
    if (!cte || !name || !isQuery(cte.query)) continue;
    const entry: IrCte = { n: name, q: buildQuery(cte.query, ctx) };
    const cols = arr(alias?.columns).map((c) => identValue(obj(c)?.name) ?? identValue(c)).filter((c): c is string => c !== undefined);
    if (cols.length > 0) entry.cols = cols;
    ctes.push(entry);
  }
  return ctes;
}

const SET_OPS: Record<string, string> = { Union: 'union', Except: 'except', Minus: 'except', Intersect: 'intersect' };

function buildSetExpr(body: unknown, ctx: RsContext): IrQuery {
  const tagged = variant(body);
  const payload = obj(tagged?.[1]);
  switch (tagged?.[0]) {
    case 'Select':
      return buildSelect(payload, ctx);
    case 'Query':
      return payload ? buildQuery(payload, ctx) : emptySelect();
    case 'SetOperation': {
      const op = SET_OPS[String(payload?.op)] ?? 'union';
      const byName = /ByName/.test(String(payload?.set_quantifier));
      const left = buildSetExpr(payload?.left, ctx);
      const right = buildSetExpr(payload?.right, ctx);
      // A chain of the same operation is one set operation with several branches.
      const sameChain = isSetOp(left) && left.op === op && !left.w && !!left.bn === byName;
      const out: IrSetOp = { op, qs: [...(sameChain ? left.qs : [left]), right] };
      if (byName) out.bn = true;
      return out;
    }
    case 'Values':
      return valuesQuery(payload, ctx);
    case 'Table': {
      // `TABLE t` is `SELECT * FROM t`.
      const parts = [payload?.schema_name, payload?.table_name].filter((p): p is string => typeof p === 'string');
      const name = parts.pop();
      if (!name) return emptySelect();
      return { f: [{ rel: parts.length > 0 ? { schema: parts.join('.'), name } : { name } }], o: [{ n: '*', r: [], star: {} }], x: [] };
    }
    default:
      return emptySelect();
  }
}

function emptySelect(): IrSelect {
  return { f: [], o: [], x: [] };
}

/** Converts one SELECT; its named windows are visible to its select items. */
export function buildSelect(sel: RsNode | undefined, ctx: RsContext): IrSelect {
  const select = emptySelect();
  if (!sel) return select;
  const windows = new Map<string, unknown>();
  for (const def of arr(sel.named_window)) {
    const [name, spec] = arr(def);
    const tagged = variant(spec);
    const key = identValue(name)?.toLowerCase();
    // `WINDOW w2 AS w1` names another window: followed through `window_name`.
    if (key && tagged) windows.set(key, tagged[0] === 'WindowSpec' ? tagged[1] : { window_name: tagged[1] });
  }
  ctx.windows.push(windows);
  try {
    for (const item of arr(sel.from)) addFrom(item, select, ctx);
    for (const view of arr(sel.lateral_views)) {
      // Hive `LATERAL VIEW explode(tags) tv AS tag`: a table function over the rows before it.
      const lv = obj(view);
      const refs: IrRef[] = [];
      collectRefs(lv?.lateral_view, 'direct', false, refs, ctx);
      const source: IrSource = { fn: refs };
      const alias = nameParts(lv?.lateral_view_name).pop();
      if (alias) source.as = alias;
      const cols = arr(lv?.lateral_col_alias).map(identValue).filter((c): c is string => c !== undefined);
      if (cols.length > 0) source.cols = cols;
      select.f.push(source);
    }
    select.o = buildOutputs(sel.projection, ctx);
    collectRefs(sel.prewhere, 'filter', false, select.x, ctx);
    collectRefs(sel.selection, 'filter', false, select.x, ctx);
    const group = variant(sel.group_by);
    if (group?.[0] === 'Expressions') for (const key of arr(arr(group[1])[0])) collectKeyRefs(key, 'group', select.x, ctx);
    collectRefs(sel.having, 'filter', false, select.x, ctx);
    collectRefs(sel.qualify, 'filter', false, select.x, ctx);
    for (const c of arr(sel.connect_by)) collectRefs(variant(c)?.[1], 'filter', false, select.x, ctx);
    const distinct = variant(sel.distinct);
    if (distinct?.[0] === 'On') for (const key of arr(distinct[1])) collectKeyRefs(key, 'group', select.x, ctx);
    for (const key of [...arr(sel.cluster_by), ...arr(sel.distribute_by), ...arr(sel.sort_by)]) collectKeyRefs(obj(key)?.expr ?? key, 'sort', select.x, ctx);
  } finally {
    ctx.windows.pop();
  }
  return select;
}

/** A GROUP BY / ORDER BY key: a select-item position (`GROUP BY 1`) or an expression. */
function collectKeyRefs(key: unknown, kind: 'group' | 'sort', out: IrRef[], ctx: RsContext): void {
  const value = variant(key);
  const literal = value?.[0] === 'Value' ? variant(obj(value[1])?.value) : undefined;
  const number = literal?.[0] === 'Number' ? Number(arr(literal[1])[0]) : NaN;
  if (Number.isInteger(number) && number >= 1) {
    out.push({ c: '', k: kind, p: number });
    return;
  }
  collectRefs(key, kind, false, out, ctx);
}

/** `VALUES (…), (…)` as a select whose outputs are the positions, so subqueries in values still count. */
export function valuesQuery(values: RsNode | undefined, ctx: RsContext): IrSelect {
  const select = emptySelect();
  for (const row of arr(values?.rows)) {
    const exprs = Array.isArray(row) ? row : arr(obj(row)?.content);
    exprs.forEach((expr, i) => {
      const output = select.o[i] ?? { n: `_col${i}`, r: [] };
      collectRefs(expr, 'direct', false, output.r, ctx, true);
      select.o[i] = output;
    });
  }
  return select;
}

function buildOutputs(projection: unknown, ctx: RsContext): IrOutput[] {
  const outputs: IrOutput[] = [];
  arr(projection).forEach((item, index) => {
    const tagged = variant(item);
    if (!tagged) return;
    const [tag, payload] = tagged;
    if (tag === 'Wildcard' || tag === 'QualifiedWildcard') {
      const star = starOf(tag, payload, ctx);
      if (star) outputs.push({ n: '*', r: [], star });
      return;
    }
    const expr = tag === 'ExprWithAlias' ? obj(payload)?.expr : payload;
    const refs: IrRef[] = [];
    collectRefs(expr, 'direct', false, refs, ctx, true);
    const alias = tag === 'ExprWithAlias' ? identValue(obj(payload)?.alias) : tag === 'ExprWithAliases' ? identValue(arr(obj(payload)?.aliases)[0]) : undefined;
    outputs.push({ n: alias ?? defaultName(expr, ctx, index), r: refs });
  });
  return outputs;
}

/** The name of an unaliased select item: a column's name, `col::type`'s column, else the text as written. */
function defaultName(expr: unknown, ctx: RsContext, index: number): string {
  const [tag, payload] = variant(expr) ?? [];
  if (tag === 'Identifier') return identValue(payload) ?? `_col${index}`;
  if (tag === 'CompoundIdentifier') return identValue(arr(payload).at(-1)) ?? `_col${index}`;
  if (tag === 'Cast' && obj(payload)?.kind === 'DoubleColon') {
    const [innerTag, inner] = variant(obj(payload)?.expr) ?? [];
    if (innerTag === 'Identifier') return identValue(inner) ?? `_col${index}`;
    if (innerTag === 'CompoundIdentifier') return identValue(arr(inner).at(-1)) ?? `_col${index}`;
  }
  if (tag === 'CompoundFieldAccess') {
    // BigQuery names `f(x).field` and `a[0].b` after the last field.
    const last = variant(arr(obj(payload)?.access_chain).at(-1));
    const field = last?.[0] === 'Dot' ? variant(last[1]) : undefined;
    if (field?.[0] === 'Identifier') return identValue(field[1]) ?? `_col${index}`;
  }
  const offset = firstOffset(ctx, expr);
  const text = offset === undefined ? undefined : selectItemText(ctx.text, tokensOf(ctx.text, ctx), offset);
  return text || `_col${index}`;
}
