import type { Database } from 'better-sqlite3';
import type { Diagnostic, EntityKind } from '../../core/model/entities';
import type { CatalogStats, ProjectDialect } from './catalogTypes';
import { getMeta, PLAIN_SQL_DIALECT_KEY } from './metaTable';
import { countOf, prepared } from './sqlUtil';

/** Entity counts by kind, diagnostic counts by severity and dbt dialects: what the status bar shows. */
export function catalogSummary(db: Database): Pick<CatalogStats, 'entities' | 'entitiesByKind' | 'diagnostics' | 'diagnosticsBySeverity' | 'dialects'> {
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
  return { entities, entitiesByKind, diagnostics, diagnosticsBySeverity, dialects: projectDialects(db) };
}

/** The dialect of every dbt project and why, from the project entities' meta. */
export function projectDialects(db: Database): ProjectDialect[] {
  const out: ProjectDialect[] = [];
  for (const row of prepared(db, "SELECT name, payload FROM entities WHERE kind = 'project' ORDER BY name").all() as { name: string; payload: string }[]) {
    let meta: Record<string, unknown> = {};
    try {
      meta = ((JSON.parse(row.payload) as { meta?: Record<string, unknown> }).meta ?? {});
    } catch {
      continue;
    }
    if (typeof meta.dialect === 'string') out.push({ project: row.name, dialect: meta.dialect, reason: typeof meta.dialectReason === 'string' ? meta.dialectReason : '' });
  }
  // The scanner records the dialect it guessed for plain SQL.
  const guessed = getMeta(db, PLAIN_SQL_DIALECT_KEY);
  try {
    const parsed = guessed === undefined ? null : (JSON.parse(guessed) as { dialect?: unknown; reason?: unknown } | null);
    if (parsed && typeof parsed.dialect === 'string') out.push({ project: 'plain SQL', dialect: parsed.dialect, reason: typeof parsed.reason === 'string' ? parsed.reason : '' });
  } catch {
    // A damaged value says nothing; the dialects of dbt projects still stand.
  }
  return out;
}

/**
 * Every count, for `mallard stats`. Counting the column and column-edge tables reads them whole
 * (hundreds of thousands of rows at 5,000 models), so views use `catalogSummary`.
 */
export function catalogStats(db: Database): CatalogStats {
  const { entities, entitiesByKind, diagnostics, diagnosticsBySeverity, dialects } = catalogSummary(db);
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
    dialects,
  };
}
