import type { SyncStatus } from '../../sync/status';

/**
 * What the sync status-bar item says, without `vscode`: the state of every open catalog's engine
 * folded into one line (the worst state, summed counts), a tooltip with the details, and what a
 * click does.
 */

/** The item's content; `command` is run on click. */
export interface SyncStatusView {
  text: string;
  tooltip: string;
  command: 'mallard.syncNow' | 'mallard.showConflicts' | 'mallard.signIn' | 'mallard.chooseOrganization';
  /** `error`: error background; `warning`: warning background (conflicts, rejected edits). */
  tone: 'normal' | 'warning' | 'error';
}

/** Where sign-in stands. */
export type SyncSetup = { kind: 'signed-out' } | { kind: 'no-org'; who: string } | { kind: 'syncing'; who: string; org: string };

const RANK = { idle: 0, syncing: 1, offline: 2, error: 3 } as const;

/** The status-bar content for `setup` and the engines' latest statuses. */
export function describeSync(setup: SyncSetup, statuses: readonly SyncStatus[], now: Date = new Date()): SyncStatusView {
  if (setup.kind === 'signed-out') return { text: '$(cloud) Sign in to sync', tooltip: 'Mallard team sync: not signed in. Click to sign in.', command: 'mallard.signIn', tone: 'normal' };
  if (setup.kind === 'no-org') return { text: '$(cloud) Choose organization', tooltip: `Mallard team sync: signed in as ${setup.who}; choose the organization to sync.`, command: 'mallard.chooseOrganization', tone: 'normal' };
  const worst = statuses.reduce<SyncStatus | undefined>((w, s) => (w === undefined || RANK[s.state] > RANK[w.state] ? s : w), undefined);
  const sum = (key: 'pendingOps' | 'unconfirmedOps' | 'conflicts' | 'rejections'): number => statuses.reduce((n, s) => n + s[key], 0);
  const pending = sum('pendingOps');
  const conflicts = sum('conflicts');
  const rejections = sum('rejections');
  // The oldest "last synced" of the catalogs: the status must not look fresher than any of them.
  const synced = statuses.map((s) => s.lastSyncedAt).filter((t): t is string => t !== undefined).sort()[0];
  const state = worst?.state ?? 'syncing';
  const icon = { idle: '$(cloud)', syncing: '$(sync~spin)', offline: '$(debug-disconnect)', error: '$(error)' }[state];
  const word = { idle: 'Synced', syncing: 'Syncing', offline: 'Offline', error: 'Sync error' }[state];
  const parts = [`${icon} ${word}`];
  if (pending > 0) parts.push(`$(arrow-up) ${pending}`);
  if (conflicts > 0) parts.push(`$(warning) ${conflicts}`);
  if (rejections > 0) parts.push(`$(circle-slash) ${rejections}`);
  const lines = [
    `Mallard team sync: ${word.toLowerCase()} (${setup.org}, signed in as ${setup.who})`,
    ...(worst?.reason && state !== 'idle' && state !== 'syncing' ? [`${worst.reason.message}${worst.reason.retryable ? ' (retrying)' : ''}`] : []),
    `${pending} pending edit${pending === 1 ? '' : 's'}, ${sum('unconfirmedOps')} awaiting confirmation`,
    `${conflicts} conflict${conflicts === 1 ? '' : 's'}, ${rejections} rejected edit${rejections === 1 ? '' : 's'}`,
    synced !== undefined ? `Last synced ${ago(new Date(synced), now)} (${synced})` : 'Not synced yet',
    conflicts + rejections > 0 ? 'Click to show the conflicts.' : 'Click to sync now.',
  ];
  return {
    text: parts.join(' '),
    tooltip: lines.join('\n'),
    command: conflicts + rejections > 0 ? 'mallard.showConflicts' : 'mallard.syncNow',
    tone: state === 'error' ? 'error' : conflicts + rejections > 0 ? 'warning' : 'normal',
  };
}

function ago(then: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}
