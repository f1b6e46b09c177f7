import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { describeReport, runConvergence } from '../../support/syncConverge/convergeRun';
import type { ConvergeReport } from '../../support/syncConverge/convergeRun';
import { startSyncWorld } from '../../support/syncWorld';
import type { SyncWorld } from '../../support/syncWorld';

/**
 * The randomized convergence run with fixed seeds (issue 13; more seeds: `npm run bench:sync --
 * --seeds N`): four replicas, each with its own SQLite catalog file and the real engine over the
 * production supabase-js transport, against real Postgres with every migration and the bundled
 * edge functions in Deno behind the /functions/v1 gateway, with ES256 tokens. A seeded schedule of
 * edits (descriptions, tags, owners, classifications), syncs, offline periods, lost, duplicated
 * and delayed (reordered) requests, replicas killed mid-push and between cycles, a write
 * transaction held open on a direct connection, conflict resolutions and revoke/regrant of a
 * member; after quiescence every op made is in the final state, replaced by an op that saw it,
 * kept in a visible record or visibly rejected; replicas with access equal the server; the revoked
 * replica holds nothing; no row clock went backwards on any replica.
 */
describe('sync: randomized convergence with faults (real engine, Deno, Postgres)', function () {
  this.timeout(240_000);
  let world: SyncWorld;

  before(async () => {
    world = await startSyncWorld();
  });
  after(async () => {
    await world?.stop();
  });

  // Seeds 1 and 2 fail when a cycle whose push is refused does not pull (the removal never
  // arrives); seed 3 fails when losing the organization keeps the replica id (an edit is dropped).
  const reports: ConvergeReport[] = [];
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: converges and keeps every invariant`, async () => {
      const report = await runConvergence(world, { seed, steps: 80 });
      reports.push(report);
      const replay = `replay: npm run bench:sync -- --seed ${seed} --steps 80`;
      assert.deepEqual(report.violations, [], `${describeReport(report)}\n${replay}`);
      assert.ok(report.ops.applied > 20 && report.faults.lose + report.faults.duplicate + report.faults.delay > 0, describeReport(report));
    });
  }

  it('the seeds together exercised every kind of fault', () => {
    assert.equal(reports.length, 3);
    const total = (pick: (r: ConvergeReport) => number) => reports.reduce((n, r) => n + pick(r), 0);
    const kinds = {
      offline: total((r) => r.faults.offline), lost: total((r) => r.faults.lose), duplicated: total((r) => r.faults.duplicate),
      delayed: total((r) => r.faults.delay), killedMidPush: total((r) => r.faults.kill), crashes: total((r) => r.faults.crashes),
      heldTransactions: total((r) => r.faults.heldTransactions), revokes: total((r) => r.faults.revokes), regrants: total((r) => r.faults.regrants),
      resolves: total((r) => r.faults.resolves), rejected: total((r) => r.ops.rejected),
    };
    assert.deepEqual(Object.entries(kinds).filter(([, n]) => n === 0).map(([k]) => k), [], JSON.stringify(kinds));
  });
});
