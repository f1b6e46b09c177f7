import type { Column, Entity, Facts, TestRef } from '../model/entities';
import { emptyFacts } from '../model/entities';
import { columnId } from '../model/ids';
import { warehouseRelationId } from './connector';
import type { ColumnRow, ConstraintRow, DependencyRow, RelationRow } from './postgresCatalog';
import { SAMPLED_CLASSES_META, type SampledClass } from './postgresSampling';
import { provenanceOf, viewLineage, type RelationInfo } from './postgresViews';

/**
 * Postgres catalog rows → catalog facts. Relations become `table`/`view` entities with the shared
 * warehouse id (`table.warehouse.<db>.<schema>.<name>`), so a BI connector's lineage meets them.
 *
 * Constraints become dbt-style tests, because that is where users of the catalog already look for
 * "what is guaranteed about this column", each with `args.constraint` naming the Postgres constraint
 * so an enforced guarantee is told apart from a dbt test:
 * - a one-column primary key: `unique` + `not_null` on the column (dbt's convention for a key);
 * - a one-column unique constraint: `unique`; `NOT NULL`: `not_null`;
 * - a one-column foreign key: `relationships` with `to` (the referenced entity id) and `field`.
 * Keys over several columns have no column test; they are kept in the entity's `meta`
 * (`primary_key`, `unique_keys`, `foreign_keys`), so no constraint is dropped.
 */

/** Everything the catalog queries returned. */
export interface PostgresCatalog {
  relations: RelationRow[];
  columns: ColumnRow[];
  constraints: ConstraintRow[];
  dependencies: DependencyRow[];
  /** Classes found in sampled values, by `<relid>#<column>` (`sampleRows` on; never the values). */
  sampled?: Record<string, SampledClass[]>;
}

/** Where the facts come from. */
export interface PostgresOrigin {
  /** `Entity.project`: the connector's name, else the database. */
  project: string;
  database: string;
  /** `postgres://host:port/database`, the prefix of every entity's path (no credentials). */
  location: string;
}

/** Counts of one extraction. */
export interface PostgresStats {
  tables: number;
  views: number;
  materializedViews: number;
  columns: number;
  constraints: number;
  viewsParsed: number;
  modelEdges: number;
  columnEdges: number;
}

/**
 * Shared, frozen defaults for the 100,000+ columns of a large database (as `columnFacts.ts` does for
 * inferred columns): fresh empty containers per column cost more heap than the columns' own data.
 */
const NO_TAGS = Object.freeze([]) as unknown as string[];
const NO_TESTS = Object.freeze([]) as unknown as TestRef[];
const NO_META = Object.freeze({}) as Record<string, unknown>;
const NOT_NULL: TestRef = Object.freeze({ name: 'not_null', args: Object.freeze({}) as Record<string, unknown> });
const ONLY_NOT_NULL = Object.freeze([NOT_NULL]) as unknown as TestRef[];

const KIND_LABEL: Record<string, string> = { r: 'table', p: 'partitioned table', v: 'view', m: 'materialized view', f: 'foreign table' };

