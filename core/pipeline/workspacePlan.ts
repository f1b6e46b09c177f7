import { loadDbtProject, readManifest, type DbtManifest, type DbtProjectContext } from '../dbt/api';
import { fnv1a } from '../dbt/builtins';
import { indexOf } from '../dbt/contextIndex';
import { scanInlineRelationConfig } from '../dbt/relationNames';
import type { Diagnostic } from '../model/entities';
import type { Dialect, FileSource } from './contracts';
import { discoverWorkspace, isInside } from './discover';
import { dbtCacheKey, sqlCacheKey } from './fileStep';
import { adapterForDialect, CONFIG_FILE, configuredDialect, dialectForAdapter, discoverProfileTarget, parseWorkspaceConfig, type WorkspaceConfig } from './workspaceConfig';

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
  /** Defaults merged under `.mallard.json` (VS Code settings). */
  defaults?: Partial<Pick<WorkspaceConfig, 'dialect' | 'folders'>>;
  /** Asked while dbt projects load whether the scan was cancelled (see `DbtLoadOptions.shouldStop`). */
  shouldStop?: () => boolean;
}

/** One dbt project to extract. */
export interface DbtProjectPlan {
  root: string;
  ctx: DbtProjectContext;
  dialect: Dialect;
  /** Cache key of its node files' per-file step. */
  cacheKey: string;
  /** Node file paths (models, snapshots, analyses). */
  nodePaths: Set<string>;
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
}

/** Merges `.mallard.json` over the outside defaults. */
export function effectiveConfig(fs: FileSource, options: PlanOptions): { config: WorkspaceConfig; diagnostics: Diagnostic[] } {
  const { config, diagnostics } = parseWorkspaceConfig(fs.read(CONFIG_FILE));
  const dialect = config.dialect ?? options.defaults?.dialect;
  return { config: { ...config, ...(dialect ? { dialect } : {}), folders: { ...(options.defaults?.folders ?? {}), ...config.folders } }, diagnostics };
}

/**
 * Loads one dbt project: profile → target and dialect, context, manifest when it parses. dbt may be
 * writing `target/manifest.json`: a file that does not parse (truncated) is never half-applied; it
 * yields a diagnostic, and `previous` (the last good manifest of this project, when the caller has
 * one) stays in use, else the project is rendered without a manifest. The diagnostic goes into the
 * project's own facts so every caller (full scan or incremental re-plan) stores it.
 */
export function planDbtProject(fs: FileSource, root: string, config: WorkspaceConfig, override?: Dialect, previous?: DbtManifest, shouldStop?: () => boolean): { plan: DbtProjectPlan; diagnostics: Diagnostic[] } {
  const profile = discoverProfileTarget(fs, root);
  const dialect = override ?? (profile ? dialectForAdapter(profile.type) : undefined) ?? configuredDialect(config, root);
  const target = profile ?? { name: 'dev', type: adapterForDialect(dialect), schema: 'public' };
  const ctx = loadDbtProject(fs, root, { target, ...(shouldStop ? { shouldStop } : {}) });
  // Refs resolve against the set of node files, which `contextHash` does not cover: add it.
  const nodeList = ctx.nodeFiles.map((f) => `${f.project}:${f.kind}:${f.path}`).sort().join('\n');
  const plan: DbtProjectPlan = { root, ctx, dialect, cacheKey: dbtCacheKey(`${ctx.contextHash}.${fnv1a(nodeList)}`, dialect), nodePaths: new Set(ctx.nodeFiles.map((f) => f.path)) };
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

/**
 * True when an edit of node files changes where one of them is built (a literal `config(alias=…,
 * schema=…, database=…)`): refs to it in other models render that relation, so the project must be
 * re-planned (its context hash changes) rather than re-rendering the edited files alone.
 */
export function relationConfigChanged(project: DbtProjectPlan, fs: FileSource, paths: readonly string[]): boolean {
  const known = indexOf(project.ctx).inlineConfigs;
  return paths.some((p) => JSON.stringify(scanInlineRelationConfig(fs.read(p) ?? '')) !== JSON.stringify(known[p] ?? {}));
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
  for (const root of layout.dbtRoots) {
    const loaded = planDbtProject(fs, root, config, options.dialect, previous?.dbt.find((p) => p.root === root)?.manifest, options.shouldStop);
    dbt.push(loaded.plan);
    diagnostics.push(...loaded.diagnostics);
  }
  const sql = planSqlFiles(fs.list(), layout.dbtRoots, dbt, config, options.dialect);
  return { config, workspaceName: options.workspaceName, dbt, sql, diagnostics };
}

/** The project a workspace file belongs to (dbt project name, or the plain-SQL project). */
export function projectOfPath(plan: WorkspacePlan, path: string): string {
  let best: DbtProjectPlan | undefined;
  for (const p of plan.dbt) if (isInside(path, p.root) && (!best || p.root.length > best.root.length)) best = p;
  return best?.ctx.projectName ?? plan.workspaceName;
}
