import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { encodePushRequest } from '../../../core/sync/pushMessages';
import type { PullResponse } from '../../../core/sync/pullMessages';
import { SYNC_SCHEMA_VERSION } from '../../../core/sync/limits';
import { ids, users } from '../../support/orgFixture';
import { startSyncWorld } from '../../support/syncWorld';
import type { SyncWorld } from '../../support/syncWorld';
import type { TestReplica } from '../../support/syncClient';
import { pageClockShare } from '../../../scripts/bench/clockShare';

/**
 * Compact clocks (schema version 2) against real Postgres and the bundled functions in real Deno:
 * a page of small metadata rows spends at most 10 % of its bytes on clocks, the compact page decodes
 * to exactly what a version 1 client is served and what the database holds, a push naming a replica
 * outside its dictionary is refused whole, and a version 1 client keeps syncing with full vectors.
 */
describe('sync: compact clocks on the wire (real Deno + Postgres)', function () {
  this.timeout(240_000);
  let world: SyncWorld;

  before(async () => {
    world = await startSyncWorld();
  });
  after(async () => {
    await world?.stop();
  });

  const small = (i: number) => ({ description: `Edited description ${i}`, tags: ['bench', `t${i % 7}`], 'meta.owner_team': `team-${i % 5}` });
  const pushAll = async (r: TestReplica, ops: Parameters<TestReplica['push']>[0]) => {
    const answer = await r.push(ops);
    assert.ok(answer.ok && answer.data.acks.every((a) => a.status === 'applied'), JSON.stringify(answer).slice(0, 400));
  };
  /** Rows of the decoded pages by target, as a client stores them. */
  const byTarget = (pages: PullResponse[]) => {
    const out = new Map<string, unknown>();
    for (const page of pages) {
      for (const row of page.rows) out.set(`${row.target.kind}/${row.target.id}`, { fields: row.fields, provenance: row.provenance, vector: row.vector, teamId: row.teamId });
      for (const t of page.tombstones) out.set(`${t.target.kind}/${t.target.id}`, { deleted: t.vector });
    }
    return out;
  };

  it('a page of 200 small metadata rows spends at most 10 % of its bytes on clocks (a version 1 page about half)', async () => {
    const writer = world.replica('editor');
    await pushAll(writer, Array.from({ length: 200 }, (_, i) => writer.patch('entity', `model.small.m${i}`, small(i))));
    const now = world.replica('viewer');
    const old = world.replica('viewer');
    old.schemaVersion = 1;
    await now.pullPage(5000);
    await old.pullPage(5000);
    const compact = pageClockShare([now.lastRawPage]);
    const full = pageClockShare([old.lastRawPage]);
    assert.ok(compact.items >= 200 && compact.items === full.items, `${compact.items} rows`);
    assert.ok(compact.percent <= 10, `compact clocks: ${compact.percent} % of ${compact.rowBytes} bytes`);
    assert.ok(compact.percentWithKeys <= 10, `with their property names: ${compact.percentWithKeys} %`);
    assert.ok(full.percent > 40, `version 1 clocks: ${full.percent} %`);
  });

  it('a compact page decodes to exactly the version 1 page and the database: many writers, unions, unset fields, deletes', async () => {
    const [a, b, c] = [world.replica('editor'), world.replica('admin'), world.replica('owner')];
    const ids10 = Array.from({ length: 10 }, (_, i) => `model.mixed.m${i}`);
    await pushAll(a, ids10.map((id, i) => a.patch('entity', id, small(i))));
    await b.pullAll();
    // b edits having seen a's rows; c, having seen nothing, changes tags concurrently (a union) and
    // a description (last writer wins, with a loser record); b unsets a meta key and deletes a row.
    await pushAll(b, ids10.slice(0, 6).map((id, i) => b.patch('entity', id, { description: `b ${i}`, 'meta.owner_team': i % 2 ? null : 'b-team' })));
    await pushAll(c, ids10.slice(3, 8).map((id, i) => c.patch('entity', id, { tags: [`c${i}`], description: `c ${i}` })));
    await pushAll(b, [b.delete('entity', ids10[9] as string)]);
    const now = world.replica('viewer');
    const old = world.replica('viewer');
    old.schemaVersion = 1;
    const pagesNow = await now.pullAll(4);
    const pagesOld = await old.pullAll(4);
    const raw = now.lastRawPage as { replicas?: string[]; rows: Record<string, unknown>[] };
    assert.ok(Array.isArray(raw.replicas), 'a version 2 page carries its replica dictionary');
    assert.ok(raw.rows.every((r) => Array.isArray(r.v) && !('vector' in r) && !('provenance' in r)), 'and compact rows');
    const decoded = byTarget(pagesNow);
    assert.deepEqual(decoded, byTarget(pagesOld));
    const db = await world.db.admin<{ kind: string; row_id: string; team_id: string | null; fields: object; provenance: object; vector: object; deleted: object | null }[]>`
      select kind, row_id, team_id::text as team_id, fields, provenance, vector, deleted from public.sync_rows where org_id = ${ids.orgA}`;
    const expected = new Map(db.map((r) => [`${r.kind}/${r.row_id}`, r.deleted === null
      ? { fields: r.fields, provenance: r.provenance, vector: r.vector, teamId: r.team_id }
      : { deleted: r.vector }]));
    assert.deepEqual(decoded, expected);
    // The mix really has what the encoding distinguishes: several writers, a merged provenance, an unset field's provenance.
    const rows = pagesNow.flatMap((p) => p.rows).filter((r) => r.target.id.startsWith('model.mixed.'));
    assert.ok(rows.some((r) => Object.keys(r.vector).length === 3), 'a row three replicas wrote');
    assert.ok(rows.some((r) => Object.keys(r.provenance.tags ?? {}).length === 2), 'a union of concurrent tags');
    assert.ok(rows.some((r) => r.provenance['meta.owner_team'] !== undefined && r.fields['meta.owner_team'] === undefined), 'an unset field');
  });

  it('a push naming a replica outside its dictionary is a 400 bad-request at the op, and writes nothing', async () => {
    const r = world.replica('editor');
    const other = world.replica('admin');
    await pushAll(other, [other.patch('entity', 'model.dict.x', { description: 'from admin' })]);
    await r.pullAll();
    const ops = [r.patch('entity', 'model.dict.y', { description: 'first' }), r.patch('entity', 'model.dict.x', { description: 'second' })];
    const body = encodePushRequest({ schemaVersion: SYNC_SCHEMA_VERSION, orgId: ids.orgA, replicaId: r.replicaId, ops }) as { replicas: string[]; ops: { vector: number[] }[] };
    assert.deepEqual(body.ops[1]?.vector, [0, 1], 'the second op saw the admin\'s change');
    const send = async (json: unknown) => {
      const response = await fetch(`${world.functions.url}/functions/v1/sync-push`, {
        method: 'POST', body: JSON.stringify(json),
        headers: { authorization: `Bearer ${await world.keys.userToken(users.editor)}`, apikey: world.anonKey, 'content-type': 'application/json' },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const count = async () => (await world.db.admin<{ n: number }[]>`select count(*)::int as n from public.sync_rows where org_id = ${ids.orgA} and row_id like 'model.dict.%'`)[0]?.n;
    const audit = async () => (await world.db.admin<{ n: number }[]>`select count(*)::int as n from mallard_audit.log`)[0]?.n;
    const [rowsBefore, auditBefore] = [await count(), await audit()];
    const bad = structuredClone(body);
    (bad.ops[1] as { vector: number[] }).vector = [5, 1];
    const refused = await send(bad);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 'bad-request');
    assert.match(String(refused.body.message), /ops\.1\.vector\.0: replica index 5 is not in the message's replica dictionary \(1 entry\)/);
    assert.deepEqual([await count(), await audit()], [rowsBefore, auditBefore], 'nothing written, not even op 1');
    const accepted = await send(body);
    assert.equal(accepted.status, 200);
    assert.deepEqual((accepted.body.acks as { status: string }[]).map((a) => a.status), ['applied', 'applied'], 'op 1 was not applied by the refused request');
  });

  it('a version 1 client keeps syncing: full-vector pushes apply, its pages carry full vectors', async () => {
    const v2 = world.replica('admin');
    await pushAll(v2, [v2.patch('entity', 'model.v1.x', { description: 'from a version 2 client' })]);
    const v1 = world.replica('editor');
    v1.schemaVersion = 1;
    await v1.pullAll();
    const raw = v1.lastRawPage as { schemaVersion: number; replicas?: unknown; rows: Record<string, unknown>[] };
    assert.equal(raw.schemaVersion, 1);
    assert.equal(raw.replicas, undefined);
    assert.ok(raw.rows.length > 0 && raw.rows.every((r) => typeof r.vector === 'object' && !Array.isArray(r.vector) && typeof r.provenance === 'object'));
    await pushAll(v1, [v1.patch('entity', 'model.v1.x', { tags: ['old-client'] })]);
    await v2.pullAll();
    const row = v2.rows.get(`entity\u001fmodel.v1.x`);
    assert.deepEqual(row?.fields, { description: 'from a version 2 client', tags: ['old-client'] });
    assert.deepEqual(row?.vector, { [v1.replicaId]: 1, [v2.replicaId]: 1 });
  });
});
