import type { Database } from 'better-sqlite3';
import type { Facts } from '../../core/model/entities';
import { splitColumnId } from '../../core/model/ids';
import { dedupeFacts } from '../../core/model/dedupeFacts';
import type { FactScope } from './catalogTypes';
import { CatalogError } from './catalogError';
import { createIndexes, dropFactIndexes, keyOrder } from './bulkLoad';
import { checkArray, validateFacts, validateOne } from './factValidation';
import { Column, ColumnEdge, Diagnostic, Entity, ModelEdge, UnresolvedRef } from '../../core/model/entities';
import { indexEntity, rebuildSearchIndex, unindexEntity } from './ftsIndex';
import { reconcileAllEdits, reconcileEditsOf } from './userEdits';
import { asBusyError, inTransaction, prepared } from './sqlUtil';

/**
 * Writes of extracted facts. Ownership decides what a write replaces: an entity owns itself, its
 * columns, the model/column edges that point into it, and its unresolved refs; a file owns its
 * diagnostics. Every write is one transaction, so a failure leaves the previous state intact.
 */

/** Replaces everything owned by `scope` (widened by the entities and diagnostics in `facts`) with `facts`. */
export function replaceFacts(db: Database, scope: FactScope, facts: Facts): void {
  const checked = validateFacts(facts);
  const entityIds = new Set(scope.entityIds);
  for (const entity of checked.entities) entityIds.add(entity.id);
  const files = new Set(scope.files);
  for (const diagnostic of checked.diagnostics) files.add(diagnostic.file);
  checkScope(checked, entityIds);
  const { facts: valid, warnings } = dedupeFacts(checked);
  runWrite(() =>
    inTransaction(db, () => {
      for (const id of entityIds) deleteOwnedBy(db, id);
      for (const file of files) prepared(db, 'DELETE FROM diagnostics WHERE file = ?').run(file);
      insertFacts(db, valid);
      insertWarnings(db, warnings, files);
      for (const id of entityIds) {
        indexEntity(db, id);
        reconcileEditsOf(db, id);
      }
    }),
  );
}

/** Cold scan: wipes all facts (not files, parse cache, user edits or outbox) and loads `facts`. */
export function replaceAll(db: Database, input: Facts): void {
  for (const field of ['entities', 'columns', 'modelEdges', 'columnEdges', 'unresolved', 'diagnostics'] as const) checkArray(input[field], field);
  // Edges are inserted in key order (stable) with INSERT OR IGNORE: the first of a repeated edge wins.
  const deduped = dedupeFacts(input, { edges: false });
  const facts = deduped.warnings.length === 0 ? deduped.facts : { ...deduped.facts, diagnostics: [...deduped.facts.diagnostics, ...deduped.warnings] };
  runWrite(() =>
    inTransaction(db, () => {
      db.exec(`
        DELETE FROM search_fts; DELETE FROM column_edges; DELETE FROM model_edges;
        DELETE FROM unresolved; DELETE FROM diagnostics; DELETE FROM columns; DELETE FROM entities;
      `);
      const indexes = dropFactIndexes(db);
      bulkInsert(db, facts);
      createIndexes(db, indexes);
      rebuildSearchIndex(db);
      reconcileAllEdits(db);
    }),
  );
}

/** Removes scanned files: file rows, parse cache, diagnostics, and entities whose defining file it is. */
export function removeFiles(db: Database, paths: readonly string[]): void {
  runWrite(() => inTransaction(db, () => {
    for (const path of paths) {
      const ids = prepared(db, 'SELECT id FROM entities WHERE path = ?').pluck().all(path) as string[];
      for (const id of ids) deleteOwnedBy(db, id);
      prepared(db, 'DELETE FROM diagnostics WHERE file = ?').run(path);
      prepared(db, 'DELETE FROM parse_cache WHERE path = ?').run(path);
      prepared(db, 'DELETE FROM files WHERE path = ?').run(path);
    }
  }));
}

/** Owner of a column-level fact: the entity of the downstream column. */
export function ownerOfColumn(columnId: string): string {
  return splitColumnId(columnId).entityId;
}

function checkScope(facts: Facts, entityIds: ReadonlySet<string>): void {
  const outside = new Set<string>();
  for (const column of facts.columns) if (!entityIds.has(column.entityId)) outside.add(column.entityId);
  for (const edge of facts.modelEdges) if (!entityIds.has(edge.to)) outside.add(edge.to);
  for (const edge of facts.columnEdges) {
    const owner = ownerOfColumn(edge.to);
    if (!entityIds.has(owner)) outside.add(owner);
  }
  for (const ref of facts.unresolved) {
    const owner = ownerOfColumn(ref.target);
    if (!entityIds.has(owner)) outside.add(owner);
  }
  if (outside.size > 0) {
    const sample = [...outside].slice(0, 5).join(', ');
    throw new CatalogError(
      'out-of-scope',
      `Facts owned by entities outside the replaced scope would not be replaced on the next rescan: ${sample}${outside.size > 5 ? ', …' : ''}. Add them to scope.entityIds.`,
    );
  }
}

