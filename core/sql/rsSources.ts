import { relationFromParts } from './astNames';
import type { IrOutput, IrRef, IrSelect, IrSource } from './ir';
import { arr, identValue, isQuery, nameParts, obj, relationParts, variant, type RsContext, type RsNode } from './rsAst';
import { collectRefs } from './rsExpr';
import { buildQuery } from './rsQuery';

/**
 * FROM items of sqlparser-rs's AST → IR sources: tables, derived tables, table functions (UNNEST,
 * FLATTEN, `TABLE(…)`), joins with their ON / USING / NATURAL constraint, SEMI/ANTI joins, and
 * PIVOT / UNPIVOT as the derived query they are equivalent to.
 */

/** Joins whose right side only filters the left (its columns never reach a `*`). */
const SEMI_JOINS = new Set(['Semi', 'LeftSemi', 'Anti', 'LeftAnti']);

/** Dialects where `FROM t, t.arr` unnests the column `arr` of `t` (BigQuery, Redshift PartiQL). */
const IMPLICIT_UNNEST = new Set(['bigquery', 'redshift']);

/** Adds one `TableWithJoins` (a FROM item and its joins) to `select`. */
export function addFrom(item: unknown, select: IrSelect, ctx: RsContext): void {
  const node = obj(item);
  if (!node) return;
  addFactor(node.relation, select, ctx);
  for (const join of arr(node.joins)) {
    const j = obj(join);
    const source = addFactor(j?.relation, select, ctx);
    const [op, payload] = variant(j?.join_operator) ?? [];
    let constraint = payload;
    if (op === 'AsOf') {
      collectRefs(obj(payload)?.match_condition, 'join', false, select.x, ctx);
      constraint = obj(payload)?.constraint;
    }
    if (source && op && SEMI_JOINS.has(op)) source.semi = true;
    const [kind, on] = variant(constraint) ?? [];
    if (kind === 'On') collectRefs(on, 'join', false, select.x, ctx);
    else if (kind === 'Using') {
      const names = arr(on).map((n) => nameParts(n).pop() ?? identValue(n)).filter((n): n is string => n !== undefined);
      if (source && names.length > 0) source.u = names;
    } else if (kind === 'Natural' && source) source.nat = true;
  }
}

/** Adds a FROM item's source(s); returns the source a join constraint applies to. */
function addFactor(factor: unknown, select: IrSelect, ctx: RsContext): IrSource | undefined {
  const [tag, p] = variant(factor) ?? [];
  const node = obj(p);
  if (!node) return undefined;
  if (tag === 'NestedJoin') {
    // `FROM (a JOIN b ON …)`: the same scope as unparenthesised joins.
    addFrom(node.table_with_joins, select, ctx);
    return select.f[select.f.length - 1];
  }
  const source = buildFactor(tag ?? '', node, select, ctx);
  if (!source) return undefined;
  aliasInto(source, node.alias);
  select.f.push(source);
  return source;
}

