import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { ids, users } from '../../support/orgFixture';
import { withClaims } from '../../support/claims';
import { startSyncWorld } from '../../support/syncWorld';
import type { SyncWorld } from '../../support/syncWorld';

/**
 * sync-push against real Postgres and the bundled functions in real Deno (supabase-js calls):
 * a retried push applies once, a gap stops the batch, permanent rejections are stored, shown to
 * their author and never block later ops, and the merge rules of core/sync hold on the server.
 */
describe('sync-push: idempotent, ordered, rejections kept (real Deno + Postgres)', function () {
  this.timeout(180_000);
  let world: SyncWorld;

  before(async () => {
    world = await startSyncWorld();
  });
  after(async () => {
    await world?.stop();
  });

  const row = async (kind: string, id: string) =>
    (await world.db.admin`select fields, vector, deleted, seq::text from public.sync_rows where org_id = ${ids.orgA} and kind = ${kind} and row_id = ${id}`)[0];

  it('a retried push applies once: the same ops again are duplicates and change nothing', async () => {
    const r = world.replica('editor');
    const ops = [
      r.patch('entity', 'model.shop.retry', { description: 'first' }),
      r.patch('entity', 'model.shop.retry', { tags: ['a'] }),
      r.patch('column', 'model.shop.retry#id', { description: 'the key' }),
    ];
    const first = await r.push(ops);
    assert.ok(first.ok, JSON.stringify(first));
    assert.deepEqual(first.data.acks.map((a) => a.status), ['applied', 'applied', 'applied']);
    assert.equal(first.data.lastApplied, 3);
    assert.match(first.data.txid ?? '', /^\d+$/);
    const before = await row('entity', 'model.shop.retry');
    const [audit] = await world.db.admin`select count(*)::int as n from mallard_audit.log where target_table = 'sync_rows'`;
    const again = await r.push(ops);
    assert.ok(again.ok);
    assert.deepEqual(again.data.acks.map((a) => a.status), ['duplicate', 'duplicate', 'duplicate']);
    assert.equal(again.data.lastApplied, 3);
    assert.equal(again.data.txid, null, 'nothing written');
    assert.deepEqual(await row('entity', 'model.shop.retry'), before);
    const [auditAfter] = await world.db.admin`select count(*)::int as n from mallard_audit.log where target_table = 'sync_rows'`;
    assert.equal(auditAfter?.n, audit?.n);
    assert.deepEqual(before?.fields, { description: 'first', tags: ['a'] });
    assert.deepEqual(before?.vector, { [r.replicaId]: 2 });

    // A rejected op consumed its number: retried after the author gained the permission, it stays
    // a duplicate (the refusal was final), and the row is untouched.
    const late = world.replica('expired');
    const refused = [late.patch('entity', 'model.shop.retry', { description: 'not allowed yet' })];
    const first2 = await late.push(refused);
    assert.deepEqual(first2.ok && first2.data.acks.map((a) => a.status), ['rejected']);
    await world.db.admin`insert into public.role_assignments (org_id, user_id, role_id, granted_by)
      values (${ids.orgA}, ${users.expired}, '00000000-0000-4000-8000-000000000002', ${users.owner})`;
    const retried = await late.push(refused);
    assert.deepEqual(retried.ok && retried.data.acks.map((a) => a.status), ['duplicate']);
    assert.equal((await row('entity', 'model.shop.retry'))?.fields.description, 'first');
  });

  it('a gap stops the batch: ops before it commit, the rest waits for the missing op', async () => {
    const r = world.replica('editor');
    const [op1, op2, op3] = [1, 2, 3].map((n) => r.patch('entity', 'model.shop.gap', { description: `v${n}` }));
    const answer = await r.push([op1!, op3!]);
    assert.ok(answer.ok, JSON.stringify(answer));
    assert.deepEqual(answer.data.acks, [{ opNumber: 1, status: 'applied' }]);
    assert.equal(answer.data.lastApplied, 1);
    assert.equal(answer.data.stopped?.reason, 'gap');
    assert.equal(answer.data.stopped?.expected, 2);
    assert.deepEqual((await row('entity', 'model.shop.gap'))?.fields, { description: 'v1' });
    const rest = await r.push([op2!, op3!]);
    assert.ok(rest.ok);
    assert.deepEqual(rest.data.acks.map((a) => a.status), ['applied', 'applied']);
    assert.deepEqual((await row('entity', 'model.shop.gap'))?.fields, { description: 'v3' });
  });

  it('rejected ops (RLS 42501, validation, unknown conflict) are stored, shown to their author, and never block later ops', async () => {
    // A viewer may read but not write: RLS refuses the row (42501).
    const viewer = world.replica('viewer');
    const denied = await viewer.push([viewer.patch('entity', 'model.shop.orders', { description: 'viewer edit' })]);
    assert.ok(denied.ok, JSON.stringify(denied));
    const [ack] = denied.data.acks;
    assert.equal(ack?.status, 'rejected');
    assert.equal(ack?.status === 'rejected' && ack.code, 'forbidden');
    assert.match(ack?.status === 'rejected' ? ack.message : '', /catalog\.write/);
    assert.equal(denied.data.lastApplied, 1, 'the rejected op consumed its number');
    assert.equal(await row('entity', 'model.shop.orders'), undefined, 'nothing written for the viewer');

    // An editor's batch: invalid value, unknown conflict, then a valid op — the valid one applies.
    const editor = world.replica('editor');
    const batch = await editor.push([
      editor.patch('entity', 'model.shop.mixed', { classification: 'Not A Key' }),
      editor.patch('entity', 'model.shop.mixed', {}, { resolves: ['00000000-0000-4000-8000-0000000000ff'] }),
      editor.patch('entity', 'model.shop.mixed', { description: 'kept' }),
    ]);
    assert.ok(batch.ok, JSON.stringify(batch));
    assert.deepEqual(batch.data.acks.map((a) => (a.status === 'rejected' ? a.code : a.status)), ['invalid-op', 'not-found', 'applied']);
    assert.equal(batch.data.lastApplied, 3);
    assert.deepEqual((await row('entity', 'model.shop.mixed'))?.fields, { description: 'kept' });

    // Stored and visible to the author (RLS), in their next pull, and not to another plain member.
    const mine = await withClaims(world.db.api, { role: 'authenticated', sub: users.editor }, (tx) =>
      tx`select op_number::int, code from public.sync_rejections where replica_id = ${editor.replicaId} order by op_number`);
    assert.deepEqual([...mine], [{ op_number: 1, code: 'invalid-op' }, { op_number: 2, code: 'not-found' }]);
    const others = await withClaims(world.db.api, { role: 'authenticated', sub: users.viewer }, (tx) =>
      tx`select count(*)::int as n from public.sync_rejections where replica_id = ${editor.replicaId}`);
    assert.equal(others[0]?.n, 0);
    const pages = await editor.pullAll();
    const pulled = pages.flatMap((p) => p.records.rejections).map((j) => [j.op.opNumber, j.code]);
    assert.deepEqual(pulled, [[1, 'invalid-op'], [2, 'not-found']]);
    const viewerPull = await viewer.pullAll();
    assert.deepEqual(viewerPull.flatMap((p) => p.records.rejections).map((j) => j.code), ['forbidden']);
  });

  it('a team editor\'s op outside the team is refused by RLS while the next op inside it applies', async () => {
    await world.db.admin`select private.sync_put_catalog_row(${ids.orgA}, 'catalogEntity', 'model.shop.team_owned', ${ids.teamChild}, '{"name":"team_owned"}'::jsonb)`;
    await world.db.admin`insert into public.role_assignments (org_id, user_id, role_id, team_id, granted_by)
      values (${ids.orgA}, ${users.bystander}, '00000000-0000-4000-8000-000000000002', ${ids.teamChild}, ${users.owner})`;
    const r = world.replica('bystander');
    const answer = await r.push([
      r.patch('entity', 'model.shop.org_wide', { description: 'outside my team' }),
      r.patch('entity', 'model.shop.team_owned', { description: 'inside my team' }),
    ]);
    assert.ok(answer.ok, JSON.stringify(answer));
    assert.deepEqual(answer.data.acks.map((a) => (a.status === 'rejected' ? a.code : a.status)), ['forbidden', 'applied']);
    const [owned] = await world.db.admin`select team_id::text, fields from public.sync_rows where row_id = 'model.shop.team_owned' and kind = 'entity'`;
    assert.deepEqual(owned, { team_id: ids.teamChild, fields: { description: 'inside my team' } }, 'metadata takes its entity\'s team');
  });

  it('same-field edits conflict exactly when concurrent; disjoint fields merge', async () => {
    const a = world.replica('editor');
    const b = world.replica('admin');
    const id = 'model.shop.concurrent';
    assert.ok((await a.push([a.patch('entity', id, { description: 'base' })])).ok);
    await b.pullAll();
    // Sequential: B has seen A's owners before changing them — no conflict.
    assert.ok((await a.push([a.patch('entity', id, { owners: ['ann'] })])).ok);
    await b.pullAll();
    const seen = await b.push([b.patch('entity', id, { owners: ['bob'] })]);
    assert.ok(seen.ok);
    assert.deepEqual(seen.data.acks.map((x) => x.status), ['applied']);
    // Concurrent: A changes owners without having seen B's change — a conflict, the server value stays.
    const conflicting = await a.push([a.patch('entity', id, { owners: ['carl'] })]);
    assert.ok(conflicting.ok);
    const [ack] = conflicting.data.acks;
    assert.equal(ack?.status, 'conflict');
    const conflict = ack?.status === 'conflict' ? ack.conflicts[0] : undefined;
    assert.deepEqual([conflict?.field, conflict?.serverValue, conflict?.incomingValue], ['owners', ['bob'], ['carl']]);
    assert.deepEqual((await row('entity', id))?.fields.owners, ['bob']);
    // Both sides see the conflict in their next pull.
    const bConflicts = (await b.pullAll()).flatMap((p) => p.records.conflicts);
    assert.deepEqual(bConflicts.map((c) => c.id), [conflict?.id]);
    // Disjoint concurrent fields: both survive, no record.
    const c = world.replica('owner');
    await c.pullAll();
    await a.pullAll();
    const left = await a.push([a.patch('entity', id, { description: 'from a' })]);
    const right = await c.push([c.patch('entity', id, { tags: ['from-c'] })]);
    assert.deepEqual([left.ok && left.data.acks[0]?.status, right.ok && right.data.acks[0]?.status], ['applied', 'applied']);
    const final = await row('entity', id);
    assert.equal(final?.fields.description, 'from a');
    assert.deepEqual(final?.fields.tags, ['from-c']);
    // Resolving the conflict (keep the server value) closes it for everyone.
    const resolve = await a.push([a.patch('entity', id, {}, { resolves: [conflict!.id] })]);
    assert.ok(resolve.ok);
    assert.deepEqual(resolve.data.acks.map((x) => x.status), ['applied']);
    const resolved = (await b.pullAll()).flatMap((p) => p.records.conflicts).filter((x) => x.id === conflict?.id);
    assert.deepEqual(resolved.map((x) => x.status), ['resolved']);
  });

  it('an old client keeps the fields it does not know: its patch never erases them', async () => {
    const newer = world.replica('editor');
    const id = 'model.shop.future';
    assert.ok((await newer.push([newer.patch('entity', id, { description: 'd1', stewardNote: { level: 3 }, 'meta.sla': '24h' })])).ok);
    const older = world.replica('admin');
    await older.pullAll();
    assert.ok((await older.push([older.patch('entity', id, { description: 'd2' })])).ok);
    assert.deepEqual((await row('entity', id))?.fields, { description: 'd2', stewardNote: { level: 3 }, 'meta.sla': '24h' });
    const pulled = (await older.pullAll()).flatMap((p) => p.rows).find((r) => r.target.id === id);
    assert.deepEqual(pulled?.fields.stewardNote, { level: 3 });
  });

  it('deleting needs catalog.delete; a delete becomes a tombstone that keeps its place in the stream', async () => {
    const editor = world.replica('editor');
    const id = 'model.shop.doomed';
    assert.ok((await editor.push([editor.patch('entity', id, { description: 'x' })])).ok);
    await world.db.admin`insert into public.role_assignments (org_id, user_id, role_id, granted_by)
      values (${ids.orgA}, ${users.newcomer}, '00000000-0000-4000-8000-000000000001', ${users.owner})`;
    await world.db.admin`insert into public.role_permissions (role_id, permission_key) select ${ids.customRole}, 'catalog.write'
      where not exists (select 1 from public.role_permissions where role_id = ${ids.customRole} and permission_key = 'catalog.write')`;
    await world.db.admin`insert into public.role_assignments (org_id, user_id, role_id, granted_by) values (${ids.orgA}, ${users.newcomer}, ${ids.customRole}, ${users.owner})`;
    const writer = world.replica('newcomer');
    await writer.pullAll();
    const refused = await writer.push([writer.delete('entity', id)]);
    assert.ok(refused.ok);
    assert.deepEqual(refused.data.acks.map((a) => (a.status === 'rejected' ? a.message : a.status)).map((m) => /catalog\.delete/.test(m)), [true]);
    await editor.pullAll();
    const deleted = await editor.push([editor.delete('entity', id)]);
    assert.ok(deleted.ok);
    const tomb = await row('entity', id);
    assert.deepEqual([tomb?.fields, tomb?.deleted === null], [{}, false]);
    const pages = await writer.pullAll();
    assert.deepEqual(pages.flatMap((p) => p.tombstones).map((t) => t.target.id), [id]);
  });
});
