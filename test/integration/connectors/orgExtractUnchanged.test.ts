import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '../../setup/sqlEngine';
import '../../support/mochaPg';
import type { ConnectorSummary, RunSummary } from '../../../core/connectors/orgProtocol';
import { ids } from '../../support/orgFixture';
import { startOrgGitHubStandIn } from '../../support/orgGitHubStandIn';
import type { OrgGitHubStandIn } from '../../support/orgGitHubStandIn';
import { expectedRows, folderSource, startOrgWorld, syncedRows } from './orgWorld';
import type { OrgWorld } from './orgWorld';

/**
 * Unchanged-repository skip of org extraction, against the GitHub stand-in (which counts every
 * request) with real Deno and Postgres: a run whose branch head is the commit the last successful run
 * extracted reads only `GET /repos/{o}/{r}/commits/{ref}` and downloads no archive, and the org
 * catalog stays what it was; a new commit, or an org catalog that no longer holds the connector's
 * rows, is extracted again.
 */
describe('org extraction skips an unchanged repository (GitHub stand-in, real Deno + Postgres)', function () {
  this.timeout(600_000);
  const corpus = path.resolve(__dirname, '../../../samples/jaffle_duck');
  const token = 'ghp_standin_unchanged_token_0123456789';
  let world: OrgWorld;
  let github: OrgGitHubStandIn;
  let connector: ConnectorSummary;

  const runNow = async (): Promise<{ run: RunSummary; requests: string[] }> => {
    const mark = github.requests.length;
    const started = await world.call('connectors', 'admin', { orgId: ids.orgA, action: 'run', connectorId: connector.id });
    assert.equal(started.status, 200, started.text);
    const run = await world.waitForRun(started.body.runId as string);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    return { run, requests: github.requests.slice(mark) };
  };
  const downloads = (requests: string[]) => requests.filter((r) => r.includes('/tarball/') || r.includes('/codeload/')).length;
  const sameAsSource = async (): Promise<void> => {
    const tree = github.tree();
    const want = expectedRows(folderSource(tree.root, tree.files), github.repo);
    const got = await syncedRows(world.db, ids.orgA);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [key, payload] of want) assert.deepEqual(got.get(key), payload, key);
  };

  before(async () => {
    github = await startOrgGitHubStandIn(corpus, { token });
    world = await startOrgWorld({ MALLARD_EXTRACT_FILES_PER_CHUNK: '50', MALLARD_EXTRACT_ROWS_PER_CHUNK: '200' });
    const saved = await world.call('connectors', 'admin', {
      orgId: ids.orgA, action: 'save', type: 'github', name: 'analytics', config: { owner: github.owner, repo: github.repo, apiUrl: github.apiUrl }, secrets: { token },
    });
    assert.equal(saved.status, 200, saved.text);
    connector = (saved.body as { connector: ConnectorSummary }).connector;
  });
  after(async () => {
    await world?.stop();
    await github?.stop();
  });

  it('the first run downloads the archive; a run of the same branch head reads the commit only and writes nothing', async () => {
    const first = await runNow();
    assert.equal(downloads(first.requests), 2, first.requests.join(' '));
    await sameAsSource();
    const stamps = await world.db.admin`select max(seq)::text as seq from public.sync_rows where org_id = ${ids.orgA}`;

    const again = await runNow();
    assert.deepEqual(again.requests, [`/repos/${github.owner}/${github.repo}`, `/repos/${github.owner}/${github.repo}/commits/main`]);
    assert.equal(downloads(again.requests), 0);
    assert.equal(again.run.chunksDone, 1);
    assert.equal((again.run.counts as Record<string, number>).unchanged, 1);
    assert.deepEqual([again.run.counts.rowsWritten, again.run.counts.rowsDeleted], [0, 0]);
    assert.deepEqual(await world.db.admin`select max(seq)::text as seq from public.sync_rows where org_id = ${ids.orgA}`, stamps, 'nothing was stamped');
    await sameAsSource();

    // A run after the skipped one still knows what the catalog holds: skipped again.
    assert.equal(downloads((await runNow()).requests), 0);
  });

  it('a new commit is extracted again', async () => {
    const changed = mkdtempSync(path.join(tmpdir(), 'mallard-orgx-same-'));
    cpSync(github.tree().root, changed, { recursive: true, filter: (src) => !src.split(path.sep).includes('.git') });
    writeFileSync(path.join(changed, 'models/marts/extra_model.sql'), 'select 1 as id\n');
    github.commit(changed);
    rmSync(changed, { recursive: true, force: true });
    const { run, requests } = await runNow();
    assert.equal(downloads(requests), 2);
    assert.ok(run.counts.rowsWritten > 0);
    await sameAsSource();
  });

  it('an org catalog that lost the connector\'s rows is extracted again at the same commit', async () => {
    await world.db.admin`delete from private.connector_catalog_rows where connector_id = ${connector.id}
      and row_id = (select min(row_id) from private.connector_catalog_rows where connector_id = ${connector.id})`;
    const { requests } = await runNow();
    assert.equal(downloads(requests), 2);
    await sameAsSource();
    assert.equal(downloads((await runNow()).requests), 0, 'and then skipped again');
  });
});
