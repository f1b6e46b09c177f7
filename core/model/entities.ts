import { z } from 'zod';

/**
 * The catalog model shared by every extractor, the local store, the CLI and (later) the cloud.
 * Everything here is runtime-neutral: zod schemas plus the TypeScript types inferred from them.
 */

/** Where a fact came from. Lines and columns are 1-based, as editors show them. */
export const Provenance = z.object({
  /** Workspace-relative path with forward slashes. */
  file: z.string(),
  /** 1-based line of the fact's definition, 0 when unknown. */
  line: z.number().int().nonnegative(),
  /** 1-based column of the fact's definition, 0 when unknown. */
  column: z.number().int().nonnegative(),
  /** Which extractor produced the fact (for example `dbt-yaml`, `dbt-jinja`, `sql-ddl`, `manifest`). */
  extractor: z.string(),
  /** 1 for facts read from an authoritative source, lower for inferred facts. */
  confidence: z.number().min(0).max(1),
});
export type Provenance = z.infer<typeof Provenance>;

/** Kinds of catalog entities. `table` and `view` come from plain SQL DDL/DML; `analysis` from dbt's `analyses/`. */
export const EntityKind = z.enum([
  'project',
  'source',
  'seed',
  'model',
  'snapshot',
  'table',
  'view',
  'exposure',
  'docBlock',
  'macro',
  // dbt analyses (`analyses/`): compiled like models but never materialized, so nothing reads them.
  'analysis',
  // BI tools (Tableau, Looker, Power BI connectors): a dashboard/report/workbook, and a dataset
  // (data source, explore/view, semantic model table) whose columns are its fields.
  'dashboard',
  'dataset',
]);
export type EntityKind = z.infer<typeof EntityKind>;

/** A person or team that owns an entity (from YAML `meta.owner`, exposures, or git history). */
export const Owner = z.object({
  /** Display name or handle. */
  name: z.string(),
  /** E-mail when known. */
  email: z.string().optional(),
  /** Where the ownership claim came from. */
  source: z.enum(['yaml', 'exposure', 'git']),
});
export type Owner = z.infer<typeof Owner>;

/** A data test attached to a column or an entity (dbt generic or singular test). */
export const TestRef = z.object({
  /** Test name, e.g. `unique`, `not_null`, `accepted_values`, `relationships`. */
  name: z.string(),
  /** Test arguments as written in YAML. */
  args: z.record(z.string(), z.unknown()).default({}),
});
export type TestRef = z.infer<typeof TestRef>;

/** A catalog entity: a model, source table, seed, snapshot, plain table/view, exposure, docs block, macro or project. */
export const Entity = z.object({
  /** Stable id; see `ids.ts` for the scheme. */
  id: z.string(),
  kind: EntityKind,
  /** Short name as users type it (`orders`, `stg_orders`, for sources `<source>.<table>`). */
  name: z.string(),
  /** Project name (dbt project name, or the folder name for plain SQL). */
  project: z.string(),
  /** Workspace-relative path of the defining file. */
  path: z.string(),
  /** Database/catalog when known. */
  database: z.string().optional(),
  /** Schema/dataset when known. */
  schema: z.string().optional(),
  /** Relation name in the warehouse when it differs from `name` (dbt `alias`, source `identifier`). */
  relation: z.string().optional(),
  /** Model version for dbt versioned models. */
  version: z.string().optional(),
  /**
   * For a version of a dbt versioned model: the model's latest version (`latest_version`, else the
   * highest), the one an unversioned `ref()` and a bare name resolve to.
   */
  latestVersion: z.string().optional(),
  /** Markdown description with `{{ doc() }}` references already resolved. */
  description: z.string().default(''),
  tags: z.array(z.string()).default([]),
  meta: z.record(z.string(), z.unknown()).default({}),
  owners: z.array(Owner).default([]),
  tests: z.array(TestRef).default([]),
  /** dbt materialization (`view`, `table`, `incremental`, `ephemeral`, …) when known. */
  materialized: z.string().optional(),
  /** True for disabled dbt nodes; they stay in the catalog but have no edges. */
  disabled: z.boolean().default(false),
  /** SQL after Jinja rendering (dbt) or the statement text (plain SQL), when available. */
  compiledSql: z.string().optional(),
  provenance: Provenance,
});
export type Entity = z.infer<typeof Entity>;
export type EntityInput = z.input<typeof Entity>;

