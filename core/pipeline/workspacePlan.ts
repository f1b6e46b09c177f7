import { sniffPlainDialect, type SniffedDialect } from './sqlDialectSniff';
import { loadDbtProject, readManifest, type DbtManifest, type DbtProjectContext } from '../dbt/api';
import { newDbtLoadMemo, type DbtLoadMemo } from '../dbt/project/loadMemo';
import { sharedRenderHash } from '../dbt/renderInputs';
import { indexOf } from '../dbt/contextIndex';
import { readPythonModel } from '../dbt/python/pythonModel';
import { scanInlineRelationConfig } from '../dbt/relationNames';
import type { Diagnostic } from '../model/entities';
import type { Dialect, FileSource } from './contracts';
import { discoverWorkspace, isInside } from './discover';
import { catalogedElsewhere, catalogedNodePaths, catalogOwners } from './catalogOnce';
import { dbtCacheKey, sqlCacheKey } from './fileStep';
import { chooseDbtDialect, type ExternalProfiles } from './dbtDialect';
import { CONFIG_FILE, configuredDialect, parseWorkspaceConfig, type WorkspaceConfig } from './workspaceConfig';

/**
 * What to extract in a workspace and how: dbt projects with their loaded context and dialect, plain
 * SQL files with theirs, and the cache key of every file's per-file step.
 */

/** Settings that come from outside the workspace (CLI flags, VS Code settings). */
export interface PlanOptions {
  /** Name of the plain-SQL project (the workspace folder name). */
  workspaceName: string;
  /** Dialect forced for everything (CLI `--dialect`). */
  dialect?: Dialect;
  /** Defaults merged under `.mallard.json` (VS Code settings); `.mallard.json` wins key by key. */
  defaults?: Partial<Pick<WorkspaceConfig, 'dialect' | 'folders' | 'targets' | 'defaultSchema'>>;
  /** dbt profiles outside the workspace (`DBT_PROFILES_DIR`, `~/.dbt`), read by the Node layer. */
  externalProfiles?: ExternalProfiles[];
  /** Asked while dbt projects load whether the scan was cancelled (see `DbtLoadOptions.shouldStop`). */
  shouldStop?: () => boolean;
  /**
   * Loader memos per dbt root, kept by a caller that plans again (the scanner, after a YAML edit):
   * see `DbtLoadOptions.memo`. The planner adds a memo for each root it loads.
   */
  loadMemos?: Map<string, DbtLoadMemo>;
}

/** The loader memo of `root` in `memos`, created on first use. */
export function loadMemoOf(memos: Map<string, DbtLoadMemo> | undefined, root: string): DbtLoadMemo | undefined {
  if (!memos) return undefined;
  let memo = memos.get(root);
  if (!memo) memos.set(root, (memo = newDbtLoadMemo()));
  return memo;
}

/** One dbt project to extract. */
export interface DbtProjectPlan {
  root: string;
  ctx: DbtProjectContext;
  dialect: Dialect;
  /** Why this dialect (see `chooseDbtDialect`), for the status bar and `stats`. */
  dialectReason: string;
  /**
   * Cache key of its node files' per-file step: the part of the context every render reads
   * (`sharedRenderHash`); each result also records the node-keyed entries it read (`inputs`).
   */
  cacheKey: string;
  /** Node file paths (models, snapshots, analyses) this root extracts. */
  nodePaths: Set<string>;
  /**
   * Projects this root loads (as packages, or itself when another root has its name) whose facts
   * another root of the workspace catalogs; left out of this root's facts (see `catalogOnce.ts`).
   */
  elsewhere: ReadonlySet<string>;
  manifest?: DbtManifest;
}

/** A plain SQL file to extract. */
export interface SqlFilePlan {
  path: string;
  dialect: Dialect;
  cacheKey: string;
}

/** The whole plan. */
export interface WorkspacePlan {
  config: WorkspaceConfig;
  workspaceName: string;
  dbt: DbtProjectPlan[];
  sql: SqlFilePlan[];
  /** Configuration and manifest diagnostics. */
  diagnostics: Diagnostic[];
  /** The dialect guessed for plain SQL when none is configured (`sniffPlainDialect`), and why. */
  sqlDialect?: SniffedDialect;
}

