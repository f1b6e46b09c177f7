import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '../../setup/sqlEngine';
import type { ConnectorPorts, ExtractResult } from '../../../core/connectors/connector';
import { ConnectorError, validateInput } from '../../../core/connectors/connector';
import { githubConnector, type GitHubConfig, type GitHubSecrets } from '../../../core/connectors/github';
import { connectorDefinition } from '../../../core/connectors/registry';
import type { Facts } from '../../../core/model/entities';
import { extractWorkspace } from '../../../core/pipeline/extractWorkspace';
import { dirFileSource } from '../../unit/dbt/helpers';
import { makeRepo, startGitHubStandIn, TOKENS, type StandIn, type StandInRepo } from '../../support/githubStandIn';

/**
 * The GitHub connector against a local stand-in of GitHub's REST API and codeload serving real
 * `git archive` tarballs of projects in this repository (the `jaffle_duck` dbt sample, the plain
 * SQL dialect fixtures; the shared corpora are for `test/corpora` only). The connector's facts
 * must equal `extractWorkspace` on the same tree unpacked to disk by `tar`.
 */

const repoRoot = path.resolve(__dirname, '../../..');

/** Facts in a canonical order, so two extractions compare by content. */
function canonical(facts: Facts): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, list] of Object.entries(facts)) out[key] = (list as unknown[]).map((x) => JSON.stringify(x)).sort();
  return out;
}

/** Unpacks an archive with the system's tar and returns the folder holding its top folder's content. */
function unpack(work: string, repo: StandInRepo, into: string): string {
  mkdirSync(into, { recursive: true });
  const file = path.join(work, `${repo.name}.unpack.tar.gz`);
  writeFileSync(file, repo.archive);
  execFileSync('tar', ['xzf', file, '-C', into]);
  return path.join(into, `${repo.owner}-${repo.name}-${repo.sha.slice(0, 7)}`);
}