/** A column of an entity. */
export const Column = z.object({
  /** `<entityId>#<lower-cased column name>`. */
  id: z.string(),
  entityId: z.string(),
  name: z.string(),
  /** Data type when known (from YAML `data_type`, DDL, seeds or the warehouse). */
  type: z.string().optional(),
  description: z.string().default(''),
  tags: z.array(z.string()).default([]),
  tests: z.array(TestRef).default([]),
  meta: z.record(z.string(), z.unknown()).default({}),
  /** 0-based ordinal position in the entity's output. */
  position: z.number().int().nonnegative(),
  /** `declared` when written in YAML/DDL, `inferred` when computed from SQL. */
  origin: z.enum(['declared', 'inferred', 'both']).default('inferred'),
  provenance: Provenance,
});
export type Column = z.infer<typeof Column>;
export type ColumnInput = z.input<typeof Column>;

/** How a model-level dependency was found. */
export const ModelEdgeKind = z.enum(['ref', 'source', 'depends_on', 'sql', 'exposure', 'manifest']);
export type ModelEdgeKind = z.infer<typeof ModelEdgeKind>;

/** A model-level lineage edge: `from` is upstream of `to`. */
export const ModelEdge = z.object({
  from: z.string(),
  to: z.string(),
  level: z.literal('model'),
  kind: ModelEdgeKind,
  provenance: Provenance,
});
export type ModelEdge = z.infer<typeof ModelEdge>;

/**
 * Transformation kinds after OpenLineage's column-lineage facet.
 * Direct edges carry the value; indirect edges influence which rows or how they are ordered/grouped.
 */
export const TransformKind = z.enum([
  'identity',
  'transformation',
  'aggregation',
  'join',
  'filter',
  'group',
  'sort',
  'window',
  'conditional',
]);
export type TransformKind = z.infer<typeof TransformKind>;

export const DIRECT_KINDS: ReadonlySet<TransformKind> = new Set(['identity', 'transformation', 'aggregation']);

/** A column-level lineage edge from an upstream column to a downstream column. */
export const ColumnEdge = z.object({
  /** Upstream column id (`<entityId>#<column>`). */
  from: z.string(),
  /** Downstream column id. */
  to: z.string(),
  level: z.literal('column'),
  transform: TransformKind,
  provenance: Provenance,
});
export type ColumnEdge = z.infer<typeof ColumnEdge>;

/** A name the lineage resolver could not resolve; shown as "why is this edge missing". */
export const UnresolvedRef = z.object({
  /** The downstream column id (or entity id when the whole statement failed). */
  target: z.string(),
  /** The name as written in SQL, e.g. `o.amount` or `*`. */
  name: z.string(),
  /** Machine-readable reason. */
  reason: z.enum(['unknown-relation', 'unknown-column', 'ambiguous-column', 'star-without-schema', 'parse-error', 'dynamic-jinja', 'unsupported']),
  /** Human explanation. */
  detail: z.string(),
  provenance: Provenance,
});
export type UnresolvedRef = z.infer<typeof UnresolvedRef>;

/** A problem found while extracting; always with a location. */
export const Diagnostic = z.object({
  file: z.string(),
  /** 1-based. */
  line: z.number().int().nonnegative(),
  /** 1-based. */
  column: z.number().int().nonnegative(),
  endLine: z.number().int().nonnegative().optional(),
  endColumn: z.number().int().nonnegative().optional(),
  severity: z.enum(['error', 'warning', 'info']),
  /** Stable code such as `sql-parse`, `jinja-syntax`, `yaml-syntax`, `unresolved-ref`. */
  code: z.string(),
  message: z.string(),
  extractor: z.string(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

/** Everything extracted for one project (or one file): the unit the store replaces atomically. */
export interface Facts {
  entities: Entity[];
  columns: Column[];
  modelEdges: ModelEdge[];
  columnEdges: ColumnEdge[];
  unresolved: UnresolvedRef[];
  diagnostics: Diagnostic[];
}

export function emptyFacts(): Facts {
  return { entities: [], columns: [], modelEdges: [], columnEdges: [], unresolved: [], diagnostics: [] };
}
