import { readFileSync } from 'node:fs';
import path from 'node:path';
import { orgCatalogRows } from '../../../core/connectors/orgCatalogRows';
import { isExtractableFile } from '../../../core/connectors/repoFiles';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import type { FileSource } from '../../../core/pipeline/contracts';
import type { RunSummary } from '../../../core/connectors/orgProtocol';
import { startFunctions } from '../../support/functionsServer';
import type { FunctionsServer } from '../../support/functionsServer';
import { makeTestKeys } from '../../support/jwtKeys';
import type { TestKeys } from '../../support/jwtKeys';
import { ids, seedOrgFixture, users } from '../../support/orgFixture';
import { freshDatabase, getServer } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';

/**
 * The world of the org extraction tests and the `orgExtract` benchmark: a fresh migrated database
 * with the two-organization fixture, the bundled functions in real Deno (restartable, to kill a run
 * mid-chunk), callers by fixture user, the service role, and the expected org catalog rows of a
 * tree extracted locally with `extractWorkspace`.
 */

export const SERVICE_KEY = 'sb_secret_orgx_0123456789abcdef';

/** An answer of a function: status and JSON body (the raw text too, to look for leaked secrets). */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

export interface OrgWorld {
  db: TestDatabase;
  keys: TestKeys;
  functions: FunctionsServer;
  /** Calls function `name` as fixture user `user` (or with the service key when `user` is 'service'). */
  call(name: string, user: keyof typeof users | 'service', body: unknown): Promise<Answer>;
  /** Stops and starts Deno again (a crash of whatever chunk was running). */
  restartFunctions(): Promise<void>;
  /** Polls `runs` until the run leaves queued/running. */
  waitForRun(runId: string, timeoutMs?: number): Promise<RunSummary>;
  /**
   * Empties org A's catalog, starts a run with `start` (an answer carrying `runId`), and kills it
   * (restarts Deno) once `chunks` chunks are done; the run's id.
   */
  killRunAfter(start: () => Promise<Answer>, chunks: number): Promise<string>;
  /** Lets the killed run's lease run out, asks the scheduler for a tick, and waits for the run. */
  resumeByTick(runId: string): Promise<RunSummary>;
  stop(): Promise<void>;
}

export async function startOrgWorld(env: Record<string, string>): Promise<OrgWorld> {
  const db = await freshDatabase('migrated');
  await seedOrgFixture(db.admin);
  const server = await getServer();
  const dbUrl = `postgres://postgres:postgres@${server.host}:${server.port}/${db.name}`;
  const keys = await makeTestKeys();
  const boxKeys = { '1': Buffer.alloc(32, 7).toString('base64') };
  const start = () => startFunctions({ dbUrl, keys, secretKeys: [SERVICE_KEY], secretBoxKeys: boxKeys, env });
  const world: OrgWorld = {
    db,
    keys,
    functions: await start(),
    async call(name, user, body) {
      const token = user === 'service' ? SERVICE_KEY : await keys.userToken(users[user], { email: `${user}@example.test` });
      const res = await fetch(`${world.functions.url}/functions/v1/${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { text };
      }
      return { status: res.status, body: parsed, text };
    },
    async restartFunctions() {
      await world.functions.stop();
      world.functions = await start();
    },
    async waitForRun(runId, timeoutMs = 240_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const answer = await world.call('connectors', 'admin', { orgId: ids.orgA, action: 'runs', runId });
        const run = (answer.body.runs as RunSummary[] | undefined)?.[0];
        if (run !== undefined && run.status !== 'queued' && run.status !== 'running') return run;
        if (Date.now() > until) throw new Error(`run ${runId} did not finish: ${JSON.stringify(run)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async killRunAfter(startRun, chunks) {
      await db.admin`delete from public.sync_rows where org_id = ${ids.orgA} and kind in ('catalogEntity', 'catalogColumn')`;
      await db.admin`delete from private.connector_catalog_rows`;
      const runId = (await startRun()).body.runId as string;
      for (;;) {
        const [row] = await db.admin<{ chunks_done: number }[]>`select chunks_done from public.connector_runs where id = ${runId}`;
        if ((row?.chunks_done ?? 0) >= chunks) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await world.restartFunctions();
      return runId;
    },
    async resumeByTick(runId) {
      await db.admin`update public.connector_runs set lease_until = now() - interval '1 second' where id = ${runId} and lease_until is not null`;
      const tick = await world.call('org-extract', 'service', { action: 'tick' });
      if (tick.status !== 200) throw new Error(`tick answered ${tick.status}: ${tick.text}`);
      return world.waitForRun(runId);
    },
    async stop() {
      await world.functions.stop();
      await db.drop();
    },
  };
  return world;
}

/** A FileSource over `files` of folder `root`, limited to what org extraction stages. */
export function folderSource(root: string, files: string[]): FileSource {
  const listed = files.filter(isExtractableFile).sort();
  return {
    list: () => listed,
    read: (p) => {
      try {
        return readFileSync(path.join(root, p), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** The org catalog rows a local extraction of the tree gives, by `kind:id`. */
export function expectedRows(fs: FileSource, workspaceName: string): Map<string, unknown> {
  const { facts } = extractWorkspace(fs, { workspaceName });
  return new Map(orgCatalogRows(facts).rows.map((r) => [`${r.kind}:${r.id}`, r.payload]));
}

/** The live org catalog rows of an organization in Postgres, by `kind:id`. */
export async function syncedRows(db: TestDatabase, orgId: string): Promise<Map<string, unknown>> {
  const rows = await db.admin<{ kind: string; row_id: string; payload: unknown }[]>`
    select kind, row_id, fields -> 'payload' as payload from public.sync_rows
    where org_id = ${orgId} and kind in ('catalogEntity', 'catalogColumn') and deleted is null`;
  return new Map(rows.map((r) => [`${r.kind}:${r.row_id}`, r.payload]));
}
