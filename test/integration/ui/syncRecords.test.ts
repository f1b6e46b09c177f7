import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { DEFAULT_CONFIG } from '../../../extension/config';
import type { Logger } from '../../../extension/ui/logger';
import { conflictEntries, editTargetOf, isResolution, rejectedEntries } from '../../../extension/ui/syncRecords';
import type { ConflictEntry } from '../../../extension/ui/syncRecords';
import { describeSync } from '../../../extension/ui/syncStatusText';
import { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';
import type { SyncCredentials } from '../../../sync/ports';
import { ids, users } from '../../support/orgFixture';
import { startSyncWorld } from '../../support/syncWorld';
import type { SyncWorld } from '../../support/syncWorld';
import { makeWorkspace, removeDir } from '../scanner/helpers';

/**
 * What the sync views show and do, end to end below the `vscode` layer: two workspaces (two catalog
 * files), each syncing in its real catalog worker through supabase-js against the real edge
 * functions in Deno and real Postgres. An edit made offline arrives after the other side syncs; a
 * concurrent description edit lists the overwritten value with its undo; a concurrent owners edit
 * is a conflict resolved through the worker; a refused edit is listed, retried and dismissed; the
 * status-bar text follows the engines' statuses.
 */
describe('sync views model: two catalogs in real workers against the real functions', function () {
  this.timeout(240_000);
  const silent: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  let world: SyncWorld;
  const roots: string[] = [];
  const open: WorkspaceCatalog[] = [];

  before(async () => {
    world = await startSyncWorld();
  });
  after(async () => {
    for (const c of open) await c.dispose();
    for (const r of roots) removeDir(r);
    await world?.stop();
  });

  /** A workspace with one model, scanned, whose engine syncs org A as `user` (online unless told). */
  const window = async (user: keyof typeof users): Promise<{ catalog: WorkspaceCatalog; entityId: string; online: (on: boolean) => void }> => {
    // A dbt project: entity ids come from the project's name, so both workspaces share them.
    const root = makeWorkspace({ 'dbt_project.yml': 'name: shop\nversion: "1.0"\nprofile: shop\n', 'models/orders.sql': 'select 1 as order_id' }, `mallard-sync-views-${user}-`);
    roots.push(root);
    const catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent);
    open.push(catalog);
    await catalog.scan();
    const token = await world.keys.userToken(users[user], { email: `${user}@example.test` });
    let on = true;
    const credentials: SyncCredentials = { url: world.functions.url, apiKey: world.anonKey, accessToken: token, label: `${user}@example.test`, principal: `user:${users[user]}` };
    catalog.sync.credentials = { getCredentials: async () => (on ? credentials : undefined) };
    await catalog.sync.start(ids.orgA, { intervalMs: 3_600_000 });
    // `start` runs a first cycle in the background: wait for it, so that counts read next are settled.
    await catalog.sync.syncNow();
    const [entity] = catalog.store.listEntities({ limit: 1 }).items;
    assert.ok(entity);
    return { catalog, entityId: entity.id, online: (value) => (on = value) };
  };

  /** The Conflicts view's entries of `catalog` about `id` (the fixture has records of its own rows). */
  const entriesOf = async (catalog: WorkspaceCatalog, id: string): Promise<ConflictEntry[]> => {
    const records = await catalog.sync.records();
    const entries = conflictEntries(records, catalog.sync.status?.replicaId, (t) => {
      const edit = editTargetOf(t);
      return edit === undefined ? undefined : catalog.store.syncedMetadata(edit);
    });
    return entries.filter((e) => e.target.id === id);
  };

  it('an offline edit arrives after sync; a concurrent one lists the overwritten value, whose undo reaches both', async () => {
    const ann = await window('editor');
    const bob = await window('owner');
    assert.equal(ann.entityId, bob.entityId, 'both workspaces catalog the same model');
    const id = ann.entityId;

    ann.online(false);
    await ann.catalog.mutate({ entityId: id }, { description: 'Orders, written offline' });
    const offline = await ann.catalog.sync.syncNow();
    assert.deepEqual([offline?.state, offline?.reason?.code, offline?.pendingOps], ['offline', 'signed-out', 1]);
    assert.match(describeSync({ kind: 'syncing', who: 'ann', org: 'A' }, [offline!]).text, /Offline \$\(arrow-up\) 1/);
    await bob.catalog.sync.syncNow();
    assert.notEqual(bob.catalog.store.getEntity(id)?.description, 'Orders, written offline');
    ann.online(true);
    assert.equal((await ann.catalog.sync.syncNow())?.pendingOps, 0);
    await bob.catalog.sync.syncNow();
    assert.equal(bob.catalog.store.getEntity(id)?.description, 'Orders, written offline');

    // Concurrent edits of the description: bob's reaches the server first, then ann's (made without
    // seeing bob's) wins by last write; bob's text is kept for undo and listed on both sides.
    ann.online(false);
    await ann.catalog.mutate({ entityId: id }, { description: 'ann: one row per order' });
    await bob.catalog.mutate({ entityId: id }, { description: 'bob: one row per order line' });
    await bob.catalog.sync.syncNow();
    ann.online(true);
    await ann.catalog.sync.syncNow();
    await bob.catalog.sync.syncNow();
    assert.equal(bob.catalog.store.getEntity(id)?.description, 'ann: one row per order');
    const [overwritten, ...others] = await entriesOf(bob.catalog, id);
    assert.deepEqual(others, []);
    assert.ok(overwritten);
    assert.deepEqual(
      [overwritten.kind, overwritten.target, overwritten.field, overwritten.mine, overwritten.theirs, overwritten.keepMine, overwritten.takeTheirs],
      ['overwritten', { kind: 'entity', id }, 'description', 'bob: one row per order line', 'ann: one row per order', { description: 'bob: one row per order line' }, undefined],
    );
    assert.equal((await entriesOf(ann.catalog, id)).length, 1, 'the author of the winning write sees it too');

    // "Undo the last write" on bob's side: the one mutation API, then sync; both sides settle.
    assert.ok(overwritten.keepMine !== undefined && !isResolution(overwritten.keepMine));
    await bob.catalog.mutate({ entityId: id }, overwritten.keepMine);
    await bob.catalog.sync.syncNow();
    await ann.catalog.sync.syncNow();
    assert.equal(ann.catalog.store.getEntity(id)?.description, 'bob: one row per order line');
    assert.deepEqual(await entriesOf(bob.catalog, id), []);
    assert.deepEqual(await entriesOf(ann.catalog, id), []);
  });

  it('a concurrent owners edit is a conflict both see; "Take Theirs" resolves it through the worker', async () => {
    const ann = await window('editor');
    const id = ann.entityId;
    // Two teammates set the owners without seeing each other: the server keeps the first.
    const first = world.replica('owner');
    const second = world.replica('admin');
    assert.ok((await first.push([first.patch('entity', id, { owners: ['ann@example.test'] })])).ok);
    const clash = await second.push([second.patch('entity', id, { owners: ['bob@example.test'] })]);
    assert.deepEqual(clash.ok && clash.data.acks.map((a) => a.status), ['conflict']);
    // The fixture holds one open conflict the editor sees already.
    const before = (await ann.catalog.sync.records()).conflicts.length;
    const status = await ann.catalog.sync.syncNow();
    assert.equal(status?.conflicts, before + 1);
    const view = describeSync({ kind: 'syncing', who: 'ann', org: 'A' }, [status!]);
    assert.deepEqual([view.command, view.tone], ['mallard.showConflicts', 'warning']);
    assert.match(view.text, new RegExp(`\\$\\(warning\\) ${before + 1}`));
    const [conflict] = await entriesOf(ann.catalog, id);
    assert.ok(conflict);
    assert.deepEqual(
      [conflict.kind, conflict.field, conflict.mine, conflict.theirs, conflict.mineTitle, conflict.takeTheirs],
      ['conflict', 'owners', ['ann@example.test'], ['bob@example.test'], 'Mine (kept)', { value: ['bob@example.test'] }],
    );
    assert.deepEqual(conflict.keepMine, { keep: 'server' });

    assert.ok(conflict.takeTheirs !== undefined);
    const op = await ann.catalog.sync.resolveConflict(conflict.id, conflict.takeTheirs);
    assert.deepEqual(op?.resolves, [conflict.id]);
    const after = await ann.catalog.sync.syncNow();
    assert.equal(after?.conflicts, before);
    assert.deepEqual(await entriesOf(ann.catalog, id), []);
    const [row] = await world.db.admin`select fields from public.sync_rows where org_id = ${ids.orgA} and kind = 'entity' and row_id = ${id}`;
    assert.deepEqual((row?.fields as { owners?: string[] }).owners, ['bob@example.test']);
    const [record] = await world.db.admin`select status from public.sync_conflicts where id = ${conflict.id}`;
    assert.equal(record?.status, 'resolved');
  });

  it('a refused edit is listed with its reason, retried (refused again) and dismissed', async () => {
    const viewer = await window('viewer');
    await viewer.catalog.mutate({ entityId: viewer.entityId }, { description: 'a viewer may not write this' });
    const status = await viewer.catalog.sync.syncNow();
    assert.equal(status?.rejections, 1);
    const [rejected] = rejectedEntries((await viewer.catalog.sync.records()).rejections);
    assert.ok(rejected);
    assert.deepEqual([rejected.code, rejected.change, rejected.retryable, rejected.target.id], ['forbidden', 'description', true, viewer.entityId]);
    assert.match(rejected.message, /catalog\.write/);
    assert.equal(describeSync({ kind: 'syncing', who: 'v', org: 'A' }, [status!]).command, 'mallard.showConflicts');

    const retried = await viewer.catalog.sync.retryRejected(rejected.op);
    assert.ok(retried);
    assert.equal((await viewer.catalog.sync.records()).rejections.length, 0, 'the retried edit left the list');
    await viewer.catalog.sync.syncNow();
    const [again] = rejectedEntries((await viewer.catalog.sync.records()).rejections);
    assert.equal(again?.code, 'forbidden');
    assert.equal(await viewer.catalog.sync.dismissRejection(again!.op), true);
    assert.deepEqual((await viewer.catalog.sync.records()).rejections, []);
    assert.equal((await viewer.catalog.sync.syncNow())?.rejections, 0);
  });
});
