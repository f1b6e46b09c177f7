import { isInside } from '../../core/pipeline/discover';
import { assembleWorkspace, PLAIN_SQL_UNIT } from '../../core/pipeline/extractWorkspace';
import { effectiveConfig, loadMemoOf, planDbtProject, relationConfigChanged, planSqlFiles, planWorkspace, type WorkspacePlan } from '../../core/pipeline/workspacePlan';
import { diffGroups, ownerGroups, type OwnerKey } from './factsDiff';
import { FILE_ISSUES_UNIT, fileIssueUnit } from './fileIssues';
import { Breather } from './breather';
import { computeResults, releaseStatements } from './fileResults';
import type { ScanCallOptions, UpdateReport } from './scanTypes';
import { PLAIN_SQL_DIALECT_KEY } from '../catalog/metaTable';
import { fileRecords, SIGNATURE_KEY, withGitOwners, type ScanState, type WorkspaceScanner } from './scanner';
import { readSnapshotFile, releaseTexts, snapshotFileSource } from './snapshot';
import { isRelevantPath } from './walker';

/**
 * Incremental updates. A changed model file is re-rendered and re-parsed alone; column lineage is
 * re-resolved for it and for the downstream models whose input schemas changed (the lineage memo
 * decides); only owner groups whose content changed are replaced in the store. A change to anything
 * that shapes a dbt project (YAML, macros, seeds, dbt_project.yml) reloads that project's context.
 */

const STRUCTURAL = /(^|\/)(dbt_project\.yml|packages\.yml|dependencies\.yml|profiles\.yml|\.mallard\.json)$/;

/** Entity owners of a unit's facts (a dbt unit's through its parts: its merged arrays are not built). */
function ownerKeysOfUnit(state: ScanState, unitKey: string): Set<OwnerKey> {
  const keys = new Set<OwnerKey>();
  const unit = state.units.get(unitKey);
  for (const e of unit?.facts.entities ?? []) keys.add(`e:${e.id}`);
  if (unit?.parts) {
    for (const id of unit.parts.byEntity.keys()) keys.add(`e:${id}`);
    for (const c of unit.parts.base.columns) keys.add(`e:${c.entityId}`);
  } else {
    for (const c of unit?.facts.columns ?? []) keys.add(`e:${c.entityId}`);
  }
  return keys;
}

