import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
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
 * Org-level extraction end to end: the `connectors` and `org-extract` functions in real Deno on a
 * real Postgres, a GitHub stand-in serving a real repository (samples/jaffle_duck, committed to a
 * fresh git repository and archived as GitHub archives it), and chunks made small so a run takes
 * many invocations. The org catalog rows it writes to the sync stream equal the rows of a local
 * `extractWorkspace` of the same tree; a failed chunk is retried, a killed run resumes from its
 * state; permissions are checked per action; secrets never come back.
 */
describe('org extraction through the connectors and org-extract functions (GitHub stand-in, real Deno + Postgres)', function () {
  this.timeout(600_000);
  // A real dbt project of this repository (the shared corpora are for test/corpora only).
  const corpus = path.resolve(__dirname, '../../../samples/jaffle_duck');
  const token = 'ghp_standin_secret_token_0123456789';
  let world: OrgWorld;
  let github: OrgGitHubStandIn;
  let connector: ConnectorSummary;
  const answers: string[] = [];

  const call = async (user: Parameters<OrgWorld['call']>[1], body: Record<string, unknown>) => {
    const answer = await world.call('connectors', user, { orgId: ids.orgA, ...body });
    answers.push(answer.text);
    return answer;
  };
  const runNow = async (): Promise<RunSummary> => {
    const started = await call('admin', { action: 'run', connectorId: connector.id });
    assert.equal(started.status, 200, started.text);
    return await world.waitForRun(started.body.runId as string);
  };
  const expected = () => {
    const tree = github.tree();
    return expectedRows(folderSource(tree.root, tree.files), github.repo);
  };

  before(async () => {
    github = await startOrgGitHubStandIn(corpus, { token });
    world = await startOrgWorld({ MALLARD_EXTRACT_FILES_PER_CHUNK: '5', MALLARD_EXTRACT_ROWS_PER_CHUNK: '25' });
  });
  after(async () => {
    await world?.stop();
    await github?.stop();
  });

  it('saves a GitHub connector with its token sealed; lists show it masked; test connection reads the stand-in', async () => {
    const saved = await call('admin', {
      action: 'save', type: 'github', name: 'analytics repo', config: { owner: github.owner, repo: github.repo, apiUrl: github.apiUrl },
      secrets: { token }, schedule: { everyMinutes: 60 },
    });
    assert.equal(saved.status, 200, saved.text);
    connector = (saved.body as { connector: ConnectorSummary }).connector;
    assert.deepEqual(connector.secrets, { token: '••••6789' });
    assert.deepEqual(connector.schedule, { everyMinutes: 60 });
    const listed = await call('viewer', { action: 'list' });
    assert.equal(listed.status, 200, listed.text);
    const mine = (listed.body.connectors as ConnectorSummary[]).find((c) => c.id === connector.id);
    assert.deepEqual(mine?.secrets, { token: '••••6789' });
    const tested = await call('admin', { action: 'test', connectorId: connector.id });
    // The GitHub connector's own test (core/connectors/github.ts) with Deno's fetch, against the stand-in.
    assert.deepEqual(tested.body, { ok: true, detail: `${github.owner}/${github.repo} (private), main at ${github.sha.slice(0, 7)}.` });
    const wrongToken = await call('admin', { action: 'test', connectorId: connector.id, secrets: { token: 'ghp_wrong_token_000000000000' } });
    assert.equal(wrongToken.body.ok, false);
    assert.equal(wrongToken.body.reason, 'auth-failed');
    // Saving without secrets keeps the stored token.
    const renamed = await call('admin', { action: 'save', connectorId: connector.id, type: 'github', name: 'analytics', config: connector.config });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual((renamed.body.connector as ConnectorSummary).secrets, { token: '••••6789' });
  });

  it('extracts the repository in many chunks; the synced org catalog rows equal a local extraction of the same tree', async () => {
    const run = await runNow();
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    assert.equal(run.phase, 'done');
    const want = expected();
    const got = await syncedRows(world.db, ids.orgA);
    assert.ok(want.size > 100, `the project gives many rows (${want.size})`);
    assert.ok(run.counts.columnEdges > 0, 'SQL was parsed in Deno (column lineage)');
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [key, payload] of want) assert.deepEqual(got.get(key), payload, key);
    // Edges travel inside the rows: model edges on entities, column edges on columns.
    const edges = [...got.values()].reduce<number>((n, p) => n + ((p as { upstream?: unknown[] }).upstream?.length ?? 0), 0);
    assert.equal(edges, run.counts.modelEdges + run.counts.columnEdges - ((run.counts as Record<string, number>).droppedEdges ?? 0) - ((run.counts as Record<string, number>).orphanColumnEdges ?? 0));
    assert.equal(run.counts.rowsWritten, want.size);
    const files = github.tree().files.filter((f) => /\.(sql|ya?ml|py|md|csv|json)$/i.test(f)).length;
    assert.equal(run.counts.files, files);
    // 1 fetch + ⌈steps / 5⌉ parse + 1 assemble + ⌈rows / 25⌉ write chunks.
    assert.ok(run.chunksDone >= 1 + Math.ceil(run.counts.filesParsed / 5) + 1 + Math.ceil(want.size / 25), `chunks ${run.chunksDone}`);
    const [staged] = await world.db.admin`select (select count(*) from private.connector_run_files)::int as files, (select count(*) from private.connector_run_rows)::int as rows`;
    assert.deepEqual(staged, { files: 0, rows: 0 }, 'staging is cleared when the run ends');
  });

  it('a second run writes only what changed and deletes rows that disappeared from the repository', async () => {
    const changed = mkdtempSync(path.join(tmpdir(), 'mallard-orgx-tree-'));
    cpSync(github.tree().root, changed, { recursive: true, filter: (src) => !src.split(path.sep).includes('.git') });
    rmSync(path.join(changed, 'models/marts/delivery_sla.sql'));
    github.commit(changed);
    rmSync(changed, { recursive: true, force: true });
    const before = await syncedRows(world.db, ids.orgA);
    const run = await runNow();
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    const want = expected();
    const got = await syncedRows(world.db, ids.orgA);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [key, payload] of want) assert.deepEqual(got.get(key), payload, key);
    const vanished = [...before.keys()].filter((k) => !want.has(k));
    assert.ok(vanished.includes('catalogEntity:model.jaffle_duck.delivery_sla'), vanished.join(', '));
    assert.equal(run.counts.rowsDeleted, vanished.length);
    assert.ok(run.counts.rowsWritten < want.size / 2, `only changed rows are rewritten (${run.counts.rowsWritten} of ${want.size})`);
    const [tomb] = await world.db.admin`select deleted is not null as deleted from public.sync_rows where org_id = ${ids.orgA} and kind = 'catalogEntity' and row_id = 'model.jaffle_duck.delivery_sla'`;
    assert.deepEqual(tomb, { deleted: true }, 'members pull a tombstone');
  });

  it('a failed chunk (GitHub answering 500 for the archive) is retried and the run succeeds', async () => {
    // A new commit of the same tree: an unchanged branch head would skip the download altogether.
    const same = mkdtempSync(path.join(tmpdir(), 'mallard-orgx-tree-'));
    cpSync(github.tree().root, same, { recursive: true, filter: (src) => !src.split(path.sep).includes('.git') });
    github.commit(same);
    rmSync(same, { recursive: true, force: true });
    github.failNext('/codeload/', 500);
    const run = await runNow();
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    assert.equal(run.errors.length, 1);
    assert.deepEqual([run.errors[0]?.chunk, run.errors[0]?.reason], [1, 'source-error']);
    assert.match(run.errors[0]?.message ?? '', /GitHub answered 500/);
  });

  it('a run killed mid-chunk resumes from its state after the lease runs out (scheduler tick)', async () => {
    const runId = await world.killRunAfter(() => call('admin', { action: 'run', connectorId: connector.id }), 3);
    const [stalled] = await world.db.admin<{ status: string; chunks_done: number }[]>`select status, chunks_done from public.connector_runs where id = ${runId}`;
    assert.equal(stalled?.status, 'running');
    // The lease of the killed chunk has not run out: a tick leaves the run alone.
    const early = await world.call('org-extract', 'service', { action: 'tick' });
    assert.deepEqual((early.body.kicked as string[]).includes(runId), false);
    const run = await world.resumeByTick(runId);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    assert.ok(run.chunksDone > (stalled?.chunks_done ?? 0));
    const want = expected();
    const got = await syncedRows(world.db, ids.orgA);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [key, payload] of want) assert.deepEqual(got.get(key), payload, key);
  });

  it('checks each action\'s permission under the caller\'s claims', async () => {
    const save = { action: 'save', type: 'github', name: 'x', config: { owner: 'a', repo: 'b' } };
    assert.equal((await call('editor', save)).status, 403);
    assert.equal((await call('editor', { action: 'run', connectorId: connector.id })).status, 403);
    assert.equal((await call('editor', { action: 'delete', connectorId: connector.id })).status, 403);
    assert.equal((await call('editor', { action: 'setStatus', connectorId: connector.id, status: 'paused' })).status, 403);
    assert.equal((await call('editor', { action: 'test', connectorId: connector.id })).status, 403);
    assert.equal((await call('outsider', { action: 'list' })).status, 403);
    assert.equal((await call('outsider', { action: 'runs' })).status, 403);
    assert.equal((await call('outsider', { action: 'run', connectorId: connector.id })).status, 403);
    assert.equal((await world.call('connectors', 'service', { orgId: ids.orgA, action: 'list' })).status, 403);
    assert.equal((await world.call('org-extract', 'admin', { action: 'tick' })).status, 403);
    const runs = await call('editor', { action: 'runs', connectorId: connector.id });
    assert.equal(runs.status, 200, 'connectors.read (viewers and up) sees runs');
    assert.ok((runs.body.runs as RunSummary[]).length >= 4);
    const paused = await call('admin', { action: 'setStatus', connectorId: connector.id, status: 'paused' });
    assert.deepEqual([paused.status, (paused.body.connector as ConnectorSummary).status, (paused.body.connector as ConnectorSummary).nextRunAt], [200, 'paused', null]);
  });

  it('never returns or records the secret: answers, the audit log and the stored bytes', async () => {
    for (const text of answers) assert.ok(!text.includes(token), 'an answer holds the token');
    const [audit] = await world.db.admin<{ n: number }[]>`select (select count(*) from public.audit_log where concat(before, after) like ${`%${token}%`})::int
      + (select count(*) from mallard_audit.log l where row_to_json(l)::text like ${`%${token}%`})::int as n`;
    assert.equal(audit?.n, 0);
    const [stored] = await world.db.admin<{ hex: string }[]>`select encode(secret_ciphertext, 'escape') as hex from public.connectors where id = ${connector.id}`;
    assert.ok(stored !== undefined && !stored.hex.includes(token));
  });

  it('deleting the connector removes its runs and tombstones the org catalog rows only it wrote', async () => {
    const live = await syncedRows(world.db, ids.orgA);
    assert.ok(live.size > 100);
    const gone = await call('admin', { action: 'delete', connectorId: connector.id });
    assert.equal(gone.status, 200, gone.text);
    assert.equal((await syncedRows(world.db, ids.orgA)).size, 0);
    const [left] = await world.db.admin<{ runs: number; tombstones: number }[]>`select
      (select count(*) from public.connector_runs where connector_id = ${connector.id})::int as runs,
      (select count(*) from public.sync_rows where org_id = ${ids.orgA} and kind in ('catalogEntity', 'catalogColumn') and deleted is not null)::int as tombstones`;
    assert.equal(left?.runs, 0);
    assert.ok((left?.tombstones ?? 0) >= live.size);
  });
});
