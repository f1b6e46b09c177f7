import type { TransformKind } from '../model/entities';
import type { ColumnSource } from '../pipeline/contracts';
import { relationText } from './astNames';
import { isSetOp, isSubqueryRef, type IrColumnRef, type IrQuery, type IrRef, type IrSelect, type IrSource } from './ir';
import {
  columnSources,
  composeSources,
  dedupeOpaque,
  dedupeSources,
  describeRelation,
  findQualified,
  hasColumn,
  opaqueCandidates,
  tableRelation,
  type QueryResult,
  type ResolveState,
  type Scope,
  type ScopeColumn,
  type ScopeRelation,
} from './lineageScope';
import { expandStar } from './resolveStar';

/** CTEs visible at a point, lower-cased name → resolved result. */
export type CteEnv = ReadonlyMap<string, QueryResult>;

/**
 * Resolves a query scope by scope: CTEs (each sees the earlier ones, a recursive one sees its
 * anchor branch), then FROM items, then select items, expanding stars from the schema.
 */
export function resolveQuery(query: IrQuery, ctes: CteEnv, parent: Scope | undefined, state: ResolveState, top = false): QueryResult {
  const env = new Map(ctes);
  // Names unresolved inside CTEs and derived tables belong to no single output column of the statement.
  if (top) state.currentColumn = '*';
  for (const cte of query.w ?? []) {
    const key = cte.n.toLowerCase();
    if (isSetOp(cte.q) && cte.q.qs[0]) {
      // Recursive CTEs reference themselves in later branches; the anchor branch defines the columns.
      env.set(key, renameColumns(resolveQuery(cte.q.qs[0], env, parent, state), cte.cols, state));
    }
    env.set(key, renameColumns(resolveQuery(cte.q, env, parent, state), cte.cols, state));
  }
  if (isSetOp(query)) {
    const branches = query.qs.map((q) => resolveQuery(q, env, parent, state, top));
    return query.bn ? unionByName(branches) : unionByPosition(branches);
  }
  return resolveSelect(query, env, parent, state, top);
}

/**
 * Applies a column-alias list (`cte(a, b)`, `AS t(a, b)`). Over an unexpanded star the list names
 * every column, but which star column lands at which position is unknown: the names are kept
 * without sources, and the loss is reported rather than guessed.
 */
function renameColumns(result: QueryResult, names: string[] | undefined, state: ResolveState): QueryResult {
  if (!names) return result;
  if (result.opaque.length > 0) {
    const over = result.opaque.map((o) => relationText(o.relation)).join(', ');
    state.unresolved.push({ column: state.currentColumn, name: '*', reason: 'star-without-schema', detail: `The column list (${names.join(', ')}) renames * over ${over}, whose columns are unknown, so their positions cannot be matched.` });
    return { opaque: [], columns: names.map((name) => ({ name, sources: [] })) };
  }
  return { opaque: result.opaque, columns: result.columns.map((c, i) => ({ name: names[i] ?? c.name, sources: c.sources })) };
}

/** UNION/INTERSECT/EXCEPT: output names from the first branch, sources merged by position. */
function unionByPosition(branches: QueryResult[]): QueryResult {
  const first = branches[0];
  if (!first) return { columns: [], opaque: [] };
  const columns = first.columns.map((c, i) => ({
    name: c.name,
    sources: dedupeSources(branches.flatMap((b) => b.columns[i]?.sources ?? [])),
  }));
  return { columns, opaque: dedupeOpaque(branches.flatMap((b) => b.opaque)) };
}

/** UNION BY NAME: columns matched by name; a name only later branches have is added after the first branch's. */
function unionByName(branches: QueryResult[]): QueryResult {
  const columns: ScopeColumn[] = [];
  for (const branch of branches) {
    for (const c of branch.columns) {
      const same = columns.find((x) => x.name.toLowerCase() === c.name.toLowerCase());
      if (same) same.sources = dedupeSources([...same.sources, ...c.sources]);
      else columns.push({ name: c.name, sources: c.sources });
    }
  }
  return { columns, opaque: dedupeOpaque(branches.flatMap((b) => b.opaque)) };
}

