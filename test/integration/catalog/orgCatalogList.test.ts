import assert from 'node:assert/strict';
import { orgCatalogRows } from '../../../core/connectors/orgCatalogRows';
import { SYNC_SCHEMA_VERSION } from '../../../core/sync/limits';
import type { PulledRow, PullResponse } from '../../../core/sync/pullMessages';
import { column, entity, facts, tempStore } from './catalogFixtures';

/**
 * The org catalog beside the workspace's entities (what the Catalog tree lists with a cloud icon):
 * pulled `catalogEntity` rows of a real SQLite catalog, listed by project and kind when the
 * workspace lacks them, deleted rows and rows the workspace also has left out, read through the
 * partial expression index (query plans checked), and their details and columns readable.
 */
describe('catalog: org catalog entities listed beside the workspace (real SQLite)', () => {
  const ORG = '11111111-1111-4111-8111-111111111111';
  const WRITER = '00000000-0000-4000-8000-00000000ca7a';
  let env: ReturnType<typeof tempStore>;

  const page = (rows: PulledRow[], tombstones: PullResponse['tombstones'], xid: number): PullResponse => ({
    schemaVersion: SYNC_SCHEMA_VERSION,
    cursor: { epoch: '1', xid: String(xid), seq: '1' },
    rows,
    tombstones,
    scopes: { added: xid === 100 ? [{ orgId: ORG, teamId: null }] : [], removed: [] },
    records: { conflicts: [], losers: [], rejections: [] },
    horizon: '10000000',
    hasMore: false,
    checksums: [],
  });

  beforeEach(() => {
    env = tempStore();
    env.store.replaceAll(facts({ entities: [entity('model.shop.orders'), entity('model.shop.customers')] }));
    // What org-extract writes: rows of a cloud extraction of `shop` (one model the workspace has too) and of `warehouse`.
    const cloud = orgCatalogRows(facts({
      entities: [entity('model.shop.orders'), entity('model.shop.payments'), entity('table.warehouse.raw_events'), entity('model.warehouse.events'), entity('model.warehouse.sessions'), entity('model.warehouse.users')],
      columns: [column('model.warehouse.events', 'event_id', 0), column('model.warehouse.events', 'user_id', 1)],
    })).rows;
    const rows: PulledRow[] = cloud.map((r, i) => ({ target: { kind: r.kind, id: r.id }, teamId: null, fields: { payload: r.payload }, provenance: { payload: { [WRITER]: 1 } }, vector: { [WRITER]: i + 1 } }));
    const sync = env.store.syncStore();
    sync.applyPage(page(rows, [], 100), 'main', true);
    sync.applyPage(page([], [{ target: { kind: 'catalogEntity', id: 'model.warehouse.users' }, teamId: null, vector: { [WRITER]: 99 } }], 200), 'main', true);
  });
  afterEach(() => env.cleanup());

  it('lists projects with org-only entities, and those entities by kind and name', () => {
    assert.deepEqual(env.store.orgOnlyProjects(), ['shop', 'warehouse']);
    assert.deepEqual(env.store.listOrgOnlyEntities({ project: 'warehouse', kind: 'model' }).map((e) => [e.id, e.kind, e.name, e.project, e.path]), [
      ['model.warehouse.events', 'model', 'events', 'warehouse', 'models/events.sql'],
      ['model.warehouse.sessions', 'model', 'sessions', 'warehouse', 'models/sessions.sql'],
    ]);
    assert.deepEqual(env.store.listOrgOnlyEntities({ project: 'warehouse', kind: 'table' }).map((e) => e.id), ['table.warehouse.raw_events']);
    assert.deepEqual(env.store.listOrgOnlyEntities({ project: 'shop' }).map((e) => e.id), ['model.shop.payments'], 'orders is in the workspace: listed once, as local');
    assert.deepEqual(env.store.listOrgOnlyEntities({ project: 'warehouse', limit: 1 }).map((e) => e.id), ['model.warehouse.events']);
  });

  it('a project stops being listed once the workspace has all its entities', () => {
    env.store.replaceAll(facts({ entities: [entity('model.shop.orders'), entity('model.shop.customers'), entity('model.shop.payments')] }));
    assert.deepEqual(env.store.orgOnlyProjects(), ['warehouse']);
  });

  it('org-only entities open with their columns from the synced rows', () => {
    assert.equal(env.store.getEntity('model.warehouse.events')?.name, 'events');
    assert.deepEqual(env.store.columnsOf('model.warehouse.events').map((c) => c.name), ['event_id', 'user_id']);
    assert.equal(env.store.getEntity('model.warehouse.users'), undefined, 'a deleted org row is gone');
  });

  it('reads through the partial expression index, not a scan of every synced row', () => {
    const plan = (sql: string, ...params: unknown[]) =>
      (env.store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
    const listing = plan(`SELECT s.id FROM sync_rows s WHERE s.kind = 'catalogEntity' AND s.deleted IS NULL
      AND json_extract(s.fields, '$.payload.project') = ? AND json_extract(s.fields, '$.payload.kind') = ?
      AND NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = s.id)
      ORDER BY json_extract(s.fields, '$.payload.name') LIMIT 10`, 'warehouse', 'model');
    assert.match(listing, /USING INDEX sync_rows_org_entity/);
    assert.doesNotMatch(listing, /USE TEMP B-TREE FOR ORDER BY/);
    const nextProject = plan(`SELECT json_extract(s.fields, '$.payload.project') FROM sync_rows s INDEXED BY sync_rows_org_entity
      WHERE s.kind = 'catalogEntity' AND s.deleted IS NULL AND json_extract(s.fields, '$.payload.project') > ? ORDER BY json_extract(s.fields, '$.payload.project') LIMIT 1`, '');
    assert.match(nextProject, /SEARCH s USING INDEX sync_rows_org_entity \(<expr>>\?\)/);
    assert.doesNotMatch(nextProject, /TEMP B-TREE/);
  });
});
