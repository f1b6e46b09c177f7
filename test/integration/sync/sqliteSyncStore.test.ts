import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { scopeChecksum } from '../../../core/sync/checksum';
import type { JsonValue } from '../../../core/sync/ops';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import type { CatalogStore as Store } from '../../../extension/catalog/catalogStore';
import { SyncEngine } from '../../../sync/syncEngine';
import { ManualClock } from '../../../sync/memory/manualClock';
import { MemoryServer } from '../../../sync/memory/memoryServer';
import { MemoryTransport } from '../../../sync/memory/memoryTransport';
import { column, entity, facts, tempStore } from '../catalog/catalogFixtures';
import { BENCH_ORG, catalogEntityRow, catalogPage } from './syncPages';

const ORG = BENCH_ORG;
const TEAM = '22222222-2222-4222-8222-22222222222a';

/** A SQLite replica with a real catalog (two entities, a column) and an engine on the memory server. */
function sqliteReplica(server: MemoryServer, dir: string, name: string): { store: Store; engine: SyncEngine; transport: MemoryTransport } {
  const store = CatalogStore.open(path.join(dir, `${name}.db`));
  store.replaceAll(facts({ entities: [entity('model.p.orders', { description: 'extracted' }), entity('model.p.customers')], columns: [column('model.p.orders', 'amount', 0)] }));
  server.addUser(`token-${name}`, name);
  if (server.accessOf(name, ORG) === undefined) server.grant(name, ORG, { orgWide: true, teams: [TEAM] });
  const transport = new MemoryTransport(server);
  const engine = new SyncEngine({
    orgId: ORG,
    store: store.syncStore(),
    transport,
    credentials: { getCredentials: async () => ({ url: 'memory://', apiKey: 'anon', accessToken: `token-${name}` }) },
    clock: new ManualClock(),
    pageSize: 2,
  });
  return { store, engine, transport };
}