function buildFactor(tag: string, node: RsNode, select: IrSelect, ctx: RsContext): IrSource | undefined {
  switch (tag) {
    case 'Table': {
      const parts = relationParts(node.name);
      const args = obj(node.args);
      // `generate_series(1, 9)`, `EXTERNAL_QUERY('conn', 'sql')`: table functions, not relations;
      // but T-SQL `t(NOLOCK)` is a table with hints.
      if (args && !(ctx.dialect === 'transactsql' && isTableHints(args.args))) return { fn: argRefs(args.args, ctx) };
      // Snowflake stages (`@stage/path`) hold files, not relations.
      if (parts[0]?.startsWith('@')) return { fn: [] };
      if (parts.length >= 2 && IMPLICIT_UNNEST.has(ctx.dialect) && namesEarlierSource(select, parts[0] as string)) {
        const c = parts[parts.length - 1] as string;
        return { fn: [{ t: parts.slice(0, -1).join('.'), c, k: 'transformation' }] };
      }
      const rel = relationFromParts(parts);
      return rel ? { rel } : undefined;
    }
    case 'Derived':
      return isQuery(node.subquery) ? { q: buildQuery(node.subquery, ctx) } : undefined;
    case 'TableFunction':
    case 'JsonTable':
    case 'OpenJsonTable':
    case 'XmlTable': {
      const refs: IrRef[] = [];
      collectRefs(node.expr ?? node.json_expr ?? node.row_expression, 'direct', false, refs, ctx);
      return { fn: refs };
    }
    case 'Function':
      return { fn: argRefs(node.args, ctx) };
    case 'UNNEST': {
      const refs: IrRef[] = [];
      collectRefs(node.array_exprs, 'direct', false, refs, ctx);
      const source: IrSource = { fn: refs };
      const offset = identValue(node.with_offset_alias) ?? (node.with_offset === true ? 'offset' : undefined);
      if (offset) source.ord = offset;
      // BigQuery `UNNEST(a) AS x`: x is the element column (and the name `x.field` qualifies).
      const alias = obj(node.alias);
      const name = identValue(alias?.name);
      if (name && arr(alias?.columns).length === 0 && ctx.dialect === 'bigquery') source.cols = [name];
      return source;
    }
    case 'Pivot':
      return pivotSource(node, select, ctx);
    case 'Unpivot':
      return unpivotSource(node, select, ctx);
    case 'MatchRecognize':
      return buildFactor(variant(node.table)?.[0] ?? '', obj(variant(node.table)?.[1]) ?? {}, select, ctx);
    default:
      return undefined;
  }
}

/** T-SQL table hints written without WITH: `t (NOLOCK)`, `t (NOLOCK, INDEX(ix))`. */
const TABLE_HINTS = new Set(['NOLOCK', 'READUNCOMMITTED', 'READCOMMITTED', 'READCOMMITTEDLOCK', 'REPEATABLEREAD', 'SERIALIZABLE', 'UPDLOCK', 'HOLDLOCK', 'ROWLOCK', 'PAGLOCK', 'TABLOCK', 'TABLOCKX', 'XLOCK', 'NOWAIT', 'READPAST', 'SNAPSHOT', 'INDEX', 'FORCESEEK', 'FORCESCAN', 'NOEXPAND']);

function isTableHints(args: unknown): boolean {
  const list = arr(args);
  return list.length > 0 && list.every((a) => {
    const expr = variant(variant(a)?.[1]);
    const e = variant(expr?.[1]);
    const name = e?.[0] === 'Identifier' ? identValue(e[1]) : e?.[0] === 'Function' ? nameParts(obj(e[1])?.name).join('.') : undefined;
    return name !== undefined && TABLE_HINTS.has(name.toUpperCase());
  });
}

/** True when `name` is the alias (or unaliased name) of a FROM item already in `select`. */
function namesEarlierSource(select: IrSelect, name: string): boolean {
  const key = name.toLowerCase();
  return select.f.some((s) => (s.as ?? s.rel?.name)?.toLowerCase() === key);
}

/** `AS a (x, y)` onto a source; a table function's column list names its columns. */
function aliasInto(source: IrSource, alias: unknown): void {
  const a = obj(alias);
  const name = identValue(a?.name);
  if (name) source.as = name;
  const cols = arr(a?.columns).map((c) => identValue(obj(c)?.name) ?? identValue(c)).filter((c): c is string => c !== undefined);
  if (cols.length > 0) source.cols = cols;
}

/** References of table-function arguments (`f(a, name => b)`). */
function argRefs(args: unknown, ctx: RsContext): IrRef[] {
  const refs: IrRef[] = [];
  for (const arg of arr(args)) {
    const [tag, p] = variant(arg) ?? [];
    const value = tag === 'Named' || tag === 'ExprNamed' ? obj(p)?.arg : p;
    const expr = variant(value);
    if (expr?.[0] === 'Expr') collectRefs(expr[1], 'direct', false, refs, ctx);
    else if (tag === 'Unnamed' || tag === 'Named') collectRefs(value, 'direct', false, refs, ctx);
  }
  return refs;
}

