import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '../../support/mochaPg';
import { CatalogStore } from '../../../extension/catalog/catalogStore';
import { createSupabaseTransport } from '../../../extension/sync/supabaseTransport';
import { ManualClock } from '../../../sync/memory/manualClock';
import { SyncEngine } from '../../../sync/syncEngine';
import { column, entity, facts } from '../catalog/catalogFixtures';
import { ids, users } from '../../support/orgFixture';
import { startSyncWorld } from '../../support/syncWorld';
import type { SyncWorld } from '../../support/syncWorld';

/**
 * The author's side of the approval workflow with the real engine on a real SQLite catalog and the
 * production supabase-js transport (real Deno + Postgres): an edit the server holds for approval is
 * acknowledged (the outbox empties, nothing is rejected) and the cycle's summary carries the
 * server's "submitted for approval" message, which the extension shows; once approved, the next
 * sync brings the text back as the published one.
 */
describe('approval workflow seen from the sync engine (real engine, Deno, Postgres)', function () {
  this.timeout(180_000);
  let world: SyncWorld;
  let dir: string;

  before(async () => {
    world = await startSyncWorld();
    dir = await mkdtemp(path.join(tmpdir(), 'mallard-docapproval-'));
    await world.db.admin`insert into public.feature_flags (org_id, key, enabled) values (${ids.orgA}, 'docs.approval', true)`;
  });
  after(async () => {
    await world?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const engineOf = (store: CatalogStore, user: keyof typeof users) => new SyncEngine({
    orgId: ids.orgA,
    store: store.syncStore(),
    transport: createSupabaseTransport({}),
    credentials: { getCredentials: async () => ({ url: world.functions.url, apiKey: world.anonKey, accessToken: await world.keys.userToken(users[user], { email: `${user}@example.test` }), principal: users[user] }) },
    clock: new ManualClock(),
  });

  it('a held edit is acknowledged with a notice, never rejected, and arrives published after approval', async () => {
    const store = CatalogStore.open(path.join(dir, 'editor.db'));
    try {
      store.replaceAll(facts({ entities: [entity('model.p.orders')], columns: [column('model.p.orders', 'id', 0)] }));
      store.mutate({ columnId: 'model.p.orders#id' }, { description: 'Surrogate key of an order' });
      const engine = engineOf(store, 'editor');
      const status = await engine.syncNow();
      assert.equal(status.state, 'idle', JSON.stringify(status.reason));
      assert.equal(status.pendingOps, 0, 'acknowledged');
      assert.equal(status.rejections, 0, 'not a rejection');
      assert.equal(status.lastCycle?.submittedForApproval?.length, 1);
      assert.match(status.lastCycle?.submittedForApproval?.[0] ?? '', /^Submitted for approval: the description of column model\.p\.orders#id/);
      const [pending] = await world.db.admin`select id::text from public.doc_versions where status = 'pending' and row_id = 'model.p.orders#id'`;
      assert.ok(pending);

      const approver = world.clientOf('admin');
      const { error } = await approver.functions.invoke('doc-versions', { body: { action: 'approve', orgId: ids.orgA, versionId: pending.id } });
      assert.equal(error, null);
      const again = await engine.syncNow();
      assert.equal(again.lastCycle?.submittedForApproval, undefined, 'told once');
      const [row] = await world.db.admin`select fields ->> 'description' as d from public.sync_rows where row_id = 'model.p.orders#id'`;
      assert.equal(row?.d, 'Surrogate key of an order');
      assert.equal(store.syncedMetadata({ columnId: 'model.p.orders#id' })?.description, 'Surrogate key of an order', 'pulled as the published text');
      assert.equal(store.columnsOf('model.p.orders')[0]?.description, 'Surrogate key of an order');
      await engine.stop();
    } finally {
      store.close();
    }
  });
});
