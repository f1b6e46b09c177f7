import { emptyFacts, type Column, type Entity, type Facts, type ModelEdge, type Provenance } from '../model/entities';
import { columnId } from '../model/ids';
import type { Dialect, ParsedStatement, RelationName } from '../pipeline/contracts';
import { edgesFromResolved } from '../pipeline/columnFacts';
import { parseSql } from '../sql/parseSql';
import { resolveLineage } from '../sql/resolveLineage';
import { warehouseRelationId } from './connector';

/**
 * Catalog facts of a warehouse read from its INFORMATION_SCHEMA, shared by the Snowflake and
 * BigQuery connectors: one entity per table or view (id `warehouseRelationId`), its columns with
 * their types and comments, and for each view its definition parsed with `core/sql` in the
 * warehouse's dialect, resolved against the columns the warehouse reported, for table and column
 * lineage. Names a view writes without database or schema resolve the way the warehouse resolves
 * them: in the view's own database and schema.
 */

/** A column as INFORMATION_SCHEMA.COLUMNS reports it. */
export interface WarehouseColumn {
  name: string;
  type?: string;
  comment?: string;
  /** 1-based ORDINAL_POSITION. */
  position: number;
}

/** A table or view as INFORMATION_SCHEMA.TABLES (and VIEWS) report it. */
export interface WarehouseRelation {
  database: string;
  schema: string;
  name: string;
  kind: 'table' | 'view';
  /** TABLE_TYPE as the warehouse spells it (`BASE TABLE`, `VIEW`, `MATERIALIZED VIEW`, `EXTERNAL TABLE`). */
  tableType: string;
  comment?: string;
  /** VIEW_DEFINITION: the view's query, or (Snowflake) its whole CREATE VIEW statement. */
  definition?: string;
  columns: WarehouseColumn[];
}

/** How a connector names its facts. */
export interface WarehouseNaming {
  /** `Entity.project`: the account or project the facts come from. */
  project: string;
  /** Provenance `file` of a relation (a URI naming the source, e.g. `snowflake://acme/DB/SCHEMA/NAME`). */
  pathOf: (r: { database: string; schema: string; name: string }) => string;
  /** Provenance `extractor` prefix (`snowflake`, `bigquery`). */
  extractor: string;
  dialect: Dialect;
}

/** Counts for the run's status line. */
export interface WarehouseStats {
  tables: number;
  views: number;
  columns: number;
  viewsParsed: number;
  viewsUnparsed: number;
}

const key = (database: string, schema: string, name: string): string => `${database}.${schema}.${name}`.toLowerCase();

/** Resolves a relation name as written in SQL in the context of a default database and schema. */
export function qualify(rel: RelationName, database: string, schema: string): { database: string; schema: string; name: string } {
  return { database: rel.database ?? database, schema: rel.schema ?? schema, name: rel.name };
}

/** Builds the facts of the relations read from INFORMATION_SCHEMA, views' SQL parsed for lineage. */
export function warehouseFacts(relations: readonly WarehouseRelation[], naming: WarehouseNaming): { facts: Facts; stats: WarehouseStats } {
  const facts = emptyFacts();
  const stats: WarehouseStats = { tables: 0, views: 0, columns: 0, viewsParsed: 0, viewsUnparsed: 0 };
  const byKey = new Map(relations.map((r) => [key(r.database, r.schema, r.name), r]));
  for (const r of relations) {
    const id = warehouseRelationId(r.database, r.schema, r.name);
    const path = naming.pathOf(r);
    const provenance: Provenance = { file: path, line: 0, column: 0, extractor: `${naming.extractor}-information-schema`, confidence: 1 };
    if (r.kind === 'view') stats.views++;
    else stats.tables++;
    const entity: Entity = {
      id,
      kind: r.kind,
      name: r.name,
      project: naming.project,
      path,
      database: r.database,
      schema: r.schema,
      description: r.comment ?? '',
      tags: [],
      meta: { tableType: r.tableType },
      owners: [],
      tests: [],
      disabled: false,
      provenance,
    };
    if (r.definition !== undefined) entity.compiledSql = r.definition;
    facts.entities.push(entity);
    const columns: Column[] = [...r.columns]
      .sort((a, b) => a.position - b.position)
      .map((c, i) => ({
        id: columnId(id, c.name),
        entityId: id,
        name: c.name,
        ...(c.type ? { type: c.type } : {}),
        description: c.comment ?? '',
        tags: [],
        tests: [],
        meta: {},
        position: i,
        origin: 'declared',
        provenance,
      }));
    stats.columns += columns.length;
    facts.columns.push(...columns);
    if (r.kind === 'view' && r.definition !== undefined && r.definition.trim() !== '') {
      const ok = viewLineage(facts, r, id, path, byKey, naming);
      if (ok) stats.viewsParsed++;
      else stats.viewsUnparsed++;
    }
  }
  return { facts, stats };
}

