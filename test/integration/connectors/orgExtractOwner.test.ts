import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '../../setup/sqlEngine';
import '../../support/mochaPg';
import { validateInput } from '../../../core/connectors/connector';
import { githubConnector } from '../../../core/connectors/github';
import { orgCatalogRows } from '../../../core/connectors/orgCatalogRows';
import type { ConnectorSummary, RunSummary } from '../../../core/connectors/orgProtocol';
import { makeRepo, startGitHubStandIn, TOKENS } from '../../support/githubStandIn';
import type { StandIn } from '../../support/githubStandIn';
import { ids } from '../../support/orgFixture';
import { startOrgWorld, syncedRows } from './orgWorld';
import type { OrgWorld } from './orgWorld';

/**
 * An owner-wide GitHub connector (every repository of `acme`) extracted in the cloud one
 * repository per chunk, against the GitHub stand-in of the connector's own tests (two real
 * repositories, `GET /orgs/{owner}/repos`, archives through codeload): each chunk downloads one
 * archive, the synced rows equal one single-chunk extraction of the owner by the GitHub connector in
 * Node, and a second run of unchanged repositories downloads nothing.
 */
describe('org extraction of every repository of a GitHub owner, one repository per chunk (stand-in, real Deno + Postgres)', function () {
  this.timeout(600_000);
  const repoRoot = path.resolve(__dirname, '../../..');
  let work: string;
  let standIn: StandIn;
  let world: OrgWorld;
  let connector: ConnectorSummary;

  const runNow = async (): Promise<{ run: RunSummary; requests: string[] }> => {
    const mark = standIn.requests.length;
    const started = await world.call('connectors', 'admin', { orgId: ids.orgA, action: 'run', connectorId: connector.id });
    assert.equal(started.status, 200, started.text);
    const run = await world.waitForRun(started.body.runId as string);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    return { run, requests: standIn.requests.slice(mark) };
  };
  const archives = (requests: string[]) => requests.filter((r) => r.startsWith('codeload ')).map((r) => r.split('/')[2]);

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'mallard-orgx-owner-'));
    standIn = await startGitHubStandIn([
      makeRepo(work, 'acme', 'jaffle_duck', path.join(repoRoot, 'samples/jaffle_duck')),
      makeRepo(work, 'acme', 'warehouse', path.join(repoRoot, 'test/fixtures/sql/dialects')),
    ]);
    world = await startOrgWorld({ MALLARD_EXTRACT_FILES_PER_CHUNK: '20', MALLARD_EXTRACT_ROWS_PER_CHUNK: '200' });
    const saved = await world.call('connectors', 'admin', {
      orgId: ids.orgA, action: 'save', type: 'github', name: 'acme', config: { owner: 'acme', apiUrl: standIn.apiUrl }, secrets: { token: TOKENS.good },
    });
    assert.equal(saved.status, 200, saved.text);
    connector = saved.body.connector as ConnectorSummary;
  });
  after(async () => {
    await world?.stop();
    await standIn?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('downloads one repository per chunk and syncs the rows of a single-chunk extraction of the owner', async () => {
    const { run, requests } = await runNow();
    assert.deepEqual(archives(requests), ['jaffle_duck', 'warehouse']);
    // The listing chunk, one chunk per repository, then the parse, assemble and write chunks.
    assert.ok(run.chunksDone >= 1 + 2 + 1 + 1 + 1, `chunks ${run.chunksDone}`);
    const local = await githubConnector.extract(validateInput(githubConnector, { owner: 'acme', apiUrl: standIn.apiUrl }, { token: TOKENS.good }), { fetch: (url, init) => fetch(url, init) });
    const want = new Map(orgCatalogRows(local.facts).rows.map((r) => [`${r.kind}:${r.id}`, r.payload]));
    const got = await syncedRows(world.db, ids.orgA);
    assert.ok(want.size > 100, `${want.size} rows`);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [key, payload] of want) assert.deepEqual(got.get(key), payload, key);
  });

  it('a second run of unchanged repositories lists them and reads their commits, and downloads nothing', async () => {
    const { run, requests } = await runNow();
    assert.deepEqual(archives(requests), []);
    assert.ok(!requests.some((r) => r.includes('/tarball/')), requests.join(' '));
    assert.ok(requests.some((r) => r.startsWith('api /orgs/acme/repos')));
    assert.equal((run.counts as Record<string, number>).unchanged, 1);
  });
});
