import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../../extension/config';
import type { Logger } from '../../../extension/ui/logger';
import { WorkspaceCatalog } from '../../../extension/ui/workspaceCatalog';
import type { SyncCredentials } from '../../../sync/ports';
import type { SyncStatus } from '../../../sync/status';
import { eventually } from '../../support/eventually';
import { SyncStandIn } from '../../support/syncStandIn';
import { makeWorkspace, removeDir } from '../scanner/helpers';

/**
 * The sync engine in the real catalog worker thread, driven over the worker protocol by the host's
 * `CatalogSync`, with the production supabase-js transport against a local project stand-in.
 */
describe('sync in the catalog worker', function () {
  this.timeout(120_000);
  const ORG = '11111111-1111-4111-8111-111111111111';
  const silent: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  let root: string;
  let catalog: WorkspaceCatalog;
  let standIn: SyncStandIn;
  let credentials: SyncCredentials | undefined;

  beforeEach(async () => {
    standIn = new SyncStandIn();
    const url = await standIn.start();
    standIn.memory.addUser('token-ann', 'ann');
    standIn.memory.grant('ann', ORG, { orgWide: true });
    credentials = { url, apiKey: 'anon', accessToken: 'token-ann' };
    root = makeWorkspace({ 'warehouse/orders.sql': 'create table orders as select 1 as order_id;' }, 'mallard-worker-sync-');
    catalog = new WorkspaceCatalog(root, { ...DEFAULT_CONFIG }, silent);
    catalog.sync.credentials = { getCredentials: async () => credentials };
    await catalog.scan();
  });
  afterEach(async () => {
    await catalog.dispose();
    await standIn.stop();
    removeDir(root);
  });

  it('starts, pushes an edit made through the worker soon after it, and publishes statuses', async () => {
    const statuses: SyncStatus[] = [];
    catalog.sync.onStatus((s) => statuses.push(s));
    await catalog.sync.start(ORG);
    await eventually('a first completed cycle', () => (catalog.sync.status?.state === 'idle' && catalog.sync.status.lastSyncedAt !== undefined ? true : undefined));
    const [orders] = catalog.store.listEntities({ limit: 10 }).items;
    assert.ok(orders);
    const op = await catalog.mutate({ entityId: orders.id }, { description: 'from the worker' });
    assert.equal(op.opNumber, 1);
    assert.equal(catalog.store.getEntity(orders.id)?.description, 'from the worker', 'the host connection reads the worker\'s write');
    // The engine was told of the edit: it pushes within its edit delay, without a syncNow.
    await eventually('the edit on the server', () => standIn.memory.row(ORG, { kind: 'entity', id: orders.id }));
    assert.deepEqual(standIn.memory.row(ORG, { kind: 'entity', id: orders.id })?.row.fields, { description: 'from the worker' });
    assert.ok(statuses.some((s) => s.state === 'syncing'));
    assert.ok(standIn.requests.every((r) => !r.path.startsWith('/functions/') || r.token === 'token-ann'));
  });

  it('pulls a teammate\'s edit on syncNow and refreshes the views', async () => {
    const [orders] = catalog.store.listEntities({ limit: 10 }).items;
    assert.ok(orders);
    standIn.memory.write(ORG, { kind: 'entity', id: orders.id }, { description: 'teammate', owners: ['bob'] });
    let changes = 0;
    catalog.onDidChange(() => changes++);
    await catalog.sync.start(ORG, { intervalMs: 3_600_000 });
    const status = await catalog.sync.syncNow();
    assert.equal(status?.state, 'idle');
    assert.equal(catalog.store.getEntity(orders.id)?.description, 'teammate');
    assert.deepEqual(catalog.store.syncedMetadata({ entityId: orders.id }), { description: 'teammate', owners: ['bob'] });
    await eventually('a view refresh', () => (changes > 0 ? true : undefined));
    const records = await catalog.sync.records();
    assert.deepEqual(records, { conflicts: [], losers: [], rejections: [] });
  });

  it('reports signed-out when the host has no credentials', async () => {
    credentials = undefined;
    await catalog.sync.start(ORG);
    const status = await catalog.sync.syncNow();
    assert.deepEqual([status?.state, status?.reason?.code], ['offline', 'signed-out']);
    await catalog.sync.stop();
    assert.equal(await catalog.sync.syncNow(), null);
  });
});