describe('sync: the SQLite adapter', () => {
  let env: ReturnType<typeof tempStore>;
  beforeEach(() => {
    env = tempStore();
  });
  afterEach(() => env.cleanup());

  it('carries a docs edit from one catalog file to another, shown in reads and search', async () => {
    const server = new MemoryServer();
    const a = sqliteReplica(server, env.dir, 'a');
    const b = sqliteReplica(server, env.dir, 'b');
    a.store.mutate({ entityId: 'model.p.orders' }, { description: 'Orders, one row per order (team doc)', tags: ['sales'] });
    a.store.mutate({ columnId: 'model.p.orders#amount' }, { description: 'gross amount' });
    assert.equal((await a.engine.syncNow()).state, 'idle');
    assert.equal((await b.engine.syncNow()).state, 'idle');
    assert.equal(b.store.getEntity('model.p.orders')?.description, 'Orders, one row per order (team doc)');
    assert.deepEqual(b.store.getEntity('model.p.orders')?.tags, ['sales']);
    assert.equal(b.store.columnsOf('model.p.orders')[0]?.description, 'gross amount');
    assert.deepEqual(b.store.search('team doc').map((h) => h.id), ['model.p.orders']);
    // B edits on top; until it syncs, B shows its own value, A the old one.
    b.store.mutate({ entityId: 'model.p.orders' }, { description: 'edited by b' });
    assert.equal(b.store.getEntity('model.p.orders')?.description, 'edited by b');
    assert.deepEqual(b.store.search('edited').map((h) => h.id), ['model.p.orders']);
    await b.engine.syncNow();
    await a.engine.syncNow();
    assert.equal(a.store.getEntity('model.p.orders')?.description, 'edited by b', 'the team value replaces the local edit once confirmed');
    assert.deepEqual(a.store.syncedMetadata({ entityId: 'model.p.orders' }), { description: 'edited by b', tags: ['sales'] });
    a.store.close();
    b.store.close();
  });

  it('keeps the state of the SQLite replica across a reopen: conflicts, rejections, re-based ops', async () => {
    const server = new MemoryServer();
    const a = sqliteReplica(server, env.dir, 'a');
    const b = sqliteReplica(server, env.dir, 'b');
    a.store.syncStore().appendEdit({ kind: 'entity', id: 'model.p.orders' }, { action: 'patch', patch: { owners: ['ann'] } });
    b.store.syncStore().appendEdit({ kind: 'entity', id: 'model.p.orders' }, { action: 'patch', patch: { owners: ['bob'] } });
    b.store.syncStore().appendEdit({ kind: 'entity', id: 'model.p.customers' }, { action: 'patch', patch: { classification: 'NOT VALID' } });
    await a.engine.syncNow();
    const status = await b.engine.syncNow();
    assert.deepEqual([status.conflicts, status.rejections, status.pendingOps], [1, 1, 0]);
    const file = b.store.file;
    b.store.close();
    const reopened = CatalogStore.open(file);
    const sync = reopened.syncStore();
    assert.equal(sync.conflicts()[0]?.field, 'owners');
    assert.equal(sync.rejections()[0]?.code, 'invalid-op');
    assert.deepEqual(reopened.syncedMetadata({ entityId: 'model.p.orders' }), { owners: ['ann'] }, 'the server kept its owners');
    const oldId = reopened.replicaId;
    reopened.mutate({ entityId: 'model.p.customers' }, { description: 'x' });
    const newId = sync.rebase();
    assert.notEqual(newId, oldId);
    assert.equal(reopened.replicaId, newId, 'the store reads the id from the file');
    assert.deepEqual(reopened.pendingOps().map((o) => [o.replicaId, o.opNumber]), [[newId, 1]]);
    assert.equal(reopened.mutate({ entityId: 'model.p.customers' }, { description: 'y' }).opNumber, 2);
    reopened.close();
    a.store.close();
  });

  it('applies a 10,000-row page in one transaction: a failure halfway leaves neither rows nor cursor', () => {
    const { store } = env;
    const sync = store.syncStore();
    store.db.exec(`CREATE TEMP TRIGGER fail AFTER INSERT ON sync_rows WHEN NEW.id = 'model.org.m007500' BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    assert.throws(() => sync.applyPage(catalogPage(0, 10_000), 'main', true), /disk full/);
    assert.equal(store.db.prepare('SELECT count(*) FROM sync_rows').pluck().get(), 0);
    assert.equal(sync.state().cursor, null);
    assert.deepEqual(sync.state().scopes, []);
    store.db.exec('DROP TRIGGER fail');
    sync.applyPage(catalogPage(0, 10_000), 'main', true);
    assert.equal(store.db.prepare('SELECT count(*) FROM sync_rows').pluck().get(), 10_000);
    assert.equal(sync.state().cursor?.xid, '11000');
    const expected = scopeChecksum(Array.from({ length: 10_000 }, (_, i) => ({ target: catalogEntityRow(i).target, vector: catalogEntityRow(i).vector })));
    assert.deepEqual(sync.localChecksums([{ orgId: ORG, teamId: null }])[0], { scope: { orgId: ORG, teamId: null }, ...expected }, 'SQL sum of stored digests equals the contract checksum');
  });

  it('never leaves half a page after a crash between its rows and its cursor', () => {
    const file = path.join(env.dir, 'crash.db');
    CatalogStore.open(file).close();
    const child = spawnSync(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, 'crashApplyChild.ts'), file, 'model.org.m005000'], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', `the child was killed mid-page (stdout: ${child.stdout}, stderr: ${child.stderr.slice(0, 500)})`);
    const store = CatalogStore.open(file);
    try {
      assert.equal(store.db.prepare('SELECT count(*) FROM sync_rows').pluck().get(), 0);
      assert.equal(store.syncStore().state().cursor, null);
      assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      store.close();
    }
  });

  it('shows an entity of the org catalog that the workspace does not have, with its columns', () => {
    const { store } = env;
    const page = catalogPage(0, 1);
    page.rows.push({
      target: { kind: 'catalogColumn', id: 'model.org.m000000#id' },
      teamId: null,
      fields: { payload: JSON.parse(JSON.stringify(column('model.org.m000000', 'id', 0, { description: 'key' }))) as JsonValue },
      provenance: {},
      vector: { 'eeeeeeee-0000-4000-8000-000000000001': 1 },
    });
    store.syncStore().applyPage(page, 'main', true);
    assert.equal(store.getEntity('model.org.m000000')?.name, 'm0');
    assert.deepEqual(store.columnsOf('model.org.m000000').map((c) => [c.name, c.description]), [['id', 'key']]);
  });

  it('purges a revoked team from the file and lists the pending edit as access revoked', async () => {
    const server = new MemoryServer();
    const a = sqliteReplica(server, env.dir, 'a');
    // A reads the team's rows through its team membership only.
    server.grant('a', ORG, { orgWide: false, teams: [TEAM] });
    server.write(ORG, { kind: 'entity', id: 'model.p.customers' }, { description: 'team secret' }, { teamId: TEAM });
    await a.engine.syncNow();
    assert.equal(a.store.getEntity('model.p.customers')?.description, 'team secret');
    server.revoke('a', ORG, TEAM);
    a.transport.beforeCall = (fn) => {
      if (fn === 'sync-pull' && a.store.pendingOps().length === 0) a.store.mutate({ entityId: 'model.p.customers' }, { description: 'mine' });
    };
    await a.engine.syncNow();
    a.transport.beforeCall = undefined;
    assert.equal(a.store.db.prepare('SELECT count(*) FROM sync_rows WHERE team_id IS NOT NULL').pluck().get(), 0);
    assert.deepEqual(a.store.syncStore().rejections().map((r) => r.code), ['access-revoked']);
    assert.equal(a.store.getEntity('model.p.customers')?.description, 'mine', 'the author still sees their own edit locally');
    assert.equal(a.store.pendingOps().length, 0);
    a.store.close();
  });
});
