import type { Column, Diagnostic, Entity, EntityKind, ModelEdgeKind, TransformKind } from '../../core/model/entities';

/**
 * Public result and argument types of the local catalog store. Everything here is plain JSON so the
 * CLI can print it and the extension host can post it to webviews unchanged.
 */

/** What a `replaceFacts` call owns: everything owned by these entity ids and these files is replaced. */
export interface FactScope {
  /** Entities to replace, together with their columns, the model/column edges into them and their unresolved refs. */
  entityIds: readonly string[];
  /** Files whose diagnostics are replaced. */
  files: readonly string[];
}

/** Options for opening a catalog file. */
export interface OpenOptions {
  /** Milliseconds to wait on a locked database before failing (default 5000). */
  busyTimeoutMs?: number;
  /** SQLite page cache of this connection in MiB (default 32); lineage walks on big catalogs read scattered pages. */
  cacheSizeMb?: number;
  /** Open read-only (the CLI's query commands); migrations are not run, an old file is an error. */
  readonly?: boolean;
}

/** A compact entity row, used by lists, search, lineage and export. */
export interface EntitySummary {
  id: string;
  kind: EntityKind;
  name: string;
  project: string;
  path: string;
}

/** Result of resolving what a user typed (id, name, relation or `project.name`) to an entity. */
export type EntityLookup =
  | { status: 'found'; entity: Entity }
  /** Several entities share the name; candidates are ordered best first. */
  | { status: 'ambiguous'; candidates: EntitySummary[] }
  /** Nothing matched exactly; suggestions are the closest names (may be empty). */
  | { status: 'not-found'; suggestions: EntitySummary[] };

/** Filter and page for `listEntities`. */
export interface ListEntitiesOptions {
  kind?: EntityKind | readonly EntityKind[];
  project?: string;
  /** Exact name, case-insensitive (uses the name index). */
  name?: string;
  /** Case-insensitive substring of the name (scans the filtered rows). */
  nameContains?: string;
  /** Defining file (workspace-relative path). */
  path?: string;
  /** Page size (default 100, max 10,000). */
  limit?: number;
  /** Rows to skip (default 0). Ordered by project, name, id. */
  offset?: number;
}

/** A project and how many entities it has. */
export interface ProjectSummary {
  project: string;
  entities: number;
}

/** A page of entities plus the total matching count. */
export interface EntityPage {
  items: EntitySummary[];
  total: number;
}

/** Which way to walk lineage. */
export type LineageDirection = 'upstream' | 'downstream' | 'both';

/** Options for lineage closures. */
export interface ClosureOptions {
  direction?: LineageDirection;
  /** Maximum number of hops from the root (default unlimited). 0 returns the root only. */
  maxDepth?: number;
}

/** Options for column-level closures and impact analysis. */
export interface ColumnClosureOptions extends ClosureOptions {
  /** Follow indirect edges (join, filter, group, sort, window, conditional) too (default false). */
  includeIndirect?: boolean;
}

/** A node of a model-level closure. `depth` is the shortest hop count from the root (negative upstream). */
export interface ModelLineageNode {
  id: string;
  /** Hops from the root: positive downstream, negative upstream, 0 for the root. */
  depth: number;
  /** Undefined when the edge points at an id that has no entity (a dangling ref). */
  entity?: EntitySummary;
}

/** A model-level edge inside a closure. */
export interface ModelLineageEdge {
  from: string;
  to: string;
  kind: ModelEdgeKind;
}

/** Model-level closure around one entity. */
export interface ModelLineage {
  root: string;
  nodes: ModelLineageNode[];
  edges: ModelLineageEdge[];
}

/** A node of a column-level closure. */
export interface ColumnLineageNode {
  /** Column id `<entityId>#<column>`. */
  id: string;
  entityId: string;
  column: string;
  /** Hops from the root: positive downstream, negative upstream, 0 for the root. */
  depth: number;
  /** The column's entity; undefined when no entity row exists for `entityId`. */
  entity?: EntitySummary;
}