/** Applies changes of workspace-relative paths to the state and the store. */
export async function applyUpdate(scanner: WorkspaceScanner, state: ScanState, paths: readonly string[], call: ScanCallOptions): Promise<UpdateReport> {
  const started = performance.now();
  let mark = started;
  const phases: Record<string, number> = {};
  const lap = (name: string): void => {
    const now = performance.now();
    phases[name] = now - mark;
    mark = now;
  };
  const root = scanner.options.root;
  const changed: string[] = [];
  const deleted: string[] = [];
  let added = false;
  for (const rel of new Set(paths)) {
    if (!isRelevantPath(rel)) continue;
    const entry = await readSnapshotFile(root, rel, state.plan.config.maxFileBytes ? { maxBytes: state.plan.config.maxFileBytes } : {});
    const before = state.snapshot.get(rel);
    if (entry === undefined) {
      if (!before) continue;
      state.snapshot.delete(rel);
      deleted.push(rel);
    } else {
      if (before?.hash === entry.hash) continue;
      added ||= before === undefined;
      state.snapshot.set(rel, entry);
    }
    changed.push(rel);
  }
  const report: UpdateReport = { changedPaths: changed, replacedEntities: [], replacedDiagnosticFiles: [], parsed: 0, millis: 0 };
  if (changed.length === 0) return { ...report, millis: performance.now() - started };
  // A new Map keeps `snapshot.keys()` sorted when a file was added; FileSource.list() must be deterministic.
  if (added) state.snapshot = new Map([...state.snapshot.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const fs = snapshotFileSource(root, state.snapshot);
  const options = scanner.planOptions();
  const affected = new Set<string>();
  const fullDiff = new Set<string>();
  let plan: WorkspacePlan;
  const stop = new Breather(call).stopped;
  if (changed.some((p) => STRUCTURAL.test(p) || p.split('/').includes('dbt_packages'))) {
    plan = planWorkspace(fs, { ...options, shouldStop: stop }, state.plan);
    for (const p of [...plan.dbt.map((d) => d.root), ...state.plan.dbt.map((d) => d.root), PLAIN_SQL_UNIT]) {
      affected.add(p);
      fullDiff.add(p);
    }
  } else {
    const { config } = effectiveConfig(fs, options);
    plan = { ...state.plan, dbt: [...state.plan.dbt] };
    plan.dbt.forEach((project, i) => {
      const inside = changed.filter((p) => isInside(p, project.root) && !plan.dbt.some((o) => o.root.length > project.root.length && isInside(o.root, project.root) && isInside(p, o.root)));
      if (inside.length === 0) return;
      affected.add(project.root);
      // A model edit that moves its relation (in-file alias/schema/database) changes how refs to it render.
      const nodeOnly = inside.every((p) => project.nodePaths.has(p) && state.snapshot.has(p)) && !relationConfigChanged(project, fs, inside);
      if (nodeOnly) return;
      plan.dbt[i] = planDbtProject(fs, project.root, config, options.dialect, project.manifest, undefined, options.externalProfiles, stop, loadMemoOf(options.loadMemos, project.root)).plan;
      fullDiff.add(project.root);
    });
    const sqlTouched = changed.some((p) => p.toLowerCase().endsWith('.sql') && !plan.dbt.some((d) => d.nodePaths.has(p)));
    if (sqlTouched || fullDiff.size > 0) {
      const before = JSON.stringify(state.plan.sql);
      // A dialect guessed from the plain SQL (none configured) holds until the next full plan.
      const guessed = config.dialect === undefined && options.dialect === undefined ? state.plan.sqlDialect?.dialect : undefined;
      plan.sql = planSqlFiles(fs.list(), plan.dbt.map((d) => d.root), plan.dbt, guessed ? { ...config, dialect: guessed } : config, options.dialect);
      const sqlPaths = new Set(plan.sql.map((f) => f.path));
      if (JSON.stringify(plan.sql) !== before || changed.some((p) => sqlPaths.has(p))) {
        affected.add(PLAIN_SQL_UNIT);
        fullDiff.add(PLAIN_SQL_UNIT);
      }
    }
  }
  lap('plan');
  const outcome = await computeResults(state.table, plan, state.snapshot, root, scanner.store, scanner.runJobs, { ...(call.signal ? { signal: call.signal } : {}), ...(call.stopRequested ? { stopRequested: call.stopRequested } : {}) });
  report.parsed = outcome.parsed;
  report.parsedPaths = outcome.parsedPaths;
  report.reusedParses = outcome.reusedParses;
  const candidates = new Set<OwnerKey>();
  for (const unit of fullDiff) for (const k of ownerKeysOfUnit(state, unit)) candidates.add(k);
  const oldEntitiesOfChanged = new Set<string>();
  for (const u of state.units.values()) for (const e of u.facts.entities) if (changed.includes(e.path)) oldEntitiesOfChanged.add(e.id);
  lap('parse');
  const units = assembleWorkspace(plan, state.table.results, state.memos, affected, fullDiff.size === 0 ? new Set(changed) : undefined);
  lap('assemble');
  // What the store holds: the units of the last write (compared with the new ones below).
  const previous = [...state.units.values()];
  for (const key of [...state.units.keys()]) if (affected.has(key) && !units.some((u) => u.key === key)) state.units.delete(key);
  for (const u of units) {
    u.facts = withGitOwners(u.facts, state.git);
    state.units.set(u.key, u);
    if (fullDiff.has(u.key)) for (const e of u.facts.entities) candidates.add(`e:${e.id}`);
    for (const id of u.recomputed) candidates.add(`e:${id}`);
    for (const e of u.facts.entities) if (changed.includes(e.path)) candidates.add(`e:${e.id}`);
  }
  for (const id of oldEntitiesOfChanged) candidates.add(`e:${id}`);
  state.units.set(FILE_ISSUES_UNIT, fileIssueUnit(state.snapshot));
  // Diagnostics are few; every file's diagnostics are compared so cross-file ones (cycles) stay right.
  for (const u of [...previous, ...state.units.values()]) for (const d of u.facts.diagnostics) candidates.add(`f:${d.file}`);
  const entityFilter = new Set([...candidates].filter((k) => k.startsWith('e:')).map((k) => k.slice(2)));
  const delta = diffGroups(ownerGroups(previous, entityFilter), ownerGroups([...state.units.values()], entityFilter), candidates);
  lap('diff');
  state.plan = plan;
  const signature = scanner.signature(state.snapshot);
  const store = scanner.store;
  const removable = deleted.filter((p) => store.getFile(p) !== undefined);
  store.transaction(() => {
    if (removable.length > 0) store.removeFiles(removable);
    if (delta.entityIds.length > 0 || delta.files.length > 0) store.replaceFacts({ entityIds: delta.entityIds, files: delta.files }, delta.facts);
    store.upsertFiles(fileRecords(state.snapshot, plan, state.git, changed.filter((p) => state.snapshot.has(p))));
    for (const w of outcome.cacheWrites) store.putParseCache(w.path, w.hash, w.cacheKey, w.value);
    store.setMeta(SIGNATURE_KEY, signature);
    store.setMeta(PLAIN_SQL_DIALECT_KEY, JSON.stringify(plan.sqlDialect ?? null));
  });
  releaseTexts(state.snapshot);
  releaseStatements(state.table, state.memos, store);
  lap('write');
  report.phases = phases;
  report.replacedEntities = delta.entityIds;
  report.replacedDiagnosticFiles = delta.files;
  report.millis = performance.now() - started;
  return report;
}
