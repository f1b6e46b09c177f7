import type { Database } from 'better-sqlite3';
import type { Column, Diagnostic, Entity, EntityKind, Facts, UnresolvedRef } from '../../core/model/entities';
import type { SyncOp } from '../../core/sync/ops';
import type {
  CatalogStats,
  ClosureOptions,
  ColumnClosureOptions,
  ColumnLineage,
  EditPatch,
  EditTarget,
  EntityLookup,
  EntityPage,
  EntitySummary,
  ExportEdge,
  ExportEntity,
  FactScope,
  FileRecord,
  ImpactReport,
  ListEntitiesOptions,
  ModelLineage,
  OpenOptions,
  ProjectSummary,
  SearchHit,
  SearchOptions,
} from './catalogTypes';
import { CatalogError } from './catalogError';
import { openCatalogDatabase, REPLICA_ID_KEY } from './openDatabase';
import type { JsonValue } from '../../core/sync/ops';
import { ReplicaStore } from '../../sync/replicaStore';
import { SqliteSyncTables } from './sqliteSyncTables';
import { syncedFields } from './syncedMetadata';
import { removeFiles, replaceAll, replaceFacts } from './factWriter';
import { copyParseCache, deleteParseCache, getFile, getParseCache, listFiles, putParseCache, upsertFiles } from './fileTable';
import { mutate, revertEdit } from './userEdits';
import { ackOps, pendingOps } from './outbox';
import { columnsOf, findEntity, getEntity, listDiagnostics, listEntities, listProjects, listUnresolved } from './entityQueries';
import { listOrgOnlyEntities, orgOnlyProjects } from './orgCatalogList';
import { catalogStats, catalogSummary } from './catalogStats';
import { columnLineage, modelLineage } from './lineageQueries';
import { impactOfColumn } from './impactAnalysis';
import { searchEntities } from './ftsIndex';
import { exportEdges, exportEntities } from './exportStream';
import { getMeta, setMeta } from './metaTable';

/** How long after a bulk write its WAL checkpoint waits (see `CatalogStore.bulkTransaction`). */
export const BULK_CHECKPOINT_DELAY_MS = 2000;

/**
 * The local catalog: the only writer of the SQLite file. One instance per connection; it is
 * synchronous (better-sqlite3), so heavy scans should run it in a worker thread. Safe to open the
 * same file from several processes (WAL, busy timeout).
 *
 * User edits (`mutate`) live in an overlay that re-extraction never overwrites: reads show the
 * overlay value; the overlay of a field is dropped only once a rescan extracts the same value from
 * the file (the edit has been written back) or `revertEdit` is called.
 */
export class CatalogStore {
  private closed = false;

  private constructor(
    private readonly database: Database,
    /** Path of the SQLite file. */
    readonly file: string,
    /** Replica id when the file was opened. */
    private readonly openedReplicaId: string,
    /** True when opened with `readonly: true`. */
    readonly readonly: boolean,
  ) {}

  /** Opens (creating and migrating if needed) the catalog at `file`. Throws `CatalogError`. */
  static open(file: string, options: OpenOptions = {}): CatalogStore {
    const { db, replicaId } = openCatalogDatabase(file, options);
    return new CatalogStore(db, file, replicaId, options.readonly === true);
  }

  /** Closes the connection. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
    try {
      // Lets SQLite refresh planner statistics for tables that changed a lot (cheap when nothing did).
      if (!this.readonly) this.database.pragma('optimize');
    } finally {
      this.database.close();
    }
  }

  /** Same as `close`, for disposables. */
  dispose(): void {
    this.close();
  }

  /**
   * Id of this replica for the sync outbox: generated once per catalog file, replaced by the sync
   * engine when it re-bases the outbox or the organization changes (read from the file each time).
   */
  get replicaId(): string {
    return this.closed ? this.openedReplicaId : (getMeta(this.db, REPLICA_ID_KEY) ?? this.openedReplicaId);
  }

  /**
   * The sync adapter on this connection: `SyncStore` (`sync/ports.ts`) over the catalog's sync
   * tables, for the engine running in the catalog worker or the CLI. Cheap; create it when needed.
   */
  syncStore(): ReplicaStore {
    return new ReplicaStore(new SqliteSyncTables(this.db));
  }

  /** The team metadata synced for an entity or column (owners, classification, …), as reads show it. */
  syncedMetadata(target: EditTarget): Record<string, JsonValue> | undefined {
    return 'entityId' in target ? syncedFields(this.db, 'entity', target.entityId) : syncedFields(this.db, 'column', target.columnId);
  }

