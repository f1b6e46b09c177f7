import type { RelationName } from '../pipeline/contracts';
import type { TransformKind } from '../model/entities';

/**
 * The schema-free lineage IR that `parseSql` stores per statement and `resolveLineage` reads.
 * It keeps only what lineage needs (scopes, relations, column references and how each reference
 * is used), with short keys because it is cached in SQLite for every statement of every file.
 */

/** A column reference: `t` is the qualifier as written (alias, table or `schema.table`), `c` the column (`*` for `count(*)`-style stars). */
export interface IrColumnRef {
  t?: string;
  c: string;
  k: TransformKind;
  /** `GROUP BY 1` / `ORDER BY 2`: 1-based position of the select item (then `c` is empty). */
  p?: number;
}

/** A subquery used as a value (scalar subquery, EXISTS, IN (…)); its output columns flow with kind `k`. */
export interface IrSubqueryRef {
  q: IrQuery;
  k: TransformKind;
}

export type IrRef = IrColumnRef | IrSubqueryRef;

/**
 * A `*`, `t.*` or `expr.*` in a select list, with BigQuery/Snowflake modifiers: `EXCEPT`/`EXCLUDE`
 * (`ex`), `REPLACE (expr AS name)` (`rep` names, `rx` the references of each replacing expression)
 * and `RENAME (a AS b)` (`rn`).
 */
export interface IrStar {
  /** Qualifier as written: a relation, or `relation.struct_column` / `struct_column` for a struct's fields. */
  t?: string;
  ex?: string[];
  rep?: string[];
  rx?: IrRef[][];
  rn?: [string, string][];
  /** `expr.*` (BigQuery `f(x).*`): the references of the struct expression. */
  e?: IrRef[];
  /** The fields of `expr.*` when the expression builds a STRUCT with named fields. */
  fl?: IrOutput[];
}

/** One select-list item: an output column named `n` with its references, or a star. */
export interface IrOutput {
  n: string;
  r: IrRef[];
  star?: IrStar;
}

/** A FROM item. Exactly one of `rel`, `q`, `fn` is set. */
export interface IrSource {
  /** A base relation (or a CTE when it has no schema and matches a CTE name). */
  rel?: RelationName;
  /** A derived table or lateral subquery. */
  q?: IrQuery;
  /** A table function (UNNEST, FLATTEN, …): the references of its arguments. */
  fn?: IrRef[];
  /** Alias. */
  as?: string;
  /** Column aliases, `AS t(a, b)`. */
  cols?: string[];
  /** `JOIN … USING (a, b)`: these names are unambiguous afterwards (they are coalesced). */
  u?: string[];
  /** Marks the statement's own target (UPDATE/MERGE): it is in scope but is not a read. */
  tg?: true;
  /** The right side of a SEMI/ANTI join: its columns filter rows but never reach a `*`. */
  semi?: true;
  /** `NATURAL JOIN`: the names this source shares with the sources before it are join keys. */
  nat?: true;
  /** Column of a table function without lineage (`WITH OFFSET AS o`, `WITH ORDINALITY`). */
  ord?: string;
}

/** A SELECT scope. `x` holds indirect references (join, filter, group, sort, window of the whole row set). */
export interface IrSelect {
  w?: IrCte[];
  f: IrSource[];
  o: IrOutput[];
  x: IrRef[];
}

/** A set operation (UNION/INTERSECT/EXCEPT); branches match by position. */
export interface IrSetOp {
  w?: IrCte[];
  op: string;
  qs: IrQuery[];
  /** `UNION BY NAME`: branches match by column name instead of position. */
  bn?: true;
}

export type IrQuery = IrSelect | IrSetOp;

/** A common table expression. */
export interface IrCte {
  n: string;
  q: IrQuery;
  cols?: string[];
}

/** The IR of one statement. */
export interface IrStatement {
  /** The query whose output feeds the target (or is the result of a bare SELECT). */
  q?: IrQuery;
  /** Target column list: INSERT (a, b), CREATE VIEW v (a, b), UPDATE SET / MERGE target columns. */
  cols?: string[];
  /** Set when the statement could not be parsed: the parse error, so lineage can say why it is missing. */
  err?: string;
}

/** True when the reference is a subquery reference. */
export function isSubqueryRef(ref: IrRef): ref is IrSubqueryRef {
  return 'q' in ref;
}

/** True when the query is a set operation. */
export function isSetOp(q: IrQuery): q is IrSetOp {
  return 'qs' in q;
}
