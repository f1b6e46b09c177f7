import type { Column, Entity } from '../../core/model/entities';
import { docBlockName, type EntryInfo } from '../../core/yaml/schemaLocate';
import type { DocColumn, DocEntity, TypeSource } from '../../webviews/docs/protocol';
import type { CatalogStore } from '../catalog/catalogStore';
import type { DbtColumnTypes } from './dbtColumnTypes';
import { testChip } from './docsChips';

/**
 * The docs panel's view model: what the webview shows about one entity, built from the catalog
 * without `vscode` (the panel passes its store and the YAML entry it located), so it is unit-tested
 * on a real SQLite catalog. Every column with a type known anywhere gets it, with its source:
 * declared (YAML, DDL, seed), from dbt's artifacts (catalog.json, manifest.json), or inferred
 * through lineage from an upstream column that carries its value unchanged.
 */

/** The catalog queries the view model uses. */
export type DocsStore = Pick<CatalogStore, 'columnsOf' | 'columnLineage' | 'modelLineage'>;

/** What the panel knows beyond the catalog. */
export interface DocsContext {
  /** The entity's entry in its properties file, when it has one (for docs-block descriptions). */
  entry?: EntryInfo;
  /** False when descriptions cannot be written back. */
  editable: boolean;
  /** Types from dbt's artifacts, when the project has them. */
  dbtTypes?: DbtColumnTypes;
}

/** Most upstream neighbours listed (the totals are sent too). */
const NEIGHBOR_LIMIT = 500;

/** Builds the docs view of `entity`. */
export function buildDocEntity(store: DocsStore, entity: Entity, context: DocsContext): DocEntity {
  const up = store.modelLineage(entity.id, { direction: 'upstream', maxDepth: 1 }).nodes.filter((n) => n.depth === -1);
  const down = store.modelLineage(entity.id, { direction: 'downstream', maxDepth: 1 }).nodes.filter((n) => n.depth === 1);
  const neighbor = (n: (typeof up)[number]): DocEntity['upstream'][number] => ({ id: n.id, name: n.entity?.name ?? n.id, kind: n.entity?.kind ?? 'unknown' });
  const types = new ColumnTypes(store, context.dbtTypes);
  const columns = store.columnsOf(entity.id).map((c): DocColumn => {
    const typed = types.resolve(c);
    return {
      id: c.id,
      name: c.name,
      ...(typed ? { type: typed.type, typeSource: typed.source } : {}),
      description: c.description,
      tags: c.tags,
      tests: c.tests.map(testChip),
      fromDocBlock: docBlockName(context.entry?.columns.get(c.name)) !== undefined,
    };
  });
  return {
    id: entity.id,
    name: entity.name,
    kind: entity.kind,
    project: entity.project,
    description: entity.description,
    descriptionFromDocBlock: docBlockName(context.entry?.description) !== undefined,
    tags: entity.tags,
    owners: entity.owners.map((o) => ({ name: o.name, email: o.email, source: o.source })),
    materialized: entity.materialized,
    relation: [entity.database, entity.schema, entity.relation ?? entity.name].filter(Boolean).join('.'),
    columns,
    tests: entity.tests.map(testChip),
    upstream: up.slice(0, NEIGHBOR_LIMIT).map(neighbor),
    downstream: down.slice(0, NEIGHBOR_LIMIT).map(neighbor),
    upstreamCount: up.length,
    downstreamCount: down.length,
    file: { path: entity.path, line: entity.provenance.line },
    editable: context.editable,
  };
}

/** A column's type and where it comes from. */
export interface TypedColumn {
  type: string;
  source: TypeSource;
}

/** Where a type written in a file comes from, by the extractor that read the column. */
const DECLARED_BY: Readonly<Record<string, string>> = { 'dbt-yaml': 'YAML `data_type`', 'sql-ddl': 'the DDL', 'dbt-seed': 'the seed' };

/** Resolves column types, caching the columns of upstream entities it looks at. */
export class ColumnTypes {
  private readonly columns = new Map<string, Map<string, Column>>();

  constructor(
    private readonly store: DocsStore,
    private readonly dbtTypes: DbtColumnTypes | undefined,
  ) {}

  /** The column's own type (declared or from artifacts), else one inferred through identity lineage. */
  resolve(column: Column): TypedColumn | undefined {
    return this.own(column) ?? this.inferred(column);
  }

  /** A type known for the column itself, without lineage. */
  private own(column: Column): TypedColumn | undefined {
    if (column.type) {
      const by = DECLARED_BY[column.provenance.extractor];
      const where = `${column.provenance.file}:${column.provenance.line}`;
      return { type: column.type, source: { origin: 'declared', label: 'declared', detail: by ? `Declared in ${by} (${where}).` : `Declared at ${where}.` } };
    }
    const artifact = this.dbtTypes?.get(column.entityId)?.get(column.name.toLowerCase());
    if (!artifact) return undefined;
    const file = artifact.origin === 'catalog' ? 'target/catalog.json (the warehouse, via dbt docs generate)' : 'target/manifest.json (`data_type`)';
    return { type: artifact.type, source: { origin: artifact.origin, label: artifact.origin, detail: `From ${file}.` } };
  }

  /**
   * The nearest upstream column, through identity edges only (the value passes unchanged, so its
   * type does too), that has a type of its own. Breadth-first, so the closest such column wins.
   */
  private inferred(column: Column): TypedColumn | undefined {
    const lineage = this.store.columnLineage(column.id, { direction: 'upstream' });
    const parents = new Map<string, string[]>();
    for (const e of lineage.edges) if (e.transform === 'identity') parents.set(e.to, [...(parents.get(e.to) ?? []), e.from]);
    const seen = new Set([column.id]);
    let level = [column.id];
    while (level.length > 0) {
      const next: string[] = [];
      for (const id of level) {
        for (const parent of [...(parents.get(id) ?? [])].sort()) {
          if (seen.has(parent)) continue;
          seen.add(parent);
          next.push(parent);
          const upstream = this.column(parent);
          const typed = upstream && this.own(upstream);
          if (upstream && typed) {
            const name = `${this.entityName(lineage.nodes, upstream.entityId)}.${upstream.name}`;
            const how = typed.source.origin === 'declared' ? 'declared there' : `from ${typed.source.origin}.json`;
            return { type: typed.type, source: { origin: 'inferred', label: `inferred from ${name}`, detail: `Carried unchanged from ${name} (${how}). ${typed.source.detail}` } };
          }
        }
      }
      level = next;
    }
    return undefined;
  }

  private column(id: string): Column | undefined {
    const entityId = id.slice(0, id.lastIndexOf('#'));
    let byId = this.columns.get(entityId);
    if (!byId) {
      byId = new Map(this.store.columnsOf(entityId).map((c) => [c.id, c]));
      this.columns.set(entityId, byId);
    }
    return byId.get(id);
  }

  private entityName(nodes: ReturnType<DocsStore['columnLineage']>['nodes'], entityId: string): string {
    return nodes.find((n) => n.entityId === entityId)?.entity?.name ?? entityId;
  }
}
