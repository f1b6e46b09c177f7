import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import '../../setup/sqlEngine';
import '../../support/mochaPg';
import { validateInput } from '../../../core/connectors/connector';
import { orgCatalogRows } from '../../../core/connectors/orgCatalogRows';
import type { ConnectorSummary } from '../../../core/connectors/orgProtocol';
import { connectorDefinition } from '../../../core/connectors/registry';
import { folderFiles } from '../../../extension/connectors/folderFiles';
import { ids } from '../../support/orgFixture';
import { startOrgGitHubStandIn, type OrgGitHubStandIn } from '../../support/orgGitHubStandIn';
import { startOrgWorld, syncedRows, type Answer, type OrgWorld } from './orgWorld';

/**
 * The BI file connectors (Tableau, Looker, Power BI) extracted in the cloud: each org connector
 * names a GitHub repository (served by the org GitHub stand-in from a real `git archive`, with a
 * token) and a folder in it; `org-extract` reads the archive's BI files (text and the bytes of a
 * packaged `.twbx`) and runs the connector in Deno. The synced rows equal a workspace (Node) run of
 * the same connector over the same files on disk; the token never comes back; a config without a
 * repository fails with a clear `bad-config`. A run takes a `fetch` chunk (download, stage the BI
 * files), one `parse` chunk per file (`MALLARD_EXTRACT_FILES_PER_CHUNK` is 1 here: each file's
 * intermediate staged), and an `assemble` chunk (the connector's cross-file builder over the
 * intermediates, `biPhases.ts`); a run resumed at `assemble` works from the staged files alone,
 * downloading nothing, and a run killed between parse chunks resumes and gives the same rows.
 */

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'bi');
const TOKEN = 'ghp_bi_standin_token_0123456789abcdef';
/** Selected files of each tool in the repository (one parse chunk each). */
const FILES = { tableau: 5, looker: 6, powerbi: 3 } as const;

function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out.set([0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) {
    out[2 + i * 2] = text.charCodeAt(i) & 0xff;
    out[3 + i * 2] = text.charCodeAt(i) >> 8;
  }
  return out;
}

async function rowsOf(tool: string, config: Record<string, unknown>, root: string): Promise<Map<string, unknown>> {
  const def = connectorDefinition(tool)!;
  const local = await def.extract(validateInput(def, config, {}), { files: folderFiles(root) });
  return new Map(orgCatalogRows(local.facts).rows.map((r) => [`${r.kind}:${r.id}`, r.payload]));
}