/** A column-level edge inside a closure. */
export interface ColumnLineageEdge {
  from: string;
  to: string;
  transform: TransformKind;
}

/** Column-level closure around one column. */
export interface ColumnLineage {
  root: string;
  nodes: ColumnLineageNode[];
  edges: ColumnLineageEdge[];
}

/** One downstream column affected by a change, with the shortest path that reaches it. */
export interface ImpactedColumn {
  columnId: string;
  column: string;
  depth: number;
  /** Column ids from the changed column (first) to this column (last). */
  path: string[];
  /** Transform of each hop along `path` (length `path.length - 1`). */
  transforms: TransformKind[];
  /** True when every hop is a direct (value-carrying) transform. */
  direct: boolean;
}

/** Downstream columns of one entity affected by a change. */
export interface ImpactedEntity {
  entityId: string;
  /** Undefined when the entity id has no entity row (a dangling edge). */
  entity?: EntitySummary;
  columns: ImpactedColumn[];
}

/** Answer to "what breaks downstream if column X changes". */
export interface ImpactReport {
  root: string;
  entities: ImpactedEntity[];
  /** Total number of impacted columns (excluding the root). */
  columnCount: number;
}

/** One full-text search hit. */
export interface SearchHit extends EntitySummary {
  /**
   * bm25 score within the hit's tier (lower is better, SQLite's convention); exact-name hits have 0.
   * Hits are returned in rank order (exact name, then name matches, then other matches).
   */
  score: number;
}

/** Options for full-text search. */
export interface SearchOptions {
  /** Maximum hits (default 20, max 1,000). */
  limit?: number;
  kind?: EntityKind | readonly EntityKind[];
  project?: string;
}

/** Counts for the status bar and `mallard stats`. */
export interface CatalogStats {
  entities: number;
  entitiesByKind: Partial<Record<EntityKind, number>>;
  columns: number;
  modelEdges: number;
  columnEdges: number;
  unresolved: number;
  files: number;
  diagnostics: number;
  diagnosticsBySeverity: Partial<Record<Diagnostic['severity'], number>>;
  /** Outbox rows not yet acknowledged by the sync engine. */
  pendingOps: number;
  /** User edits that override extracted values (not yet written back to files). */
  userEdits: number;
  /** The SQL dialect of each dbt project and why it was chosen. */
  dialects: ProjectDialect[];
}

/** The dialect a dbt project is parsed in (recorded on its project entity by the planner). */
export interface ProjectDialect {
  project: string;
  dialect: string;
  reason: string;
}

/** A scanned file as the scanner records it. */
export interface FileRecord {
  /** Workspace-relative path with forward slashes. */
  path: string;
  project: string;
  /** Content hash (any stable string, e.g. sha1 hex). */
  hash: string;
  size: number;
  /** Modification time in milliseconds since the epoch. */
  mtimeMs: number;
  lastAuthor?: string;
  /** ISO-8601 date of the last commit touching the file. */
  lastCommitDate?: string;
}

/**
 * What a user edit changes (the local mutation API). Omitted fields are unchanged. The outbox
 * records it as a field patch of the sync contract (`core/sync/ops.ts`, `outbox.ts`).
 */
export interface EditPatch {
  description?: string;
  /** The complete new tag set. */
  tags?: string[];
  /** Shallow patch of `meta`: a key set to `null` removes it. */
  meta?: Record<string, unknown>;
}

/** What a user edit targets. */
export type EditTarget = { entityId: string } | { columnId: string };

/** Entity row of `export --format json`. */
export type ExportEntity = EntitySummary;

/** Edge row of `export --format json`. */
export type ExportEdge =
  | { from: string; to: string; level: 'model' }
  | { from: string; to: string; level: 'column'; transform: TransformKind };

/** An entity's columns with user edits applied. */
export type ColumnList = Column[];
