import { assembleDbtProject, type DbtManifest, type DbtProjectContext } from '../dbt/api';
import { append } from './topo';
import type { ColumnEdge, Diagnostic, Entity, Facts } from '../model/entities';
import { columnsByEntity, resolveDbtLineage, type LineageMemo } from './dbtLineage';
import type { DbtFileResult } from './fileStep';

/**
 * Assembles the facts of one dbt project from its context and per-file results: the dbt module's
 * facts (entities, YAML columns, model edges) plus column lineage computed in dependency order.
 */

/** Result of `assembleDbt`. */
export interface AssembledDbt {
  facts: Facts;
  /** Entity ids whose column lineage was recomputed (not served from the memo). */
  recomputed: Set<string>;
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

/** Assembles one dbt project. `memo` is kept by the caller across incremental runs. */
export function assembleDbt(ctx: DbtProjectContext, results: readonly DbtFileResult[], memo: LineageMemo, manifest?: DbtManifest): AssembledDbt {
  const base = assembleDbtProject(ctx, results.map((r) => r.node), manifest);
  const entities = new Map<string, Entity>();
  for (const e of base.entities) entities.set(e.id, e);
  const declared = columnsByEntity(base.columns);
  const lineage = resolveDbtLineage(results, entities, declared, memo);
  const columns = base.columns.filter((c) => !lineage.byEntity.has(c.entityId));
  const columnEdges: ColumnEdge[] = [];
  const unresolved = [...base.unresolved];
  for (const facts of lineage.byEntity.values()) {
    append(columns, facts.columns);
    append(columnEdges, facts.columnEdges);
    append(unresolved, facts.unresolved);
  }
  const compiled = new Map(results.map((r) => [r.node.entity.id, r.node.rendered.compiledSql]));
  const withSql = base.entities.map((e) => (e.compiledSql === undefined && compiled.has(e.id) ? { ...e, compiledSql: compiled.get(e.id) } : e));
  const diagnostics = dedupeDiagnostics([...base.diagnostics, ...results.flatMap((r) => [...r.node.diagnostics, ...r.parsed.diagnostics]), ...lineage.diagnostics]);
  return {
    facts: { entities: withSql, columns, modelEdges: base.modelEdges, columnEdges: [...base.columnEdges, ...columnEdges], unresolved, diagnostics },
    recomputed: lineage.recomputed,
  };
}
