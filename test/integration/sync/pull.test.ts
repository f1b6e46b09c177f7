import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { scopeChecksum } from '../../../core/sync/checksum';
import { compareVectors } from '../../../core/sync/versionVector';
import { withClaims } from '../../support/claims';
import { ids, users } from '../../support/orgFixture';
import { startSyncWorld } from '../../support/syncWorld';
import type { SyncWorld } from '../../support/syncWorld';
import { TestReplica } from '../../support/syncClient';
import { createConvergeOrg } from '../../support/syncConverge/convergeOrg';

/**
 * sync-pull against real Postgres and the bundled functions in real Deno: rows committed out of
 * order by concurrent writers all arrive (sync.md pitfall 1, with real concurrent connections and
 * transactions held open), pages and checksums agree with the client, scopes are reported when
 * gained and lost, and epoch changes and expired cursors send the replica back to the start.
 */
describe('sync-pull: settled horizon, scopes, checksums, epochs (real Deno + Postgres)', function () {
  this.timeout(240_000);
  let world: SyncWorld;

  before(async () => {
    world = await startSyncWorld();
  });
  after(async () => {
    await world?.stop();
  });

  /** Every live row of org A as the server holds it: target key → vector. */
  const serverRows = async (orgId: string = ids.orgA) => {
    const rows = await world.db.admin<{ kind: string; row_id: string; vector: Record<string, number> }[]>`
      select kind, row_id, vector from public.sync_rows where org_id = ${orgId} and deleted is null`;
    return new Map(rows.map((r) => [`${r.kind}\u001f${r.row_id}`, r.vector]));
  };
  const replicaRows = (r: TestReplica) => new Map([...r.rows].map(([k, row]) => [k, row.vector]));

  it('rows committed out of order by concurrent writers all arrive; none lost, no version goes backwards', async () => {
    const puller = world.replica('viewer');
    const writers = [world.replica('editor'), world.replica('admin'), world.replica('owner')];
    let stop = false;
    let polls = 0;
    const seen = new Map<string, Record<string, number>>();
    const poll = (async () => {
      while (!stop) {
        for (const page of await puller.pullAll(7)) {
          for (const row of page.rows) {
            const key = `${row.target.kind}\u001f${row.target.id}`;
            const before = seen.get(key);
            if (before) assert.notEqual(compareVectors(row.vector, before), 'dominated', `${key} went backwards`);
            seen.set(key, row.vector);
          }
        }
        polls += 1;
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    // Transactions that take their id early (a write in org B) and write org A late, after others committed.
    const heldIds: string[] = [];
    const held = [0, 1, 2].map(async (n) => {
      await world.db.owner.begin(async (tx) => {
        await tx`select private.sync_put_catalog_row(${ids.orgB}, 'catalogEntity', ${`model.b.early${n}`}, null, '{"n":1}'::jsonb)`;
        const [x] = await tx<{ xid: string }[]>`select pg_current_xact_id()::text as xid`;
        heldIds.push(x!.xid);
        await new Promise((r) => setTimeout(r, 400 + n * 400));
        await tx`select private.sync_put_catalog_row(${ids.orgA}, 'catalogEntity', ${`model.late.t${n}`}, null, ${tx.json({ n })})`;
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all(writers.map(async (w, wi) => {
      for (let i = 0; i < 12; i++) {
        const answer = await w.push([w.patch('entity', `model.concurrent.w${wi}_${i % 5}`, { description: `w${wi} edit ${i}` })]);
        assert.ok(answer.ok, JSON.stringify(answer));
      }
    }));
    await Promise.all(held);
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await poll;
    await puller.pullAll(7);
    // The scenario really was out of order: the late rows' transactions are older than rows committed before them.
    const [order] = await world.db.admin<{ late: string; newest: string }[]>`
      select max(txid) filter (where row_id like 'model.late.%')::text as late,
             max(txid) filter (where row_id like 'model.concurrent.%')::text as newest
      from public.sync_rows where org_id = ${ids.orgA}`;
    assert.ok(BigInt(order!.late) < BigInt(order!.newest), `late ${order?.late} < newest ${order?.newest}`);
    assert.ok(polls > 3, 'the puller polled while writers ran');
    assert.deepEqual(replicaRows(puller), await serverRows());
    for (const n of [0, 1, 2]) assert.ok(puller.rows.has(`catalogEntity\u001fmodel.late.t${n}`), `late row ${n} arrived`);
  });

  it('pages by cursor and ends with per-scope checksums equal to the client\'s', async () => {
    const r = world.replica('editor');
    const pages = await r.pullAll(5);
    assert.ok(pages.length > 3);
    assert.ok(pages.slice(0, -1).every((p) => p.hasMore && p.checksums.length === 0));
    const last = pages[pages.length - 1]!;
    assert.deepEqual(last.checksums.map((c) => c.scope), [{ orgId: ids.orgA, teamId: null }]);
    const expected = scopeChecksum([...r.rows.values()]);
    assert.deepEqual({ rows: last.checksums[0]?.rows, checksum: last.checksums[0]?.checksum }, expected);
    const targets = pages.flatMap((p) => p.rows.map((row) => `${row.target.kind}/${row.target.id}`));
    assert.equal(new Set(targets).size, targets.length, 'each target once');
    // An idle pull serves nothing new and keeps the cursor.
    const idle = await r.pullPage();
    assert.ok(idle.ok);
    assert.deepEqual([idle.data.rows.length, idle.data.cursor], [0, last.cursor]);
  });

  it('a transaction larger than a page is served across pages in stamp order: each row once, tombstones in place', async () => {
    // One writer transaction of 30 rows (stamped in one xid) then a tombstone of one of them and an
    // edit of another: pages of 7 must pick the first rows by (xid, seq) each time, never rows a
    // later page serves, and carry each row's latest state.
    const org = await createConvergeOrg(world.db.admin, 4242);
    await world.db.owner.begin(async (tx) => {
      for (let n = 0; n < 30; n++) {
        await tx`select private.sync_put_catalog_row(${org.orgId}, 'catalogEntity', ${`model.big.m${n}`}, null, ${tx.json({ n })})`;
      }
    });
    await world.db.owner.begin(async (tx) => {
      await tx`select private.sync_delete_catalog_row(${org.orgId}, 'catalogEntity', 'model.big.m3')`;
      await tx`select private.sync_put_catalog_row(${org.orgId}, 'catalogEntity', 'model.big.m5', null, ${tx.json({ n: 'five' })})`;
    });
    const r = new TestReplica(world.clientWith(await world.keys.userToken(org.users[0])), org.orgId);
    const pages = await r.pullAll(7);
    const stamps = pages.map((p) => p.cursor);
    assert.equal(pages.length, 5, '30 stream rows, 7 per page');
    for (let i = 1; i < stamps.length; i++) {
      const [a, b] = [stamps[i - 1]!, stamps[i]!];
      assert.ok(BigInt(a.xid) < BigInt(b.xid) || (a.xid === b.xid && BigInt(a.seq) < BigInt(b.seq)), `cursor ${i} moves forward`);
    }
    const served = pages.flatMap((p) => [...p.rows.map((row) => row.target.id), ...p.tombstones.map((t) => `-${t.target.id}`)]);
    assert.equal(new Set(served).size, served.length, 'each row once');
    assert.deepEqual(served.filter((id) => id.startsWith('-')), ['-model.big.m3']);
    assert.deepEqual([...r.rows.keys()].map((k) => k.split('\u001f')[1]).sort(),
      Array.from({ length: 30 }, (_, n) => `model.big.m${n}`).filter((id) => id !== 'model.big.m3').sort());
    assert.deepEqual(r.rows.get('catalogEntity\u001fmodel.big.m5')?.fields, { payload: { n: 'five' } });
    assert.deepEqual(r.rows.get('catalogEntity\u001fmodel.big.m29')?.fields, { payload: { n: 29 } });
  });

  it('a gained team scope is reported and its rows arrive; a removed member gets the scope removed, then reads nothing', async () => {
    await world.db.admin`select private.sync_put_catalog_row(${ids.orgA}, 'catalogEntity', 'model.team.only', ${ids.teamChild}, '{"t":1}'::jsonb)`;
    const r = world.replica('expired');
    const none = await r.pullPage();
    assert.deepEqual([none.ok, !none.ok && none.body.code], [false, 'forbidden']);
    await world.db.admin`insert into public.role_assignments (org_id, user_id, role_id, team_id, granted_by)
      values (${ids.orgA}, ${users.expired}, '00000000-0000-4000-8000-000000000001', ${ids.teamChild}, ${users.owner})`;
    const pages = await r.pullAll();
    assert.deepEqual(pages[0]?.scopes.added, [{ orgId: ids.orgA, teamId: ids.teamChild }]);
    assert.deepEqual([...r.rows.keys()], ['catalogEntity\u001fmodel.team.only']);
    // Removing the member: the next pull reports the scope removed; after that nothing is readable.
    await world.db.admin`delete from public.organization_members where org_id = ${ids.orgA} and user_id = ${users.expired}`;
    const removal = await r.pullPage();
    assert.ok(removal.ok, JSON.stringify(removal));
    assert.deepEqual(removal.data.scopes.removed, [{ orgId: ids.orgA, teamId: ids.teamChild }]);
    assert.deepEqual([removal.data.rows.length, r.rows.size], [0, 0]);
    const after = await r.pullPage();
    assert.deepEqual([after.ok, !after.ok && after.status], [false, 403]);
    const direct = await withClaims(world.db.api, { role: 'authenticated', sub: users.expired }, (tx) =>
      tx`select (select count(*) from public.sync_rows)::int as rows, (select count(*) from public.sync_conflicts)::int as conflicts`);
    assert.deepEqual(direct[0], { rows: 0, conflicts: 0 });
  });

  it('tombstones are purged below the GC floor; an older cursor is expired (410) and a full pull starts over', async () => {
    const r = world.replica('otherOwner', ids.orgB);
    assert.ok((await r.push([r.patch('entity', 'model.b.gc', { description: 'x' }), r.patch('entity', 'model.b.keep', { description: 'y' })])).ok);
    await r.pullAll();
    const early = r.cursor;
    assert.ok((await r.push([r.delete('entity', 'model.b.gc')])).ok);
    await r.pullAll();
    const [gc] = await world.db.owner<{ report: { purgedTombstones: number } }[]>`select private.sync_gc() as report`;
    assert.ok((gc?.report.purgedTombstones ?? 0) >= 1, JSON.stringify(gc));
    const [left] = await world.db.admin`select count(*)::int as n from public.sync_rows where org_id = ${ids.orgB} and deleted is not null`;
    assert.equal(left?.n, 0);
    const current = r.cursor;
    r.cursor = early;
    const expired = await r.pullPage();
    assert.deepEqual([expired.ok, !expired.ok && expired.status, !expired.ok && expired.body.code], [false, 410, 'cursor-expired']);
    r.cursor = current;
    assert.ok((await r.pullPage()).ok, 'the current cursor is at the floor, not below it');
    r.cursor = null;
    r.rows.clear();
    await r.pullAll();
    assert.deepEqual(replicaRows(r), await serverRows(ids.orgB));
  });

  it('a restore bumps the epoch: old cursors get 410 epoch-changed, a pull from the start works', async () => {
    const r = world.replica('editor');
    await r.pullAll();
    await world.db.owner`select private.sync_check_restore(true)`;
    const old = await r.pullPage();
    assert.deepEqual([old.ok, !old.ok && old.status, !old.ok && old.body.code], [false, 410, 'epoch-changed']);
    r.cursor = null;
    r.rows.clear();
    const pages = await r.pullAll();
    assert.equal(pages[0]?.cursor.epoch, '2');
    assert.deepEqual(replicaRows(r), await serverRows());
  });
});
