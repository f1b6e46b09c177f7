import type { ColumnEdge, Diagnostic, ModelEdge, Provenance, UnresolvedRef } from '../model/entities';
import type { RelationName } from '../pipeline/contracts';
import { edgesFromResolved } from '../pipeline/columnFacts';
import { parseSql } from '../sql/parseSql';
import { resolveLineage } from '../sql/resolveLineage';
import { warehouseRelationId } from './connector';
import type { DependencyRow, RelationRow } from './postgresCatalog';

/**
 * Lineage of views and materialized views. Table lineage comes from `pg_depend` (what the view's
 * rewrite rule really references, by oid, across schemas): exact, whatever the definition's text
 * says. Column lineage comes from parsing `pg_get_viewdef` with Mallard's SQL parser (dialect
 * postgresql) and resolving it against the catalog's own columns, so `*` and every name resolve as
 * Postgres resolved them. `pg_get_viewdef` leaves a name unqualified when the name is visible on the
 * session's search path; such a name is matched against the view's `pg_depend` relations first,
 * which is what Postgres bound it to when the view was created.
 */

/** A relation being extracted: its row, catalog id, path and column names in order. */
export interface RelationInfo {
  row: RelationRow;
  id: string;
  path: string;
  columns: string[];
}

/** Lineage facts of all views, and how many definitions were parsed. */
export interface ViewLineage {
  modelEdges: ModelEdge[];
  columnEdges: ColumnEdge[];
  unresolved: UnresolvedRef[];
  diagnostics: Diagnostic[];
  parsed: number;
}

/** A relation a view reads: its entity id, and its columns when it is extracted too. */
interface Target {
  id: string;
  columns?: string[];
}

/** The provenance of every fact read from the catalog: authoritative, no line. */
export function provenanceOf(path: string): Provenance {
  return { file: path, line: 0, column: 0, extractor: 'postgres', confidence: 1 };
}

/** Parses and resolves every view definition; table edges from `dependencies`. */
export function viewLineage(relations: readonly RelationRow[], dependencies: readonly DependencyRow[], byOid: ReadonlyMap<string, RelationInfo>, database: string): ViewLineage {
  const out: ViewLineage = { modelEdges: [], columnEdges: [], unresolved: [], diagnostics: [], parsed: 0 };
  const byName = new Map<string, RelationInfo>();
  const byLowerName = new Map<string, RelationInfo>();
  for (const info of byOid.values()) {
    byName.set(`${info.row.schema}\u0000${info.row.name}`, info);
    byLowerName.set(`${info.row.schema}\u0000${info.row.name}`.toLowerCase(), info);
  }
  const depsByView = new Map<string, DependencyRow[]>();
  for (const d of dependencies) {
    const list = depsByView.get(d.viewid);
    if (list) list.push(d);
    else depsByView.set(d.viewid, [d]);
  }
  const target = (dep: DependencyRow): Target => {
    const info = byOid.get(dep.relid);
    return info ? { id: info.id, columns: info.columns } : { id: warehouseRelationId(database, dep.schema, dep.name) };
  };
  for (const rel of relations) {
    const view = byOid.get(rel.oid);
    if (!view || rel.definition === null) continue;
    const provenance = provenanceOf(view.path);
    const deps = depsByView.get(rel.oid) ?? [];
    for (const dep of deps) out.modelEdges.push({ from: target(dep).id, to: view.id, level: 'model', kind: 'depends_on', provenance });
    const resolve = (name: RelationName): Target | undefined => {
      if (name.schema !== undefined) {
        const key = `${name.schema}\u0000${name.name}`;
        const hit = byName.get(key) ?? byLowerName.get(key.toLowerCase());
        if (hit) return { id: hit.id, columns: hit.columns };
        const dep = deps.find((d) => d.schema === name.schema && d.name === name.name);
        return dep ? target(dep) : undefined;
      }
      const dep = deps.find((d) => d.name === name.name) ?? deps.find((d) => d.name.toLowerCase() === name.name.toLowerCase());
      return dep ? target(dep) : undefined;
    };
    const parsed = parseSql(rel.definition, { dialect: 'postgresql', file: view.path });
    out.diagnostics.push(...parsed.diagnostics);
    const statement = parsed.statements.find((s) => s.kind === 'select') ?? parsed.statements[0];
    if (!statement) continue;
    out.parsed += 1;
    const resolved = resolveLineage(statement, (name) => resolve(name)?.columns);
    const facts = edgesFromResolved(view.id, resolved, (name) => resolve(name)?.id, provenance, (text) => text);
    out.columnEdges.push(...facts.columnEdges);
    out.unresolved.push(...facts.unresolved);
  }
  return out;
}
