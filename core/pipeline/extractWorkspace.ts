import { emptyFacts, type Facts } from '../model/entities';
import { append } from './topo';
import type { FileSource } from './contracts';
import { assembleDbtProject, type DbtNodeResult } from '../dbt/api';
import { assembleDbt } from './assembleDbt';
import { withoutElsewhere } from './catalogOnce';
import type { EntityColumnFacts } from './columnFacts';
import { newLineageMemo, type LineageMemo } from './dbtLineage';
import { extractDbtFile, extractSqlFile, type DbtFileResult, type FileStepResult } from './fileStep';
import { assemblePlainSql, type PlainSqlFile } from './plainSql';
import { planWorkspace, type PlanOptions, type WorkspacePlan } from './workspacePlan';

/**
 * Workspace assembly: per-file step results → facts per project. The scanner feeds it results from
 * its cache and worker pool; `extractWorkspace` runs everything in-process (tests, small tools).
 */

/** Facts of one unit of assembly: a dbt project (key = its root) or the plain SQL files (key `sql:`). */
export interface UnitFacts {
  key: string;
  facts: Facts;
  /** Entity ids whose column lineage was recomputed in this run. */
  recomputed: Set<string>;
  /** For dbt units: the dbt module's facts and the lineage facts per entity that make up `facts`. */
  parts?: { base: Facts; byEntity: Map<string, EntityColumnFacts> };
}

/** Lineage memos kept across incremental runs, per dbt root. */
export type LineageMemos = Map<string, LineageMemo>;

export const PLAIN_SQL_UNIT = 'sql:';

/** Assembles every unit. Missing per-file results are treated as files that yield nothing. */
export function assembleWorkspace(plan: WorkspacePlan, results: ReadonlyMap<string, FileStepResult>, memos: LineageMemos, only?: ReadonlySet<string>, changedNodes?: ReadonlySet<string>): UnitFacts[] {
  const units: UnitFacts[] = [];
  for (const project of plan.dbt) {
    if (only && !only.has(project.root)) continue;
    const dbtResults: DbtFileResult[] = [];
    const extra = emptyFacts();
    for (const path of project.nodePaths) {
      const r = results.get(path);
      if (r?.kind === 'dbt') dbtResults.push(r);
      else if (r) append(extra.diagnostics, r.parsed.diagnostics);
    }
    let memo = memos.get(project.root);
    if (!memo) memos.set(project.root, (memo = newLineageMemo()));
    const assembled = assembleDbt(project.ctx, dbtResults, memo, project.manifest, changedNodes);
    // What another root catalogs is left out here, in the facts and in the parts incremental diffs read.
    const facts = withoutElsewhere(assembled.facts, project.ctx, project.elsewhere);
    append(facts.diagnostics, extra.diagnostics);
    const base = withoutElsewhere(assembled.base, project.ctx, project.elsewhere);
    const own = new Set(facts.entities.map((e) => e.id));
    const recomputed = project.elsewhere.size === 0 ? assembled.recomputed : new Set([...assembled.recomputed].filter((id) => own.has(id)));
    const byEntity = project.elsewhere.size === 0 ? assembled.byEntity : new Map([...assembled.byEntity].filter(([id]) => !project.elsewhere.has(id.split('.')[1] ?? '')));
    units.push({ key: project.root, facts, recomputed, parts: { base, byEntity } });
  }
  if (!only || only.has(PLAIN_SQL_UNIT)) {
    const files: PlainSqlFile[] = [];
    for (const f of plan.sql) {
      const r = results.get(f.path);
      if (r) files.push({ path: f.path, parsed: r.parsed, dialect: f.dialect, ...(r.kind === 'sql' && r.names ? { names: r.names } : {}) });
    }
    const { targets, defaultSchema } = plan.config;
    const facts = assemblePlainSql(plan.workspaceName, files, { ...(targets ? { targets } : {}), ...(defaultSchema ? { defaultSchema } : {}) });
    append(facts.diagnostics, plan.diagnostics);
    units.push({ key: PLAIN_SQL_UNIT, facts, recomputed: new Set(facts.entities.map((e) => e.id)) });
  }
  return units;
}

/**
 * Model-level facts of every dbt project (entities, declared columns, model edges), without column
 * lineage or diagnostics: what a first scan stores early so views have something to show while
 * lineage is resolved. `assembleWorkspace` gives the complete facts.
 */
export function modelLevelFacts(plan: WorkspacePlan, results: ReadonlyMap<string, FileStepResult>): Facts {
  const out = emptyFacts();
  for (const project of plan.dbt) {
    const nodes: DbtNodeResult[] = [];
    for (const path of project.nodePaths) {
      const r = results.get(path);
      if (r?.kind === 'dbt') nodes.push(r.node);
    }
    const facts = withoutElsewhere(assembleDbtProject(project.ctx, nodes, project.manifest), project.ctx, project.elsewhere);
    append(out.entities, facts.entities);
    append(out.columns, facts.columns);
    append(out.modelEdges, facts.modelEdges);
  }
  return out;
}

/** Concatenates facts. */
export function mergeFacts(list: readonly Facts[]): Facts {
  const out = emptyFacts();
  for (const f of list) {
    append(out.entities, f.entities);
    append(out.columns, f.columns);
    append(out.modelEdges, f.modelEdges);
    append(out.columnEdges, f.columnEdges);
    append(out.unresolved, f.unresolved);
    append(out.diagnostics, f.diagnostics);
  }
  return out;
}

/** Runs the per-file step for every planned file, in-process. */
export function runFileSteps(fs: FileSource, plan: WorkspacePlan): Map<string, FileStepResult> {
  const results = new Map<string, FileStepResult>();
  for (const project of plan.dbt) {
    for (const path of project.nodePaths) {
      const text = fs.read(path);
      if (text !== undefined) results.set(path, extractDbtFile(project.ctx, path, text, project.dialect));
    }
  }
  for (const f of plan.sql) {
    const text = fs.read(f.path);
    if (text !== undefined) results.set(f.path, extractSqlFile(f.path, text, f.dialect));
  }
  return results;
}

/** Extracts a whole workspace in-process: plan, per-file steps, assembly. */
export function extractWorkspace(fs: FileSource, options: PlanOptions): { plan: WorkspacePlan; facts: Facts } {
  const plan = planWorkspace(fs, options);
  const results = runFileSteps(fs, plan);
  const units = assembleWorkspace(plan, results, new Map());
  return { plan, facts: mergeFacts(units.map((u) => u.facts)) };
}
