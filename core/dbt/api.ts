import type { Diagnostic, Entity, Facts } from '../model/entities';
import type { Dialect, FileSource, RenderedNode } from '../pipeline/contracts';
import { emptyFacts } from '../model/entities';
import { assembleFacts } from './assemble';
import { failedContext, failedNode, internalDiagnostic } from './failures';
import { WorkCancelled, type RenderBudget } from './jinja/budget';
import { loadContext } from './project/loadContext';
import { parseManifest } from './manifest';
import type { DbtLoadMemo } from './project/loadMemo';
import { renderNode } from './renderNode';

/**
 * Public API of the dbt half of extraction, used by the scanner (`core/pipeline/`).
 *
 * The work is split so the scanner can be incremental:
 * 1. `loadDbtProject` reads everything that affects every model (dbt_project.yml, packages, macros,
 *    YAML, docs, seeds) once; its `contextHash` changes whenever any of those files change.
 * 2. `renderDbtNode` renders one model/snapshot/analysis file; it is pure and deterministic, so the
 *    scanner caches it by `(contextHash, file hash)` and may run it in a worker thread.
 * 3. `assembleDbtProject` joins the per-file results with the YAML facts into project facts.
 * 4. `readManifest` parses `target/manifest.json` text when it exists; when it parses, the scanner
 *    passes it to `assembleDbtProject` so dbt's own dependencies win over rendered ones.
 * None of these functions throw on bad input; problems become `Diagnostic`s with a location.
 */

/** The dbt target (profile output) the project is rendered for; dbt's `target` variable. */
export interface DbtTarget {
  /** Target name, e.g. `dev`. */
  name: string;
  /** Adapter type, e.g. `postgres`, `snowflake`, `bigquery`; drives `adapter.dispatch`. */
  type: string;
  /** Default schema of the target. */
  schema: string;
  /** Default database (BigQuery project, Snowflake database) when known. */
  database?: string;
}

/** Options for `loadDbtProject`. */
export interface DbtLoadOptions {
  /** Target to render for; defaults to `{ name: 'dev', type: 'postgres', schema: 'public' }`. */
  target?: DbtTarget;
  /**
   * Asked between files whether the scan was cancelled; true stops the load with `WorkCancelled`.
   * Synchronous, like `RenderBudget.shouldStop`.
   */
  shouldStop?: () => boolean;
  /**
   * Kept by the caller between loads of the same project (`newDbtLoadMemo()`): properties YAML
   * files whose content did not change are not parsed again.
   */
  memo?: DbtLoadMemo;
}

/** Options for `renderDbtNode`. */
export interface DbtRenderOptions {
  /**
   * The render's work budget (`DEFAULT_RENDER_BUDGET` for what is not given): steps, a wall-clock
   * deadline and a cancellation check. A node over budget gets a `jinja-budget` diagnostic where
   * the work was stopped; a cancelled render throws `WorkCancelled`.
   */
  budget?: Partial<RenderBudget>;
}

/** Kind of a file that `renderDbtNode` handles. */
export type DbtNodeKind = 'model' | 'snapshot' | 'analysis';

/** A file the scanner must render with `renderDbtNode`. */
export interface DbtNodeFile {
  /** Workspace-relative path with forward slashes. */
  path: string;
  kind: DbtNodeKind;
  /** Name of the dbt project (root project or installed package) the file belongs to. */
  project: string;
}

/** One dbt project seen from the root: the root project itself or an installed package. */
export interface DbtProjectInfo {
  /** `name:` from its dbt_project.yml. */
  name: string;
  /** Folder of its dbt_project.yml ('' for the workspace root). */
  root: string;
  /** True for the root project, false for installed packages. */
  isRoot: boolean;
  /** Folders (relative to `root`) as configured. */
  modelPaths: string[];
  macroPaths: string[];
  seedPaths: string[];
  snapshotPaths: string[];
  analysisPaths: string[];
  testPaths: string[];
  docsPaths: string[];
  /** `vars:` of this project's dbt_project.yml (global keys and package-scoped sub-objects as written). */
  vars: Record<string, unknown>;
}

/** Everything that `renderDbtNode` and `assembleDbtProject` need; plain JSON. */
export interface DbtProjectContext {
  /** Folder of the root dbt_project.yml ('' for the workspace root). */
  root: string;
  /** Root project name. */
  projectName: string;
  target: DbtTarget;
  /** SQL dialect (node-sql-parser name) for the target's adapter type. */
  dialect: Dialect;
  /**
   * Changes whenever any dbt_project.yml, packages file, macro, YAML, docs or seed file changes, a
   * node file is added/removed, or the target changes; model SQL edits do not change it.
   */
  contextHash: string;
  /** Root project first, then installed packages sorted by name. */
  projects: DbtProjectInfo[];
  /** Macro source files by workspace path (text), grouped per project; parsed lazily by the renderer. */
  macroFiles: { path: string; project: string; text: string }[];
  /** `dispatch:` config of the root project: macro namespace → search order. */
  dispatch: { macroNamespace: string; searchOrder: string[] }[];
  /** Files to render with `renderDbtNode`. */
  nodeFiles: DbtNodeFile[];
  /**
   * Names of packages declared in packages.yml/dependencies.yml that are not installed (no
   * `dbt deps`). Their macros use Mallard's stand-ins where it has them, else render as placeholders.
   */
  missingPackages?: string[];
  /**
   * Facts declared outside model SQL: project, source, seed, exposure, doc block, macro and
   * YAML-only snapshot entities, their declared columns, and project/YAML/packages diagnostics.
   * Model YAML properties (descriptions, columns, tests, owners) and exposure/snapshot edges are
   * merged in by `assembleDbtProject`. `assembleDbtProject` includes all of these facts.
   */
  facts: Facts;
  /** Internal lookup tables (model names → ids, config trees, YAML properties); treat as opaque. */
  index: DbtContextIndex;
}

