import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { VersionVector } from '../../../core/sync/versionVector';
import type { SyncWorld } from '../syncWorld';
import { checkClocks, checkEqualsServer, checkOps, checkRevoked, readServer } from './convergeInvariants';
import type { HeldTransaction } from './convergeOrg';
import { createConvergeOrg, holdTransaction, regrantMember, revokeMember } from './convergeOrg';
import { ConvergeReplica, TARGETS, replicaFile } from './convergeReplica';
import type { FaultCounts } from './faultyFetch';
import { WireLog } from './faultyFetch';

/**
 * The randomized convergence run (issue 13): four replicas — owner, admin, editor, and an editor
 * whose access is revoked and granted again — each with its own SQLite catalog and the real engine
 * over the production supabase-js transport, against real Postgres and the bundled edge functions
 * in Deno. A seeded PRNG drives local edits (descriptions, tags, owners, classifications on six
 * rows, so the same and disjoint fields collide; now and then a delete, which a later edit restores), syncs (one at a time and concurrent), offline
 * periods, wire faults (lost, duplicated and delayed answers, a replica killed mid-push), crashes
 * between cycles, a write transaction held open, conflict resolutions and revoke/regrant. Then
 * faults stop, everyone syncs until nothing changes, and the invariants are checked.
 */

/** What one seed runs. */
export interface ConvergeOptions {
  seed: number;
  /** Scheduled steps (edits, syncs, faults). */
  steps: number;
  /** Share of requests that get a wire fault while faults are on. */
  faultRate?: number;
}

/** What one seed did and found. */
export interface ConvergeReport {
  seed: number;
  steps: number;
  ops: { made: number; acknowledged: number; applied: number; rejected: number; waiting: number };
  faults: FaultCounts & { offlinePeriods: number; crashes: number; heldTransactions: number; revokes: number; regrants: number; resolves: number };
  requests: number;
  quiescenceRounds: number;
  ms: number;
  violations: string[];
}

