import assert from 'node:assert/strict';
import { describeSync } from '../../../extension/ui/syncStatusText';
import type { SyncStatus } from '../../../sync/status';

/** The sync status-bar item folds the statuses of every open catalog's engine into one line. */
describe('sync status-bar text', () => {
  const ORG = '11111111-1111-4111-8111-111111111111';
  const status = (over: Partial<SyncStatus>): SyncStatus => ({ state: 'idle', orgId: ORG, pendingOps: 0, unconfirmedOps: 0, conflicts: 0, rejections: 0, failures: 0, ...over });
  const setup = { kind: 'syncing', who: 'ann@example.com', org: 'Acme' } as const;

  it('asks to sign in, then to choose an organization', () => {
    assert.deepEqual(describeSync({ kind: 'signed-out' }, []).command, 'mallard.signIn');
    const noOrg = describeSync({ kind: 'no-org', who: 'ann@example.com' }, []);
    assert.deepEqual([noOrg.command, noOrg.text], ['mallard.chooseOrganization', '$(cloud) Choose organization']);
  });

  it('shows the worst state, summed counts and the oldest last sync of the catalogs', () => {
    const now = new Date('2026-12-03T12:10:00Z');
    const view = describeSync(setup, [
      status({ pendingOps: 2, lastSyncedAt: '2026-12-03T12:09:30Z' }),
      status({ state: 'offline', pendingOps: 1, unconfirmedOps: 4, lastSyncedAt: '2026-12-03T12:05:00Z', reason: { code: 'offline', message: 'Cannot reach sync-push: connection refused', retryable: true } }),
    ], now);
    assert.equal(view.text, '$(debug-disconnect) Offline $(arrow-up) 3');
    assert.deepEqual([view.command, view.tone], ['mallard.syncNow', 'normal']);
    assert.deepEqual(view.tooltip.split('\n'), [
      'Mallard team sync: offline (Acme, signed in as ann@example.com)',
      'Cannot reach sync-push: connection refused (retrying)',
      '3 pending edits, 4 awaiting confirmation',
      '0 conflicts, 0 rejected edits',
      'Last synced 5 min ago (2026-12-03T12:05:00Z)',
      'Click to sync now.',
    ]);
  });

  it('an error wins over everything; conflicts and rejections lead to the views', () => {
    const error = describeSync(setup, [status({ state: 'syncing' }), status({ state: 'error', reason: { code: 'forbidden', message: 'No access to this organization', retryable: false } })]);
    assert.deepEqual([error.text, error.tone], ['$(error) Sync error', 'error']);
    assert.match(error.tooltip, /No access to this organization$/m);
    const conflicts = describeSync(setup, [status({ conflicts: 1 }), status({ rejections: 2 })]);
    assert.deepEqual([conflicts.text, conflicts.command, conflicts.tone], ['$(cloud) Synced $(warning) 1 $(circle-slash) 2', 'mallard.showConflicts', 'warning']);
    assert.match(describeSync(setup, [status({ state: 'syncing' })]).text, /^\$\(sync~spin\) Syncing$/);
    assert.match(describeSync(setup, []).tooltip, /Not synced yet/);
  });
});