function resolveSelect(select: IrSelect, ctes: CteEnv, parent: Scope | undefined, state: ResolveState, top: boolean): QueryResult {
  const scope: Scope = { relations: [], outputs: [] };
  if (parent) scope.parent = parent;
  const using = new Set<string>();
  for (const source of select.f) {
    const relation = resolveSource(source, ctes, scope, state);
    if (!relation) continue;
    if (source.semi) relation.semi = true;
    // NATURAL JOIN: the names it shares with the relations before it are its USING list.
    const keys = source.nat ? sharedNames(scope.relations, relation) : (source.u ?? []);
    scope.relations.push(relation);
    // JOIN … USING (c): c comes from both sides and is a join key.
    for (const name of keys) {
      using.add(name.toLowerCase());
      state.indirect.push(...usingSources(scope, name, 'join'));
    }
  }
  scope.using = using;
  const opaque: QueryResult['opaque'] = [];
  for (const output of select.o) {
    if (top) state.currentColumn = output.n;
    if (output.star) {
      expandStar(output.star, scope, ctes, state, opaque);
      continue;
    }
    const sources = dedupeSources(resolveRefs(output.r, scope, ctes, state));
    scope.outputs.push({ name: output.n, sources });
  }
  if (top) state.currentColumn = '*';
  state.indirect.push(...resolveRefs(select.x, scope, ctes, state, true));
  return { columns: scope.outputs, opaque: dedupeOpaque(opaque) };
}

function resolveSource(source: IrSource, ctes: CteEnv, scope: Scope, state: ResolveState): ScopeRelation | undefined {
  const alias = source.as?.toLowerCase();
  if (source.rel) {
    const cte = !source.rel.schema ? ctes.get(source.rel.name.toLowerCase()) : undefined;
    if (cte) return { names: [alias ?? source.rel.name.toLowerCase()], derived: renameColumns(cte, source.cols, state) };
    const table = tableRelation(source.rel, source.as, state.schema);
    if (!source.cols) return table;
    // `FROM t AS s (a, b)` renames t's columns by position.
    const rel = source.rel;
    const result: QueryResult = table.tableColumnNames
      ? { columns: table.tableColumnNames.map((name) => ({ name, sources: [{ relation: rel, column: name, transform: 'identity' as TransformKind }] })), opaque: [] }
      : { columns: [], opaque: [{ relation: rel, column: '*', transform: 'identity' }] };
    return { names: table.names, derived: renameColumns(result, source.cols, state) };
  }
  const names = alias ? [alias] : [];
  if (source.q) {
    // LATERAL subqueries see the FROM items before them; plain derived tables simply do not use them.
    return { names, derived: renameColumns(resolveQuery(source.q, ctes, scope, state), source.cols, state) };
  }
  if (source.fn) {
    const sources = dedupeSources(composeSources('transformation', resolveRefs(source.fn, scope, ctes, state)));
    const cols = source.cols ?? (source.as ? [source.as] : []);
    const columns: ScopeColumn[] = cols.map((name) => ({ name, sources }));
    // `WITH OFFSET AS o` / `WITH ORDINALITY`: a position, derived from no column.
    if (source.ord) columns.push({ name: source.ord, sources: [] });
    const relation: ScopeRelation = { names, derived: { columns, opaque: [] } };
    // With a column list (`UNNEST(a) AS x`, `LATERAL VIEW f(a) v AS x, y`) it has those columns only;
    // without one (`FLATTEN(…) f`, `UNNEST(structs)`) any name may be one of its columns.
    if (!source.cols) relation.fnSources = sources;
    return relation;
  }
  return undefined;
}