  /** The underlying connection, for tests and benchmarks only. */
  get db(): Database {
    if (this.closed) throw new CatalogError('closed', 'The catalog store is closed.');
    return this.database;
  }

  /** Runs `fn` in one transaction (nested calls become savepoints); all or nothing. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private checkpointTimer: NodeJS.Timeout | undefined;

  /**
   * `transaction` for a write of hundreds of MB (a cold scan's), whose caller waits for it: the
   * commit does not also copy the WAL into the database file (SQLite's automatic checkpoint, ~0.4 s
   * at 5,000 models). That copy runs `BULK_CHECKPOINT_DELAY_MS` later on this thread, or on the
   * next commit of a connection to the file, or when the last one closes, whichever comes first;
   * readers see the new rows from the WAL meanwhile, and a crash loses nothing (the WAL is durable).
   */
  bulkTransaction<T>(fn: () => T): T {
    const db = this.db;
    const previous = db.pragma('wal_autocheckpoint', { simple: true }) as number;
    db.pragma('wal_autocheckpoint = 0');
    try {
      return this.transaction(fn);
    } finally {
      db.pragma(`wal_autocheckpoint = ${previous}`);
      if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
      this.checkpointTimer = setTimeout(() => this.checkpointNow(), BULK_CHECKPOINT_DELAY_MS);
      this.checkpointTimer.unref();
    }
  }

  /** Copies the WAL into the database file as far as readers allow (never waits for them). */
  private checkpointNow(): void {
    this.checkpointTimer = undefined;
    if (this.closed || this.readonly) return;
    try {
      this.database.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or closed meanwhile: the next commit's automatic checkpoint does it.
    }
  }

  // ── Writes from the scanner ────────────────────────────────────────────────────────────────

  /**
   * Atomically replaces everything owned by `scope` (entities in `scope.entityIds`, their columns,
   * edges into them and unresolved refs; diagnostics of `scope.files`) with `facts`. Ids of
   * `facts.entities` and files of `facts.diagnostics` join the scope automatically; any other fact
   * whose owner is outside the scope is refused with `CatalogError('out-of-scope')` before writing.
   */
  replaceFacts(scope: FactScope, facts: Facts): void {
    replaceFacts(this.db, scope, facts);
  }

  /** Cold scan: replaces all facts in one transaction and rebuilds full-text search once. */
  replaceAll(facts: Facts): void {
    replaceAll(this.db, facts);
  }

  /** Removes files: their file rows, parse cache, diagnostics and the entities defined in them. */
  removeFiles(paths: readonly string[]): void {
    removeFiles(this.db, paths);
  }

  /** Inserts or updates scanned file records. */
  upsertFiles(records: readonly FileRecord[]): void {
    upsertFiles(this.db, records);
  }

  /** The record of one scanned file. */
  getFile(path: string): FileRecord | undefined {
    return getFile(this.db, path);
  }

  /** All scanned files, optionally of one project, ordered by path. */
  listFiles(project?: string): FileRecord[] {
    return listFiles(this.db, project);
  }

  /** Cached parse result for (path, content hash, cache key), or undefined on a miss. */
  getParseCache(path: string, hash: string, cacheKey: string): unknown {
    return getParseCache(this.db, path, hash, cacheKey);
  }

  /** Stores a JSON-serializable parse result for (path, content hash, cache key). */
  putParseCache(path: string, hash: string, cacheKey: string, value: unknown): void {
    putParseCache(this.db, path, hash, cacheKey, value);
  }

  /**
   * Copies a cached parse result to another (content hash, cache key) of the same file (or onto
   * itself), with its top-level `inputs` field set to `inputs` when given.
   */
  copyParseCache(path: string, from: { hash: string; cacheKey: string }, to: { hash: string; cacheKey: string }, inputs?: string): boolean {
    return copyParseCache(this.db, path, from, to, inputs);
  }

  /** Drops cached parse results (all, or one cache key such as an old IR version). */
  clearParseCache(cacheKey?: string): void {
    deleteParseCache(this.db, cacheKey);
  }

  // ── User edits and the sync outbox ─────────────────────────────────────────────────────────