/** Deletes an entity and everything it owns (search row first: it is keyed by the entity's rowid). */
function deleteOwnedBy(db: Database, entityId: string): void {
  unindexEntity(db, entityId);
  prepared(db, 'DELETE FROM columns WHERE entity_id = ?').run(entityId);
  prepared(db, 'DELETE FROM model_edges WHERE to_id = ?').run(entityId);
  // Column ids are `<entityId>#<name>` and '$' follows '#', so this is the primary-key range of the owner.
  prepared(db, 'DELETE FROM column_edges WHERE to_col >= ? AND to_col < ?').run(`${entityId}#`, `${entityId}$`);
  prepared(db, 'DELETE FROM column_edges WHERE to_col = ?').run(entityId);
  prepared(db, 'DELETE FROM unresolved WHERE owner = ?').run(entityId);
  prepared(db, 'DELETE FROM entities WHERE id = ?').run(entityId);
}

/**
 * Writes the warnings of ignored duplicates. A warning's file is not added to the replaced scope
 * (that would delete the file's other diagnostics, which this write may not carry): a warning for a
 * file outside the scope replaces only an identical earlier one, so repeated writes do not pile up.
 */
function insertWarnings(db: Database, warnings: readonly Diagnostic[], files: ReadonlySet<string>): void {
  const insert = rowWriters(db).diagnostic;
  for (const w of warnings) {
    const payload = JSON.stringify(w);
    if (!files.has(w.file)) prepared(db, 'DELETE FROM diagnostics WHERE file = ? AND line = ? AND col = ? AND payload = ?').run(w.file, w.line, w.column, payload);
    insert(w);
  }
}

/** Row writers per fact table; each takes a validated fact. */
function rowWriters(db: Database): { entity: (e: Entity) => void; column: (c: Column) => void; modelEdge: (m: ModelEdge) => void; columnEdge: (c: ColumnEdge) => void; unresolved: (u: UnresolvedRef) => void; diagnostic: (d: Diagnostic) => void } {
  const entityStmt = prepared(db, 'INSERT INTO entities (id, kind, name, project, path, relation, payload) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const columnStmt = prepared(db, 'INSERT INTO columns (id, entity_id, name, position, payload) VALUES (?, ?, ?, ?, ?)');
  const modelEdgeStmt = prepared(db, 'INSERT OR IGNORE INTO model_edges (from_id, to_id, kind, provenance) VALUES (?, ?, ?, ?)');
  const columnEdgeStmt = prepared(db, 'INSERT OR IGNORE INTO column_edges (from_col, to_col, transform, provenance) VALUES (?, ?, ?, ?)');
  const unresolvedStmt = prepared(db, 'INSERT INTO unresolved (owner, target, payload) VALUES (?, ?, ?)');
  const diagnosticStmt = prepared(db, 'INSERT INTO diagnostics (file, line, col, severity, payload) VALUES (?, ?, ?, ?, ?)');
  return {
    entity: (e) => entityStmt.run(e.id, e.kind, e.name, e.project, e.path, e.relation ?? null, JSON.stringify(e)),
    column: (c) => columnStmt.run(c.id, c.entityId, c.name, c.position, JSON.stringify(c)),
    modelEdge: (m) => modelEdgeStmt.run(m.from, m.to, m.kind, JSON.stringify(m.provenance)),
    columnEdge: (c) => columnEdgeStmt.run(c.from, c.to, c.transform, JSON.stringify(c.provenance)),
    unresolved: (u) => unresolvedStmt.run(ownerOfColumn(u.target), u.target, JSON.stringify(u)),
    diagnostic: (d) => diagnosticStmt.run(d.file, d.line, d.column, d.severity, JSON.stringify(d)),
  };
}

function insertFacts(db: Database, facts: Facts): void {
  const w = rowWriters(db);
  for (const e of facts.entities) w.entity(e);
  for (const c of facts.columns) w.column(c);
  for (const m of facts.modelEdges) w.modelEdge(m);
  for (const c of facts.columnEdges) w.columnEdge(c);
  for (const u of facts.unresolved) w.unresolved(u);
  for (const d of facts.diagnostics) w.diagnostic(d);
}

/**
 * Cold-scan insert: each row is validated just before it is written, in primary-key order (appends
 * to the B-trees). Validating everything first held a zod copy of every fact (300k+ objects) at
 * once; here each copy is garbage as soon as its row is written. A bad row still aborts the whole
 * transaction with the same `facts.<field>[<index>]` error.
 */
function bulkInsert(db: Database, facts: Facts): void {
  const w = rowWriters(db);
  for (const i of keyOrder(facts.entities, (e) => e.id)) w.entity(validateOne(Entity, facts.entities[i], 'entities', i));
  for (const i of keyOrder(facts.columns, (c) => c.id)) w.column(validateOne(Column, facts.columns[i], 'columns', i));
  for (const i of keyOrder(facts.modelEdges, (m) => m.to, (m) => m.from, (m) => m.kind)) w.modelEdge(validateOne(ModelEdge, facts.modelEdges[i], 'modelEdges', i));
  for (const i of keyOrder(facts.columnEdges, (c) => c.to, (c) => c.from, (c) => c.transform)) w.columnEdge(validateOne(ColumnEdge, facts.columnEdges[i], 'columnEdges', i));
  facts.unresolved.forEach((u, i) => w.unresolved(validateOne(UnresolvedRef, u, 'unresolved', i)));
  facts.diagnostics.forEach((d, i) => w.diagnostic(validateOne(Diagnostic, d, 'diagnostics', i)));
}

/** Turns SQLite constraint failures (duplicate ids, a column of an unknown entity) into typed errors. */
function runWrite(write: () => void): void {
  try {
    write();
  } catch (err) {
    if (CatalogError.is(err)) throw err;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
      throw new CatalogError('invalid-input', `Facts violate a catalog constraint (${code}): ${String((err as Error).message)}`, { cause: err });
    }
    throw asBusyError(err);
  }
}