/** Resolves references in a scope; `indirectUse` enables ORDER BY / GROUP BY output-alias lookup. */
export function resolveRefs(refs: IrRef[], scope: Scope, ctes: CteEnv, state: ResolveState, indirectUse = false): ColumnSource[] {
  const out: ColumnSource[] = [];
  for (const ref of refs) {
    if (isSubqueryRef(ref)) {
      const before = state.indirect.length;
      const result = resolveQuery(ref.q, ctes, scope, state);
      const inner = [...result.columns.flatMap((c) => c.sources), ...result.opaque];
      out.push(...composeSources(ref.k, inner));
      if (ref.k === 'filter' || ref.k === 'join' || ref.k === 'conditional') {
        // The subquery's own WHERE/JOIN columns decide the outer predicate too.
        const innerIndirect = state.indirect.splice(before);
        out.push(...composeSources(ref.k, innerIndirect));
      }
      continue;
    }
    out.push(...resolveColumnRef(ref, scope, state, indirectUse));
  }
  return out;
}

function resolveColumnRef(ref: IrColumnRef, scope: Scope, state: ResolveState, indirectUse: boolean): ColumnSource[] {
  if (ref.p !== undefined) return composeSources(ref.k, scope.outputs[ref.p - 1]?.sources ?? []);
  const name = ref.t ? `${ref.t}.${ref.c}` : ref.c;
  if (ref.p === undefined && /^\$\d+$/.test(ref.c)) return positionalColumn(ref, scope, state);
  if (ref.t) {
    const relation = findQualified(scope, ref.t);
    if (!relation) {
      // BigQuery/Snowflake `struct_col.field` and `t.struct_col.field` read like `table.column`.
      const asColumn = structPath(ref.t, scope, ref.k);
      if (asColumn.length > 0) return asColumn;
      state.unresolved.push({ column: state.currentColumn, name, reason: 'unknown-relation', detail: `No relation named "${ref.t}" in scope.` });
      return [];
    }
    if (ref.c !== '*' && hasColumn(relation, ref.c) === 'no') {
      const known = relation.tableColumnNames ?? relation.derived?.columns.map((c) => c.name) ?? [];
      state.unresolved.push({ column: state.currentColumn, name, reason: 'unknown-column', detail: `"${ref.t}" has no column "${ref.c}".`, known });
      return [];
    }
    return ref.c === '*' ? starSources(relation, ref.k) : sourcesIn(relation, ref, name, state);
  }
  if (ref.c === '*') return scope.relations.flatMap((r) => starSources(r, ref.k));
  if (scope.using?.has(ref.c.toLowerCase())) return usingSources(scope, ref.c, ref.k);
  // ORDER BY (and GROUP BY in several dialects) may name an output alias.
  if (indirectUse && (ref.k === 'sort' || ref.k === 'group')) {
    const alias = scope.outputs.find((o) => o.name.toLowerCase() === ref.c.toLowerCase());
    if (alias && !scope.relations.some((r) => hasColumn(r, ref.c) === 'yes')) return composeSources(ref.k, alias.sources);
  }
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const yes = s.relations.filter((r) => hasColumn(r, ref.c) === 'yes');
    const maybe = s.relations.filter((r) => hasColumn(r, ref.c) === 'maybe');
    // A relation known to have the name wins over ones that only may have it: were the name in
    // both, the query itself would be ambiguous.
    if (yes.length === 1) return sourcesIn(yes[0] as ScopeRelation, ref, name, state);
    if (yes.length > 1 || maybe.length > 1) {
      const candidates = (yes.length > 1 ? yes : maybe).map(describeRelation).join(', ');
      const reason = yes.length > 1 ? `several relations have a column "${ref.c}": ${candidates}` : `"${ref.c}" could come from any of ${candidates}, whose columns are unknown`;
      state.unresolved.push({ column: state.currentColumn, name, reason: 'ambiguous-column', detail: `Ambiguous: ${reason}.` });
      return [];
    }
    if (maybe.length === 1) return sourcesIn(maybe[0] as ScopeRelation, ref, name, state);
    // A lateral column alias (`a AS x, x + 1 AS y`) is visible to later select items.
    const lateral = s.outputs.find((o) => o.name.toLowerCase() === ref.c.toLowerCase());
    if (lateral) return composeSources(ref.k, lateral.sources);
  }
  state.unresolved.push({ column: state.currentColumn, name, reason: 'unknown-column', detail: `No relation in scope has a column "${ref.c}".` });
  return [];
}

/**
 * Sources of a name read from one relation. Through a derived table whose unexpanded stars cover
 * several relations (`select * from a join b`), a name no star excludes is ambiguous.
 */