describe('GitHub connector (stand-in of the GitHub REST API serving real archives)', function () {
  this.timeout(120_000);
  let work: string;
  let dbtRepo: StandInRepo;
  let sqlRepo: StandInRepo;
  let standIn: StandIn;
  let ports: ConnectorPorts;
  const input = (config: Record<string, unknown>, token: string = TOKENS.good) => {
    const v = validateInput(githubConnector, { apiUrl: standIn.apiUrl, ...config }, { token });
    return v as { config: GitHubConfig; secrets: GitHubSecrets };
  };

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'mallard-gh-'));
    dbtRepo = makeRepo(work, 'acme', 'jaffle_duck', path.join(repoRoot, 'samples/jaffle_duck'));
    sqlRepo = makeRepo(work, 'acme', 'warehouse', path.join(repoRoot, 'test/fixtures/sql/dialects'));
    standIn = await startGitHubStandIn([dbtRepo, sqlRepo]);
    ports = { fetch: (url, init) => fetch(url, init) };
  });
  after(async () => {
    await standIn?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is registered and rejects bad settings with the field named', () => {
    assert.equal(connectorDefinition('github'), githubConnector);
    assert.throws(
      () => validateInput(githubConnector, { owner: 'acme/x', apiUrl: 'not a url' }, {}),
      (err: unknown) => err instanceof ConnectorError && err.reason === 'bad-config' && /config\.owner: a GitHub user or organization name/.test(err.message) && /config\.apiUrl/.test(err.message),
    );
  });

  it("stand-in: a repository's facts equal the extraction of the same tree on disk", async () => {
    const result = await githubConnector.extract(input({ owner: 'acme', repo: 'jaffle_duck' }), ports);
    const disk = extractWorkspace(dirFileSource(unpack(work, dbtRepo, path.join(work, 'disk1'))), { workspaceName: 'jaffle_duck' }).facts;
    assert.ok(disk.entities.filter((e) => e.kind === 'model').length > 10, 'the sample has models');
    assert.ok(disk.entities.some((e) => e.kind === 'seed') && disk.columnEdges.length > 50, 'and seeds and column lineage');
    assert.deepEqual(canonical(result.facts), canonical(disk));
    assert.equal(result.stats.repositories, 1);
    assert.equal(result.stats.entities, disk.entities.length);
    assert.deepEqual(result.state, { settings: JSON.stringify([standIn.apiUrl, 'acme', 'jaffle_duck', null, [], []]), commits: { 'acme/jaffle_duck': dbtRepo.sha } });
    // The archive came through the redirect to the codeload stand-in, by commit sha.
    assert.ok(standIn.requests.includes(`api /repos/acme/jaffle_duck/tarball/${dbtRepo.sha}`));
    assert.ok(standIn.requests.includes(`codeload /acme/jaffle_duck/legacy.tar.gz/${dbtRepo.sha}`));
  });

  it('stand-in: an unchanged commit is answered without downloading', async () => {
    const first: ExtractResult = await githubConnector.extract(input({ owner: 'acme', repo: 'warehouse' }), ports);
    assert.ok(first.facts.entities.length > 0);
    const before = standIn.requests.length;
    const again = await githubConnector.extract({ ...input({ owner: 'acme', repo: 'warehouse' }), state: first.state ?? null }, ports);
    assert.equal(again.unchanged, true);
    assert.deepEqual(again.facts.entities, []);
    assert.deepEqual(standIn.requests.slice(before), ['api /repos/acme/warehouse', 'api /repos/acme/warehouse/commits/main']);
    // Another path filter is another catalog: extracted again.
    const filtered = await githubConnector.extract({ ...input({ owner: 'acme', repo: 'warehouse', excludePaths: 'mysql*' }), state: first.state ?? null }, ports);
    assert.notEqual(filtered.unchanged, true);
  });

  it('stand-in: an organization is one workspace with a folder per repository, path filters applied', async () => {
    const result = await githubConnector.extract(input({ owner: 'acme', includePaths: 'models/**, **/*.sql, *.yml' }), ports);
    const root = path.join(work, 'disk2');
    unpack(work, dbtRepo, root);
    unpack(work, sqlRepo, root);
    // The same filters, applied on disk: the folders renamed to the repository names, then the files the filter drops removed.
    const tree = path.join(work, 'org');
    mkdirSync(tree);
    execFileSync('mv', [path.join(root, `acme-jaffle_duck-${dbtRepo.sha.slice(0, 7)}`), path.join(tree, 'jaffle_duck')]);
    execFileSync('mv', [path.join(root, `acme-warehouse-${sqlRepo.sha.slice(0, 7)}`), path.join(tree, 'warehouse')]);
    const all = dirFileSource(tree);
    const keep = (p: string) => {
      const rel = p.slice(p.indexOf('/') + 1);
      return rel.startsWith('models/') || rel.endsWith('.sql') || /^[^/]*\.yml$/.test(rel);
    };
    const filteredSource = { list: () => all.list().filter(keep), read: (p: string) => (keep(p) ? all.read(p) : undefined) };
    const disk = extractWorkspace(filteredSource, { workspaceName: 'acme' }).facts;
    assert.deepEqual(canonical(result.facts), canonical(disk));
    assert.equal(result.stats.repositories, 2);
    assert.equal(result.stats.files, all.list().filter(keep).length);
    assert.ok(result.facts.entities.some((e) => e.path.startsWith('warehouse/')));
    assert.ok(result.facts.entities.some((e) => e.path.startsWith('jaffle_duck/models/')));
    assert.ok(!result.facts.entities.some((e) => e.kind === 'seed'), 'seeds/ is filtered out');
  });

  it('stand-in: test connection and discovery', async () => {
    const ok = await githubConnector.test(input({ owner: 'acme', repo: 'jaffle_duck' }), ports);
    assert.deepEqual(ok, { ok: true, detail: `acme/jaffle_duck (public), main at ${dbtRepo.sha.slice(0, 7)}.` });
    const items = await githubConnector.discover(input({ owner: 'acme', repo: 'jaffle_duck' }), ports);
    assert.deepEqual(items, [
      { kind: 'repository', name: 'acme/jaffle_duck', detail: 'default branch main' },
      { kind: 'branch', name: 'main' },
    ]);
  });

  it('stand-in: 401, 404, rate limits and a missing branch map to their reasons', async () => {
    const reason = async (config: Record<string, unknown>, token: string) => {
      const r = await githubConnector.test(input(config, token), ports);
      return r.ok ? 'ok' : [r.reason, r.message];
    };
    const bad = await reason({ owner: 'acme', repo: 'jaffle_duck' }, TOKENS.bad);
    assert.deepEqual(bad, ['auth-failed', 'GitHub refused the token for repository acme/jaffle_duck ("Bad credentials"); check that it is valid and not expired.']);
    const missing = await reason({ owner: 'acme', repo: 'nope' }, TOKENS.good);
    assert.deepEqual(missing, ['not-found', 'GitHub found nothing for repository acme/nope ("Not Found"): it does not exist or the token cannot see it.']);
    const limited = await reason({ owner: 'acme', repo: 'jaffle_duck' }, TOKENS.primaryLimit);
    assert.equal(limited[0], 'rate-limited');
    assert.match(String(limited[1]), /^GitHub's API rate limit is exhausted for repository acme\/jaffle_duck \("API rate limit exceeded for user ID 1\."\); retry at \d{4}-\d\d-\d\dT/);
    const secondary = await reason({ owner: 'acme', repo: 'jaffle_duck' }, TOKENS.secondaryLimit);
    assert.equal(secondary[0], 'rate-limited');
    assert.match(String(secondary[1]), /retry in 60 s\.$/);
    const branch = await reason({ owner: 'acme', repo: 'jaffle_duck', branch: 'nope' }, TOKENS.good);
    assert.deepEqual(branch, ['not-found', 'GitHub found no branch nope of acme/jaffle_duck ("No commit found for SHA: nope").']);
    const closed = await githubConnector.test(validateInput(githubConnector, { owner: 'acme', repo: 'x', apiUrl: 'http://127.0.0.1:1' }, {}), ports);
    assert.equal(closed.ok ? 'ok' : closed.reason, 'unreachable');
    await assert.rejects(githubConnector.extract(input({ owner: 'acme', repo: 'warehouse' }), {}), (err: unknown) => err instanceof ConnectorError && err.reason === 'bad-host');
  });
});
