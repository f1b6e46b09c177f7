import { validateInput } from '../../core/connectors/connector';
import type { SqlSession } from '../../core/connectors/connector';
import { bigqueryConnector, bigquerySteps, requireKey } from '../../core/connectors/bigquery';
import { orgCatalogRows } from '../../core/connectors/orgCatalogRows';
import { snowflakeConnector, snowflakeSession, snowflakeSteps } from '../../core/connectors/snowflake';
import type { WarehouseRelation } from '../../core/connectors/warehouseFacts';
import { HistoryLineage } from '../../core/connectors/warehouseHistory';
import { withSession } from '../../core/connectors/warehouseSession';
import type { WarehouseHistoryRead, WarehouseSteps } from '../../core/connectors/warehouseSteps';
import type { Diagnostic } from '../../core/model/entities';
import type { JsonValue } from '../../core/sync/ops';
import type { ConnectorRecord } from '../_shared/connectorRecords';
import { denoPorts, openSecrets } from '../_shared/connectorRecords';
import type { ChunkOutput, RunState } from './phases';

/**
 * A Snowflake or BigQuery connector's run in bounded chunks, on the connector's own steps
 * (`core/connectors/warehouseSteps.ts`, the same queries and fact building as the editor's
 * single-call `extract`): `fetch` lists the relations (INFORMATION_SCHEMA.TABLES) and stages the
 * listing in pages of `limit` (`warehouse/list-NNNNN.json`); each `parse` chunk reads the columns
 * and view definitions of one listed page, restricted to its relations, and stages them
 * (`warehouse/page-NNNNN.json`); one more `parse` chunk reads the query history
 * (ACCESS_HISTORY / JOBS) into a lineage state (`warehouse/history.json`); `assemble` builds the
 * facts from the staged pages and history. A relation dropped between the listing and its page has
 * no columns; one created after the listing waits for the next run.
 */

/** The warehouse part of the run's cursor. */
export interface WarehouseRunState {
  /** Relations listed, listing pages staged by `fetch`, detail pages read so far. */
  relations: number;
  listPages: number;
  pages: number;
  /** The query history has been read (`warehouse/history.json`). */
  history: boolean;
}

/** The warehouse connector types that run in pages. */
export function isPagedWarehouse(type: string): boolean {
  return type === 'snowflake' || type === 'bigquery';
}

const listPath = (n: number): string => `warehouse/list-${String(n).padStart(5, '0')}.json`;
const pagePath = (n: number): string => `warehouse/page-${String(n).padStart(5, '0')}.json`;
const HISTORY_PATH = 'warehouse/history.json';

/** A staged detail page. */
interface StagedPage {
  relations: WarehouseRelation[];
  diagnostics: Diagnostic[];
}

/** The staged history read. */
interface StagedHistory extends WarehouseHistoryRead {
  lineage: JsonValue;
}

/** Reads staged files by path (only those asked for: a chunk does not load the whole staging). */
export type StagedReader = (paths: string[]) => Promise<Map<string, string>>;

type Work<T> = <C>(session: SqlSession, steps: WarehouseSteps<C>, config: C) => Promise<T>;

/** Opens a session with the connector's validated settings and runs `work` with its steps. */
async function withWarehouse<T>(connector: ConnectorRecord, work: Work<T>): Promise<T> {
  const secrets = await openSecrets(connector);
  const ports = denoPorts(connector.type);
  if (connector.type === 'snowflake') {
    const input = validateInput(snowflakeConnector, connector.config, secrets);
    return await snowflakeSession(ports, input.config, input.secrets, (session) => work(session, snowflakeSteps, input.config));
  }
  const input = validateInput(bigqueryConnector, connector.config, secrets);
  requireKey(input.secrets);
  return await withSession(bigqueryConnector.label, ports, input.config, input.secrets, (session) => work(session, bigquerySteps, input.config));
}

/** The connector's steps and validated config without a session (the `assemble` chunk reads nothing from the source). */
function withoutSession<T>(connector: ConnectorRecord, use: <C>(steps: WarehouseSteps<C>, config: C) => T): T {
  if (connector.type === 'snowflake') return use(snowflakeSteps, validateInput(snowflakeConnector, connector.config, {}).config);
  return use(bigquerySteps, validateInput(bigqueryConnector, connector.config, {}).config);
}

