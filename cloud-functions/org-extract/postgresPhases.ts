import { validateInput } from '../../core/connectors/connector';
import type { SqlSession } from '../../core/connectors/connector';
import { orgCatalogRows } from '../../core/connectors/orgCatalogRows';
import { postgresConnector, postgresOrigin, selectedSchemas } from '../../core/connectors/postgres';
import type { PostgresConfig, PostgresSecrets } from '../../core/connectors/postgres';
import { queryColumns, queryConstraints, queryDependencies, queryFingerprint, queryRelationPage } from '../../core/connectors/postgresCatalog';
import type { PostgresCatalog } from '../../core/connectors/postgresFacts';
import { postgresFacts } from '../../core/connectors/postgresFacts';
import { sampleColumnClasses, type SampledClass } from '../../core/connectors/postgresSampling';
import type { FileSource } from '../../core/pipeline/contracts';
import type { ConnectorRecord } from '../_shared/connectorRecords';
import { denoPorts, openSecrets } from '../_shared/connectorRecords';
import type { ChunkOutput, RunState } from './phases';

/**
 * A Postgres connector's run in bounded chunks (instead of the whole catalog in one chunk):
 * `fetch` resolves the selected schemas and the catalog fingerprint; each `parse` chunk reads the next
 * page of `limit` relations in (schema, name) order and their columns, constraints and view
 * dependencies, and stages the page (`postgres/page-NNNNN.json` among the run's staged files);
 * `assemble` checks the fingerprint again and builds the facts from every page with the same
 * `postgresFacts` a single-chunk run uses, so the rows are the same. A database that changed
 * between the chunks (another fingerprint) is read again from the first page.
 */

/** The Postgres part of the run's cursor. */
export interface PostgresRunState {
  schemas: string[];
  fingerprint: string;
  /** Pages staged so far, and the last relation read. */
  pages: number;
  after: { schema: string; name: string } | null;
  /** Times the database changed under the run (it is read again each time). */
  restarts: number;
}

const pagePath = (n: number): string => `postgres/page-${String(n).padStart(5, '0')}.json`;

async function withSession<T>(connector: ConnectorRecord, use: (session: SqlSession, config: PostgresConfig) => Promise<T>): Promise<T> {
  const input = validateInput<PostgresConfig, PostgresSecrets>(postgresConnector, connector.config, await openSecrets(connector));
  const ports = denoPorts('postgres');
  const session = await ports.openSql!(input.config, input.secrets);
  try {
    return await use(session, input.config);
  } finally {
    await session.close().catch(() => undefined);
  }
}

function pgState(state: RunState): PostgresRunState | undefined {
  return state.postgres;
}

function withPg(state: RunState, pg: PostgresRunState): RunState {
  return { ...state, postgres: pg };
}

/** The `fetch` chunk: schemas and fingerprint; the pages follow in `parse` chunks. */
export async function postgresFetch(connector: ConnectorRecord, state: RunState): Promise<ChunkOutput> {
  return await withSession(connector, async (session, config): Promise<ChunkOutput> => {
    const schemas = await selectedSchemas(session, config);
    const fingerprint = await queryFingerprint(session, schemas);
    return { state: withPg(state, { schemas, fingerprint, pages: 0, after: null, restarts: 0 }), phase: 'parse', counts: { schemas: schemas.length } };
  });
}

/** A `parse` chunk: the next page of at most `limit` relations with their columns, constraints and dependencies. */
export async function postgresPage(connector: ConnectorRecord, state: RunState, limit: number): Promise<ChunkOutput> {
  const pg = pgState(state);
  if (pg === undefined) return { state, phase: 'fetch', counts: {} };
  return await withSession(connector, async (session, config): Promise<ChunkOutput> => {
    const relations = await queryRelationPage(session, pg.schemas, pg.after, limit);
    if (relations.length === 0) return { state, phase: 'assemble', counts: {} };
    const relids = relations.map((r) => r.oid);
    const columns = await queryColumns(session, pg.schemas, relids);
    const page: PostgresCatalog = {
      relations,
      columns,
      constraints: await queryConstraints(session, pg.schemas, relids),
      dependencies: await queryDependencies(session, pg.schemas, relids),
      sampled: Object.fromEntries(await sampleColumnClasses(session, relations, columns, config.sampleRows)),
    };
    const last = relations[relations.length - 1]!;
    const next: PostgresRunState = { ...pg, pages: pg.pages + 1, after: { schema: last.schema, name: last.name } };
    return {
      state: withPg(state, next),
      phase: relations.length < limit ? 'assemble' : 'parse',
      counts: { files: (pg.pages * limit) + relations.length, pages: next.pages },
      files: [{ path: pagePath(pg.pages), content: JSON.stringify(page) }],
    };
  });
}

/** The `assemble` chunk: the facts of every staged page, unless the database changed since `fetch`. */
export async function postgresAssemble(connector: ConnectorRecord, staged: FileSource, state: RunState): Promise<ChunkOutput> {
  const pg = pgState(state);
  if (pg === undefined) return { state, phase: 'fetch', counts: {} };
  return await withSession(connector, async (session, config): Promise<ChunkOutput> => {
    const fingerprint = await queryFingerprint(session, pg.schemas);
    if (fingerprint !== pg.fingerprint) {
      // Pages from before and after a change do not make one catalog: read it again.
      return { state: withPg(state, { ...pg, fingerprint, pages: 0, after: null, restarts: pg.restarts + 1 }), phase: 'parse', counts: { restarts: pg.restarts + 1 } };
    }
    const sampled: Record<string, SampledClass[]> = {};
    const catalog: PostgresCatalog = { relations: [], columns: [], constraints: [], dependencies: [], sampled };
    for (let n = 0; n < pg.pages; n++) {
      const page = JSON.parse(staged.read(pagePath(n)) ?? '{}') as Partial<PostgresCatalog>;
      catalog.relations.push(...(page.relations ?? []));
      catalog.columns.push(...(page.columns ?? []));
      catalog.constraints.push(...(page.constraints ?? []));
      catalog.dependencies.push(...(page.dependencies ?? []));
      Object.assign(sampled, page.sampled ?? {});
    }
    const { facts, stats } = postgresFacts(catalog, postgresOrigin(config));
    const { rows } = orgCatalogRows(facts);
    return {
      state: { ...state, rows: rows.length, written: 0 },
      phase: 'write',
      counts: { files: catalog.relations.length, schemas: pg.schemas.length, ...stats, entities: facts.entities.length, columns: facts.columns.length, modelEdges: facts.modelEdges.length, columnEdges: facts.columnEdges.length, diagnostics: facts.diagnostics.length },
      rows,
    };
  });
}
