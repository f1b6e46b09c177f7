import type { DbtProjectContext } from './api';
import type { DeclaredNode } from './project/properties';

/**
 * The typed shape of `DbtProjectContext.index`: lookups built by the loader and used by the renderer
 * and the assembler. Plain JSON so the context can cross worker boundaries.
 */

/** A ref-able node (model, seed, snapshot) by name within one project. */
export interface RefTarget {
  kind: 'model' | 'seed' | 'snapshot';
  /** Id of the unversioned node, or of the latest version for versioned models. */
  id: string;
  /** Versions declared in YAML (`versions:`), as strings. */
  versions?: string[];
  latest?: string;
}

/** A declared source table. */
export interface SourceTarget {
  id: string;
  schema: string;
  identifier: string;
  database?: string;
}

/** YAML properties of a model/snapshot relevant while rendering. */
export interface NodeProps {
  /** `config:` block as written (merged per version). */
  config: Record<string, unknown>;
  /** Name of the model (without version). */
  name: string;
  version?: string;
}

export interface DbtIndex {
  /** project → name → target. */
  refs: Record<string, Record<string, RefTarget>>;
  /** project → `source.table` → target. */
  sources: Record<string, Record<string, SourceTarget>>;
  /** project → file base name (no extension) → YAML props (handles versioned files). */
  nodeProps: Record<string, Record<string, NodeProps>>;
  /** project → dbt_project.yml `models:` tree of the ROOT project (configs for all packages live there). */
  modelConfigTree: Record<string, unknown>;
  /** Same for `snapshots:`. */
  snapshotConfigTree: Record<string, unknown>;
  /** Each package's own `models:` tree (lower precedence than the root's). */
  packageModelTrees: Record<string, Record<string, unknown>>;
  /** project → model/snapshot name → YAML declaration (merged into entities by the assembler). */
  modelYaml: Record<string, Record<string, DeclaredNode>>;
  /** Declared exposures (their `depends_on` become edges). */
  exposures: DeclaredNode[];
  /** project → node file path → kind (only for files to render). */
  files: Record<string, { project: string; kind: 'model' | 'snapshot' | 'analysis'; relPath: string }>;
  /** Model/snapshot id → its node file path (to find an upstream's config when rendering a `ref()`). */
  nodePaths: Record<string, string>;
  /** Node file path → relation keys (`alias`, `schema`, `database`, …) of its literal `config()` calls. */
  inlineConfigs: Record<string, Record<string, string>>;
  /** Seed id → its relation config (`alias`, `schema`, `database`) from dbt_project.yml and YAML. */
  seedRelations: Record<string, { name: string; project: string; config: Record<string, string> }>;
}

/** Returns the typed index of a context. */
export function indexOf(ctx: DbtProjectContext): DbtIndex {
  const i = ctx.index as Partial<DbtIndex>;
  return {
    refs: i.refs ?? {},
    sources: i.sources ?? {},
    nodeProps: i.nodeProps ?? {},
    modelConfigTree: i.modelConfigTree ?? {},
    snapshotConfigTree: i.snapshotConfigTree ?? {},
    packageModelTrees: i.packageModelTrees ?? {},
    modelYaml: i.modelYaml ?? {},
    exposures: i.exposures ?? [],
    files: i.files ?? {},
    nodePaths: i.nodePaths ?? {},
    inlineConfigs: i.inlineConfigs ?? {},
    seedRelations: i.seedRelations ?? {},
  };
}
