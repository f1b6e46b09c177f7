import type { TransformKind } from '../model/entities';
import type { PassThroughSource } from '../pipeline/contracts';
import type { IrRef, IrStar } from './ir';
import { composeSources, dedupeSources, findQualified, opaqueColumn, throughStar, type ResolveState, type Scope, type ScopeColumn, type ScopeRelation } from './lineageScope';
import { resolveRefs, type CteEnv } from './resolveQuery';

/**
 * Expands a select-list star into output columns: `*` (without the right side of SEMI/ANTI joins,
 * `USING`/`NATURAL` keys once), `t.*`, a struct's fields (`t.s.*`, `f(x).*`), with `EXCEPT`,
 * `REPLACE (expr AS c)` (c gets expr's lineage, not its own), `RENAME (a AS b)`. The star of a
 * relation whose columns are unknown stays unexpanded in `opaque`: names read through it later
 * resolve to that relation, and what is never read passes through.
 */
export function expandStar(star: IrStar, scope: Scope, ctes: CteEnv, state: ResolveState, opaque: PassThroughSource[]): void {
  const columns: ScopeColumn[] = [];
  const stars: PassThroughSource[] = [];
  if (star.e) {
    if (!structStar(star, scope, ctes, state, columns)) return;
  } else if (star.t) {
    const hit = findQualified(scope, star.t);
    if (hit) collectRelation(hit, columns, stars);
    else if (!structColumnStar(star.t, scope, state, columns)) return;
  } else {
    const relations = scope.relations.filter((r) => !r.semi);
    const keys = [...(scope.using ?? [])];
    const all: ScopeColumn[] = [];
    for (const relation of relations) collectRelation(relation, all, stars);
    // `JOIN … USING (k)` / NATURAL JOIN: each key once, first, from every side that has it.
    for (const key of keys) {
      const same = all.filter((c) => c.name.toLowerCase() === key);
      if (same[0]) columns.push({ name: same[0].name, sources: dedupeSources(same.flatMap((c) => c.sources)) });
    }
    columns.push(...all.filter((c) => !keys.includes(c.name.toLowerCase())));
  }
  applyModifiers(star, columns, stars, scope, ctes, state);
  scope.outputs.push(...columns);
  opaque.push(...stars);
}

/** A relation's columns (known) and unexpanded stars (unknown) as a star sees them. */
function collectRelation(relation: ScopeRelation, columns: ScopeColumn[], stars: PassThroughSource[]): void {
  if (relation.derived) {
    columns.push(...relation.derived.columns);
    for (const o of relation.derived.opaque) stars.push(throughStar(o, [], []));
  } else if (relation.rel && relation.tableColumnNames) {
    const rel = relation.rel;
    columns.push(...relation.tableColumnNames.map((name) => ({ name, sources: [{ relation: rel, column: name, transform: 'identity' as TransformKind }] })));
  } else if (relation.rel) {
    stars.push({ relation: relation.rel, column: '*', transform: 'identity' });
  }
}

/** EXCEPT, REPLACE and RENAME over the expanded columns and the unexpanded stars. */
function applyModifiers(star: IrStar, columns: ScopeColumn[], stars: PassThroughSource[], scope: Scope, ctes: CteEnv, state: ResolveState): void {
  const except = (star.ex ?? []).map((e) => e.toLowerCase());
  for (let i = columns.length - 1; i >= 0; i--) if (except.includes((columns[i] as ScopeColumn).name.toLowerCase())) columns.splice(i, 1);
  const removed: string[] = [...except];
  const added: ScopeColumn[] = [];
  (star.rep ?? []).forEach((name, i) => {
    const key = name.toLowerCase();
    const refs = star.rx?.[i];
    const at = columns.findIndex((c) => c.name.toLowerCase() === key);
    // Without the expression (IR of an older version) the column is its old self, transformed.
    const sources = refs ? dedupeSources(resolveRefs(refs, scope, ctes, state)) : composeSources('transformation', at >= 0 ? (columns[at] as ScopeColumn).sources : []);
    if (at >= 0) columns[at] = { name: (columns[at] as ScopeColumn).name, sources };
    else if (stars.length > 0) {
      // Replaced inside an unknown star: now a known column, and no longer the star's.
      added.push({ name, sources });
      removed.push(key);
    }
  });
  for (const [from, to] of star.rn ?? []) {
    const key = from.toLowerCase();
    const at = columns.findIndex((c) => c.name.toLowerCase() === key);
    if (at >= 0) columns[at] = { name: to, sources: (columns[at] as ScopeColumn).sources };
    else if (stars.length === 1) {
      added.push({ name: to, sources: [opaqueColumn(stars[0] as PassThroughSource, from, 'identity')] });
      removed.push(key);
    } else if (stars.length > 1) {
      added.push({ name: to, sources: [] });
      removed.push(key);
    }
  }
  columns.push(...added);
  for (let i = 0; i < stars.length; i++) stars[i] = throughStar(stars[i] as PassThroughSource, removed, []);
}

