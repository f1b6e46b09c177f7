import { assembleDbtProject, type DbtManifest, type DbtProjectContext } from '../dbt/api';
import { append } from './topo';
import type { Column, ColumnEdge, Diagnostic, Entity, Facts } from '../model/entities';
import { columnsByEntity, resolveDbtLineage, type LineageMemo } from './dbtLineage';
import { selectOwned } from './ownership';
import type { DbtFileResult } from './fileStep';
import type { EntityColumnFacts } from './columnFacts';

/**
 * Assembles the facts of one dbt project from its context and per-file results: the dbt module's
 * facts (entities, YAML columns, model edges) plus column lineage computed in dependency order.
 */

/** Result of `assembleDbt`. */
export interface AssembledDbt {
  facts: Facts;
  /** Entity ids whose column lineage was recomputed (not served from the memo). */
  recomputed: Set<string>;
  /** Column facts per SQL-bearing entity (the lineage part of `facts`). */
  byEntity: Map<string, EntityColumnFacts>;
  /** The dbt module's facts (the rest of `facts`, before lineage columns replaced declared ones). */
  base: Facts;
}

/** Stable key of a diagnostic, used to drop duplicates reported by several stages. */
export function diagnosticKey(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`;
}

/** Deduplicates diagnostics, keeping the first of each key. */
export function dedupeDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = diagnosticKey(d);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The dbt module's facts for the project. After a change limited to node files (same context), only
 * those nodes are assembled again and patched into the previous result by owner; the dbt assembly
 * is per node apart from the context's own facts, which did not change.
 */
function baseFacts(ctx: DbtProjectContext, results: readonly DbtFileResult[], memo: LineageMemo, manifest: DbtManifest | undefined, changed: ReadonlySet<string> | undefined): { facts: Facts; patched?: { ids: ReadonlySet<string>; add: Facts } } {
  const prev = memo.base;
  if (!changed || !prev || prev.ctx !== ctx || prev.manifest !== manifest) {
    const facts = assembleDbtProject(ctx, results.map((r) => r.node), manifest);
    memo.base = { ctx, manifest, facts };
    return { facts };
  }
  const ids = new Set<string>();
  for (const e of prev.facts.entities) if (changed.has(e.path)) ids.add(e.id);
  const touched = results.filter((r) => changed.has(r.node.path));
  for (const r of touched) ids.add(r.node.entity.id);
  // The dbt assembly checks refs against the nodes it is given: pass the touched nodes' upstreams
  // too (their facts are discarded below, only the touched owners are patched).
  const byId = new Map(results.map((r) => [r.node.entity.id, r]));
  const subset = new Map(touched.map((r) => [r.node.entity.id, r]));
  for (const r of touched) {
    for (const dep of r.node.dependencies) {
      const up = dep.target === undefined ? undefined : byId.get(dep.target);
      if (up) subset.set(dep.target ?? '', up);
    }
  }
  const partial = assembleDbtProject(ctx, [...subset.values()].map((r) => r.node), manifest);
  const keep = selectOwned(prev.facts, ids, changed, false);
  const add = selectOwned(partial, ids, changed, true);
  const facts: Facts = {
    entities: append(keep.entities, add.entities),
    columns: append(keep.columns, add.columns),
    modelEdges: append(keep.modelEdges, add.modelEdges),
    columnEdges: append(keep.columnEdges, add.columnEdges),
    unresolved: append(keep.unresolved, add.unresolved),
    diagnostics: append(keep.diagnostics, add.diagnostics),
  };
  memo.base = { ctx, manifest, facts };
  return { facts, patched: { ids, add } };
}

/**
 * Declared columns by entity (`columnsByEntity(base.columns)`); after a patch only the patched
 * owners are grouped again, the other entities keep their arrays. After a whole re-assembly (a
 * YAML edit: new context) an entity whose declared columns are equal to the last run's keeps the
 * last run's array, so its lineage memo entry (which compares them by identity) still hits.
 */
function declaredColumns(base: Facts, patched: { ids: ReadonlySet<string>; add: Facts } | undefined, memo: LineageMemo): Map<string, Column[]> {
  const prev = memo.declared;
  let map: Map<string, Column[]>;
  if (patched && prev) {
    map = new Map(prev);
    for (const id of patched.ids) map.delete(id);
    for (const [id, cols] of columnsByEntity(patched.add.columns)) map.set(id, cols);
  } else {
    map = columnsByEntity(base.columns);
    if (prev) {
      for (const [id, cols] of map) {
        const old = prev.get(id);
        if (old && old.length === cols.length && (old.every((c, i) => c === cols[i]) || JSON.stringify(old) === JSON.stringify(cols))) map.set(id, old);
      }
    }
  }
  memo.declared = map;
  return map;
}

/** The entities with the compiled SQL of their node; an unchanged entity keeps its object. */
function withCompiledSql(entities: readonly Entity[], results: readonly DbtFileResult[], memo: LineageMemo): Entity[] {
  const compiled = new Map<string, string | undefined>();
  for (const r of results) compiled.set(r.node.entity.id, r.node.rendered.compiledSql);
  const prev = memo.withSql;
  const next = new Map<string, { from: Entity; sql: string | undefined; out: Entity }>();
  const out = entities.map((e) => {
    if (e.compiledSql !== undefined || !compiled.has(e.id)) return e;
    const sql = compiled.get(e.id);
    const hit = prev?.get(e.id);
    const entity = hit && hit.from === e && hit.sql === sql ? hit.out : { ...e, compiledSql: sql };
    next.set(e.id, { from: e, sql, out: entity });
    return entity;
  });
  memo.withSql = next;
  return out;
}

/**
 * Assembles one dbt project. `memo` is kept by the caller across incremental runs; `changed` lists
 * the node files changed since the previous run with the same context (undefined: assemble all).
 */
export function assembleDbt(ctx: DbtProjectContext, results: readonly DbtFileResult[], memo: LineageMemo, manifest?: DbtManifest, changed?: ReadonlySet<string>): AssembledDbt {
  const { facts: base, patched } = baseFacts(ctx, results, memo, manifest, changed);
  const entities = new Map<string, Entity>();
  for (const e of base.entities) entities.set(e.id, e);
  const declared = declaredColumns(base, patched, memo);
  const lineage = resolveDbtLineage(results, entities, declared, memo);
  const withSql = withCompiledSql(base.entities, results, memo);
  const fileDiagnostics: Diagnostic[] = [];
  for (const r of results) {
    append(fileDiagnostics, r.node.diagnostics);
    append(fileDiagnostics, r.parsed.diagnostics);
  }
  const diagnostics = dedupeDiagnostics([...base.diagnostics, ...fileDiagnostics, ...lineage.diagnostics]);
  // Columns, column edges and unresolved refs are concatenated only when read: an incremental
  // update works per owner from `byEntity` and never needs the project-wide arrays (100k+ items).
  let merged: Pick<Facts, 'columns' | 'columnEdges' | 'unresolved'> | undefined;
  const materialize = (): Pick<Facts, 'columns' | 'columnEdges' | 'unresolved'> => {
    if (merged) return merged;
    const columns = base.columns.filter((c) => !lineage.byEntity.has(c.entityId));
    const columnEdges: ColumnEdge[] = [...base.columnEdges];
    const unresolved = [...base.unresolved];
    for (const f of lineage.byEntity.values()) {
      append(columns, f.columns);
      append(columnEdges, f.columnEdges);
      append(unresolved, f.unresolved);
    }
    return (merged = { columns, columnEdges, unresolved });
  };
  const facts = { entities: withSql, modelEdges: base.modelEdges, diagnostics } as Facts;
  for (const key of ['columns', 'columnEdges', 'unresolved'] as const) {
    Object.defineProperty(facts, key, { enumerable: true, configurable: true, get: () => materialize()[key] });
  }
  return {
    facts,
    recomputed: lineage.recomputed,
    byEntity: lineage.byEntity,
    base,
  };
}
