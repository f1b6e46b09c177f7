import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { withClaims } from '../../support/claims';
import { ids, seedOrgFixture, users } from '../../support/orgFixture';
import { freshDatabase } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';

/**
 * The set-based org-catalog writer (`private.sync_put_catalog_rows`, `sync_delete_catalog_rows`)
 * against the per-row writer it replaces in org extraction's write phase, on a real migrated
 * database: the same rounds (first write, changed and new rows, tombstones, restores) through the
 * per-row functions in organization A and the set-based ones in organization B leave identical rows
 * (team, fields, provenance, vectors, tombstones, digests) and identical audit records per row, and
 * the audit chain verifies clean. Clients cannot call the writer.
 */

type Row = { kind: 'catalogEntity' | 'catalogColumn'; rowId: string; payload: Record<string, unknown> };

function rows(n: number, version: number): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < n; i++) {
    const entity = `model.shop.m${i}`;
    out.push({ kind: 'catalogEntity', rowId: entity, payload: { name: `m${i}`, description: `v${version}`, tags: [i % 3] } });
    out.push({ kind: 'catalogColumn', rowId: `${entity}#id`, payload: { name: 'id', type: 'int', note: i % 7 === 0 ? `v${version}` : 'same' } });
  }
  return out;
}

describe('set-based org-catalog writer equals the per-row writer (real Postgres)', function () {
  this.timeout(120_000);
  let db: TestDatabase;

  before(async () => {
    db = await freshDatabase('migrated');
    await seedOrgFixture(db.admin);
  });
  after(async () => {
    await db?.drop();
  });

  const perRow = async (org: string, team: string | null, given: Row[]): Promise<void> => {
    await db.owner.begin(async (tx) => {
      for (const r of given) await tx`select private.sync_put_catalog_row(${org}::uuid, ${r.kind}, ${r.rowId}, ${team}::uuid, ${tx.json(r.payload as never)})`;
    });
  };
  const setBased = async (org: string, team: string | null, given: Row[]): Promise<number> => {
    const [row] = await db.owner<{ n: number }[]>`select private.sync_put_catalog_rows(${org}::uuid, ${team}::uuid, ${db.owner.json(given as never)}) as n`;
    return row!.n;
  };
  const snapshot = async (org: string) =>
    (await db.owner<Record<string, unknown>[]>`
      select kind, row_id, team_id::text, fields, provenance, vector, deleted, digest from public.sync_rows
      where org_id = ${org}::uuid and kind in ('catalogEntity', 'catalogColumn') order by kind, row_id`).map((r) => ({ ...r }));
  const audits = async (org: string) =>
    (await db.owner<{ action: string; row: string; before: unknown; after: unknown }[]>`
      select action, substr(target_id, 38) as row,
        (before::jsonb) - array['txid', 'seq', 'updated_at', 'created_at', 'org_id', 'team_id'] as before,
        (after::jsonb) - array['txid', 'seq', 'updated_at', 'created_at', 'org_id', 'team_id'] as after
      from mallard_audit.log where org_id = ${org}::uuid and target_table = 'sync_rows'
        and coalesce(after ->> 'kind', before ->> 'kind') in ('catalogEntity', 'catalogColumn') order by target_id, id`).map((r) => ({ ...r }));
  const same = async (what: string): Promise<void> => {
    const [a, b] = [await snapshot(ids.orgA), await snapshot(ids.orgB)];
    assert.ok(a.length > 0);
    assert.deepEqual(b, a, `${what}: rows`);
    assert.deepEqual(await audits(ids.orgB), await audits(ids.orgA), `${what}: audit records`);
  };

  it('every round (first write, changed and new rows, tombstones, restores): identical rows, vectors, digests and audit records', async () => {
    const first = rows(120, 1);
    await perRow(ids.orgA, null, first);
    assert.equal(await setBased(ids.orgB, null, first), first.length);
    await same('first write');

    const second = rows(150, 2).filter((r, i) => i >= 240 || r.payload.description === 'v2' || r.payload.note === 'v2');
    await perRow(ids.orgA, null, second);
    assert.equal(await setBased(ids.orgB, null, second), second.length);
    await same('changed and new rows');

    const gone = second.slice(0, 40).map((r) => ({ kind: r.kind, rowId: r.rowId }));
    await db.owner.begin(async (tx) => {
      for (const g of gone) await tx`select private.sync_delete_catalog_row(${ids.orgA}::uuid, ${g.kind}, ${g.rowId})`;
    });
    const [deleted] = await db.owner<{ n: number }[]>`select private.sync_delete_catalog_rows(${ids.orgB}::uuid, ${db.owner.json(gone as never)}) as n`;
    assert.equal(deleted!.n, gone.length);
    await same('tombstones');
    assert.equal((await db.owner`select 1 from public.sync_rows where org_id = ${ids.orgB}::uuid and deleted is not null`).length, gone.length);

    const back = second.slice(0, 10);
    await perRow(ids.orgA, null, back);
    await setBased(ids.orgB, null, back);
    await same('restores');

    const [vector] = await db.owner<{ v: Record<string, number> }[]>`
      select vector as v from public.sync_rows where org_id = ${ids.orgB}::uuid and kind = ${back[0]!.kind} and row_id = ${back[0]!.rowId}`;
    assert.deepEqual(Object.values(vector!.v), [4], 'written, changed, deleted, restored: four steps of the writer');
  });

  it('the audit chain verifies clean; clients cannot call the writer; bad rows are refused', async () => {
    assert.deepEqual([...await db.owner`select * from mallard_audit.verify()`], []);
    const admin = { role: 'authenticated' as const, sub: users.admin, email: 'admin@example.test' };
    await assert.rejects(withClaims(db.api, admin, (tx) => tx`select private.sync_put_catalog_rows(${ids.orgA}::uuid, null, '[]'::jsonb)`), /permission denied/);
    await assert.rejects(withClaims(db.api, admin, (tx) => tx`select private.sync_delete_catalog_rows(${ids.orgA}::uuid, '[]'::jsonb)`), /permission denied/);
    await assert.rejects(db.owner`select private.sync_put_catalog_rows(${ids.orgA}::uuid, null, ${db.owner.json([{ kind: 'note', rowId: 'x', payload: {} }] as never)})`, /catalogEntity and catalogColumn/);
  });
});