/**
 * `expr.*` over a STRUCT value: its named fields when the expression builds the struct (each also
 * depends on the expression's other inputs, such as an IF condition); else the fields are unknown.
 */
function structStar(star: IrStar, scope: Scope, ctes: CteEnv, state: ResolveState, columns: ScopeColumn[]): boolean {
  const fields = star.fl;
  if (!fields) {
    const inputs = dedupeSources(resolveRefs(star.e ?? [], scope, ctes, state));
    const names = [...new Set(inputs.map((s) => s.column))].join(', ');
    state.unresolved.push({ column: '*', name: '*', reason: 'star-without-schema', detail: `The fields of a struct value${names ? ` computed from ${names}` : ''} are unknown, so its .* cannot be expanded.` });
    return false;
  }
  const own = new Set(fields.flatMap((f) => f.r.map(refKey)));
  // The expression's inputs outside the fields (an IF's condition) decide every field.
  const others = (star.e ?? []).filter((r) => ('k' in r && r.k === 'conditional') || !own.has(refKey(r)));
  const condition = composeSources('conditional', resolveRefs(others, scope, ctes, state));
  for (const field of fields) columns.push({ name: field.n, sources: dedupeSources([...resolveRefs(field.r, scope, ctes, state), ...condition]) });
  return true;
}

function refKey(ref: IrRef): string {
  return 'q' in ref ? '' : `${ref.t ?? ''}.${ref.c}`.toLowerCase();
}

/**
 * `t.s.*` / `s.*` where `s` is a struct column: its fields, when the schema lists them as dotted
 * columns (`s.a`, `s.b`); else they are unknown and reported.
 */
function structColumnStar(qualifier: string, scope: Scope, state: ResolveState, columns: ScopeColumn[]): boolean {
  const parts = qualifier.split('.');
  for (let k = parts.length - 1; k >= 0; k--) {
    const relation = k === 0 ? scope.relations.find((r) => r.tableColumns?.some((c) => c === parts[0]?.toLowerCase() || c.startsWith(`${parts[0]?.toLowerCase()}.`))) : findQualified(scope, parts.slice(0, k).join('.'));
    if (!relation) continue;
    const path = parts.slice(k).join('.').toLowerCase();
    const fields = (relation.tableColumnNames ?? []).filter((c) => c.toLowerCase().startsWith(`${path}.`));
    const rel = relation.rel;
    if (rel && fields.length > 0) {
      for (const f of fields) columns.push({ name: f.slice(path.length + 1), sources: [{ relation: rel, column: f, transform: 'identity' }] });
      return true;
    }
    state.unresolved.push({ column: '*', name: `${qualifier}.*`, reason: 'star-without-schema', detail: `The fields of the struct column "${qualifier}" are unknown, so ${qualifier}.* cannot be expanded.` });
    return false;
  }
  state.unresolved.push({ column: '*', name: `${qualifier}.*`, reason: 'unknown-relation', detail: `No relation named "${qualifier}" in scope.` });
  return false;
}
