import assert from 'node:assert/strict';
import path from 'node:path';
import '../../support/mochaPg';
import type { DocVersionList, DocVersionResult } from '../../../core/docVersions/protocol';
import { withClaims } from '../../support/claims';
import { ids, userClaims, users } from '../../support/orgFixture';
import { runSqlFile } from '../../support/pgHarness';
import { invoke, TestReplica } from '../../support/syncClient';
import { startSyncWorld } from '../../support/syncWorld';
import type { SyncWorld } from '../../support/syncWorld';

/**
 * Doc versions and approvals against real Postgres and the bundled functions in real Deno
 * (`sync-push`, `sync-pull`, `doc-versions` through supabase-js): every published description
 * change is a numbered version with its author and the text before and after; with the
 * organization's `docs.approval` flag on, a member's pushed description is held as pending (not
 * pulled by anyone) until someone with docs.approve approves it (then it syncs) or rejects it with a
 * reason; nobody else can review, nobody writes the table directly (RLS); revert makes a new version.
 */
describe('doc versions and approvals through RLS (real Deno + Postgres)', function () {
  this.timeout(180_000);
  let world: SyncWorld;

  before(async () => {
    world = await startSyncWorld();
  });
  after(async () => {
    await world?.stop();
  });

  const versions = async (kind: string, id: string) =>
    [...(await world.db.admin`select id::text, version, status, body_before, body_after, author_id::text, reviewed_by::text, reason, reverted_from::text
      from public.doc_versions where org_id = ${ids.orgA} and kind = ${kind} and row_id = ${id} order by created_at, version nulls last`)];
  const description = async (kind: string, id: string) =>
    (await world.db.admin`select fields ->> 'description' as d from public.sync_rows where org_id = ${ids.orgA} and kind = ${kind} and row_id = ${id}`)[0]?.d as string | null | undefined;
  const docs = <T>(user: keyof typeof users, body: Record<string, unknown>) => invoke<T>(world.clientOf(user), 'doc-versions', { orgId: ids.orgA, ...body });
  const setApproval = async (on: boolean) => {
    await world.db.admin`insert into public.feature_flags (org_id, key, enabled) values (${ids.orgA}, 'docs.approval', ${on})
      on conflict (org_id, key) do update set enabled = excluded.enabled`;
  };
  /** The description a fresh replica of `user` pulls for the row (undefined: no row). */
  const pulledBy = async (user: keyof typeof users, kind: string, id: string) => {
    const r = world.replica(user);
    await r.pullAll();
    const row = r.rows.get(`${kind}\u001f${id}`) ?? [...r.rows.values()].find((x) => x.target.kind === kind && x.target.id === id);
    return row === undefined ? undefined : (row.fields.description ?? null);
  };

  it('every published change is a numbered version with its author and the text before and after', async () => {
    const editor = world.replica('editor');
    // Edits pushed in one batch publish the row once (its state at commit): one version.
    const pushed = await editor.push([
      editor.patch('entity', 'model.shop.v', { description: 'Draft, never seen by anyone' }),
      editor.patch('entity', 'model.shop.v', { description: 'Orders, one per row' }),
      editor.patch('column', 'model.shop.v#id', { description: 'The key' }),
    ]);
    assert.ok(pushed.ok, JSON.stringify(pushed));
    assert.deepEqual(pushed.data.acks.map((a) => a.status), ['applied', 'applied', 'applied']);
    const later = await editor.push([
      editor.patch('entity', 'model.shop.v', { tags: ['x'] }),
    ]);
    assert.ok(later.ok, JSON.stringify(later));
    const last = await editor.push([
      editor.patch('entity', 'model.shop.v', { description: 'Orders, one row per order' }),
    ]);
    assert.ok(last.ok, JSON.stringify(last));
    const rows = await versions('entity', 'model.shop.v');
    assert.deepEqual(rows.map((v) => [v.version, v.status, v.body_before, v.body_after, v.author_id]), [
      [1, 'published', null, 'Orders, one per row', users.editor],
      [2, 'published', 'Orders, one per row', 'Orders, one row per order', users.editor],
    ], 'the tags-only op made no version');
    assert.deepEqual((await versions('column', 'model.shop.v#id')).map((v) => [v.version, v.body_after]), [[1, 'The key']]);

    // A viewer reads the history through the function (RLS), newest first, with the author's address.
    const seen = await docs<DocVersionList>('viewer', { action: 'history', target: { kind: 'entity', id: 'model.shop.v' } });
    assert.ok(seen.ok, JSON.stringify(seen));
    assert.deepEqual(seen.data.versions.map((v) => [v.version, v.before, v.after, v.authorEmail]), [
      [2, 'Orders, one per row', 'Orders, one row per order', 'editor@example.test'],
      [1, null, 'Orders, one per row', 'editor@example.test'],
    ]);
    assert.equal(seen.data.canApprove, false);
    assert.equal(seen.data.approvalEnabled, false);
    // Another organization sees none of it.
    const other = await withClaims(world.db.api, { role: 'authenticated', sub: users.otherOwner }, (tx) =>
      tx`select count(*)::int as n from public.doc_versions`);
    assert.equal(other[0]?.n, 0);
  });

  it('nobody writes doc_versions directly: inserts, updates and deletes by members are refused', async () => {
    const [v] = await versions('entity', 'model.shop.v');
    for (const user of ['admin', 'owner'] as const) {
      const claims = userClaims(user);
      await assert.rejects(withClaims(world.db.api, claims, (tx) => tx`update public.doc_versions set body_after = 'forged' where id = ${v!.id}`), /permission denied/);
      await assert.rejects(withClaims(world.db.api, claims, (tx) => tx`delete from public.doc_versions where id = ${v!.id}`), /permission denied/);
      await assert.rejects(withClaims(world.db.api, claims, (tx) => tx`insert into public.doc_versions (org_id, kind, row_id, status, version, body_after)
        values (${ids.orgA}, 'entity', 'model.shop.v', 'published', 9, 'forged')`), /permission denied/);
      // Nor can they publish a pending version by calling the push's helper outside sync-push.
      await assert.rejects(withClaims(world.db.api, claims, (tx) => tx`select * from private.doc_submit_pending(${ids.orgA}, '[{"kind":"entity","id":"model.shop.v","text":"x"}]'::jsonb)`),
        /sync-push only/);
    }
    assert.equal((await versions('entity', 'model.shop.v'))[0]?.body_after, 'Orders, one per row');
  });

  it('with approval on, a member\'s description is held as pending and nobody pulls it; the rest of the op applies', async () => {
    await setApproval(true);
    const editor = world.replica('editor');
    const pushed = await editor.push([editor.patch('entity', 'model.shop.v', { description: 'Proposed text', tags: ['x', 'y'] })]);
    assert.ok(pushed.ok, JSON.stringify(pushed));
    const [ack] = pushed.data.acks;
    assert.equal(ack?.status, 'applied');
    const pending = ack?.status === 'applied' ? ack.pending ?? [] : [];
    assert.equal(pending.length, 1);
    assert.equal(pending[0]?.field, 'description');
    assert.match(pending[0]?.message ?? '', /Submitted for approval/);
    assert.equal(await description('entity', 'model.shop.v'), 'Orders, one row per order', 'not applied');
    const [row] = await world.db.admin`select fields -> 'tags' as tags from public.sync_rows where org_id = ${ids.orgA} and kind = 'entity' and row_id = 'model.shop.v'`;
    assert.deepEqual(row?.tags, ['x', 'y']);
    const stored = (await versions('entity', 'model.shop.v')).at(-1);
    assert.deepEqual([stored?.id, stored?.status, stored?.version, stored?.body_before, stored?.body_after, stored?.author_id],
      [pending[0]?.versionId, 'pending', null, 'Orders, one row per order', 'Proposed text', users.editor]);
    assert.equal(await pulledBy('viewer', 'entity', 'model.shop.v'), 'Orders, one row per order');
    assert.equal(await pulledBy('editor', 'entity', 'model.shop.v'), 'Orders, one row per order');

    // An approver's own push is published at once.
    const admin = world.replica('admin');
    const direct = await admin.push([admin.patch('column', 'model.shop.v#id', { description: 'The primary key' })]);
    assert.ok(direct.ok && direct.data.acks[0]?.status === 'applied' && direct.data.acks[0].pending === undefined, JSON.stringify(direct));
    assert.equal(await description('column', 'model.shop.v#id'), 'The primary key');

    // Approvers see it in the pending list; a viewer sees it there too but may not approve.
    const list = await docs<DocVersionList>('admin', { action: 'pending' });
    assert.ok(list.ok, JSON.stringify(list));
    assert.deepEqual(list.data.versions.map((v) => [v.target.id, v.after, v.authorEmail]), [['model.shop.v', 'Proposed text', 'editor@example.test']]);
    assert.equal(list.data.canApprove, true);
    assert.equal(list.data.approvalEnabled, true);
  });

  it('a service token is held too, even one without flags.read whose creator may approve (scopes decide)', async () => {
    const [made] = await withClaims(world.db.api, userClaims('admin'), (tx) =>
      tx`select public.create_api_token(${ids.orgA}, 'docs-bot', array['catalog.read', 'catalog.write']) as token`);
    const bot = new TestReplica(world.clientWith(String(made?.token)), ids.orgA);
    const pushed = await bot.push([bot.patch('entity', 'model.shop.bot', { description: 'Written by CI' })]);
    assert.ok(pushed.ok, JSON.stringify(pushed));
    const versionId = pushed.data.acks[0]?.status === 'applied' ? pushed.data.acks[0].pending?.[0]?.versionId : undefined;
    assert.ok(versionId, JSON.stringify(pushed.data.acks));
    assert.equal(await description('entity', 'model.shop.bot'), null, 'the row exists without the held text');
    const [stored] = await world.db.admin`select status, author_id::text from public.doc_versions where id = ${versionId}`;
    assert.deepEqual([stored?.status, stored?.author_id], ['pending', users.admin], 'attributed to the token\'s creator');
    const rejected = await docs<DocVersionResult>('admin', { action: 'reject', versionId, reason: 'CI does not write docs' });
    assert.ok(rejected.ok, JSON.stringify(rejected));
  });

  it('only a docs.approve holder reviews: the author and a viewer get 403 and nothing changes', async () => {
    const [pending] = (await versions('entity', 'model.shop.v')).filter((v) => v.status === 'pending');
    for (const user of ['editor', 'viewer'] as const) {
      const answer = await docs<DocVersionResult>(user, { action: 'approve', versionId: pending!.id });
      assert.equal(answer.ok, false);
      assert.equal(!answer.ok && answer.status, 403, JSON.stringify(answer));
      assert.match(!answer.ok ? String(answer.body.message) : '', /docs\.approve/);
      const rejected = await docs<DocVersionResult>(user, { action: 'reject', versionId: pending!.id, reason: 'no' });
      assert.equal(!rejected.ok && rejected.status, 403);
    }
    // Org B's owner cannot even find it.
    const outsider = await invoke<DocVersionResult>(world.clientOf('otherOwner'), 'doc-versions', { orgId: ids.orgB, action: 'approve', versionId: pending!.id });
    assert.equal(!outsider.ok && outsider.status, 404, JSON.stringify(outsider));
    const after = (await versions('entity', 'model.shop.v')).find((v) => v.id === pending!.id);
    assert.equal(after?.status, 'pending');
    assert.equal(await description('entity', 'model.shop.v'), 'Orders, one row per order');
  });

  it('an approver publishes a pending change: it becomes the next version, keeps its author and syncs to everyone', async () => {
    const [pending] = (await versions('entity', 'model.shop.v')).filter((v) => v.status === 'pending');
    const answer = await docs<DocVersionResult>('admin', { action: 'approve', versionId: pending!.id });
    assert.ok(answer.ok, JSON.stringify(answer));
    assert.deepEqual([answer.data.version.status, answer.data.version.version, answer.data.version.authorEmail, answer.data.version.reviewerEmail],
      ['published', 3, 'editor@example.test', 'admin@example.test']);
    assert.equal(await description('entity', 'model.shop.v'), 'Proposed text');
    assert.equal(await pulledBy('viewer', 'entity', 'model.shop.v'), 'Proposed text');
    const rows = await versions('entity', 'model.shop.v');
    assert.deepEqual(rows.map((v) => [v.version, v.status]), [[1, 'published'], [2, 'published'], [3, 'published']], 'no second version for the approval');
    assert.equal(rows[2]?.reviewed_by, users.admin);
    const again = await docs<DocVersionResult>('admin', { action: 'approve', versionId: pending!.id });
    assert.equal(!again.ok && again.status, 400, 'already published');
  });

  it('an approver rejects with a reason (required); the text is never published', async () => {
    const editor = world.replica('editor');
    const pushed = await editor.push([editor.patch('column', 'model.shop.v#id', { description: 'Wrong text' })]);
    assert.ok(pushed.ok);
    const versionId = pushed.data.acks[0]?.status === 'applied' ? pushed.data.acks[0].pending?.[0]?.versionId : undefined;
    assert.ok(versionId);
    const noReason = await docs<DocVersionResult>('admin', { action: 'reject', versionId, reason: '  ' });
    assert.equal(!noReason.ok && noReason.status, 400);
    const answer = await docs<DocVersionResult>('admin', { action: 'reject', versionId, reason: 'It is the surrogate key, not the order number' });
    assert.ok(answer.ok, JSON.stringify(answer));
    assert.deepEqual([answer.data.version.status, answer.data.version.reason, answer.data.version.version],
      ['rejected', 'It is the surrogate key, not the order number', null]);
    assert.equal(await description('column', 'model.shop.v#id'), 'The primary key');
    assert.equal(await pulledBy('editor', 'column', 'model.shop.v#id'), 'The primary key');
    const approveLater = await docs<DocVersionResult>('admin', { action: 'approve', versionId });
    assert.equal(!approveLater.ok && approveLater.status, 400, 'a rejected version stays rejected');
  });

  it('revert makes a new version: pending for a member while approval is on, published once it is off', async () => {
    const [v1] = await versions('entity', 'model.shop.v');
    const byEditor = await docs<DocVersionResult>('editor', { action: 'revert', versionId: v1!.id });
    assert.ok(byEditor.ok, JSON.stringify(byEditor));
    assert.deepEqual([byEditor.data.version.status, byEditor.data.version.after, byEditor.data.version.revertedFrom], ['pending', 'Orders, one per row', v1!.id]);
    assert.equal(await description('entity', 'model.shop.v'), 'Proposed text');
    const viewer = await docs<DocVersionResult>('viewer', { action: 'revert', versionId: v1!.id });
    assert.equal(!viewer.ok && viewer.status, 403, 'reverting needs catalog.write');

    await setApproval(false);
    const published = await docs<DocVersionResult>('editor', { action: 'revert', versionId: v1!.id });
    assert.ok(published.ok, JSON.stringify(published));
    assert.deepEqual([published.data.version.status, published.data.version.version, published.data.version.before, published.data.version.after,
      published.data.version.revertedFrom, published.data.version.authorEmail], ['published', 4, 'Proposed text', 'Orders, one per row', v1!.id, 'editor@example.test']);
    assert.equal(await pulledBy('viewer', 'entity', 'model.shop.v'), 'Orders, one per row');
    // A replica that pulled the reverted text edits on top of it: an ordinary change, no loser record.
    const editor = world.replica('editor');
    await editor.pullAll();
    const next = await editor.push([editor.patch('entity', 'model.shop.v', { description: 'Orders, final' })]);
    assert.ok(next.ok && next.data.acks[0]?.status === 'applied', JSON.stringify(next));
    const [losers] = await world.db.admin`select count(*)::int as n from public.sync_losers where org_id = ${ids.orgA} and row_id = 'model.shop.v'`;
    assert.equal(losers?.n, 0);
    assert.deepEqual((await versions('entity', 'model.shop.v')).filter((v) => v.status === 'published').map((v) => v.version), [1, 2, 3, 4, 5]);
    // Every version is in the audit log.
    const [audited] = await world.db.admin`select count(*)::int as n from mallard_audit.log where target_table = 'doc_versions'`;
    assert.ok((audited?.n ?? 0) >= 8, `audited ${audited?.n}`);
  });

  it('the rollback script refuses while a version is pending (its text exists nowhere else), changing nothing', async () => {
    const [pending] = await world.db.admin`select count(*)::int as n from public.doc_versions where status = 'pending'`;
    assert.equal(pending?.n, 1, 'the editor\'s revert from the test before is still pending');
    const rollback = path.resolve(__dirname, '../../../supabase/rollback/20261216001000_doc_versions_down.sql');
    await assert.rejects(runSqlFile(world.db.owner, rollback), /pending approval/);
    const [kept] = await world.db.admin`select count(*)::int as n from public.doc_versions`;
    assert.ok((kept?.n ?? 0) > 5);
  });
});