/** Names of the plain columns an expression reads (`SUM(amount)` → amount). */
function columnNames(refs: IrRef[]): string[] {
  return refs.flatMap((r) => ('q' in r || r.c === '*' || r.c === '' ? [] : [r.c]));
}

/** The written name of a pivot value (`'JAN'` → JAN, `1 AS one` → one). */
function valueName(item: unknown, i: number): string {
  const node = obj(item);
  const alias = identValue(node?.alias);
  if (alias) return alias;
  const [tag, p] = variant(node?.expr ?? item) ?? [];
  if (tag === 'Identifier') return identValue(p) ?? `_col${i}`;
  const literal = tag === 'Value' ? variant(obj(p)?.value) : undefined;
  const text = literal?.[1];
  if (typeof text === 'string') return text;
  if (Array.isArray(text) && typeof text[0] === 'string') return text[0];
  return `_col${i}`;
}

/**
 * `t PIVOT (agg(v) FOR k IN (x, y))` as `SELECT * EXCEPT (v, k), agg(v) AS x, agg(v) AS y FROM t`:
 * each value column aggregates the aggregate's inputs, selected by the pivot column (conditional).
 */
function pivotSource(node: RsNode, select: IrSelect, ctx: RsContext): IrSource | undefined {
  const inner: IrSelect = { f: [], o: [], x: [] };
  const base = variant(node.table);
  const from = base ? buildFactor(base[0], obj(base[1]) ?? {}, select, ctx) : undefined;
  if (from) {
    aliasInto(from, obj(base?.[1])?.alias);
    inner.f.push(from);
  }
  const keys: IrRef[] = [];
  collectRefs(node.value_column, 'conditional', false, keys, ctx);
  const aggregates = arr(node.aggregate_functions).map((a) => {
    const refs: IrRef[] = [];
    collectRefs(obj(a)?.expr ?? a, 'direct', false, refs, ctx);
    return { alias: identValue(obj(a)?.alias), refs };
  });
  const removed = [...columnNames(keys), ...aggregates.flatMap((a) => columnNames(a.refs))];
  inner.o.push({ n: '*', r: [], star: removed.length > 0 ? { ex: [...new Set(removed)] } : {} });
  const source = variant(node.value_source);
  const values = source?.[0] === 'List' ? arr(source[1]) : source?.[0] === 'Any' ? [] : [];
  values.forEach((value, i) => {
    const name = valueName(value, i);
    for (const agg of aggregates) {
      const output: IrOutput = { n: aggregates.length > 1 ? `${agg.alias ?? 'agg'}_${name}` : name, r: [...agg.refs, ...keys] };
      inner.o.push(output);
    }
  });
  return { q: inner };
}

/** `t UNPIVOT (v FOR k IN (a, b))` as `SELECT * EXCEPT (a, b), <a|b> AS v, k FROM t`. */
function unpivotSource(node: RsNode, select: IrSelect, ctx: RsContext): IrSource | undefined {
  const inner: IrSelect = { f: [], o: [], x: [] };
  const base = variant(node.table);
  const from = base ? buildFactor(base[0], obj(base[1]) ?? {}, select, ctx) : undefined;
  if (from) {
    aliasInto(from, obj(base?.[1])?.alias);
    inner.f.push(from);
  }
  const unpivoted: IrRef[] = [];
  for (const c of arr(node.columns)) collectRefs(obj(c)?.expr ?? c, 'direct', false, unpivoted, ctx, true);
  const names = columnNames(unpivoted);
  inner.o.push({ n: '*', r: [], star: names.length > 0 ? { ex: names } : {} });
  const valueRefs: IrRef[] = [];
  collectRefs(node.value, 'direct', false, valueRefs, ctx);
  for (const v of columnNames(valueRefs)) inner.o.push({ n: v, r: unpivoted });
  const name = identValue(node.name);
  if (name) inner.o.push({ n: name, r: [] });
  return { q: inner };
}
