import type { TransformKind } from '../model/entities';
import { DIRECT_KINDS } from '../model/entities';
import type { ColumnSource, PassThroughSource, RelationName, ResolvedStatement, SchemaLookup } from '../pipeline/contracts';
import { relationText } from './astNames';

/** A resolved output column of a query scope. */
export interface ScopeColumn {
  name: string;
  sources: ColumnSource[];
}

/** What a resolved query exposes to the scope that reads it. */
export interface QueryResult {
  columns: ScopeColumn[];
  /**
   * Stars over relations without a schema (`rel.*`), which pass through unexpanded: any other name
   * read from this result may be one of their columns (sqlglot and SQLMesh resolve it the same way).
   */
  opaque: PassThroughSource[];
}

/** A FROM item as seen by column resolution. */
export interface ScopeRelation {
  /** Lower-cased names this relation answers to: alias, or name and qualified name when unaliased. */
  names: string[];
  /** A base relation (table, view, upstream model). */
  rel?: RelationName;
  /** Known columns of a base relation (from the schema), lower-cased; undefined when unknown. */
  tableColumns?: string[];
  /** Columns as written, for star expansion of base relations. */
  tableColumnNames?: string[];
  /** A derived table, CTE or table function. */
  derived?: QueryResult;
  /** Table functions (UNNEST, FLATTEN): any column read from them derives from their arguments. */
  fnSources?: ColumnSource[];
  /** The right side of a SEMI/ANTI join: readable in ON, never part of `*`. */
  semi?: boolean;
}

/** One scope: its FROM relations, the outputs resolved so far (lateral aliases) and its parent (correlation). */
export interface Scope {
  relations: ScopeRelation[];
  outputs: ScopeColumn[];
  parent?: Scope;
  /** Lower-cased `JOIN … USING` column names. */
  using?: Set<string>;
}

/** Shared state of one `resolveLineage` call. */
export interface ResolveState {
  schema: SchemaLookup;
  unresolved: ResolvedStatement['unresolved'];
  indirect: ColumnSource[];
  /** Output column being resolved, for `unresolved` entries. */
  currentColumn: string;
}

/**
 * Kind of a source seen through another reference: an outer bare reference keeps the inner kind,
 * an outer expression turns inner identity into transformation, an outer aggregate turns direct
 * kinds into aggregation, and an outer indirect use (filter, join, …) makes everything indirect.
 */
export function composeKind(outer: TransformKind, inner: TransformKind): TransformKind {
  if (!DIRECT_KINDS.has(outer)) return outer;
  if (!DIRECT_KINDS.has(inner)) return inner;
  if (outer === 'identity') return inner;
  if (outer === 'aggregation') return 'aggregation';
  return inner === 'identity' ? 'transformation' : inner;
}

/** Re-tags sources seen through a reference of kind `outer`. */
export function composeSources(outer: TransformKind, sources: ColumnSource[]): ColumnSource[] {
  return sources.map((s) => ({ relation: s.relation, column: s.column, transform: composeKind(outer, s.transform) }));
}