/** Opaque, JSON-safe indexes built by `loadDbtProject`; shape may change between versions. */
export interface DbtContextIndex {
  [key: string]: unknown;
}

/** A resolved `ref()`/`source()`/`depends_on` dependency of one node. */
export interface DbtDependency {
  kind: 'ref' | 'source' | 'depends_on';
  /** Entity id of the upstream node; undefined when it could not be resolved. */
  target?: string;
  /** As written: `pkg.model`, `model`, `model.v2` for refs; `source.table` for sources. */
  written: string;
  /** 1-based location of the call in the source file. */
  line: number;
  column: number;
}

/** Result of rendering one model/snapshot/analysis file. */
export interface DbtNodeResult {
  path: string;
  /** The node's entity (with config applied); `disabled: true` when disabled anywhere. */
  entity: Entity;
  /**
   * Resolved dependencies in call order, deduplicated. Kept for disabled nodes too (dbt records
   * them in its manifest's `disabled` section), but `assembleDbtProject` emits no edges for them.
   */
  dependencies: DbtDependency[];
  /**
   * Rendered SQL; `lineageSql` uses placeholders for every ref/source/this. A placeholder of a
   * ref/source that resolves to nothing maps to `unresolved.<schema>.<name>` (no such entity exists).
   */
  rendered: RenderedNode;
  /** Render and config diagnostics (also present in `rendered.diagnostics`). */
  diagnostics: Diagnostic[];
  /**
   * The distinct `ref()`/`source()` calls the render made (`callKey`), whatever they resolved to:
   * with the node's own entries they are what it read from the node-keyed part of the context
   * (see `renderInputs.ts`).
   */
  lookups?: string[];
}

/** The parts of dbt's `target/manifest.json` Mallard uses. */
export interface DbtManifest {
  /** `metadata.project_name` when present. */
  projectName?: string;
  /** Node unique_id → dependencies and compiled SQL. */
  nodes: Record<string, DbtManifestNode>;
  /** Source unique_ids present in the manifest. */
  sources: string[];
}

/** A node of a manifest (model, seed, snapshot, analysis, exposure). */
export interface DbtManifestNode {
  uniqueId: string;
  resourceType: string;
  name: string;
  packageName: string;
  /** Workspace-relative path is not in the manifest; this is `original_file_path` (relative to its project). */
  originalFilePath?: string;
  dependsOn: string[];
  compiledCode?: string;
  enabled: boolean;
}

/** Result of `readManifest`: either a manifest or diagnostics explaining why it could not be used. */
export type DbtManifestResult =
  | { ok: true; manifest: DbtManifest; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * Loads a dbt project rooted at `root` (folder of its dbt_project.yml, '' for the workspace root):
 * project config, installed packages, macros, YAML properties, docs blocks and seeds. Throws only
 * `WorkCancelled`, when `options.shouldStop` says so.
 */
export function loadDbtProject(fs: FileSource, root: string, options?: DbtLoadOptions): DbtProjectContext {
  try {
    return loadContext(fs, root, options ?? {});
  } catch (err) {
    if (WorkCancelled.is(err)) throw err;
    return failedContext(root, options ?? {}, err);
  }
}

/**
 * Renders one model/snapshot/analysis file the way dbt's parse step does (`execute = false`),
 * within a work budget (`options.budget`). Throws only `WorkCancelled`, when the budget's
 * `shouldStop` says so.
 */
export function renderDbtNode(ctx: DbtProjectContext, path: string, text: string, options?: DbtRenderOptions): DbtNodeResult {
  try {
    return renderNode(ctx, path, text, options);
  } catch (err) {
    if (WorkCancelled.is(err)) throw err;
    return failedNode(ctx, path, text, err);
  }
}

/**
 * Joins YAML facts and per-file results into project facts: entities with YAML properties merged,
 * declared columns, model edges, and diagnostics for refs to unknown nodes. When `manifest` is given,
 * dbt's own `depends_on.nodes` replace the rendered dependencies of the nodes it contains.
 */
export function assembleDbtProject(ctx: DbtProjectContext, results: DbtNodeResult[], manifest?: DbtManifest): Facts {
  try {
    return assembleFacts(ctx, results, manifest);
  } catch (err) {
    const facts = emptyFacts();
    facts.diagnostics.push(internalDiagnostic(ctx.root === '' ? 'dbt_project.yml' : `${ctx.root}/dbt_project.yml`, 'assembling the project', err));
    return facts;
  }
}

/**
 * Parses `target/manifest.json` text. A malformed or truncated file (dbt may be writing it) yields
 * `ok: false` with a diagnostic; the caller then falls back to rendering, or to the previous good
 * manifest (`fallback` names what happens instead, for the diagnostic).
 */
export function readManifest(text: string, file = 'target/manifest.json', fallback = 'falling back to rendering'): DbtManifestResult {
  try {
    return parseManifest(text, file, fallback);
  } catch (err) {
    return { ok: false, diagnostics: [internalDiagnostic(file, 'reading the manifest', err)] };
  }
}
