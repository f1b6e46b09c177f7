import type { IrOutput, IrRef, IrStar } from './ir';
import { arr, identValue, isQuery, nameParts, obj, variant, type RsContext } from './rsAst';
import { collectRefs } from './rsExpr';

/**
 * Select-list stars of sqlparser-rs's AST → `IrStar`: `*` and `t.*` with `EXCEPT`/`EXCLUDE`,
 * `REPLACE (expr AS c)` (with the references of each replacing expression), `RENAME (a AS b)`,
 * and `expr.*` over a struct value (BigQuery `f(x).*`, `IF(…, STRUCT(…), NULL).*`).
 */

/** The star of a `Wildcard` / `QualifiedWildcard` select item. */
export function starOf(tag: string, payload: unknown, ctx: RsContext): IrStar | undefined {
  const star: IrStar = {};
  let options: unknown = payload;
  if (tag === 'QualifiedWildcard') {
    const [kind, opts] = arr(payload);
    options = opts;
    const [k, value] = variant(kind) ?? [];
    if (k === 'ObjectName') star.t = nameParts(value).join('.');
    else if (k === 'Expr') {
      const refs: IrRef[] = [];
      collectRefs(value, 'direct', false, refs, ctx);
      star.e = refs;
      const fields = structFields(value, ctx);
      if (fields) star.fl = fields;
    } else return undefined;
  }
  const o = obj(options);
  const except = [...excludedNames(o?.opt_exclude), ...exceptNames(o?.opt_except)];
  if (except.length > 0) star.ex = except;
  const replace = arr(obj(o?.opt_replace)?.items).map(obj);
  if (replace.length > 0) {
    star.rep = [];
    star.rx = [];
    for (const item of replace) {
      const name = identValue(item?.column_name);
      if (!name) continue;
      const refs: IrRef[] = [];
      collectRefs(item?.expr, 'direct', false, refs, ctx, true);
      star.rep.push(name);
      star.rx.push(refs);
    }
  }
  const rename = variant(o?.opt_rename);
  const pairs = rename?.[0] === 'Single' ? [rename[1]] : arr(rename?.[1]);
  const renamed = pairs.map((p) => [identValue(obj(p)?.ident), identValue(obj(p)?.alias)] as const).filter((p): p is [string, string] => !!p[0] && !!p[1]);
  if (renamed.length > 0) star.rn = renamed.map(([a, b]) => [a, b]);
  return star;
}

/** `EXCLUDE a` / `EXCLUDE (a, b)` (names or one-part object names). */
function excludedNames(value: unknown): string[] {
  const [tag, p] = variant(value) ?? [];
  if (tag === 'Single') return [nameParts(p).pop() ?? identValue(p)].filter((n): n is string => n !== undefined);
  if (tag === 'Multiple') return arr(p).map((n) => nameParts(n).pop() ?? identValue(n)).filter((n): n is string => n !== undefined);
  return [];
}

/** BigQuery `EXCEPT (a, b)`. */
function exceptNames(value: unknown): string[] {
  const o = obj(value);
  if (!o) return [];
  return [identValue(o.first_element), ...arr(o.additional_elements).map(identValue)].filter((n): n is string => n !== undefined);
}

/**
 * The named fields of the first STRUCT an expression builds (`IF(c, STRUCT(a AS x, b AS y), NULL)`
 * → x ← a, y ← b), each also depending on the expression's other inputs (the condition).
 */
function structFields(value: unknown, ctx: RsContext): IrOutput[] | undefined {
  const struct = findStruct(value, 0);
  if (!struct) return undefined;
  const fields: IrOutput[] = [];
  arr(struct.values).forEach((v, i) => {
    const [tag, p] = variant(v) ?? [];
    const refs: IrRef[] = [];
    const expr = tag === 'Named' ? obj(p)?.expr : v;
    collectRefs(expr, 'direct', false, refs, ctx, true);
    const fieldName = identValue(arr(struct.fields)[i] === undefined ? undefined : obj(arr(struct.fields)[i])?.field_name);
    const named = tag === 'Named' ? identValue(obj(p)?.name) : undefined;
    const own = tag === 'Identifier' ? identValue(p) : tag === 'CompoundIdentifier' ? identValue(arr(p).at(-1)) : undefined;
    fields.push({ n: named ?? fieldName ?? own ?? `_field_${i + 1}`, r: refs });
  });
  return fields.length > 0 ? fields : undefined;
}

function findStruct(value: unknown, depth: number): Record<string, unknown> | undefined {
  if (depth > 12 || isQuery(value)) return undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = findStruct(v, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  const node = obj(value);
  if (!node) return undefined;
  const struct = obj(node.Struct);
  if (struct) return struct;
  for (const [key, child] of Object.entries(node)) {
    if (key === 'span' || child === null || typeof child !== 'object') continue;
    const found = findStruct(child, depth + 1);
    if (found) return found;
  }
  return undefined;
}