function sourcesIn(relation: ScopeRelation, ref: IrColumnRef, name: string, state: ResolveState): ColumnSource[] {
  const derived = relation.derived;
  if (derived && !relation.fnSources && hasColumn(relation, ref.c) === 'maybe') {
    const candidates = opaqueCandidates(derived, ref.c);
    if (candidates.length > 1) {
      const list = candidates.map((o) => relationText(o.relation)).join(', ');
      state.unresolved.push({ column: state.currentColumn, name, reason: 'ambiguous-column', detail: `Ambiguous: "${ref.c}" could come from any of ${list}, whose columns are unknown.` });
      return [];
    }
  }
  return columnSources(relation, ref.c, ref.k);
}

/** `count(*)`: the row set of a base relation (`rel.*`); over a derived table it depends on no particular column. */
function starSources(relation: ScopeRelation, kind: TransformKind): ColumnSource[] {
  if (relation.rel) return [{ relation: relation.rel, column: '*', transform: kind }];
  return [];
}

function usingSources(scope: Scope, column: string, kind: TransformKind): ColumnSource[] {
  return scope.relations.filter((r) => hasColumn(r, column) !== 'no').flatMap((r) => columnSources(r, column, kind));
}

/**
 * `t.s.f` / `s.f.g`: the longest prefix of the qualifier that names a relation, and its next part as
 * the struct column read; else the first part as a column of a relation in scope.
 */
function structPath(qualifier: string, scope: Scope, kind: TransformKind): ColumnSource[] {
  const parts = qualifier.split('.');
  const fieldKind = kind === 'identity' ? 'transformation' : kind;
  for (let k = parts.length - 1; k >= 1; k--) {
    const relation = findQualified(scope, parts.slice(0, k).join('.'));
    const column = parts[k] as string;
    if (relation && hasColumn(relation, column) !== 'no') return columnSources(relation, column, fieldKind);
  }
  return structAccess(parts[0] as string, scope, kind);
}

/** Snowflake `$1`, `t.$2`: the column at that position of the relation (its only relation when unqualified). */
function positionalColumn(ref: IrColumnRef, scope: Scope, state: ResolveState): ColumnSource[] {
  const relation = ref.t ? findQualified(scope, ref.t) : scope.relations.length === 1 ? scope.relations[0] : undefined;
  const position = Number(ref.c.slice(1));
  const names = relation?.tableColumnNames ?? relation?.derived?.columns.map((c) => c.name);
  const name = names?.[position - 1];
  if (relation && name) return columnSources(relation, name, ref.k);
  if (relation?.fnSources) return composeSources(ref.k, relation.fnSources);
  state.unresolved.push({ column: state.currentColumn, name: ref.t ? `${ref.t}.${ref.c}` : ref.c, reason: 'unknown-column', detail: `Column ${ref.c} is read by position, and the columns of ${relation ? 'its relation' : 'the relations in scope'} are unknown.` });
  return [];
}

/** Names two relations both have for sure (known columns), in the order of `relation`'s. */
function sharedNames(before: ScopeRelation[], relation: ScopeRelation): string[] {
  const known = (r: ScopeRelation): string[] => r.tableColumnNames ?? r.derived?.columns.map((c) => c.name) ?? [];
  const earlier = new Set(before.flatMap(known).map((n) => n.toLowerCase()));
  return known(relation).filter((n) => earlier.has(n.toLowerCase()));
}

/** Sources of `column` when exactly one relation in scope (or an enclosing one) has or may have it. */
function structAccess(column: string, scope: Scope, kind: TransformKind): ColumnSource[] {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const yes = s.relations.filter((r) => hasColumn(r, column) === 'yes');
    const maybe = s.relations.filter((r) => hasColumn(r, column) === 'maybe');
    const only = yes.length === 1 ? yes[0] : yes.length === 0 && maybe.length === 1 ? maybe[0] : undefined;
    if (only) return columnSources(only, column, kind === 'identity' ? 'transformation' : kind);
    if (yes.length > 1 || maybe.length > 1) return [];
  }
  return [];
}