  /**
   * The one mutation API for user edits: writes the overlay and an outbox op in one transaction.
   * The op is in the sync contract's shape (`core/sync/ops.ts`): a field patch of what changed and
   * the row's version vector before the change. Throws `CatalogError('not-found')` for an unknown
   * target, `('invalid-input')` for a bad patch.
   */
  mutate(target: EditTarget, patch: EditPatch): SyncOp {
    return mutate(this.db, this.replicaId, target, patch);
  }

  /** Drops the user overlay of a target (all fields, or the given ones) so extracted values show. */
  revertEdit(target: EditTarget, fields?: readonly (keyof EditPatch)[]): void {
    revertEdit(this.db, target, fields);
  }

  /** Outbox ops not yet acknowledged, oldest first, in the sync contract's shape. */
  pendingOps(limit?: number): SyncOp[] {
    return pendingOps(this.db, limit);
  }

  /** Deletes outbox rows of this replica up to and including `opNumber`; returns rows deleted. */
  ackOps(opNumber: number): number {
    return ackOps(this.db, this.replicaId, opNumber);
  }

  /** Reads a value from the key/value `meta` table. */
  getMeta(key: string): string | undefined {
    return getMeta(this.db, key);
  }

  /** Writes a value to the key/value `meta` table. */
  setMeta(key: string, value: string): void {
    setMeta(this.db, key, value);
  }

  // ── Queries ────────────────────────────────────────────────────────────────────────────────

  /** Entity by id, with user edits applied. */
  getEntity(id: string): Entity | undefined {
    return getEntity(this.db, id);
  }

  /** Resolves what a user typed: id, name, relation, `project.name` or `schema.relation`; fuzzy on a miss. */
  findEntity(query: string): EntityLookup {
    return findEntity(this.db, query);
  }

  /** Every project with its entity count. */
  listProjects(): ProjectSummary[] {
    return listProjects(this.db);
  }

  /** A page of entities, optionally filtered by kind, project, name, name substring or file. */
  listEntities(options: ListEntitiesOptions = {}): EntityPage {
    return listEntities(this.db, options);
  }

  /** Columns of an entity in position order, with user edits applied. */
  /** Projects with org catalog entities (pulled through sync) this workspace does not have. */
  orgOnlyProjects(): string[] {
    return orgOnlyProjects(this.db);
  }

  /** Org catalog entities of a project (and kind) this workspace does not have, by name. */
  listOrgOnlyEntities(options: { project: string; kind?: EntityKind; limit?: number }): EntitySummary[] {
    return listOrgOnlyEntities(this.db, options);
  }

  columnsOf(entityId: string): Column[] {
    return columnsOf(this.db, entityId);
  }

  /** Model-level closure (recursive CTE) around an entity. */
  modelLineage(entityId: string, options: ClosureOptions = {}): ModelLineage {
    return modelLineage(this.db, entityId, options);
  }

  /** Column-level closure around a column; direct edges only unless `includeIndirect`. */
  columnLineage(columnId: string, options: ColumnClosureOptions = {}): ColumnLineage {
    return columnLineage(this.db, columnId, options);
  }

  /** Downstream columns affected if `columnId` changes, grouped by entity, with paths. */
  impact(columnId: string, options: Omit<ColumnClosureOptions, 'direction'> = {}): ImpactReport {
    return impactOfColumn(this.db, columnId, options);
  }

  /** Full-text search over names, descriptions and column names (prefix match, bm25 ranking). */
  search(text: string, options: SearchOptions = {}): SearchHit[] {
    return searchEntities(this.db, text, options);
  }

  /** Diagnostics of one file, or all, ordered by file, line, column. */
  diagnostics(file?: string): Diagnostic[] {
    return listDiagnostics(this.db, file);
  }

  /** Unresolved refs of one entity, or all. */
  unresolved(entityId?: string): UnresolvedRef[] {
    return listUnresolved(this.db, entityId);
  }

  /** Counts per kind, edges, columns, files, diagnostics, pending ops. */
  stats(): CatalogStats {
    return catalogStats(this.db);
  }

  /** Entity and diagnostic counts only (cheap): for views. */
  summary(): ReturnType<typeof catalogSummary> {
    return catalogSummary(this.db);
  }

  /** Streams every entity (compact form) ordered by id; for `export`. */
  exportEntities(): IterableIterator<ExportEntity> {
    return exportEntities(this.db);
  }

  /** Streams model edges, then column edges (unless `columns: false`); for `export`. */
  exportEdges(options: { columns?: boolean } = {}): IterableIterator<ExportEdge> {
    return exportEdges(this.db, options);
  }
}