/** Merges `.mallard.json` over the outside defaults. */
export function effectiveConfig(fs: FileSource, options: PlanOptions): { config: WorkspaceConfig; diagnostics: Diagnostic[] } {
  const { config, diagnostics } = parseWorkspaceConfig(fs.read(CONFIG_FILE));
  const dialect = config.dialect ?? options.defaults?.dialect;
  const targets = config.targets ?? options.defaults?.targets;
  const defaultSchema = config.defaultSchema ?? options.defaults?.defaultSchema;
  const merged: WorkspaceConfig = { ...config, ...(dialect ? { dialect } : {}), folders: { ...(options.defaults?.folders ?? {}), ...config.folders } };
  if (targets) merged.targets = targets;
  if (defaultSchema) merged.defaultSchema = defaultSchema;
  return { config: merged, diagnostics };
}

/**
 * Loads one dbt project: profile → target and dialect, context, manifest when it parses. dbt may be
 * writing `target/manifest.json`: a file that does not parse (truncated) is never half-applied; it
 * yields a diagnostic, and `previous` (the last good manifest of this project, when the caller has
 * one) stays in use, else the project is rendered without a manifest. The diagnostic goes into the
 * project's own facts so every caller (full scan or incremental re-plan) stores it.
 */
export function planDbtProject(fs: FileSource, root: string, config: WorkspaceConfig, override?: Dialect, previous?: DbtManifest, owners?: ReadonlyMap<string, string>, externalProfiles?: readonly ExternalProfiles[], shouldStop?: () => boolean, memo?: DbtLoadMemo): { plan: DbtProjectPlan; diagnostics: Diagnostic[] } {
  const { dialect, target, reason } = chooseDbtDialect(fs, root, config, { ...(override ? { override } : {}), ...(externalProfiles ? { external: externalProfiles } : {}) });
  const ctx = loadDbtProject(fs, root, { target, ...(shouldStop ? { shouldStop } : {}), ...(memo ? { memo } : {}) });
  recordDialect(ctx, dialect, reason);
  // Re-planning one root (an incremental update) decides the owners from the files as a full plan does.
  const elsewhere = catalogedElsewhere(ctx, root, owners ?? catalogOwners(fs).owners);
  const nodePaths = catalogedNodePaths(ctx, elsewhere);
  const plan: DbtProjectPlan = { root, ctx, dialect, dialectReason: reason, cacheKey: dbtCacheKey(sharedRenderHash(ctx), dialect), nodePaths, elsewhere };
  const manifestPath = root === '' ? 'target/manifest.json' : `${root}/target/manifest.json`;
  const manifestText = fs.read(manifestPath);
  if (manifestText !== undefined) {
    const result = readManifest(manifestText, manifestPath, previous ? 'keeping the previous manifest until this one parses' : undefined);
    ctx.facts.diagnostics.push(...result.diagnostics);
    if (result.ok) plan.manifest = result.manifest;
    else if (previous) plan.manifest = previous;
  }
  return { plan, diagnostics: [] };
}

/** The root project's entity carries the dialect and why, so the catalog can say so (`stats`). */
function recordDialect(ctx: DbtProjectContext, dialect: Dialect, reason: string): void {
  const project = ctx.facts.entities.find((e) => e.kind === 'project' && e.name === ctx.projectName);
  if (project) project.meta = { ...project.meta, dialect, dialectReason: reason };
}

/**
 * True when an edit of node files changes where one of them is built (a literal `config(alias=…,
 * schema=…, database=…)`): refs to it in other models render that relation, so the project must be
 * re-planned (its context hash changes) rather than re-rendering the edited files alone. A `.py`
 * file that no longer defines `def model` leaves the project's nodes, which also needs a re-plan.
 */
export function relationConfigChanged(project: DbtProjectPlan, fs: FileSource, paths: readonly string[]): boolean {
  const known = indexOf(project.ctx).inlineConfigs;
  return paths.some((p) => {
    const text = fs.read(p) ?? '';
    if (/\.py$/i.test(p) && !readPythonModel(text).isModel) return true;
    return JSON.stringify(scanInlineRelationConfig(text, p)) !== JSON.stringify(known[p] ?? {});
  });
}