/** mulberry32: a small seeded PRNG, so a seed replays the same schedule. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REVOKEE = 3;
const TAGS = ['pii', 'finance', 'core', 'stale'];
const OWNERS = ['ann', 'bob', 'cy', 'dee'];
const CLASSES = ['pii.email', 'internal', 'public', 'confidential'];

/** Runs one seed in `world` (a fresh organization of its own) and reports. */
export async function runConvergence(world: SyncWorld, options: ConvergeOptions): Promise<ConvergeReport> {
  const started = performance.now();
  const rng = seededRandom(options.seed);
  const pick = (n: number) => Math.floor(rng() * n);
  const chance = (p: number) => rng() < p;
  const org = await createConvergeOrg(world.db.admin, options.seed);
  const dir = mkdtempSync(path.join(tmpdir(), `mallard-converge-${options.seed}-`));
  const log = new WireLog();
  const violations: string[] = [];
  const history = new Map<string, VersionVector>();
  const counts = { offlinePeriods: 0, crashes: 0, heldTransactions: 0, revokes: 0, regrants: 0, resolves: 0 };
  const replicas = org.users.map((userId, i) => {
    const credentials = async () => ({ url: world.functions.url, apiKey: world.anonKey, accessToken: await world.keys.userToken(userId, { email: `u${i}@example.test` }), principal: userId });
    // Each replica draws its wire faults from its own stream, so concurrent cycles replay alike.
    return new ConvergeReplica(`r${i}`, replicaFile(dir, `r${i}`), credentials, log, org.orgId, seededRandom(options.seed * 31 + i + 1), options.faultRate ?? 0.15);
  });
  const offlineFor = replicas.map(() => 0);
  let revoked = false;
  let held: { tx: HeldTransaction; until: number } | undefined;
  let edits = 0;

  /** One cycle of `r`, then the per-cycle invariants: clocks never go backwards; a removal purges. */
  const sync = async (r: ConvergeReplica, where: string) => {
    const before = r.store.syncStore().state().scopes.length;
    // The cycle's own status: a replica killed during it has a fresh engine by now.
    const status = await r.sync();
    violations.push(...checkClocks(history, r.name, r.rows(), where));
    if (r !== replicas[REVOKEE] || !revoked) return;
    // A cycle that reached the server (not cut off by the network) pulled: the removal reached the
    // replica, nothing of the organization stays, and the edits pending when it arrived became
    // access-revoked rejections in the same transaction.
    const reason = status.reason;
    if (reason !== undefined && (reason.code === 'offline' || reason.retryable)) return;
    const at = `${where} (status ${status.state}${reason ? ` ${reason.code}: ${reason.message}` : ''})`;
    violations.push(...checkRevoked(r, at));
    const pending = r.store.syncStore().counts().pending;
    if (before > 0 && pending > 0) violations.push(`${at}: ${r.name} lost access with ${pending} ops still pending instead of access-revoked rejections`);
    if (r.store.syncStore().state().scopes.length > 0) violations.push(`${at}: ${r.name} lost access but still holds its scopes`);
  };
  const edit = (r: ConvergeReplica, step: number) => {
    const target = TARGETS[pick(TARGETS.length)]!;
    const field = pick(4);
    edits += 1;
    const mark = `${r.name}@${step}.${edits}`;
    if (chance(0.06)) r.deleteRow(target);
    else if (field === 0) r.editDocs(target, { description: `${target.id} as ${mark}` });
    else if (field === 1) r.editDocs(target, { tags: TAGS.filter(() => chance(0.4)) });
    else if (field === 2) r.editField(target, { owners: OWNERS.filter(() => chance(0.4)).concat(r.name) });
    else r.editField(target, { classification: CLASSES[pick(CLASSES.length)]! });
  };

  try {
    for (let step = 0; step < options.steps; step++) {
      if (held !== undefined && step >= held.until) {
        await held.tx.release();
        held = undefined;
      }
      for (const [i, left] of offlineFor.entries()) {
        if (left > 0 && --offlineFor[i]! === 0) replicas[i]!.control.offline = false;
      }
      const roll = rng();
      if (roll < 0.4) {
        const r = replicas[pick(replicas.length)]!;
        for (let n = 1 + pick(3); n > 0; n--) edit(r, step);
      } else if (roll < 0.66) {
        const r = replicas[pick(replicas.length)]!;
        await sync(r, `step ${step}`);
      } else if (roll < 0.74) {
        const group = replicas.filter(() => chance(0.6));
        await Promise.all(group.map((r) => sync(r, `step ${step}`)));
      } else if (roll < 0.8) {
        const i = pick(replicas.length);
        offlineFor[i] = 2 + pick(6);
        replicas[i]!.control.offline = true;
        counts.offlinePeriods += 1;
      } else if (roll < 0.84) {
        if (held === undefined) {
          held = { tx: await holdTransaction(world.db.owner, org, step), until: step + 3 + pick(8) };
          counts.heldTransactions += 1;
        }
      } else if (roll < 0.88) {
        if (revoked) {
          await regrantMember(world.db.admin, org, REVOKEE);
          counts.regrants += 1;
        } else {
          await revokeMember(world.db.admin, org, REVOKEE);
          counts.revokes += 1;
        }
        revoked = !revoked;
      } else if (roll < 0.94) {
        if (replicas[pick(replicas.length)]!.resolveOne(pick, chance(0.5))) counts.resolves += 1;
      } else {
        // A crash between cycles: the engine and connection go away without cleanup.
        replicas[pick(replicas.length)]!.kill();
        counts.crashes += 1;
      }
    }

    // Quiescence: no more faults, the held transaction commits, held requests arrive, everyone syncs.
    if (held !== undefined) await held.tx.release();
    for (const r of replicas) {
      r.control.faultsOn = false;
      r.control.offline = false;
      await r.flush();
    }
    let rounds = 0;
    let previous = '';
    for (; rounds < 10; rounds++) {
      for (const r of replicas) {
        await sync(r, `quiescence round ${rounds}`);
      }
      const live = replicas.filter((_, i) => !(revoked && i === REVOKEE));
      const snapshot = JSON.stringify([replicas.map((r) => r.rows()), live.map((r) => r.engine.status.state)]);
      const settled = live.every((r) => r.engine.status.state === 'idle' && r.engine.status.pendingOps === 0 && r.engine.status.unconfirmedOps === 0);
      if (settled && snapshot === previous) break;
      previous = snapshot;
    }
    const server = await readServer(world.db.admin, org.orgId);
    const opCheck = checkOps(server, log, replicas);
    violations.push(...opCheck.violations);
    for (const [i, r] of replicas.entries()) {
      if (revoked && i === REVOKEE) violations.push(...checkRevoked(r, `after quiescence (status ${JSON.stringify(r.engine.status.reason ?? r.engine.status.state)})`));
      else violations.push(...checkEqualsServer(server, r));
    }
    const made = replicas.reduce((n, r) => n + r.made.length, 0);
    return {
      seed: options.seed,
      steps: options.steps,
      ops: { made, acknowledged: opCheck.acknowledged, applied: opCheck.applied, rejected: opCheck.rejected, waiting: opCheck.waiting },
      faults: { ...log.faults, ...counts },
      requests: log.requests,
      quiescenceRounds: rounds + 1,
      ms: Math.round(performance.now() - started),
      violations,
    };
  } finally {
    if (held !== undefined) await held.tx.release().catch(() => undefined);
    for (const r of replicas) r.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per seed for the bench and failing tests. */
export function describeReport(r: ConvergeReport): string {
  const f = r.faults;
  const faults = `offline ${f.offline} lost ${f.lose} dup ${f.duplicate} delayed ${f.delay} killed-mid-push ${f.kill} crashes ${f.crashes} offline-periods ${f.offlinePeriods} held-tx ${f.heldTransactions} revoke ${f.revokes} regrant ${f.regrants} resolves ${f.resolves}`;
  return `seed ${r.seed}: ${r.steps} steps, ops made ${r.ops.made} (acknowledged by a push answer ${r.ops.acknowledged}; applied ${r.ops.applied}, rejected ${r.ops.rejected}, waiting for access ${r.ops.waiting}), ${r.requests} requests, faults: ${faults}; quiescent after ${r.quiescenceRounds} rounds; ${r.ms} ms; ${r.violations.length === 0 ? 'invariants hold' : `${r.violations.length} VIOLATIONS`}`;
}
