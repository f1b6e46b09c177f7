import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SYNC_SCHEMA_VERSION } from '../../../core/sync/limits';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { SyncStandIn } from '../../support/syncStandIn';
import { entity, facts } from '../catalog/catalogFixtures';

/**
 * `mallard login`, `sync`, `sync status` and `logout`, spawned from the built bundle against a local
 * stand-in of the project (supabase-js and auth-js unchanged, real HTTP, the in-memory sync server
 * behind `/functions/v1`).
 */

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli/mallard.js');
const ORG = '11111111-1111-4111-8111-111111111111';
const TOKEN = `mlpat_${'ab'.repeat(24)}`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process (the stand-in answers it). */
function mallard(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(stdin);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('mallard login / sync / logout (built bundle, local project stand-in)', function () {
  this.timeout(180_000);
  let dir = '';
  let standIn: SyncStandIn;
  let url = '';
  const envOf = (name: string): NodeJS.ProcessEnv => ({ MALLARD_CONFIG_DIR: path.join(dir, `config-${name}`), MALLARD_TOKEN: '', MALLARD_TOKEN_FILE: '' });
  const catalog = (name: string): string => {
    const file = path.join(dir, `${name}.db`);
    const store = CatalogStore.open(file);
    store.replaceAll(facts({ entities: [entity('model.shop.orders', { description: 'extracted' })] }));
    store.close();
    return file;
  };

  before(() => {
    const build = spawnSync(process.execPath, ['esbuild.mjs', '--quiet'], { cwd: repo, encoding: 'utf8' });
    assert.equal(build.status, 0, `esbuild failed: ${build.stderr}`);
  });
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mallard-sync-cli-'));
    standIn = new SyncStandIn();
    url = await standIn.start();
    for (const user of ['ann@example.com', 'bob@example.com', 'ci-bot']) standIn.memory.grant(user, ORG, { orgWide: true });
  });
  afterEach(async () => {
    await standIn.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with an e-mail code, syncs an edit, and another catalog sees it', async () => {
    const ann = envOf('ann');
    const login = await mallard(['login', '--url', url, '--key', 'anon-key', '--email', 'ann@example.com', '--org', ORG], ann, '123456\n');
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /Signed in as ann@example\.com/);
    assert.deepEqual(standIn.codesSent, ['ann@example.com']);
    const file = path.join(dir, 'config-ann', 'credentials.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const annDb = catalog('ann');
    const store = CatalogStore.open(annDb);
    store.mutate({ entityId: 'model.shop.orders' }, { description: 'One row per order (ann)' });
    store.close();
    const sync = await mallard(['sync', '--once', '--db', annDb], ann);
    assert.equal(sync.code, 0, sync.stderr + sync.stdout);
    assert.match(sync.stdout, /Synced 11111111-1111-4111-8111-111111111111: pushed 1 edits/);
    const push = standIn.requests.find((r) => r.path === '/functions/v1/sync-push');
    assert.deepEqual([push?.token?.startsWith('jwt-ann@example.com-'), push?.apikey, push?.schemaHeader], [true, 'anon-key', String(SYNC_SCHEMA_VERSION)]);

    const bob = envOf('bob');
    assert.equal((await mallard(['login', '--url', url, '--key', 'anon-key', '--email', 'bob@example.com', '--code', '123456'], bob)).code, 0);
    const bobDb = catalog('bob');
    const bobSync = await mallard(['sync', '--once', '--org', ORG, '--db', bobDb, '--json'], bob);
    assert.equal(bobSync.code, 0, bobSync.stderr);
    assert.equal((JSON.parse(bobSync.stdout) as { status: { state: string } }).status.state, 'idle');
    const show = await mallard(['show', 'orders', '--db', bobDb, '--json'], bob);
    assert.equal((JSON.parse(show.stdout) as { entity?: { description: string }; description?: string }).entity?.description ?? (JSON.parse(show.stdout) as { description?: string }).description, 'One row per order (ann)');
    const status = await mallard(['sync', 'status', '--db', bobDb, '--json'], bob);
    const state = JSON.parse(status.stdout) as { orgId: string; pending: number; lastSyncedAt: string | null };
    assert.deepEqual([state.orgId, state.pending, typeof state.lastSyncedAt], [ORG, 0, 'string']);
  });

  it('refreshes an expiring session and saves the new one', async () => {
    standIn.expiresIn = 30;
    const env = envOf('ann');
    assert.equal((await mallard(['login', '--url', url, '--key', 'k', '--email', 'ann@example.com', '--code', '123456', '--org', ORG], env)).code, 0);
    const before = JSON.parse(readFileSync(path.join(dir, 'config-ann', 'credentials.json'), 'utf8')) as { session: { accessToken: string } };
    const run = await mallard(['sync', '--once', '--db', catalog('ann')], env);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.ok(standIn.requests.some((r) => r.path === '/auth/v1/token'));
    const after = JSON.parse(readFileSync(path.join(dir, 'config-ann', 'credentials.json'), 'utf8')) as { session: { accessToken: string } };
    assert.notEqual(after.session.accessToken, before.session.accessToken);
    assert.equal(standIn.requests.find((r) => r.path === '/functions/v1/sync-pull')?.token, after.session.accessToken);
  });

  it('syncs with an API token from MALLARD_TOKEN or a 0600 file, and refuses a file others can read', async () => {
    standIn.memory.addUser(TOKEN, 'ci-bot');
    const project = { MALLARD_SUPABASE_URL: url, MALLARD_SUPABASE_KEY: 'k' };
    const viaEnv = await mallard(['sync', '--once', '--org', ORG, '--db', catalog('ci')], { ...envOf('ci'), ...project, MALLARD_TOKEN: TOKEN });
    assert.equal(viaEnv.code, 0, viaEnv.stderr + viaEnv.stdout);
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    chmodSync(tokenFile, 0o644);
    const insecure = await mallard(['sync', '--once', '--org', ORG, '--db', catalog('ci2')], { ...envOf('ci'), ...project, MALLARD_TOKEN_FILE: tokenFile });
    assert.equal(insecure.code, 4);
    assert.match(insecure.stdout, /can be read by other users \(mode 644\); run: chmod 600 .*token/);
    chmodSync(tokenFile, 0o600);
    const secure = await mallard(['sync', '--once', '--org', ORG, '--db', catalog('ci3')], { ...envOf('ci'), ...project, MALLARD_TOKEN_FILE: tokenFile });
    assert.equal(secure.code, 0, secure.stdout);
    const login = await mallard(['login', '--token', TOKEN, '--url', url, '--key', 'k', '--org', ORG], envOf('ci4'));
    assert.equal(login.code, 0);
    assert.equal((await mallard(['sync', '--once', '--db', catalog('ci4')], envOf('ci4'))).code, 0);
  });

  it('exits 3 when the project is unreachable, 4 when signed out, and logout forgets the session', async () => {
    const env = envOf('ann');
    assert.equal((await mallard(['login', '--url', url, '--key', 'k', '--email', 'ann@example.com', '--code', '123456', '--org', ORG], env)).code, 0);
    const db = catalog('ann');
    await standIn.stop();
    const offline = await mallard(['sync', '--once', '--db', db], env);
    assert.equal(offline.code, 3, offline.stdout);
    assert.match(offline.stdout, /Sync offline: .*try again later/);
    const logout = await mallard(['logout'], env);
    assert.match(logout.stdout, /Signed out; removed .*credentials\.json/);
    assert.equal(existsSync(path.join(dir, 'config-ann', 'credentials.json')), false);
    const signedOut = await mallard(['sync', '--once', '--db', db], env);
    assert.equal(signedOut.code, 4);
    assert.match(signedOut.stdout, /Sign in to sync/);
    const usage = await mallard(['sync', '--org', 'nope', '--db', db], env);
    assert.equal(usage.code, 2);
  });
});
