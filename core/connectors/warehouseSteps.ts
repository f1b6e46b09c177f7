import type { Diagnostic } from '../model/entities';
import type { JsonValue } from '../sync/ops';
import type { ConnectorPorts, ExtractResult, SqlSession } from './connector';
import type { WarehouseRelation } from './warehouseFacts';
import { HistoryLineage } from './warehouseHistory';
import { checkCancelled } from './warehouseSession';

/**
 * The steps of a SQL warehouse extraction (Snowflake, BigQuery), so that the editor's single-call
 * `extract` and the cloud's run in bounded chunks (`cloud-functions/org-extract/warehousePhases.ts`)
 * run the same queries and build the same facts: `list` the relations (names, kinds, comments),
 * read the `details` (columns, view definitions) of all of them or of one page, read the query
 * `history` into a `HistoryLineage`, and `facts` from the relations, the details' diagnostics and
 * the lineage. `extract` runs them in one session; the cloud runs each in its own chunk.
 */

/** What the history step read, for the facts step and the run's counts. */
export interface WarehouseHistoryRead {
  diagnostics: Diagnostic[];
  stats: Record<string, number>;
}

/** One warehouse connector's steps over an open session. */
export interface WarehouseSteps<C> {
  /** Every relation the config selects, without columns or definitions, in a stable order. */
  list(session: SqlSession, config: C): Promise<WarehouseRelation[]>;
  /**
   * Fills in the columns, definitions (and comments the listing lacks) of `relations`, in place;
   * `page` restricts the queries to exactly these relations (the cloud's pages), else the
   * queries read every relation of the source (one extraction). Diagnostics about what is hidden.
   */
  details(session: SqlSession, config: C, relations: WarehouseRelation[], page: boolean): Promise<Diagnostic[]>;
  /** Reads the query history into `lineage` (columns of `relations` resolve names in queries). */
  history(session: SqlSession, config: C, lineage: HistoryLineage, relations: readonly WarehouseRelation[]): Promise<WarehouseHistoryRead>;
  /** The facts of the relations with their details' diagnostics and the history lineage. */
  facts(config: C, relations: readonly WarehouseRelation[], detailDiagnostics: readonly Diagnostic[], lineage: HistoryLineage, history: WarehouseHistoryRead): ExtractResult;
}

/** Runs every step in one session: a whole extraction (the editor's `extract`). */
export async function runWarehouseSteps<C>(steps: WarehouseSteps<C>, session: SqlSession, config: C, state: JsonValue | undefined, ports: ConnectorPorts): Promise<ExtractResult> {
  ports.progress?.('Reading the tables and views from INFORMATION_SCHEMA');
  const relations = await steps.list(session, config);
  checkCancelled(ports);
  ports.progress?.('Reading the columns and view definitions');
  const diagnostics = await steps.details(session, config, relations, false);
  checkCancelled(ports);
  ports.progress?.('Reading the query history');
  const lineage = new HistoryLineage(state);
  const history = await steps.history(session, config, lineage, relations);
  return steps.facts(config, relations, diagnostics, lineage, history);
}

/**
 * A WHERE condition selecting exactly `relations` of one database by schema and name
 * (`(s = 'A' AND n IN ('X', 'Y')) OR …`). Literals are escaped with backslashes, which both
 * Snowflake and BigQuery read in single-quoted strings.
 */
export function relationFilter(relations: readonly { schema: string; name: string }[], schemaColumn: string, nameColumn: string): string {
  const literal = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const bySchema = new Map<string, string[]>();
  for (const r of relations) bySchema.set(r.schema, [...(bySchema.get(r.schema) ?? []), r.name]);
  if (bySchema.size === 0) return 'FALSE';
  return [...bySchema].map(([schema, names]) => `(${schemaColumn} = ${literal(schema)} AND ${nameColumn} IN (${names.map(literal).join(', ')}))`).join(' OR ');
}