/** Adds a view's table and column lineage; false when its definition has no parsable query. */
function viewLineage(facts: Facts, view: WarehouseRelation, id: string, path: string, byKey: ReadonlyMap<string, WarehouseRelation>, naming: WarehouseNaming): boolean {
  const parsed = parseSql(view.definition ?? '', { dialect: naming.dialect, file: path });
  facts.diagnostics.push(...parsed.diagnostics);
  const stmt = parsed.statements.find((s) => s.kind === 'create_view' || s.kind === 'select') ?? parsed.statements[0];
  if (stmt === undefined) return false;
  const provenance: Provenance = { file: path, line: stmt.line, column: 0, extractor: `${naming.extractor}-view-sql`, confidence: 0.9 };
  const toId = (rel: RelationName): string => {
    const q = qualify(rel, view.database, view.schema);
    return warehouseRelationId(q.database, q.schema, q.name);
  };
  const lineage = statementLineage(stmt, id, toId, (rel) => {
    const q = qualify(rel, view.database, view.schema);
    return byKey.get(key(q.database, q.schema, q.name))?.columns.map((c) => c.name);
  }, provenance);
  facts.modelEdges.push(...lineage.modelEdges);
  facts.columnEdges.push(...lineage.columnEdges);
  facts.unresolved.push(...lineage.unresolved);
  return !parsed.fallback;
}

/** The table and column lineage of one parsed statement into `targetId`. */
export function statementLineage(
  stmt: ParsedStatement,
  targetId: string,
  toId: (rel: RelationName) => string,
  columnsOf: (rel: RelationName) => string[] | undefined,
  provenance: Provenance,
): Pick<Facts, 'modelEdges' | 'columnEdges' | 'unresolved'> {
  const modelEdges = new Map<string, ModelEdge>();
  for (const rel of stmt.reads) {
    const from = toId(rel);
    if (from === targetId || modelEdges.has(from)) continue;
    modelEdges.set(from, { from, to: targetId, level: 'model', kind: 'sql', provenance });
  }
  try {
    const resolved = resolveLineage(stmt, columnsOf);
    const edges = edgesFromResolved(targetId, resolved, toId, provenance, (t) => t);
    return { modelEdges: [...modelEdges.values()], columnEdges: edges.columnEdges, unresolved: edges.unresolved };
  } catch {
    // resolveLineage never throws by contract; a bug there still leaves the table-level edges.
    return { modelEdges: [...modelEdges.values()], columnEdges: [], unresolved: [] };
  }
}

/** Keeps relations whose schema matches one of the include patterns (`*` wildcards, case-insensitive); all when none. */
export function schemaFilter(patterns: readonly string[] | undefined): (schema: string) => boolean {
  if (patterns === undefined || patterns.length === 0) return () => true;
  const res = patterns.map((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i'));
  return (schema) => res.some((re) => re.test(schema));
}
