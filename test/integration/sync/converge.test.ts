import assert from 'node:assert/strict';
import '../../support/mochaPg';
import { describeReport, runConvergence } from '../../support/syncConverge/convergeRun';
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

  for (const seed of [3, 4, 6]) {
    it(`seed ${seed}: converges and keeps every invariant`, async () => {
      const report = await runConvergence(world, { seed, steps: 80 });
      const replay = `replay: npm run bench:sync -- --seed ${seed} --steps 80`;
      assert.deepEqual(report.violations, [], `${describeReport(report)}\n${replay}`);
      // The schedule really exercised what it claims to.
      assert.ok(report.ops.applied > 20 && report.faults.lose + report.faults.duplicate + report.faults.delay > 0, describeReport(report));
      assert.ok(report.faults.revokes > 0 && report.faults.regrants > 0 && report.faults.heldTransactions > 0, describeReport(report));
    });
  }
});
