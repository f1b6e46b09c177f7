import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { ids, seedOrgFixture } from '../../support/orgFixture';
import { freshDatabase } from '../../support/pgHarness';
import type { TestDatabase } from '../../support/pgHarness';

/**
 * The scheduler's selection in SQL (`private.connector_due_runs`, what the `org-extract` tick runs
 * every minute): a scheduled active connector with no run, or whose last run was queued at least
 * its interval ago, gets one scheduled run; paused, unscheduled and busy connectors get none; runs
 * whose lease ran out (a crashed chunk) are returned again; nothing is queued twice.
 */
describe('org-extract scheduling: due-run selection in SQL', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  const hourly = 'a1000000-0000-4000-8000-000000000001';
  const paused = 'a1000000-0000-4000-8000-000000000002';
  const manual = 'a1000000-0000-4000-8000-000000000003';
  const orgB = 'a1000000-0000-4000-8000-000000000004';

  before(async () => {
    db = await freshDatabase('migrated');
    await seedOrgFixture(db.admin);
    await db.admin`insert into public.connectors (id, org_id, type, name, schedule_minutes, status) values
      (${hourly}, ${ids.orgA}, 'postgres', 'hourly', 60, 'active'),
      (${paused}, ${ids.orgA}, 'postgres', 'paused', 60, 'paused'),
      (${manual}, ${ids.orgA}, 'postgres', 'manual', null, 'active'),
      (${orgB}, ${ids.orgB}, 'postgres', 'other org', 15, 'error')`;
  });
  after(async () => {
    await db?.drop();
  });

  // Two statements: a join in the calling statement would not see the runs the function inserts (its snapshot is older).
  const due = async (at: string, orgId: string | null = null) => {
    const runIds = (await db.owner<{ run_id: string }[]>`select run_id from private.connector_due_runs(${at}::timestamptz, ${orgId}::uuid)`).map((r) => r.run_id);
    const rows = await db.owner<{ connector_id: string; trigger: string }[]>`select connector_id, trigger from public.connector_runs where id = any (${runIds}::uuid[]) order by connector_id`;
    return rows.map((r) => `${r.connector_id}:${r.trigger}`);
  };

  it('queues the scheduled connectors that never ran, not paused or unscheduled ones, per organization when asked', async () => {
    assert.deepEqual(await due('2030-01-01T10:00:00Z', ids.orgA), [`${hourly}:schedule`]);
    assert.deepEqual(await due('2030-01-01T10:00:00Z'), [`${hourly}:schedule`, `${orgB}:schedule`]);
  });

  it('does not queue again while a run is active, and returns an active run only when its lease ran out', async () => {
    await db.admin`update public.connector_runs set status = 'running', lease_until = '2030-01-01T10:02:00Z' where connector_id = ${hourly}`;
    assert.deepEqual(await due('2030-01-01T10:01:00Z', ids.orgA), []);
    assert.deepEqual(await due('2030-01-01T10:03:00Z', ids.orgA), [`${hourly}:schedule`], 'a crashed chunk is picked up again');
    const [count] = await db.admin<{ n: number }[]>`select count(*)::int as n from public.connector_runs where connector_id = ${hourly}`;
    assert.equal(count?.n, 1);
  });

  it('queues the next run once the interval since the last run has passed', async () => {
    await db.admin`update public.connector_runs set status = 'succeeded', lease_until = null, finished_at = '2030-01-01T10:05:00Z' where connector_id in (${hourly}, ${orgB})`;
    assert.deepEqual(await due('2030-01-01T10:59:00Z', ids.orgA), [], 'queued at 10:00, due at 11:00');
    assert.deepEqual(await due('2030-01-01T11:00:00Z', ids.orgA), [`${hourly}:schedule`]);
    // A manual run counts as the last run too.
    await db.admin`update public.connector_runs set status = 'succeeded' where connector_id = ${hourly}`;
    await db.admin`insert into public.connector_runs (org_id, connector_id, trigger, status, queued_at) values (${ids.orgA}, ${hourly}, 'manual', 'succeeded', '2030-01-01T11:30:00Z')`;
    assert.deepEqual(await due('2030-01-01T12:10:00Z', ids.orgA), []);
    assert.deepEqual(await due('2030-01-01T12:30:00Z', ids.orgA), [`${hourly}:schedule`]);
  });

  it('is not callable by clients or the service role', async () => {
    for (const role of ['authenticated', 'service_role']) {
      await assert.rejects(
        db.api.begin(async (tx) => {
          await tx.unsafe(`set local role ${role}`);
          await tx`select * from private.connector_due_runs()`;
        }),
        (err: unknown) => (err as { code?: string }).code === '42501',
      );
    }
  });
});