/** Drops duplicate sources (same relation, column and kind). */
export function dedupeSources(sources: ColumnSource[]): ColumnSource[] {
  const seen = new Set<string>();
  const out: ColumnSource[] = [];
  for (const s of sources) {
    const key = `${relationText(s.relation).toLowerCase()}|${s.column.toLowerCase()}|${s.transform}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  return out;
}

/** Builds the scope relation of a base table, looking its columns up in the schema. */
export function tableRelation(rel: RelationName, alias: string | undefined, schema: SchemaLookup): ScopeRelation {
  const names = alias ? [alias.toLowerCase()] : [rel.name.toLowerCase(), relationText(rel).toLowerCase()];
  const relation: ScopeRelation = { names, rel };
  const cols = lookupColumns(rel, schema);
  if (cols) {
    relation.tableColumnNames = cols;
    relation.tableColumns = cols.map((c) => c.toLowerCase());
  }
  return relation;
}

/** Schema lookup that never throws (the lookup is caller code). */
export function lookupColumns(rel: RelationName, schema: SchemaLookup): string[] | undefined {
  try {
    return schema(rel);
  } catch {
    return undefined;
  }
}

/** Finds a relation by qualifier (`alias`, `table` or `schema.table`) in a scope chain. */
export function findQualified(scope: Scope | undefined, qualifier: string): ScopeRelation | undefined {
  const q = qualifier.toLowerCase();
  for (let s = scope; s; s = s.parent) {
    const hit = s.relations.find((r) => r.names.includes(q)) ?? s.relations.find((r) => r.rel && (r.rel.name.toLowerCase() === q || relationText(r.rel).toLowerCase() === q));
    if (hit) return hit;
  }
  return undefined;
}

/** Whether a relation has a column: yes, no, or maybe (no schema). */
export function hasColumn(relation: ScopeRelation, column: string): 'yes' | 'no' | 'maybe' {
  const c = column.toLowerCase();
  if (relation.derived) {
    if (relation.derived.columns.some((col) => col.name.toLowerCase() === c)) return 'yes';
    return relation.fnSources || opaqueCandidates(relation.derived, c).length > 0 ? 'maybe' : 'no';
  }
  if (relation.tableColumns) return relation.tableColumns.includes(c) ? 'yes' : 'no';
  return 'maybe';
}

/** Sources of `column` in a relation known (or assumed) to have it, with the reference's kind applied. */
export function columnSources(relation: ScopeRelation, column: string, kind: TransformKind): ColumnSource[] {
  if (relation.rel) return [{ relation: relation.rel, column: relation.tableColumnNames?.find((c) => c.toLowerCase() === column.toLowerCase()) ?? column, transform: kind }];
  const derived = relation.derived;
  if (!derived) return [];
  const col = derived.columns.find((c) => c.name.toLowerCase() === column.toLowerCase());
  if (col) return composeSources(kind, col.sources);
  if (relation.fnSources) return composeSources(kind, relation.fnSources);
  // A column of an unexpanded `SELECT *` comes from the star's relation, when only one can have it
  // (with several, the caller reports the name as ambiguous).
  const candidates = opaqueCandidates(derived, column);
  const only = candidates.length === 1 ? candidates[0] : undefined;
  return only ? [opaqueColumn(only, column, kind)] : [];
}

/** The unexpanded stars of a result that may hold `column` (those whose EXCEPT does not remove it). */
export function opaqueCandidates(result: QueryResult, column: string): PassThroughSource[] {
  const c = column.toLowerCase();
  return result.opaque.filter((o) => !o.except?.includes(c));
}

/** `column` read through an unexpanded star: a REPLACE makes even a bare read a transformation. */
export function opaqueColumn(star: PassThroughSource, column: string, kind: TransformKind): ColumnSource {
  const inner = star.replace?.includes(column.toLowerCase()) ? 'transformation' : star.transform;
  return { relation: star.relation, column, transform: composeKind(kind, inner) };
}

/**
 * A star seen through an outer `*` with its own EXCEPT/REPLACE: the names either removes stay
 * removed, and the names either replaces are transformed.
 */
export function throughStar(inner: PassThroughSource, except: readonly string[], replace: readonly string[]): PassThroughSource {
  const out: PassThroughSource = { relation: inner.relation, column: '*', transform: inner.transform };
  const ex = [...new Set([...(inner.except ?? []), ...except])].sort();
  const rep = [...new Set([...(inner.replace ?? []), ...replace])].filter((r) => !ex.includes(r)).sort();
  if (ex.length > 0) out.except = ex;
  if (rep.length > 0) out.replace = rep;
  return out;
}

/** Drops duplicate unexpanded stars (same relation, kind, EXCEPT and REPLACE). */
export function dedupeOpaque(list: readonly PassThroughSource[]): PassThroughSource[] {
  const seen = new Set<string>();
  return list.filter((o) => {
    const key = `${relationText(o.relation).toLowerCase()}|${o.transform}|${(o.except ?? []).join(',')}|${(o.replace ?? []).join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** How a relation is named in an ambiguity report: its alias and, for a star, what it reads. */
export function describeRelation(relation: ScopeRelation): string {
  const alias = relation.names[0];
  if (relation.rel) {
    const text = relationText(relation.rel);
    return alias && alias !== relation.rel.name.toLowerCase() && alias !== text.toLowerCase() ? `${alias} (${text})` : text;
  }
  const under = relation.derived?.opaque.map((o) => relationText(o.relation)) ?? [];
  const label = alias ?? 'a subquery';
  return under.length > 0 ? `${label} (* over ${under.join(', ')})` : label;
}
