import type { Column, Diagnostic, Entity, ModelEdge, TransformKind, UnresolvedRef } from '../model/entities';

/**
 * Contracts between the three halves of extraction:
 * - `core/sql/` parses SQL into a schema-free lineage IR (`parseSql`, expensive, cached by content
 *   hash, runs in worker threads) and resolves it against a schema (`resolveLineage`, cheap, runs in
 *   dependency order so `SELECT *` expands from upstream output columns);
 * - `core/dbt/` loads a dbt project and renders each model the way dbt's parse step does;
 * - `core/pipeline/` assembles both into catalog facts.
 * Every value crossing these contracts is plain JSON (structured-clone safe, storable in SQLite).
 */

/** SQL dialects Mallard parses; names follow node-sql-parser's `database` option. */
export const DIALECTS = ['postgresql', 'snowflake', 'bigquery', 'redshift', 'mysql', 'trino', 'hive', 'transactsql', 'mariadb', 'sqlite', 'athena', 'db2', 'flinksql', 'noql'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** A relation as written in SQL, unquoted and case-preserved. */
export interface RelationName {
  database?: string;
  schema?: string;
  name: string;
}

/** What a statement does to its target relation. */
export type StatementKind = 'select' | 'create_table' | 'create_view' | 'insert' | 'merge' | 'update' | 'delete' | 'other';

/** Output of `parseSql`: opaque lineage IR per statement plus diagnostics. JSON-serializable. */
export interface ParsedSql {
  /** Version of the IR format; bump when the IR changes so caches are invalidated. */
  irVersion: number;
  statements: ParsedStatement[];
  /** Parse failures with exact 1-based line/column (relative to the text given to `parseSql`). */
  diagnostics: Diagnostic[];
  /** True when at least one statement failed to parse and a tolerant fallback scan was used. */
  fallback: boolean;
}

export interface ParsedStatement {
  kind: StatementKind;
  /** The written relation for DDL/DML; absent for a bare SELECT (a dbt model body). */
  target?: RelationName;
  /** Relations read (table level), CTE names excluded. */
  reads: RelationName[];
  /** 1-based line of the statement start within the parsed text. */
  line: number;
  /** Declared columns (CREATE TABLE (a int, …)) with types, when present. */
  declaredColumns?: { name: string; type?: string }[];
  /** Schema-free lineage IR, interpreted only by `resolveLineage`. */
  ir: unknown;
}

/** Looks up the output columns of a relation; undefined when the relation is unknown. */
export type SchemaLookup = (relation: RelationName) => string[] | undefined;

/** One source of a resolved output column. */
export interface ColumnSource {
  relation: RelationName;
  column: string;
  transform: TransformKind;
}

/** Resolved lineage of one statement. */
export interface ResolvedStatement {
  kind: StatementKind;
  target?: RelationName;
  reads: RelationName[];
  /** Output columns in order; for INSERT with a column list these are the target's columns. */
  columns: { name: string; sources: ColumnSource[] }[];
  /** Indirect influences on all output rows (WHERE, JOIN ON, GROUP BY, ORDER BY, QUALIFY, …). */
  indirect: ColumnSource[];
  /**
   * Names that could not be resolved, with a reason (`column` is the output column, `*` for a star).
   * `known`: for a qualified column its relation does not have, the columns it does have.
   */
  unresolved: { column: string; name: string; reason: UnresolvedRef['reason']; detail: string; known?: string[] }[];
  /**
   * Relations whose columns reach the output through a `*` that could not be expanded (no schema),
   * as `<relation>.*` sources; each also has a `star-without-schema` entry in `unresolved`.
   */
  passThrough?: PassThroughSource[];
}

/** A `<relation>.*` source of unexpanded star columns, with the star's `EXCEPT`/`REPLACE` names. */
export interface PassThroughSource extends ColumnSource {
  /** Lower-cased names removed by `* EXCEPT/EXCLUDE (…)`: they do not pass through. */
  except?: string[];
  /** Lower-cased names replaced by `* REPLACE (… AS name)`: they pass through transformed. */
  replace?: string[];
}

export type ParseSqlFn = (sql: string, options: { dialect: Dialect; file: string }) => ParsedSql;
export type ResolveLineageFn = (parsed: ParsedStatement, schema: SchemaLookup) => ResolvedStatement;

/** Read-only view of the files of a workspace (workspace-relative paths, forward slashes). */
export interface FileSource {
  /**
   * All files under the workspace root, already filtered by the scanner's rules (`.gitignore` for
   * plain SQL, dbt's rules and `.dbtignore` inside dbt projects, include/exclude settings). A file
   * that exists but could not be read (permissions, binary, too large, a link not followed) is
   * listed, so a model it defines still counts as defined; it reads as undefined.
   */
  list(): string[];
  /** File text, or undefined when it does not exist or could not be read. */
  read(path: string): string | undefined;
}

/** A dbt model (or snapshot/analysis) after rendering. */
export interface RenderedNode {
  entityId: string;
  /** SQL for display: refs/sources rendered as the warehouse relation names. */
  compiledSql: string;
  /**
   * SQL for lineage: every `ref()`/`source()`/`this` replaced by a placeholder relation
   * `mallard__rel.r<N>` that parses as a plain identifier in every dialect.
   */
  lineageSql: string;
  /** Placeholder relation name (`r0`, `r1`, …, schema `mallard__rel`) → entity id. */
  placeholders: Record<string, string>;
  /**
   * Where each run of `lineageSql` comes from in the source file (`core/dbt/renderMap.ts`): lines
   * are aligned, columns are not (a placeholder is longer than its `{{ ref() }}`, folded output
   * longer than its line). Absent in results cached by older versions.
   */
  lineageMap?: number[];
  /** The same map for `compiledSql`, kept for positions found in it after `lineageSql` is dropped. */
  compiledMap?: number[];
  /** Line offset: line L of `lineageSql` corresponds to line L + lineOffset of the source file. */
  lineOffset: number;
  diagnostics: Diagnostic[];
}
