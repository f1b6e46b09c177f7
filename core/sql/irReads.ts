import type { RelationName } from '../pipeline/contracts';
import { isSetOp, isSubqueryRef, type IrQuery, type IrRef, type IrSource } from './ir';

/**
 * Table-level reads of an IR query: every base relation in a FROM (at any depth), minus CTE
 * names visible where the relation is used and minus the statement's own target marker.
 */
export function collectReads(query: IrQuery | undefined, out: RelationName[] = [], ctes: ReadonlySet<string> = new Set()): RelationName[] {
  if (!query) return out;
  const visible = new Set(ctes);
  for (const cte of query.w ?? []) {
    // A CTE sees itself only when recursive (a UNION referencing itself); `with orders as (select * from orders)` reads the table.
    if (isSetOp(cte.q)) visible.add(cte.n.toLowerCase());
    collectReads(cte.q, out, visible);
    visible.add(cte.n.toLowerCase());
  }
  if (isSetOp(query)) {
    for (const branch of query.qs) collectReads(branch, out, visible);
    return out;
  }
  for (const source of query.f) readsOfSource(source, out, visible);
  for (const output of query.o) readsOfRefs(output.r, out, visible);
  readsOfRefs(query.x, out, visible);
  return out;
}

function readsOfSource(source: IrSource, out: RelationName[], ctes: ReadonlySet<string>): void {
  if (source.rel && !source.tg) {
    const isCte = !source.rel.schema && ctes.has(source.rel.name.toLowerCase());
    if (!isCte) addUnique(out, source.rel);
  }
  if (source.q) collectReads(source.q, out, ctes);
  if (source.fn) readsOfRefs(source.fn, out, ctes);
}

function readsOfRefs(refs: IrRef[], out: RelationName[], ctes: ReadonlySet<string>): void {
  for (const ref of refs) if (isSubqueryRef(ref)) collectReads(ref.q, out, ctes);
}

/** Appends a relation unless an equal one (case-insensitive) is already present. */
export function addUnique(out: RelationName[], rel: RelationName): void {
  const key = relationKey(rel);
  if (!out.some((r) => relationKey(r) === key)) out.push(rel);
}

/** Case-insensitive identity of a relation. */
export function relationKey(rel: RelationName): string {
  return [rel.database ?? '', rel.schema ?? '', rel.name].join('.').toLowerCase();
}