/** Builds the facts and the run's counts. */
export function postgresFacts(catalog: PostgresCatalog, origin: PostgresOrigin): { facts: Facts; stats: PostgresStats } {
  const facts = emptyFacts();
  const byOid = new Map<string, RelationInfo>();
  for (const rel of catalog.relations) {
    const id = warehouseRelationId(origin.database, rel.schema, rel.name);
    byOid.set(rel.oid, { row: rel, id, path: `${origin.location}/${rel.schema}/${rel.name}`, columns: [] });
  }
  const columnsByRel = new Map<string, ColumnRow[]>();
  for (const col of catalog.columns) {
    const info = byOid.get(col.relid);
    if (!info) continue;
    info.columns.push(col.name);
    const list = columnsByRel.get(col.relid);
    if (list) list.push(col);
    else columnsByRel.set(col.relid, [col]);
  }
  const keys = constraintFacts(catalog.constraints, origin.database);
  for (const info of byOid.values()) {
    const rel = info.row;
    const provenance = provenanceOf(info.path);
    const isView = rel.kind === 'v' || rel.kind === 'm';
    const entity: Entity = {
      id: info.id,
      kind: isView ? 'view' : 'table',
      name: rel.name,
      project: origin.project,
      path: info.path,
      database: origin.database,
      schema: rel.schema,
      description: rel.comment ?? '',
      tags: [],
      meta: { postgres_kind: KIND_LABEL[rel.kind] ?? rel.kind, ...(keys.entityMeta.get(rel.oid) ?? {}) },
      owners: [],
      tests: [],
      materialized: rel.kind === 'm' ? 'materialized_view' : isView ? 'view' : 'table',
      disabled: false,
      provenance,
    };
    if (rel.definition !== null) entity.compiledSql = rel.definition;
    facts.entities.push(entity);
    (columnsByRel.get(rel.oid) ?? []).forEach((col, position) => {
      const keyTests = keys.columnTests.get(`${rel.oid}#${col.name}`);
      let tests = keyTests ?? NO_TESTS;
      if (col.notnull && !tests.some((t) => t.name === 'not_null')) tests = keyTests ? [...keyTests, NOT_NULL] : ONLY_NOT_NULL;
      const column: Column = {
        id: columnId(info.id, col.name),
        entityId: info.id,
        name: col.name,
        type: col.type,
        description: col.comment ?? '',
        tags: NO_TAGS,
        tests,
        meta: catalog.sampled?.[`${rel.oid}#${col.name}`] ? { [SAMPLED_CLASSES_META]: catalog.sampled[`${rel.oid}#${col.name}`] } : NO_META,
        position,
        origin: 'declared',
        provenance,
      };
      facts.columns.push(column);
    });
  }
  const views = viewLineage(catalog.relations, catalog.dependencies, byOid, origin.database);
  facts.modelEdges.push(...views.modelEdges);
  facts.columnEdges.push(...views.columnEdges);
  facts.unresolved.push(...views.unresolved);
  facts.diagnostics.push(...views.diagnostics);
  const count = (kinds: string) => catalog.relations.filter((r) => kinds.includes(r.kind)).length;
  const stats = {
    tables: count('rpf'),
    views: count('v'),
    materializedViews: count('m'),
    columns: facts.columns.length,
    constraints: catalog.constraints.length,
    viewsParsed: views.parsed,
    modelEdges: facts.modelEdges.length,
    columnEdges: facts.columnEdges.length,
  };
  return { facts, stats };
}

/** Column tests and entity meta from the constraints (see the header for the mapping). */
function constraintFacts(rows: readonly ConstraintRow[], database: string): { columnTests: Map<string, TestRef[]>; entityMeta: Map<string, Record<string, unknown>> } {
  const columnTests = new Map<string, TestRef[]>();
  const entityMeta = new Map<string, Record<string, unknown>>();
  const addTest = (relid: string, column: string, test: TestRef): void => {
    const key = `${relid}#${column}`;
    const list = columnTests.get(key);
    if (list) list.push(test);
    else columnTests.set(key, [test]);
  };
  const meta = (relid: string): Record<string, unknown> => {
    let m = entityMeta.get(relid);
    if (!m) entityMeta.set(relid, (m = {}));
    return m;
  };
  for (const k of rows) {
    const [only] = k.columns;
    const single = k.columns.length === 1 && only !== undefined;
    if (k.type === 'p') {
      meta(k.relid).primary_key = k.columns;
      if (single) {
        addTest(k.relid, only, { name: 'unique', args: { constraint: k.name } });
        addTest(k.relid, only, { name: 'not_null', args: { constraint: k.name } });
      }
    } else if (k.type === 'u') {
      const m = meta(k.relid);
      m.unique_keys = [...((m.unique_keys as string[][] | undefined) ?? []), k.columns];
      if (single) addTest(k.relid, only, { name: 'unique', args: { constraint: k.name } });
    } else if (k.type === 'f') {
      // A key to a relation outside the extracted schemas still names its warehouse id.
      const to = k.refschema !== null && k.refname !== null ? warehouseRelationId(database, k.refschema, k.refname) : '';
      const m = meta(k.relid);
      m.foreign_keys = [...((m.foreign_keys as unknown[] | undefined) ?? []), { constraint: k.name, columns: k.columns, to, fields: k.refcolumns }];
      const [field] = k.refcolumns;
      if (single && field !== undefined) addTest(k.relid, only, { name: 'relationships', args: { constraint: k.name, to, field } });
    }
  }
  return { columnTests, entityMeta };
}