/**
 * Predicate: is this SQL file part of a dbt project (a node, a macro, or inside one of its configured
 * folders, installed packages or build output)? Files of a dbt repository outside those folders
 * (e.g. `warehouse/ddl.sql` next to `models/`) are plain SQL.
 */
export function claimedBy(projects: readonly DbtProjectPlan[]): (path: string) => boolean {
  const files = new Set<string>();
  const folders: string[] = [];
  const join = (a: string, b: string): string => (a === '' ? b : b === '' ? a : `${a}/${b}`).replace(/\/+$/, '');
  for (const p of projects) {
    for (const f of p.nodePaths) files.add(f);
    for (const m of p.ctx.macroFiles) files.add(m.path);
    folders.push(join(p.root, 'dbt_packages'), join(p.root, 'dbt_modules'), join(p.root, 'target'));
    for (const info of p.ctx.projects) {
      for (const dir of [...info.modelPaths, ...info.macroPaths, ...info.seedPaths, ...info.snapshotPaths, ...info.analysisPaths, ...info.testPaths]) folders.push(join(info.root, dir.replace(/^\.\//, '')));
    }
  }
  return (path) => files.has(path) || folders.some((f) => f !== '' && isInside(path, f));
}

/** Plain SQL files: outside every dbt project, or inside one but not claimed by it. */
export function planSqlFiles(files: readonly string[], dbtRoots: readonly string[], dbt: readonly DbtProjectPlan[], config: WorkspaceConfig, override?: Dialect): SqlFilePlan[] {
  const claimed = claimedBy(dbt);
  const outside = new Set(discoverWorkspace(files).sqlFiles);
  return files
    .filter((f) => outside.has(f) || (f.toLowerCase().endsWith('.sql') && dbtRoots.some((r) => isInside(f, r)) && !claimed(f)))
    .sort()
    .map((path) => {
      const dialect = configuredDialect(config, path, override);
      return { path, dialect, cacheKey: sqlCacheKey(dialect) };
    });
}

/**
 * Plans a workspace. Never throws on bad input (only `WorkCancelled`, when `options.shouldStop`
 * says so). `previous` (the plan being replaced) lends each dbt
 * project its last good manifest while the current file does not parse.
 */
export function planWorkspace(fs: FileSource, options: PlanOptions, previous?: WorkspacePlan): WorkspacePlan {
  const { config, diagnostics } = effectiveConfig(fs, options);
  const layout = discoverWorkspace(fs.list());
  const dbt: DbtProjectPlan[] = [];
  const owners = catalogOwners(fs, layout.dbtRoots);
  diagnostics.push(...owners.diagnostics);
  for (const root of layout.dbtRoots) {
    const loaded = planDbtProject(fs, root, config, options.dialect, previous?.dbt.find((p) => p.root === root)?.manifest, owners.owners, options.externalProfiles, options.shouldStop, loadMemoOf(options.loadMemos, root));
    dbt.push(loaded.plan);
    diagnostics.push(...loaded.diagnostics);
  }
  let sql = planSqlFiles(fs.list(), layout.dbtRoots, dbt, config, options.dialect);
  // No dialect configured anywhere: guess one from the plain SQL itself (postgresql otherwise).
  const sniffed = options.dialect === undefined && config.dialect === undefined && sql.length > 0 ? sniffPlainDialect(fs, sql.map((f) => f.path)) : undefined;
  if (sniffed) sql = planSqlFiles(fs.list(), layout.dbtRoots, dbt, { ...config, dialect: sniffed.dialect }, options.dialect);
  return { config, workspaceName: options.workspaceName, dbt, sql, diagnostics, ...(sniffed ? { sqlDialect: sniffed } : {}) };
}

/** The project a workspace file belongs to (dbt project name, or the plain-SQL project). */
export function projectOfPath(plan: WorkspacePlan, path: string): string {
  let best: DbtProjectPlan | undefined;
  for (const p of plan.dbt) if (isInside(path, p.root) && (!best || p.root.length > best.root.length)) best = p;
  return best?.ctx.projectName ?? plan.workspaceName;
}
