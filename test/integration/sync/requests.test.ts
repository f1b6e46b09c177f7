import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { SYNC_LIMITS, SYNC_SCHEMA_VERSION } from '../../../core/sync/limits';
import { SyncError } from '../../../core/sync/errors';
import { withClaims } from '../../support/claims';
import { ids, users } from '../../support/orgFixture';
import { invoke, TestReplica } from '../../support/syncClient';
import { startSyncWorld } from '../../support/syncWorld';
import type { SyncWorld } from '../../support/syncWorld';

/**
 * What the sync functions refuse, with the status and code of core/sync/errors.ts, and that a
 * refused request writes nothing: missing, invalid, foreign-key and expired tokens, API tokens of
 * another organization or revoked, non-members, malformed, invalid and oversized bodies, old
 * clients, wrong methods; the gateway's 404, OPTIONS and verify_jwt; `health` for the service role.
 */
describe('sync functions: refusals, gateway and health (real Deno + Postgres)', function () {
  this.timeout(180_000);
  const secretKey = 'sb_secret_test_0123456789abcdef';
  let world: SyncWorld;

  before(async () => {
    world = await startSyncWorld({ secretKeys: [secretKey] });
  });
  after(async () => {
    await world?.stop();
  });

  /** Counts of everything a request could write. */
  const footprint = async () => (await world.db.admin`select
      (select count(*) from public.sync_rows)::int as rows, (select count(*) from public.sync_replicas)::int as replicas,
      (select count(*) from public.sync_rejections)::int as rejections, (select count(*) from mallard_audit.log)::int as audit`)[0];

  const pushBody = (replicaId = crypto.randomUUID(), orgId: string = ids.orgA) => ({
    schemaVersion: SYNC_SCHEMA_VERSION, orgId, replicaId,
    ops: [{ schemaVersion: SYNC_SCHEMA_VERSION, replicaId, opNumber: 1, target: { kind: 'entity', id: 'model.x.refused' }, vector: {},
      createdAt: new Date().toISOString(), action: 'patch', patch: { description: 'must not land' } }],
  });

  const raw = async (name: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token !== undefined) headers.set('authorization', `Bearer ${init.token}`);
    headers.set('apikey', world.anonKey);
    const response = await fetch(`${world.functions.url}/functions/v1/${name}`, { ...init, headers });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: response.status, body, headers: response.headers };
  };

  it('bad credentials: missing, foreign-signed, expired, malformed → 401 unauthorized, nothing written', async () => {
    const before = await footprint();
    const cases: [string, string | undefined][] = [
      ['missing', undefined],
      ['foreign key', await world.keys.foreignToken(users.editor)],
      ['expired', await world.keys.userToken(users.editor, { expiresIn: -60 })],
      ['not a JWT', 'not-a-token'],
      ['malformed API token', 'mlpat_xyz'],
      ['unknown API token', `mlpat_${'0'.repeat(48)}`],
      ['anon key', world.anonKey],
    ];
    for (const [label, token] of cases) {
      const answer = await raw('sync-push', { method: 'POST', body: JSON.stringify(pushBody()), token, headers: { 'content-type': 'application/json' } });
      assert.deepEqual([answer.status, answer.body.code], [401, 'unauthorized'], label);
      assert.equal(SyncError.fromResponse(answer.status, answer.body).retryable, false);
    }
    // supabase-js sees the same through FunctionsHttpError.
    const viaClient = await invoke(world.clientWith(await world.keys.userToken(users.editor, { expiresIn: -60 })), 'sync-pull', {});
    assert.deepEqual([viaClient.status, !viaClient.ok && viaClient.body.code], [401, 'unauthorized']);
    assert.deepEqual(await footprint(), before);
  });

  it('legacy HS256 tokens and API tokens are accepted; a token of another org or a revoked one is refused', async () => {
    const hs = new TestReplica(world.clientWith(await world.keys.userToken(users.editor, { alg: 'HS256' })), ids.orgA);
    const okHs = await hs.push([hs.patch('entity', 'model.x.hs256', { description: 'legacy key' })]);
    assert.ok(okHs.ok, JSON.stringify(okHs));
    const [made] = await withClaims(world.db.api, { role: 'authenticated', sub: users.admin }, (tx) =>
      tx`select public.create_api_token(${ids.orgA}, 'ci-sync', array['catalog.read', 'catalog.write']) as token`);
    const token = String(made?.token);
    const bot = new TestReplica(world.clientWith(token), ids.orgA);
    const okBot = await bot.push([bot.patch('entity', 'model.x.bot', { description: 'from CI' })]);
    assert.ok(okBot.ok, JSON.stringify(okBot));
    const [author] = await world.db.admin`select created_by::text from public.sync_rows where row_id = 'model.x.bot'`;
    assert.equal(author?.created_by, users.admin, 'a token writes as its creator');
    const before = await footprint();
    const elsewhere = new TestReplica(world.clientWith(token), ids.orgB);
    const wrongOrg = await elsewhere.push([elsewhere.patch('entity', 'model.x.bot', { description: 'x' })]);
    assert.deepEqual([wrongOrg.status, !wrongOrg.ok && wrongOrg.body.code], [403, 'forbidden']);
    await world.db.admin`update public.api_tokens set revoked_at = now() where token_prefix = ${token.slice(0, 12)}`;
    const revoked = await bot.pullPage();
    assert.deepEqual([revoked.status, !revoked.ok && revoked.body.code], [401, 'unauthorized']);
    const after = await footprint();
    assert.deepEqual({ ...after, audit: 0 }, { ...before, audit: 0 });
  });

  it('wrong organization, malformed, invalid, oversized and old-version bodies → 403/400/413/426, nothing written', async () => {
    const token = await world.keys.userToken(users.editor);
    const before = await footprint();
    const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), token, headers: { 'content-type': 'application/json' } });
    const outsider = await raw('sync-push', json(pushBody(undefined, ids.orgB)));
    assert.deepEqual([outsider.status, outsider.body.code], [403, 'forbidden'], JSON.stringify(outsider.body));
    const outsiderPull = await raw('sync-pull', json({ schemaVersion: 1, orgId: ids.orgB, replicaId: crypto.randomUUID(), cursor: null }));
    assert.deepEqual([outsiderPull.status, outsiderPull.body.code], [403, 'forbidden']);
    const notJson = await raw('sync-push', { method: 'POST', body: '{"ops": [', token });
    assert.deepEqual([notJson.status, notJson.body.code], [400, 'bad-request']);
    const badShape = await raw('sync-push', json({ ...pushBody(), ops: [{ opNumber: 'one' }] }));
    assert.deepEqual([badShape.status, badShape.body.code], [400, 'bad-request']);
    assert.match(String(badShape.body.message), /ops\.0/);
    const tooMany = pushBody();
    tooMany.ops = Array.from({ length: SYNC_LIMITS.maxOpsPerPush + 1 }, (_, i) => ({ ...tooMany.ops[0]!, opNumber: i + 1 }));
    const manyOps = await raw('sync-push', json(tooMany));
    assert.deepEqual([manyOps.status, manyOps.body.code], [400, 'bad-request']);
    const huge = await raw('sync-push', json({ ...pushBody(), padding: 'x'.repeat(SYNC_LIMITS.maxBodyBytes) }));
    assert.deepEqual([huge.status, huge.body.code], [413, 'payload-too-large']);
    const old = await raw('sync-pull', json({ schemaVersion: 0, orgId: ids.orgA, replicaId: crypto.randomUUID(), cursor: null }));
    assert.deepEqual([old.status, old.body.code], [426, 'client-too-old']);
    const get = await raw('sync-pull', { method: 'GET', token });
    assert.deepEqual([get.status, get.body.code], [405, 'method-not-allowed']);
    const serviceRole = await raw('sync-push', { ...json(pushBody()), token: await world.keys.serviceToken() });
    assert.deepEqual([serviceRole.status, serviceRole.body.code], [403, 'forbidden']);
    assert.deepEqual(await footprint(), before);
  });

  it('a replica id belongs to one principal: another user pushing under it is refused', async () => {
    const mine = world.replica('editor');
    assert.ok((await mine.push([mine.patch('entity', 'model.x.mine', { description: 'mine' })])).ok);
    const thief = new TestReplica(world.clientOf('admin'), ids.orgA);
    Object.defineProperty(thief, 'replicaId', { value: mine.replicaId });
    const stolen = await thief.push([thief.patch('entity', 'model.x.mine', { description: 'stolen' })]);
    assert.deepEqual([stolen.status, !stolen.ok && stolen.body.code], [403, 'forbidden']);
  });

  it('the gateway: unknown function 404, OPTIONS passes with CORS, verify_jwt refuses health without a valid JWT', async () => {
    const unknown = await raw('sync-nothing', { method: 'POST', body: '{}', token: await world.keys.userToken(users.editor) });
    assert.equal(unknown.status, 404);
    const preflight = await raw('sync-push', { method: 'OPTIONS', headers: { origin: 'http://localhost', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const noToken = await raw('health', { method: 'GET' });
    assert.equal(noToken.status, 401);
    assert.equal(SyncError.fromResponse(noToken.status, noToken.body).reason, 'unauthorized');
  });

  it('health refuses everyone but the service role and reports lag, errors, pending and rejected ops, tombstones, the oldest open write', async () => {
    const user = await raw('health', { method: 'GET', token: await world.keys.userToken(users.owner) });
    assert.deepEqual([user.status, user.body.code], [403, 'forbidden']);
    const [made] = await withClaims(world.db.api, { role: 'authenticated', sub: users.admin }, (tx) =>
      tx`select public.create_api_token(${ids.orgA}, 'health-probe', array['catalog.read']) as token`);
    const tokenAnswer = await raw('health', { method: 'POST', token: String(made?.token) });
    assert.equal(tokenAnswer.status, 401, 'an API token is no JWT: the gateway refuses it');
    // Something to report: a gap (pending ops), a rejection, a tombstone, an error.
    const r = world.replica('editor');
    const ops = [1, 2, 3].map((n) => r.patch('entity', `model.h.${n}`, { description: `h${n}` }));
    assert.ok((await r.push([ops[0]!, ops[2]!])).ok);
    const viewer = world.replica('viewer');
    assert.ok((await viewer.push([viewer.patch('entity', 'model.h.1', { description: 'no' })])).ok);
    const del = world.replica('owner');
    await del.pullAll();
    assert.ok((await del.push([del.delete('entity', 'model.h.1')])).ok);
    await invoke(world.clientOf('editor'), 'sync-pull', { schemaVersion: 1, orgId: ids.orgA, replicaId: r.replicaId, cursor: { epoch: '99', xid: '1', seq: '1' } });
    const holder = await world.db.owner.reserve();
    try {
      await holder`begin`;
      await holder`select pg_current_xact_id()`;
      await new Promise((res) => setTimeout(res, 1100));
      for (const token of [await world.keys.serviceToken(), await world.keys.serviceToken({ alg: 'HS256' })]) {
        const answer = await raw('health', { method: 'GET', token });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        const report = answer.body as { oldestOpenWriteTransaction: { seconds: number } | null; orgs: Record<string, unknown>[] };
        assert.ok((report.oldestOpenWriteTransaction?.seconds ?? 0) >= 1, JSON.stringify(report.oldestOpenWriteTransaction));
        const orgA = report.orgs.find((o) => o.orgId === ids.orgA) as {
          ops: { pending: number; rejectedTotal: number }; tombstones: { count: number }; requests: Record<string, { errors: number; requests: number }>;
          replicas: { active: number };
        };
        assert.equal(orgA.ops.pending, 2, 'the editor\'s ops 2 (never arrived) and 3 (stopped at the gap) are pending');
        assert.equal(orgA.ops.rejectedTotal, 2, 'the fixture\'s rejection and the viewer\'s');
        assert.equal(orgA.tombstones.count, 1);
        assert.ok(orgA.requests['sync-pull']!.errors >= 1 && orgA.requests['sync-push']!.requests >= 3, JSON.stringify(orgA.requests));
        assert.ok(orgA.replicas.active >= 3, JSON.stringify(orgA.replicas));
      }
    } finally {
      await holder`rollback`;
      holder.release();
    }
    const secret = await raw('health', { method: 'GET', headers: { authorization: `Bearer ${secretKey}` } });
    assert.equal(secret.status, 401, 'the gateway (verify_jwt) refuses a secret key that is no JWT before the function sees it');
  });
});
