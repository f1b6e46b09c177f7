import type { Database } from 'better-sqlite3';
import type { Diagnostic, EntityKind } from '../../core/model/entities';
import type { CatalogStats } from './catalogTypes';
import { countOf, prepared } from './sqlUtil';

/** Counts for the status bar and `mallard stats`. */
export function catalogStats(db: Database): CatalogStats {
  const entitiesByKind: Partial<Record<EntityKind, number>> = {};
  let entities = 0;
  for (const row of prepared(db, 'SELECT kind, count(*) AS n FROM entities GROUP BY kind').all() as { kind: EntityKind; n: number }[]) {
    entitiesByKind[row.kind] = row.n;
    entities += row.n;
  }
  const diagnosticsBySeverity: Partial<Record<Diagnostic['severity'], number>> = {};
  let diagnostics = 0;
  for (const row of prepared(db, 'SELECT severity, count(*) AS n FROM diagnostics GROUP BY severity').all() as {
    severity: Diagnostic['severity'];
    n: number;
  }[]) {
    diagnosticsBySeverity[row.severity] = row.n;
    diagnostics += row.n;
  }
  return {
    entities,
    entitiesByKind,
    columns: countOf(db, 'SELECT count(*) AS n FROM columns'),
    modelEdges: countOf(db, 'SELECT count(*) AS n FROM model_edges'),
    columnEdges: countOf(db, 'SELECT count(*) AS n FROM column_edges'),
    unresolved: countOf(db, 'SELECT count(*) AS n FROM unresolved'),
    files: countOf(db, 'SELECT count(*) AS n FROM files'),
    diagnostics,
    diagnosticsBySeverity,
    pendingOps: countOf(db, 'SELECT count(*) AS n FROM outbox'),
    userEdits: countOf(db, 'SELECT count(*) AS n FROM user_edits'),
  };
}