async function stagedPages(read: StagedReader, pages: number): Promise<StagedPage[]> {
  const paths = Array.from({ length: pages }, (_, n) => pagePath(n));
  const files = await read(paths);
  return paths.map((p) => JSON.parse(files.get(p) ?? '{"relations":[],"diagnostics":[]}') as StagedPage);
}

/** The `fetch` chunk: the listing of relations, staged in pages of `limit`. */
export async function warehouseFetch(connector: ConnectorRecord, state: RunState, limit: number): Promise<ChunkOutput> {
  return await withWarehouse(connector, async (session, steps, config): Promise<ChunkOutput> => {
    const relations = await steps.list(session, config);
    const files: { path: string; content: string }[] = [];
    for (let i = 0; i < relations.length; i += limit) files.push({ path: listPath(files.length), content: JSON.stringify(relations.slice(i, i + limit)) });
    const warehouse: WarehouseRunState = { relations: relations.length, listPages: files.length, pages: 0, history: false };
    return { state: { ...state, warehouse }, phase: 'parse', counts: { relations: relations.length, pages: 0 }, files };
  });
}

/** A `parse` chunk: the details of the next listed page, or (after the last) the query history. */
export async function warehouseParse(connector: ConnectorRecord, read: StagedReader, state: RunState): Promise<ChunkOutput> {
  const wh = state.warehouse;
  if (wh === undefined) return { state, phase: 'fetch', counts: {} };
  if (wh.pages < wh.listPages) {
    const listed = (await read([listPath(wh.pages)])).get(listPath(wh.pages));
    const relations = JSON.parse(listed ?? '[]') as WarehouseRelation[];
    return await withWarehouse(connector, async (session, steps, config): Promise<ChunkOutput> => {
      const diagnostics = await steps.details(session, config, relations, true);
      const page: StagedPage = { relations, diagnostics };
      const next: WarehouseRunState = { ...wh, pages: wh.pages + 1 };
      return { state: { ...state, warehouse: next }, phase: 'parse', counts: { pages: next.pages }, files: [{ path: pagePath(wh.pages), content: JSON.stringify(page) }] };
    });
  }
  // The history resolves query columns against every relation's columns: all pages are read by now.
  const relations = (await stagedPages(read, wh.pages)).flatMap((p) => p.relations);
  return await withWarehouse(connector, async (session, steps, config): Promise<ChunkOutput> => {
    const lineage = new HistoryLineage(undefined);
    const history = await steps.history(session, config, lineage, relations);
    const staged: StagedHistory = { ...history, lineage: lineage.toState() };
    return { state: { ...state, warehouse: { ...wh, history: true } }, phase: 'assemble', counts: { ...history.stats }, files: [{ path: HISTORY_PATH, content: JSON.stringify(staged) }] };
  });
}

/** The `assemble` chunk: the facts of the staged pages and history, as a single-call `extract` builds them. */
export async function warehouseAssemble(connector: ConnectorRecord, read: StagedReader, state: RunState): Promise<ChunkOutput> {
  const wh = state.warehouse;
  if (wh === undefined) return { state, phase: 'fetch', counts: {} };
  const pages = await stagedPages(read, wh.pages);
  const staged = JSON.parse((await read([HISTORY_PATH])).get(HISTORY_PATH) ?? '{"diagnostics":[],"stats":{}}') as Partial<StagedHistory>;
  const relations = pages.flatMap((p) => p.relations);
  const detailDiagnostics = pages.flatMap((p) => p.diagnostics);
  const history: WarehouseHistoryRead = { diagnostics: staged.diagnostics ?? [], stats: staged.stats ?? {} };
  const result = withoutSession(connector, (steps, config) => steps.facts(config, relations, detailDiagnostics, new HistoryLineage(staged.lineage), history));
  const { facts } = result;
  const { rows } = orgCatalogRows(facts);
  return {
    state: { ...state, rows: rows.length, written: 0 },
    phase: 'write',
    counts: { files: relations.length, ...result.stats, entities: facts.entities.length, columns: facts.columns.length, modelEdges: facts.modelEdges.length, columnEdges: facts.columnEdges.length, diagnostics: facts.diagnostics.length },
    rows,
  };
}