describe('org extraction of BI file connectors from a repository (real Deno + Postgres, GitHub stand-in)', function () {
  this.timeout(300_000);
  let world: OrgWorld;
  let github: OrgGitHubStandIn;
  let tree: string;
  const answers: Answer[] = [];
  const call = async (body: Record<string, unknown>): Promise<Answer> => {
    const answer = await world.call('connectors', 'admin', { orgId: ids.orgA, ...body });
    answers.push(answer);
    return answer;
  };

  before(async () => {
    tree = mkdtempSync(path.join(tmpdir(), 'mallard-bi-repo-'));
    for (const tool of ['tableau', 'looker', 'powerbi']) cpSync(path.join(FIXTURES, tool), path.join(tree, 'bi', tool), { recursive: true });
    // A packaged workbook: the zip container only the bytes port can read.
    writeFileSync(path.join(tree, 'bi', 'tableau', 'Packaged.twbx'), zipSync({ 'Packaged.twb': new Uint8Array(readFileSync(path.join(FIXTURES, 'tableau', 'Sales Overview.twb'))) }));
    // A report template: a zip whose model and report are UTF-16LE JSON, as Power BI Desktop writes it.
    const model = readFileSync(path.join(FIXTURES, 'powerbi', 'SalesModel.bim'), 'utf8');
    const layout = readFileSync(path.join(FIXTURES, 'powerbi', 'SalesReport.Layout.json'), 'utf8');
    writeFileSync(path.join(tree, 'bi', 'powerbi', 'Sales.pbit'), zipSync({ DataModelSchema: utf16le(model), 'Report/Layout': utf16le(layout) }));
    writeFileSync(path.join(tree, 'README.md'), '# BI\n');
    github = await startOrgGitHubStandIn(tree, { owner: 'acme', repo: 'bi', token: TOKEN });
    world = await startOrgWorld({ MALLARD_EXTRACT_FILES_PER_CHUNK: '1' });
  });
  after(async () => {
    await world?.stop();
    await github?.stop();
    rmSync(tree, { recursive: true, force: true });
  });

  for (const tool of ['tableau', 'looker', 'powerbi'] as const) {
    it(`stand-in: a ${tool} connector reading acme/bi is tested and run in Deno and syncs the rows a workspace run of the same files gives`, async () => {
      const config = { project: `${tool}_bi`, folder: `bi/${tool}`, database: 'ANALYTICS', schema: 'MARTS', repository: 'acme/bi', branch: 'main', apiUrl: github.apiUrl };
      const saved = await call({ action: 'save', type: tool, name: `${tool}-bi`, config, secrets: { token: TOKEN } });
      assert.equal(saved.status, 200, saved.text);
      const connector = saved.body.connector as ConnectorSummary;
      const tested = await call({ action: 'test', connectorId: connector.id });
      assert.equal(tested.body.ok, true, tested.text);
      assert.match(String(tested.body.detail), new RegExp(`in folder "bi/${tool}"`));
      const started = await call({ action: 'run', connectorId: connector.id });
      const run = await world.waitForRun(started.body.runId as string);
      assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
      // fetch, one parse chunk per file, assemble, then write chunks.
      assert.ok(run.chunksDone >= FILES[tool] + 3 && run.timings.byPhase.parse !== undefined && run.timings.byPhase.assemble !== undefined, `${run.chunksDone} chunks: ${JSON.stringify(run.timings)}`);
      assert.equal(run.counts.filesParsed, FILES[tool], JSON.stringify(run.counts));
      const def = connectorDefinition(tool)!;
      const local = await def.extract(validateInput(def, config, {}), { files: folderFiles(github.tree().root) });
      const want = new Map(orgCatalogRows(local.facts).rows.map((r) => [`${r.kind}:${r.id}`, r.payload]));
      const synced = await syncedRows(world.db, ids.orgA);
      const mine = new Set(want.keys());
      const got = new Map([...synced].filter(([key, p]) => mine.has(key) || (p as { project?: string }).project === `${tool}_bi`));
      assert.ok(want.size >= 5, `${want.size} rows`);
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
      for (const [key, payload] of want) assert.deepEqual(got.get(key), payload, key);
      if (tool === 'powerbi') assert.ok(want.has('catalogEntity:dashboard.powerbi_bi.Sales'), 'the .pbit report is read from its bytes');
      if (tool === 'tableau') assert.ok([...want.values()].some((p) => String((p as { path?: string }).path).endsWith('Packaged.twbx')), 'the packaged workbook is read from its bytes');
    });
  }

  it('stand-in: a Looker run killed between parse chunks resumes from its state after the lease runs out and syncs the workspace rows', async () => {
    const connectors = (await call({ action: 'list' })).body.connectors as ConnectorSummary[];
    const connector = connectors.find((c) => c.name === 'looker-bi')!;
    const runId = await world.killRunAfter(() => call({ action: 'run', connectorId: connector.id }), 2);
    const [stalled] = await world.db.admin<{ status: string; phase: string; chunks_done: number; parsed: number }[]>`
      select status, phase, chunks_done, (state -> 'bi' ->> 'parsed')::int as parsed from public.connector_runs where id = ${runId}`;
    assert.deepEqual([stalled?.status, stalled?.phase], ['running', 'parse'], 'killed between parse chunks');
    assert.ok((stalled?.parsed ?? 0) >= 1 && (stalled?.parsed ?? 0) < FILES.looker, `parsed ${stalled?.parsed}`);
    const [staged] = await world.db.admin<{ n: number }[]>`select count(*)::int as n from private.connector_run_files where run_id = ${runId} and path like 'bi-parsed/%'`;
    assert.equal(staged?.n, stalled?.parsed, 'one intermediate per parsed file');
    const run = await world.resumeByTick(runId);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    assert.ok(run.chunksDone > (stalled?.chunks_done ?? 0));
    const want = await rowsOf('looker', { project: 'looker_bi', folder: 'bi/looker', database: 'ANALYTICS', schema: 'MARTS' }, github.tree().root);
    const synced = await syncedRows(world.db, ids.orgA);
    assert.ok(want.size >= 5);
    for (const [key, payload] of want) assert.deepEqual(synced.get(key), payload, key);
  });

  it('stand-in: a BI run resumed at its assemble chunk without intermediates parses the staged files (bytes as base64) and downloads nothing', async () => {
    const connectors = (await call({ action: 'list' })).body.connectors as ConnectorSummary[];
    const connector = connectors.find((c) => c.name === 'tableau-bi')!;
    await world.db.admin`delete from public.sync_rows where org_id = ${ids.orgA} and kind in ('catalogEntity', 'catalogColumn')`;
    await world.db.admin`delete from private.connector_catalog_rows`;
    const { root, files } = github.tree();
    const staged = files.filter((f) => f.startsWith('bi/tableau/'));
    const [queued] = await world.db.admin<{ id: string }[]>`
      insert into public.connector_runs (org_id, connector_id, trigger, status, phase, state)
      values (${ids.orgA}, ${connector.id}, 'manual', 'queued', 'assemble', ${world.db.admin.json({ bi: { sha: github.sha, files: staged.length } })}) returning id::text`;
    for (const f of staged) {
      await world.db.admin`insert into private.connector_run_files (org_id, run_id, path, content) values (${ids.orgA}, ${queued!.id}, ${`bi/${f}`}, ${readFileSync(path.join(root, f)).toString('base64')})`;
    }
    const requests = github.requests.length;
    const tick = await world.call('org-extract', 'service', { action: 'tick' });
    assert.equal(tick.status, 200, tick.text);
    const run = await world.waitForRun(queued!.id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.errors));
    assert.deepEqual(github.requests.slice(requests), [], 'nothing downloaded');
    const config = { project: 'tableau_bi', folder: 'bi/tableau', database: 'ANALYTICS', schema: 'MARTS' };
    const def = connectorDefinition('tableau')!;
    const local = await def.extract(validateInput(def, config, {}), { files: folderFiles(root) });
    const want = new Map(orgCatalogRows(local.facts).rows.map((r) => [`${r.kind}:${r.id}`, r.payload]));
    const synced = await syncedRows(world.db, ids.orgA);
    assert.ok(want.size >= 5 && [...want.values()].some((p) => String((p as { path?: string }).path).endsWith('Packaged.twbx')));
    for (const [key, payload] of want) assert.deepEqual(synced.get(key), payload, key);
  });

  it('a wrong token is auth-failed; an org BI connector without a repository is refused on save and fails its run with bad-config; the token never comes back', async () => {
    const config = { folder: 'bi/looker', repository: 'acme/bi', apiUrl: github.apiUrl };
    const wrong = await call({ action: 'test', type: 'looker', config, secrets: { token: 'ghp_wrong_token_000000000000' } });
    assert.deepEqual([wrong.body.ok, wrong.body.reason], [false, 'auth-failed'], wrong.text);
    const message = "An organization's Looker connector reads its files from a GitHub repository: set its repository (owner/name).";
    const folderOnly = await call({ action: 'save', type: 'looker', name: 'looker-folder-only', config: { folder: 'bi/looker' } });
    assert.equal(folderOnly.status, 400, folderOnly.text);
    assert.equal((folderOnly.body.error as { message?: string } | undefined)?.message ?? folderOnly.body.message, message, folderOnly.text);
    const untested = await call({ action: 'test', type: 'looker', config: { folder: 'bi/looker' } });
    assert.deepEqual(untested.body, { ok: false, reason: 'bad-config', message });
    const malformed = await call({ action: 'save', type: 'looker', name: 'looker-malformed', config: { ...config, repository: 'acme' } });
    assert.equal(malformed.status, 400, malformed.text);
    assert.match(malformed.text, /The Looker connector's repository \\?"acme\\?" is not owner\/name\./);
    // A row saved before the repository was required (or edited in SQL): its run fails with the same reason.
    const saved = await call({ action: 'save', type: 'looker', name: 'looker-folder-only', config });
    assert.equal(saved.status, 200, saved.text);
    const id = (saved.body.connector as ConnectorSummary).id;
    await world.db.admin`update public.connectors set config = config - 'repository' where id = ${id}`;
    const started = await call({ action: 'run', connectorId: id });
    const run = await world.waitForRun(started.body.runId as string);
    assert.deepEqual(run.errors.map((e) => [e.reason, e.message]), [['bad-config', message]]);
    for (const answer of answers) assert.ok(!answer.text.includes(TOKEN), `an answer holds the token: ${answer.text.slice(0, 200)}`);
    const [n] = await world.db.admin<{ n: number }[]>`select (select count(*) from public.audit_log where concat(before, after) like ${`%${TOKEN}%`})::int
      + (select count(*) from public.connector_runs r where r.errors::text like ${`%${TOKEN}%`})::int as n`;
    assert.equal(n?.n, 0);
  });
});
